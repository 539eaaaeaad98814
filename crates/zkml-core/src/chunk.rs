//! Chunked claims (issue #36): a test set too large for one proof — or one machine — is cut
//! into `K` chunks of at most `N` rows. Each chunk is proven on its own: its guest evaluates the
//! chunk's rows and commits a [`ChunkClaim`] (the exact partial sums and the chunk's own data
//! commitment). An aggregation guest verifies the `K` chunk proofs through its zkVM's recursion,
//! checks them with [`aggregate`] and commits the ordinary [`Claim`] — which `verify` accepts
//! like any other.
//!
//! What the aggregate claim's `data_commitment` is (the data owner recomputes it with
//! `zkml-bench data commit --chunk-rows N`):
//!
//! ```text
//! chunk i's section   = the ordinary test-set section of rows [i·N, min((i+1)·N, n)), with the
//!                       salt chunk_salt(salt, i) = SHA-256("ZKMLSLT1" | salt | i: u32 LE)
//! chunk commitment c_i = SHA-256(chunk i's section)          (data_commitment of one chunk)
//! data commitment      = SHA-256("ZKMLCHK1" | K: u32 LE | c_0 | c_1 | … | c_{K-1})
//! ```
//!
//! Each chunk has a salt of its own, derived from the one secret salt, so that no two chunk
//! commitments share a preimage prefix and the owner keeps one secret as before. The sums are
//! exact integers, so the aggregate claim's SSE, SST, MSE and R² are bit for bit those of one
//! proof over all rows: only the data commitment differs (it is defined over the chunks).

use crate::claim::{Claim, CLAIM_VERSION};
use crate::commit::{self, Sha256};
use crate::error::{CoreError, Section};
use crate::eval::{accumulate, claim_from_metrics, Metrics};
use crate::fixed::MAX_COLUMN_FRAC_BITS;
use crate::model::ModelKind;
use crate::wire::{GuestInput, MAX_ROWS};
use alloc::vec::Vec;

pub const CHUNK_CLAIM_MAGIC: [u8; 8] = *b"ZKMLCHC1";
/// Length of an encoded chunk claim in bytes.
pub const CHUNK_CLAIM_LEN: usize = 8 + 8 * 4 + 32 + 32 + 8 + 16 + 16;
/// A chunk guest's input: this magic, the chunk's index and the chunk count, then an ordinary
/// guest input (model section, the chunk's test-set section).
pub const CHUNK_INPUT_MAGIC: [u8; 8] = *b"ZKMLCIN1";
/// Domain tags of the chunked data commitment and of the per-chunk salts.
pub const CHUNKED_COMMITMENT_TAG: [u8; 8] = *b"ZKMLCHK1";
pub const CHUNK_SALT_TAG: [u8; 8] = *b"ZKMLSLT1";
/// At most this many chunks in one aggregation (the aggregate's input stays small).
pub const MAX_CHUNKS: u32 = 1 << 16;

/// What one chunk proof establishes: "the model with hash `model_hash`, on the `n_rows` rows of
/// chunk `chunk_index` of `chunk_count` committed to by `chunk_commitment`, has these exact
/// partial sums".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChunkClaim {
    pub version: u32,
    pub model_kind: ModelKind,
    pub degree: u32,
    pub n_features: u32,
    pub frac_bits: u32,
    pub chunk_index: u32,
    pub chunk_count: u32,
    pub n_rows: u32,
    pub model_hash: [u8; 32],
    pub chunk_commitment: [u8; 32],
    pub sum_y: i64,
    pub sum_y2: u128,
    pub sse: u128,
}

impl ChunkClaim {
    /// Canonical little-endian encoding: what a chunk guest commits.
    pub fn encode(&self) -> [u8; CHUNK_CLAIM_LEN] {
        let mut out = [0u8; CHUNK_CLAIM_LEN];
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(&CHUNK_CLAIM_MAGIC);
        for v in [
            self.version,
            self.model_kind.code(),
            self.degree,
            self.n_features,
            self.frac_bits,
            self.chunk_index,
            self.chunk_count,
            self.n_rows,
        ] {
            put(&v.to_le_bytes());
        }
        put(&self.model_hash);
        put(&self.chunk_commitment);
        put(&self.sum_y.to_le_bytes());
        put(&self.sum_y2.to_le_bytes());
        put(&self.sse.to_le_bytes());
        out
    }

    /// Decodes a chunk claim, rejecting anything that is not exactly one canonical chunk claim.
    pub fn decode(bytes: &[u8]) -> Result<Self, CoreError> {
        let s = Section::ChunkClaim;
        if bytes.len() < CHUNK_CLAIM_LEN {
            return Err(CoreError::Truncated { section: s, needed_bytes: CHUNK_CLAIM_LEN as u64, available_bytes: bytes.len() as u64 });
        }
        if bytes.len() > CHUNK_CLAIM_LEN {
            return Err(CoreError::TrailingBytes { section: s, extra_bytes: (bytes.len() - CHUNK_CLAIM_LEN) as u64 });
        }
        if bytes[..8] != CHUNK_CLAIM_MAGIC {
            return Err(CoreError::BadMagic { section: s });
        }
        let mut at = 8;
        let mut take = |n: usize| {
            let slice = &bytes[at..at + n];
            at += n;
            slice
        };
        let mut u32_ = || u32::from_le_bytes(take(4).try_into().unwrap());
        let version = u32_();
        if version != CLAIM_VERSION {
            return Err(CoreError::Unsupported { section: s, field: "version", value: version as u64 });
        }
        let kind_code = u32_();
        let model_kind =
            ModelKind::from_code(kind_code).ok_or(CoreError::Unsupported { section: s, field: "model kind", value: kind_code as u64 })?;
        let (degree, n_features, frac_bits, chunk_index, chunk_count, n_rows) = (u32_(), u32_(), u32_(), u32_(), u32_(), u32_());
        if frac_bits > MAX_COLUMN_FRAC_BITS {
            return Err(CoreError::Unsupported { section: s, field: "frac_bits", value: frac_bits as u64 });
        }
        if chunk_count == 0 || chunk_count > MAX_CHUNKS || chunk_index >= chunk_count {
            return Err(CoreError::Unsupported {
                section: s,
                field: "chunk index/count",
                value: ((chunk_index as u64) << 32) | chunk_count as u64,
            });
        }
        let model_hash: [u8; 32] = take(32).try_into().unwrap();
        let chunk_commitment: [u8; 32] = take(32).try_into().unwrap();
        let sum_y = i64::from_le_bytes(take(8).try_into().unwrap());
        let sum_y2 = u128::from_le_bytes(take(16).try_into().unwrap());
        let sse = u128::from_le_bytes(take(16).try_into().unwrap());
        Ok(ChunkClaim {
            version,
            model_kind,
            degree,
            n_features,
            frac_bits,
            chunk_index,
            chunk_count,
            n_rows,
            model_hash,
            chunk_commitment,
            sum_y,
            sum_y2,
            sse,
        })
    }

    fn metrics(&self) -> Metrics {
        Metrics { n: self.n_rows as u64, sum_y: self.sum_y, sum_y2: self.sum_y2, sse: self.sse }
    }
}

/// The salt of chunk `index`, derived from the test set's one secret salt.
pub fn chunk_salt<H: Sha256>(salt: &[u8; 32], index: u32) -> [u8; 32] {
    let mut buf = [0u8; 8 + 32 + 4];
    buf[..8].copy_from_slice(&CHUNK_SALT_TAG);
    buf[8..40].copy_from_slice(salt);
    buf[40..].copy_from_slice(&index.to_le_bytes());
    H::digest(&buf)
}

/// The data commitment of a chunked test set, over its chunks' commitments in order.
pub fn chunked_data_commitment<H: Sha256>(chunk_commitments: &[[u8; 32]]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(12 + 32 * chunk_commitments.len());
    buf.extend_from_slice(&CHUNKED_COMMITMENT_TAG);
    buf.extend_from_slice(&(chunk_commitments.len() as u32).to_le_bytes());
    for c in chunk_commitments {
        buf.extend_from_slice(c);
    }
    H::digest(&buf)
}

/// A chunk guest's input words: the chunk's place, then the ordinary guest input.
pub fn encode_chunk_input(chunk_index: u32, chunk_count: u32, guest_input: &[u32]) -> Vec<u32> {
    let mut w = Vec::with_capacity(4 + guest_input.len());
    w.extend(CHUNK_INPUT_MAGIC.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])));
    w.push(chunk_index);
    w.push(chunk_count);
    w.extend_from_slice(guest_input);
    w
}

/// Evaluates one chunk: the whole job of a chunk guest, minus committing the claim.
pub fn evaluate_chunk_words<H: Sha256>(words: &[u32]) -> Result<ChunkClaim, CoreError> {
    let s = Section::ChunkInput;
    if words.len() < 4 {
        return Err(CoreError::Truncated { section: s, needed_bytes: 16, available_bytes: 4 * words.len() as u64 });
    }
    if crate::wire::words_as_bytes(&words[..2]) != CHUNK_INPUT_MAGIC {
        return Err(CoreError::BadMagic { section: s });
    }
    let (chunk_index, chunk_count) = (words[2], words[3]);
    if chunk_count == 0 || chunk_count > MAX_CHUNKS || chunk_index >= chunk_count {
        return Err(CoreError::Unsupported {
            section: s,
            field: "chunk index/count",
            value: ((chunk_index as u64) << 32) | chunk_count as u64,
        });
    }
    let input = GuestInput::decode(&words[4..])?;
    let metrics = accumulate(&input)?;
    let model = &input.model;
    Ok(ChunkClaim {
        version: CLAIM_VERSION,
        model_kind: model.kind,
        degree: model.degree,
        n_features: model.n_features,
        frac_bits: model.target_frac_bits(),
        chunk_index,
        chunk_count,
        n_rows: input.test_set.n_rows,
        model_hash: commit::model_hash::<H>(input.model_words),
        chunk_commitment: commit::data_commitment::<H>(input.test_set_words),
        sum_y: metrics.sum_y,
        sum_y2: metrics.sum_y2,
        sse: metrics.sse,
    })
}

/// What every chunk guest does with its input: evaluate and return the chunk claim's bytes.
/// Panics on any input the format rejects (the host checks the same input natively first).
pub fn guest_chunk_claim<H: Sha256>(words: &[u32]) -> [u8; CHUNK_CLAIM_LEN] {
    match evaluate_chunk_words::<H>(words) {
        Ok(claim) => claim.encode(),
        Err(e) => panic!("zkml chunk guest: {}", e),
    }
}

/// Combines the chunk claims of chunks `0..K`, in order, into the ordinary claim over all their
/// rows: every chunk of the same model (hash, kind, degree, features, scale) and version, each
/// saying it is chunk `i` of `K` at position `i` — so none is missing, repeated or out of place.
/// An aggregation guest runs this over the claims of the proofs it verified.
pub fn aggregate<H: Sha256>(chunks: &[ChunkClaim]) -> Result<Claim, CoreError> {
    let first = chunks.first().ok_or(CoreError::EmptyTestSet)?;
    if chunks.len() as u64 != first.chunk_count as u64 {
        return Err(CoreError::ChunkCount { expected: first.chunk_count, found: chunks.len() as u64 });
    }
    let mut total = Metrics::default();
    let mut commitments = Vec::with_capacity(chunks.len());
    for (position, c) in chunks.iter().enumerate() {
        let position = position as u32;
        if c.chunk_index != position || c.chunk_count != first.chunk_count {
            return Err(CoreError::ChunkOrder { position, index: c.chunk_index, count: c.chunk_count });
        }
        let differs = [
            ("model hash", c.model_hash != first.model_hash),
            ("version", c.version != first.version),
            ("model kind", c.model_kind != first.model_kind),
            ("degree", c.degree != first.degree),
            ("features", c.n_features != first.n_features),
            ("target scale", c.frac_bits != first.frac_bits),
        ];
        if let Some((field, _)) = differs.iter().find(|(_, d)| *d) {
            return Err(CoreError::ChunkMismatch { index: position, field });
        }
        if c.n_rows == 0 {
            return Err(CoreError::EmptyTestSet);
        }
        total = total.merge(&c.metrics()).ok_or(CoreError::TooManyRows { rows: total.n + c.n_rows as u64, max: MAX_ROWS })?;
        commitments.push(c.chunk_commitment);
    }
    if total.n > MAX_ROWS {
        return Err(CoreError::TooManyRows { rows: total.n, max: MAX_ROWS });
    }
    let data_commitment = chunked_data_commitment::<H>(&commitments);
    claim_from_metrics(&total, first.model_kind, first.degree, first.n_features, first.frac_bits, first.model_hash, data_commitment)
}

/// An aggregation guest's input: this magic, the chunk program's id (8 words: RISC Zero's
/// image id, SP1's verifying-key digest), the chunk count `K`, then the `K` encoded chunk
/// claims in order, each as its chunk proof committed it (a RISC Zero journal, SP1 public
/// values). The guests parse it themselves, as they did before this encoder existed: their
/// code, and so their program ids, stay those of the published proofs. (It is last in this
/// file so that it moves no line the guests' panic locations name.)
pub const AGGREGATE_INPUT_MAGIC: [u8; 8] = *b"ZKMLAGI1";

/// The aggregation guest's input words, in the format of [`AGGREGATE_INPUT_MAGIC`]: the host's
/// side, shared by every zkVM host.
pub fn encode_aggregate_input(chunk_program: &[u32; 8], claims: &[ChunkClaim]) -> Vec<u32> {
    let le = |c: &[u8]| u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    let mut w = Vec::with_capacity(2 + 8 + 1 + CHUNK_CLAIM_LEN / 4 * claims.len());
    w.extend(AGGREGATE_INPUT_MAGIC.chunks_exact(4).map(le));
    w.extend_from_slice(chunk_program);
    w.push(claims.len() as u32);
    for c in claims {
        w.extend(c.encode().chunks_exact(4).map(le));
    }
    w
}
