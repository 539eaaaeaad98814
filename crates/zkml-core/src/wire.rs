//! The canonical byte encoding of the guest input: a model section and a test-set section,
//! little-endian 32-bit words throughout, decodable in place (no serde, no copy of rows).
//!
//! ```text
//! guest input   = "ZKMLIN02" | model_words: u32 | data_words: u32 | model | data
//! model         = "ZKMLMDL3" | kind | degree | n_features | n_weights | z_frac_bits
//!                 | weight_frac_bits | schema: [u8; 32] | column_frac_bits: u32 × (n_features + 1)
//!                 | (degree >= 2 only: means: i32 × n_features | inv_stds: i32 × n_features
//!                    | z_shifts: u32 × n_features)
//!                 | bias: i64 (low word first) | weights: i32 × n_weights     (linear, ridge, poly)
//! model (gbdt)  = same header (degree 0, n_weights = body words) | column_frac_bits
//!                 | n_trees | depth | bias: i64
//!                 | per tree: (feature: u32, threshold: i32) × (2^depth - 1) | leaves: i32 × 2^depth
//! model (mlp)   = same header (degree 0, n_weights = body words, weight_frac_bits = the output
//!                 layer's) | column_frac_bits | means | inv_stds | z_shifts
//!                 | n_layers | widths: u32 × (n_layers + 1) | frac_bits: u32 × n_layers
//!                 | per layer: biases: i64 × units | weights: i32 × units × inputs (row-major)
//! test set      = "ZKMLDAT2" | n_rows: u32 | n_features: u32 | salt: [u8; 32]
//!                 | column_frac_bits: u32 × (n_features + 1)
//!                 | rows: n_rows × (features: i32 × n_features, target: i32)
//! ```
//! `schema` is the SHA-256 of the columns the model reads, by name and in order (the host's
//! business: see `zkml_train::schema_digest`); a guest carries it into the model hash without
//! interpreting it, so that the hash binds which CSV column feeds which parameter and which
//! column is the target — a model file whose feature names were reordered has another hash.
//! A value is one word: a row of 5 features and a target is 24 bytes to read and to hash.
//! Each column has its own power-of-two scale, chosen when the model is quantised and
//! repeated in the test set (so the commitment covers how the rows are to be read); a guest
//! refuses a test set whose scales differ from the model's. Every `i32` is a valid value:
//! the bounds of the evaluation hold for the whole range, so no value needs a check per row.
//!
//! The model section's bytes are what the model hash is taken of, and the test-set
//! section's bytes what the data commitment is taken of, so a guest hashes the very slices
//! it evaluates. The 32-byte salt makes the data commitment hiding: without it, anyone could
//! test a guess of the private rows against the commitment.

use crate::error::{CoreError, Section};
use crate::fixed::{MAX_COLUMN_FRAC_BITS, Z_FRAC_BITS};
use crate::mlp::{self, MlpView};
use crate::model::{
    accumulator_frac_bits, n_terms, FixedModel, ModelKind, ModelView, MAX_ABS_BIAS, MAX_ABS_FOLDED_WEIGHT, MAX_DEGREE, MAX_FEATURES,
};
use crate::trees::{self, TreesView};
use alloc::vec::Vec;

pub const INPUT_MAGIC: [u8; 8] = *b"ZKMLIN02";
pub const MODEL_MAGIC: [u8; 8] = *b"ZKMLMDL3";
pub const DATA_MAGIC: [u8; 8] = *b"ZKMLDAT2";

const INPUT_HEADER_WORDS: usize = 4;
/// Magic, six fields and the 8-word schema digest.
const MODEL_HEADER_WORDS: usize = 16;
const SCHEMA_AT: usize = 8;
const DATA_HEADER_WORDS: usize = 4 + 8;

/// Most test rows the overflow analysis allows: `|y| <= 2^31`, so `Σ y` stays below
/// `2^62` in `i64`, and `e² < 2^64` summed `2^31` times stays inside `u128`.
pub const MAX_ROWS: u64 = 1 << 31;

fn magic_words(magic: &[u8; 8]) -> [u32; 2] {
    [u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]), u32::from_le_bytes([magic[4], magic[5], magic[6], magic[7]])]
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
    if !bytes.len().is_multiple_of(4) {
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

/// Words of the standardisation parameters of a model: a polynomial's and an MLP's inputs are
/// standardised; degree 1 folds it into the weights and trees compare raw values.
fn standardisation_words(kind: ModelKind, degree: u32, nf: usize) -> usize {
    match kind {
        ModelKind::Mlp => 3 * nf,
        ModelKind::PolyRidge if degree >= 2 => 3 * nf,
        _ => 0,
    }
}

/// Words of a model's body (after the standardisation): bias and weights of an affine model;
/// `n_trees, depth, bias, trees` of a forest; `n_layers, widths, frac_bits, layers` of an MLP.
fn body_words(model: &FixedModel) -> usize {
    match model.kind {
        ModelKind::Gbdt => 4 + model.trees.as_ref().map_or(0, |t| t.n_trees() * trees::words_per_tree(t.depth)),
        ModelKind::Mlp => {
            let widths: Vec<u32> = model.layers.first().map(|l| l.n_in).into_iter().chain(model.layers.iter().map(|l| l.n_out)).collect();
            2 + 2 * model.layers.len() + mlp::layer_words(&widths) as usize
        }
        _ => 2 + model.weights.len(),
    }
}

/// Encodes a model section.
///
/// The header's `n_weights` is the number of weights of an affine model (its body is the
/// bias's two words and the weights) and the number of body words of a forest or an MLP.
pub fn encode_model(model: &FixedModel) -> Result<Vec<u32>, CoreError> {
    validate_model(model)?;
    let nf = model.n_features() as usize;
    let body = body_words(model);
    let mut w = Vec::with_capacity(MODEL_HEADER_WORDS + nf + 1 + standardisation_words(model.kind, model.degree, nf) + body);
    let n_params = if model.kind.is_affine() { model.weights.len() } else { body };
    w.extend_from_slice(&magic_words(&MODEL_MAGIC));
    w.extend_from_slice(&[model.kind.code(), model.degree, nf as u32, n_params as u32, Z_FRAC_BITS, model.weight_frac_bits]);
    w.extend(model.schema.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])));
    w.extend_from_slice(&model.column_frac_bits);
    w.extend(model.means.iter().map(|&v| v as u32));
    w.extend(model.inv_stds.iter().map(|&v| v as u32));
    w.extend_from_slice(&model.z_shifts);
    let bias = [model.bias as u64 as u32, (model.bias as u64 >> 32) as u32];
    match (&model.trees, model.kind) {
        (Some(trees), _) => {
            w.extend_from_slice(&[trees.n_trees() as u32, trees.depth]);
            w.extend_from_slice(&bias);
            trees.encode_into(&mut w);
        }
        (None, ModelKind::Mlp) => mlp::encode_layers(&model.layers, &mut w),
        _ => {
            w.extend_from_slice(&bias);
            w.extend(model.weights.iter().map(|&v| v as u32));
        }
    }
    Ok(w)
}

fn check_column_scales(section: Section, scales: &[u32]) -> Result<(), CoreError> {
    match scales.iter().find(|&&b| b > MAX_COLUMN_FRAC_BITS) {
        Some(&b) => Err(CoreError::Unsupported { section, field: "column_frac_bits", value: b as u64 }),
        None => Ok(()),
    }
}

/// The rounding shift from the accumulator to the target's scale, if the model's scales
/// give one in 1..=62.
fn out_shift(kind: ModelKind, degree: u32, weight_frac_bits: u32, target_frac_bits: u32) -> Option<u32> {
    if weight_frac_bits > 2 * MAX_COLUMN_FRAC_BITS {
        return None;
    }
    accumulator_frac_bits(kind, degree, weight_frac_bits).checked_sub(target_frac_bits).filter(|s| (1..=62).contains(s))
}

fn validate_standardisation(model: &FixedModel, nf: usize) -> Result<(), CoreError> {
    let s = Section::Model;
    let standardised = standardisation_words(model.kind, model.degree, nf) / 3;
    let lengths = [
        ("means length", model.means.len(), standardised),
        ("inv_stds length", model.inv_stds.len(), standardised),
        ("z_shifts length", model.z_shifts.len(), standardised),
    ];
    for (field, got, want) in lengths {
        if got != want {
            return Err(CoreError::Unsupported { section: s, field, value: got as u64 });
        }
    }
    for (i, &v) in model.inv_stds.iter().enumerate() {
        if v <= 0 {
            return Err(CoreError::ModelParameterOutOfRange { field: "inv_stds", index: i as u32, value: v as i64 });
        }
    }
    for (i, &v) in model.z_shifts.iter().enumerate() {
        if v > 16 {
            return Err(CoreError::ModelParameterOutOfRange { field: "z_shifts", index: i as u32, value: v as i64 });
        }
    }
    Ok(())
}

fn validate_model(model: &FixedModel) -> Result<(), CoreError> {
    let s = Section::Model;
    let nf = model.n_features();
    if nf == 0 || nf > MAX_FEATURES {
        return Err(CoreError::Unsupported { section: s, field: "n_features", value: nf as u64 });
    }
    let affine = model.kind.is_affine();
    if affine && (model.degree == 0 || model.degree > MAX_DEGREE) || !affine && model.degree != 0 {
        return Err(CoreError::Unsupported { section: s, field: "degree", value: model.degree as u64 });
    }
    if model.kind != ModelKind::PolyRidge && affine && model.degree != 1 {
        return Err(CoreError::Unsupported { section: s, field: "degree of a linear model", value: model.degree as u64 });
    }
    validate_standardisation(model, nf as usize)?;
    let want_weights = if affine { n_terms(nf, model.degree) as usize } else { 0 };
    if model.weights.len() != want_weights {
        return Err(CoreError::Unsupported { section: s, field: "n_weights", value: model.weights.len() as u64 });
    }
    if model.trees.is_some() != (model.kind == ModelKind::Gbdt) {
        return Err(CoreError::Unsupported { section: s, field: "trees of a model of this kind", value: model.kind.code() as u64 });
    }
    if model.layers.is_empty() == (model.kind == ModelKind::Mlp) {
        return Err(CoreError::Unsupported { section: s, field: "layers of a model of this kind", value: model.layers.len() as u64 });
    }
    check_column_scales(s, &model.column_frac_bits)?;
    if out_shift(model.kind, model.degree, model.weight_frac_bits, model.column_frac_bits[nf as usize]).is_none() {
        return Err(CoreError::Unsupported { section: s, field: "weight_frac_bits", value: model.weight_frac_bits as u64 });
    }
    if model.bias.unsigned_abs() > MAX_ABS_BIAS as u64 || (model.kind == ModelKind::Mlp && model.bias != 0) {
        return Err(CoreError::ModelParameterOutOfRange { field: "bias", index: 0, value: model.bias });
    }
    if let Some(trees) = &model.trees {
        trees.validate(nf)?;
    }
    if model.kind == ModelKind::Mlp {
        mlp::validate_layers(&model.layers, nf)?;
        let last = model.layers[model.layers.len() - 1].frac_bits;
        if last != model.weight_frac_bits {
            return Err(CoreError::Unsupported {
                section: s,
                field: "weight_frac_bits (not the output layer's)",
                value: model.weight_frac_bits as u64,
            });
        }
    }
    if affine && model.degree == 1 {
        for (i, &v) in model.weights.iter().enumerate() {
            if v.unsigned_abs() > MAX_ABS_FOLDED_WEIGHT as u32 {
                return Err(CoreError::ModelParameterOutOfRange { field: "weights", index: i as u32, value: v as i64 });
            }
        }
    }
    Ok(())
}

/// The body of a forest or an MLP (after the standardisation), checked against the header's
/// word count `n_params` before any size is computed from it: the trees or layers it holds.
fn decode_body(
    kind: ModelKind,
    nf: u32,
    n_params: u32,
    body: &[u32],
) -> Result<(Option<TreesView<'_>>, Option<MlpView<'_>>, i64), CoreError> {
    let s = Section::Model;
    let bad = |field: &'static str, value: u64| CoreError::Unsupported { section: s, field, value };
    need(s, body, n_params as usize)?;
    let body = &body[..n_params as usize];
    match kind {
        ModelKind::Gbdt => {
            need(s, body, 4)?;
            let (n_trees, depth) = (body[0], body[1]);
            if depth == 0 || depth > trees::MAX_TREE_DEPTH {
                return Err(bad("tree depth", depth as u64));
            }
            if n_trees == 0 || n_trees > trees::MAX_TREES {
                return Err(bad("number of trees", n_trees as u64));
            }
            if n_params as u64 != 4 + n_trees as u64 * trees::words_per_tree(depth) as u64 {
                return Err(bad("n_weights (words of the trees)", n_params as u64));
            }
            let bias = (body[2] as u64 | (body[3] as u64) << 32) as i64;
            Ok((Some(TreesView::new(depth, n_trees, &body[4..])), None, bias))
        }
        ModelKind::Mlp => {
            need(s, body, 1)?;
            let n_layers = body[0];
            if n_layers == 0 || n_layers > mlp::MAX_LAYERS {
                return Err(bad("number of layers", n_layers as u64));
            }
            let l = n_layers as usize;
            need(s, body, 2 + 2 * l)?;
            let (widths, frac_bits) = (&body[1..2 + l], &body[2 + l..2 + 2 * l]);
            if widths[0] != nf {
                return Err(bad("MLP inputs (not the number of features)", widths[0] as u64));
            }
            if let Some(&w) = widths.iter().find(|&&w| w == 0 || w > mlp::MAX_WIDTH) {
                return Err(bad("layer width", w as u64));
            }
            if n_params as u64 != 2 + 2 * l as u64 + mlp::layer_words(widths) {
                return Err(bad("n_weights (words of the layers)", n_params as u64));
            }
            Ok((None, Some(MlpView::new(widths, frac_bits, &body[2 + 2 * l..])), 0))
        }
        _ => unreachable!("affine models have no body to decode"),
    }
}

/// Decodes a model section in place and validates every parameter.
pub fn decode_model(words: &[u32]) -> Result<ModelView<'_>, CoreError> {
    let s = Section::Model;
    check_magic(s, words, &MODEL_MAGIC)?;
    need(s, words, MODEL_HEADER_WORDS)?;
    let kind = ModelKind::from_code(words[2]).ok_or(CoreError::Unsupported { section: s, field: "model kind", value: words[2] as u64 })?;
    let (degree, nf, nw, z_frac, weight_frac) = (words[3], words[4], words[5], words[6], words[7]);
    if z_frac != Z_FRAC_BITS {
        return Err(CoreError::Unsupported { section: s, field: "z_frac_bits", value: z_frac as u64 });
    }
    if nf == 0 || nf > MAX_FEATURES {
        return Err(CoreError::Unsupported { section: s, field: "n_features", value: nf as u64 });
    }
    let affine = kind.is_affine();
    if affine && (degree == 0 || degree > MAX_DEGREE) || !affine && degree != 0 {
        return Err(CoreError::Unsupported { section: s, field: "degree", value: degree as u64 });
    }
    if affine && nw != n_terms(nf, degree) {
        return Err(CoreError::Unsupported { section: s, field: "n_weights", value: nw as u64 });
    }
    let nf_us = nf as usize;
    let std_words = standardisation_words(kind, degree, nf_us);
    let body_len = if affine { 2 + nw as usize } else { nw as usize };
    let total = MODEL_HEADER_WORDS as u64 + nf as u64 + 1 + std_words as u64 + body_len as u64;
    need(s, words, total as usize)?;
    if words.len() as u64 > total {
        return Err(CoreError::TrailingBytes { section: s, extra_bytes: (words.len() as u64 - total) * 4 });
    }
    let (scales, body) = words[MODEL_HEADER_WORDS..].split_at(nf_us + 1);
    let (standardisation, body) = body.split_at(std_words);
    let (means, rest) = standardisation.split_at(std_words / 3);
    let (inv_stds, shifts) = rest.split_at(std_words / 3);
    let (trees, mlp, bias, weights) = if affine {
        let (bias, weights) = body.split_at(2);
        (None, None, (bias[0] as u64 | (bias[1] as u64) << 32) as i64, weights)
    } else {
        let (trees, mlp, bias) = decode_body(kind, nf, nw, body)?;
        (trees, mlp, bias, &body[..0])
    };
    let mut schema = [0u8; 32];
    for (out, word) in schema.chunks_exact_mut(4).zip(&words[SCHEMA_AT..MODEL_HEADER_WORDS]) {
        out.copy_from_slice(&word.to_le_bytes());
    }
    let view = ModelView {
        kind,
        degree,
        schema,
        n_features: nf,
        column_frac_bits: scales,
        weight_frac_bits: weight_frac,
        means: bytemuck::cast_slice(means),
        inv_stds: bytemuck::cast_slice(inv_stds),
        z_shifts: shifts,
        bias,
        weights: bytemuck::cast_slice(weights),
        out_shift: out_shift(kind, degree, weight_frac, scales[nf_us]).unwrap_or(0),
        trees,
        mlp,
    };
    validate_model(&view.to_owned_model())?;
    Ok(view)
}

/// Encodes a test-set section. `rows` is row-major: each row its `n_features` features then
/// its target, each at its column's scale (`column_frac_bits`, features then target: the
/// model's). Converting real values to `i32` at those scales, with an error naming the row
/// and column of a value that does not fit, is the quantiser's job (zkml-train).
pub fn encode_test_set(column_frac_bits: &[u32], rows: &[i32], salt: &[u8; 32]) -> Result<Vec<u32>, CoreError> {
    let s = Section::TestSet;
    let width = column_frac_bits.len();
    let n_features = width.saturating_sub(1) as u32;
    if n_features == 0 || n_features > MAX_FEATURES {
        return Err(CoreError::Unsupported { section: s, field: "n_features", value: n_features as u64 });
    }
    check_column_scales(s, column_frac_bits)?;
    if !rows.len().is_multiple_of(width) {
        return Err(CoreError::Unsupported { section: s, field: "values (not whole rows)", value: rows.len() as u64 });
    }
    let n_rows = (rows.len() / width) as u64;
    if n_rows == 0 {
        return Err(CoreError::EmptyTestSet);
    }
    if n_rows > MAX_ROWS {
        return Err(CoreError::TooManyRows { rows: n_rows, max: MAX_ROWS });
    }
    let mut w = Vec::with_capacity(DATA_HEADER_WORDS + width + rows.len());
    w.extend_from_slice(&magic_words(&DATA_MAGIC));
    w.push(n_rows as u32);
    w.push(n_features);
    w.extend(salt.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])));
    w.extend_from_slice(column_frac_bits);
    w.extend(rows.iter().map(|&v| v as u32));
    Ok(w)
}

/// A test set decoded in place: rows are read straight from the input words.
#[derive(Debug, Clone, Copy)]
pub struct TestSetView<'a> {
    pub n_rows: u32,
    pub n_features: u32,
    /// Fractional bits of each column, features then target.
    pub column_frac_bits: &'a [u32],
    values: &'a [i32],
}

impl<'a> TestSetView<'a> {
    /// One row: `n_features` values then the target.
    pub fn row(&self, r: usize) -> &'a [i32] {
        let w = self.n_features as usize + 1;
        &self.values[r * w..(r + 1) * w]
    }

    /// The rows in order, each `n_features` values then the target.
    pub fn rows(&self) -> core::slice::ChunksExact<'a, i32> {
        self.values.chunks_exact(self.n_features as usize + 1)
    }
}

/// Decodes a test-set section in place.
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
    let width = nf as u64 + 1;
    let total = DATA_HEADER_WORDS as u64 + width + (n_rows as u64) * width;
    if (words.len() as u64) < total {
        return Err(CoreError::Truncated { section: s, needed_bytes: total * 4, available_bytes: words.len() as u64 * 4 });
    }
    if words.len() as u64 > total {
        return Err(CoreError::TrailingBytes { section: s, extra_bytes: (words.len() as u64 - total) * 4 });
    }
    let (scales, values) = words[DATA_HEADER_WORDS..].split_at(width as usize);
    check_column_scales(s, scales)?;
    Ok(TestSetView { n_rows, n_features: nf, column_frac_bits: scales, values: bytemuck::cast_slice(values) })
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
        for (column, (&m, &t)) in model.column_frac_bits.iter().zip(test_set.column_frac_bits).enumerate() {
            if m != t {
                return Err(CoreError::ScaleMismatch { column: column as u32, model: m, test_set: t });
            }
        }
        Ok(GuestInput { model_words, test_set_words, model, test_set })
    }
}
