//! The canonical byte encoding of the guest input: a model section and a test-set section,
//! little-endian 32-bit words throughout, decodable in place (no serde, no copy of rows).
//!
//! ```text
//! guest input   = "ZKMLIN01" | model_words: u32 | data_words: u32 | model | data
//! model         = "ZKMLMDL1" | kind | degree | n_features | frac_bits | inv_std_frac_bits
//!                 | n_weights | means: i64 × n_features | inv_stds: i64 × n_features
//!                 | weights: i64 × n_weights
//! test set      = "ZKMLDAT1" | n_rows: u32 | n_features: u32 | salt: [u8; 32]
//!                 | rows: n_rows × (features: i64 × n_features, target: i64)
//! ```
//! An `i64` is two words, low word first. The model section's bytes are what the model hash
//! is taken of, and the test-set section's bytes what the data commitment is taken of, so a
//! guest hashes the very slices it evaluates. The 32-byte salt makes the data commitment
//! hiding: without it, anyone could test a guess of the private rows against the commitment.

use crate::error::{CoreError, Section};
use crate::fixed::{FRAC_BITS, INV_STD_FRAC_BITS, MAX_ABS_FIXED, MAX_INV_STD_FIXED};
use crate::model::{n_terms, FixedModel, ModelKind, ModelView, MAX_DEGREE, MAX_FEATURES};
use alloc::vec::Vec;

pub const INPUT_MAGIC: [u8; 8] = *b"ZKMLIN01";
pub const MODEL_MAGIC: [u8; 8] = *b"ZKMLMDL1";
pub const DATA_MAGIC: [u8; 8] = *b"ZKMLDAT1";

const INPUT_HEADER_WORDS: usize = 4;
const MODEL_HEADER_WORDS: usize = 8;
const DATA_HEADER_WORDS: usize = 4 + 8;

/// Most test rows the overflow analysis allows: with errors bounded by `2^48` (fixed point),
/// the sum of squared errors stays below `2^31 * 2^96 = 2^127`, inside `u128`.
pub const MAX_ROWS: u64 = 1 << 31;

fn magic_words(magic: &[u8; 8]) -> [u32; 2] {
    [u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]), u32::from_le_bytes([magic[4], magic[5], magic[6], magic[7]])]
}

fn push_i64(out: &mut Vec<u32>, v: i64) {
    out.push(v as u64 as u32);
    out.push((v as u64 >> 32) as u32);
}

fn need(section: Section, words: &[u32], n: usize) -> Result<(), CoreError> {
    if words.len() < n {
        Err(CoreError::Truncated { section, needed_bytes: n as u64 * 4, available_bytes: words.len() as u64 * 4 })
    } else {
        Ok(())
    }
}

fn check_magic(section: Section, words: &[u32], magic: &[u8; 8]) -> Result<(), CoreError> {
    need(section, words, 2)?;
    if words[..2] != magic_words(magic) {
        return Err(CoreError::BadMagic { section });
    }
    Ok(())
}

/// Copies bytes into little-endian words (a host-side convenience; guests read words).
pub fn words_from_bytes(bytes: &[u8]) -> Result<Vec<u32>, CoreError> {
    if bytes.len() % 4 != 0 {
        return Err(CoreError::Unaligned { len: bytes.len() as u64 });
    }
    Ok(bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

/// The input bytes as words: viewed in place when the buffer is 4-byte aligned (the zkVMs'
/// allocators align their input buffers), copied otherwise. What every guest that receives one
/// byte buffer (SP1, OpenVM) does first.
pub fn aligned_words(bytes: &[u8]) -> Result<alloc::borrow::Cow<'_, [u32]>, CoreError> {
    match bytemuck::try_cast_slice(bytes) {
        Ok(words) => Ok(alloc::borrow::Cow::Borrowed(words)),
        Err(_) => words_from_bytes(bytes).map(alloc::borrow::Cow::Owned),
    }
}

/// The bytes of a word slice, as hashed by the commitments. Little-endian targets only
/// (x86-64, aarch64 and every RISC-V zkVM), where this is a free reinterpretation.
pub fn words_as_bytes(words: &[u32]) -> &[u8] {
    bytemuck::cast_slice(words)
}

#[cfg(target_endian = "big")]
compile_error!("zkml-core's wire format is little-endian; big-endian hosts are not supported");

/// Encodes a model section.
pub fn encode_model(model: &FixedModel) -> Result<Vec<u32>, CoreError> {
    validate_model(model)?;
    let nf = model.n_features() as usize;
    let mut w = Vec::with_capacity(MODEL_HEADER_WORDS + 4 * nf + 2 * model.weights.len());
    w.extend_from_slice(&magic_words(&MODEL_MAGIC));
    w.extend_from_slice(&[model.kind.code(), model.degree, nf as u32, FRAC_BITS, INV_STD_FRAC_BITS, model.weights.len() as u32]);
    for &m in &model.means {
        push_i64(&mut w, m);
    }
    for &s in &model.inv_stds {
        push_i64(&mut w, s);
    }
    for &x in &model.weights {
        push_i64(&mut w, x);
    }
    Ok(w)
}

fn validate_model(model: &FixedModel) -> Result<(), CoreError> {
    let nf = model.means.len() as u32;
    if nf == 0 || nf > MAX_FEATURES {
        return Err(CoreError::Unsupported { section: Section::Model, field: "n_features", value: nf as u64 });
    }
    if model.degree == 0 || model.degree > MAX_DEGREE {
        return Err(CoreError::Unsupported { section: Section::Model, field: "degree", value: model.degree as u64 });
    }
    if model.kind != ModelKind::PolyRidge && model.degree != 1 {
        return Err(CoreError::Unsupported { section: Section::Model, field: "degree of a linear model", value: model.degree as u64 });
    }
    if model.inv_stds.len() as u32 != nf {
        return Err(CoreError::Unsupported { section: Section::Model, field: "inv_stds length", value: model.inv_stds.len() as u64 });
    }
    let expected = n_terms(nf, model.degree) as usize + 1;
    if model.weights.len() != expected {
        return Err(CoreError::Unsupported { section: Section::Model, field: "n_weights", value: model.weights.len() as u64 });
    }
    for (i, &m) in model.means.iter().enumerate() {
        if m.abs() > MAX_ABS_FIXED {
            return Err(CoreError::ModelParameterOutOfRange { field: "means", index: i as u32, value: m });
        }
    }
    for (i, &s) in model.inv_stds.iter().enumerate() {
        if s <= 0 || s > MAX_INV_STD_FIXED {
            return Err(CoreError::ModelParameterOutOfRange { field: "inv_stds", index: i as u32, value: s });
        }
    }
    for (i, &x) in model.weights.iter().enumerate() {
        if x.abs() > MAX_ABS_FIXED {
            return Err(CoreError::ModelParameterOutOfRange { field: "weights", index: i as u32, value: x });
        }
    }
    Ok(())
}

/// Decodes a model section in place and validates every parameter.
pub fn decode_model(words: &[u32]) -> Result<ModelView<'_>, CoreError> {
    let s = Section::Model;
    check_magic(s, words, &MODEL_MAGIC)?;
    need(s, words, MODEL_HEADER_WORDS)?;
    let kind = ModelKind::from_code(words[2]).ok_or(CoreError::Unsupported { section: s, field: "model kind", value: words[2] as u64 })?;
    let (degree, nf, frac, inv_frac, nw) = (words[3], words[4], words[5], words[6], words[7]);
    if frac != FRAC_BITS {
        return Err(CoreError::Unsupported { section: s, field: "frac_bits", value: frac as u64 });
    }
    if inv_frac != INV_STD_FRAC_BITS {
        return Err(CoreError::Unsupported { section: s, field: "inv_std_frac_bits", value: inv_frac as u64 });
    }
    if nf == 0 || nf > MAX_FEATURES {
        return Err(CoreError::Unsupported { section: s, field: "n_features", value: nf as u64 });
    }
    if degree == 0 || degree > MAX_DEGREE {
        return Err(CoreError::Unsupported { section: s, field: "degree", value: degree as u64 });
    }
    if nw != n_terms(nf, degree) + 1 {
        return Err(CoreError::Unsupported { section: s, field: "n_weights", value: nw as u64 });
    }
    let (nf_us, nw_us) = (nf as usize, nw as usize);
    let total = MODEL_HEADER_WORDS + 4 * nf_us + 2 * nw_us;
    need(s, words, total)?;
    if words.len() > total {
        return Err(CoreError::TrailingBytes { section: s, extra_bytes: (words.len() - total) as u64 * 4 });
    }
    let body = &words[MODEL_HEADER_WORDS..];
    let view = ModelView {
        kind,
        degree,
        n_features: nf,
        means: &body[..2 * nf_us],
        inv_stds: &body[2 * nf_us..4 * nf_us],
        weights: &body[4 * nf_us..],
    };
    validate_model(&view.to_owned_model())?;
    Ok(view)
}

/// Encodes a test-set section. `rows` is row-major: each row its `n_features` features then
/// its target, all fixed point. Every value is checked against the format's bound.
pub fn encode_test_set(n_features: u32, rows: &[i64], salt: &[u8; 32]) -> Result<Vec<u32>, CoreError> {
    let width = n_features as usize + 1;
    if n_features == 0 || n_features > MAX_FEATURES {
        return Err(CoreError::Unsupported { section: Section::TestSet, field: "n_features", value: n_features as u64 });
    }
    if rows.len() % width != 0 {
        return Err(CoreError::Unsupported { section: Section::TestSet, field: "values (not whole rows)", value: rows.len() as u64 });
    }
    let n_rows = (rows.len() / width) as u64;
    if n_rows == 0 {
        return Err(CoreError::EmptyTestSet);
    }
    if n_rows > MAX_ROWS {
        return Err(CoreError::TooManyRows { rows: n_rows, max: MAX_ROWS });
    }
    for (i, &v) in rows.iter().enumerate() {
        if v.abs() > MAX_ABS_FIXED {
            return Err(CoreError::ValueOutOfRange { row: (i / width) as u64, column: (i % width) as u32, value: v });
        }
    }
    let mut w = Vec::with_capacity(DATA_HEADER_WORDS + 2 * rows.len());
    w.extend_from_slice(&magic_words(&DATA_MAGIC));
    w.push(n_rows as u32);
    w.push(n_features);
    w.extend(salt.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])));
    for &v in rows {
        push_i64(&mut w, v);
    }
    Ok(w)
}

/// A test set decoded in place: rows are read straight from the input words.
#[derive(Debug, Clone, Copy)]
pub struct TestSetView<'a> {
    pub n_rows: u32,
    pub n_features: u32,
    rows: &'a [u32],
}

impl<'a> TestSetView<'a> {
    /// Words of one row: `2 * (n_features + 1)` words, target last.
    #[inline(always)]
    pub fn row_words(&self, r: usize) -> &'a [u32] {
        let w = 2 * (self.n_features as usize + 1);
        &self.rows[r * w..(r + 1) * w]
    }

    /// Iterates rows as (features, target).
    pub fn rows(&self) -> impl Iterator<Item = RowView<'a>> + '_ {
        let w = 2 * (self.n_features as usize + 1);
        self.rows.chunks_exact(w).map(|words| RowView { words })
    }
}

/// One test row, decoded on access.
#[derive(Debug, Clone, Copy)]
pub struct RowView<'a> {
    words: &'a [u32],
}

impl<'a> RowView<'a> {
    pub fn n_features(&self) -> usize {
        self.words.len() / 2 - 1
    }
    #[inline(always)]
    pub fn feature(&self, j: usize) -> i64 {
        crate::model::word_i64(self.words, j)
    }
    #[inline(always)]
    pub fn target(&self) -> i64 {
        crate::model::word_i64(self.words, self.n_features())
    }
    pub fn features(&self) -> impl Iterator<Item = i64> + 'a {
        let words = self.words;
        (0..words.len() / 2 - 1).map(move |j| crate::model::word_i64(words, j))
    }
}

/// Decodes a test-set section in place (values are range-checked during evaluation).
pub fn decode_test_set(words: &[u32]) -> Result<TestSetView<'_>, CoreError> {
    let s = Section::TestSet;
    check_magic(s, words, &DATA_MAGIC)?;
    need(s, words, DATA_HEADER_WORDS)?;
    let (n_rows, nf) = (words[2], words[3]);
    if nf == 0 || nf > MAX_FEATURES {
        return Err(CoreError::Unsupported { section: s, field: "n_features", value: nf as u64 });
    }
    if n_rows as u64 > MAX_ROWS {
        return Err(CoreError::TooManyRows { rows: n_rows as u64, max: MAX_ROWS });
    }
    let body_words = (n_rows as u64) * 2 * (nf as u64 + 1);
    let total = DATA_HEADER_WORDS as u64 + body_words;
    if (words.len() as u64) < total {
        return Err(CoreError::Truncated { section: s, needed_bytes: total * 4, available_bytes: words.len() as u64 * 4 });
    }
    if words.len() as u64 > total {
        return Err(CoreError::TrailingBytes { section: s, extra_bytes: (words.len() as u64 - total) * 4 });
    }
    Ok(TestSetView { n_rows, n_features: nf, rows: &words[DATA_HEADER_WORDS..] })
}

/// The salt of an encoded test-set section.
pub fn test_set_salt(words: &[u32]) -> Result<[u8; 32], CoreError> {
    decode_test_set(words)?;
    let mut salt = [0u8; 32];
    salt.copy_from_slice(words_as_bytes(&words[4..12]));
    Ok(salt)
}

/// Joins a model section and a test-set section into one guest input.
pub fn encode_guest_input(model: &[u32], test_set: &[u32]) -> Vec<u32> {
    let mut w = Vec::with_capacity(INPUT_HEADER_WORDS + model.len() + test_set.len());
    w.extend_from_slice(&magic_words(&INPUT_MAGIC));
    w.push(model.len() as u32);
    w.push(test_set.len() as u32);
    w.extend_from_slice(model);
    w.extend_from_slice(test_set);
    w
}

/// The guest input, decoded in place.
#[derive(Debug, Clone, Copy)]
pub struct GuestInput<'a> {
    /// The model section's words (the model hash is taken over their bytes).
    pub model_words: &'a [u32],
    /// The test-set section's words (the data commitment is taken over their bytes).
    pub test_set_words: &'a [u32],
    pub model: ModelView<'a>,
    pub test_set: TestSetView<'a>,
}

impl<'a> GuestInput<'a> {
    /// Decodes and validates the whole input; rows stay where they are.
    pub fn decode(words: &'a [u32]) -> Result<Self, CoreError> {
        let s = Section::GuestInput;
        check_magic(s, words, &INPUT_MAGIC)?;
        need(s, words, INPUT_HEADER_WORDS)?;
        let (mw, dw) = (words[2] as usize, words[3] as usize);
        let total = INPUT_HEADER_WORDS as u64 + mw as u64 + dw as u64;
        if (words.len() as u64) < total {
            return Err(CoreError::Truncated { section: s, needed_bytes: total * 4, available_bytes: words.len() as u64 * 4 });
        }
        if words.len() as u64 > total {
            return Err(CoreError::TrailingBytes { section: s, extra_bytes: (words.len() as u64 - total) * 4 });
        }
        let model_words = &words[INPUT_HEADER_WORDS..INPUT_HEADER_WORDS + mw];
        let test_set_words = &words[INPUT_HEADER_WORDS + mw..];
        let model = decode_model(model_words)?;
        let test_set = decode_test_set(test_set_words)?;
        if model.n_features != test_set.n_features {
            return Err(CoreError::FeatureCountMismatch { model: model.n_features, test_set: test_set.n_features });
        }
        Ok(GuestInput { model_words, test_set_words, model, test_set })
    }
}
