//! The proof file: what `prove` writes and `verify` reads, for every backend.
//!
//! ```text
//! "ZKMLPROF" | format_version: u32 | header_len: u32 | header (JSON) | claim (CLAIM_LEN bytes)
//!            | payload_len: u64 | payload (the backend's proof/receipt bytes)
//!            | sha256 of everything before it (32 bytes)
//! ```
//! The trailing checksum catches corruption and truncation with a clear message before a
//! backend ever parses its payload. It is integrity, not security: the security is the
//! backend's verification that `payload` proves exactly `claim`.

use crate::reports::Precompiles;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use zkml_core::{ChunkClaim, Claim, CHUNK_CLAIM_LEN, CLAIM_LEN};

pub const PROOF_MAGIC: [u8; 8] = *b"ZKMLPROF";
pub const PROOF_FORMAT_VERSION: u32 = 1;
/// Refuse headers larger than this (a corrupted length must not allocate gigabytes).
const MAX_HEADER_LEN: u32 = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ProofFileError {
    #[error("{path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{path}: not a zkml-bench proof file (bad magic bytes)")]
    BadMagic { path: String },
    #[error("{path}: proof file format version {found} is not supported (expected {PROOF_FORMAT_VERSION})")]
    Version { path: String, found: u32 },
    #[error("{path}: truncated proof file: {what} needs {needed} bytes, {available} left")]
    Truncated { path: String, what: &'static str, needed: u64, available: u64 },
    #[error("{path}: corrupted proof file: checksum mismatch (the file was altered or damaged)")]
    Checksum { path: String },
    #[error("{path}: corrupted proof file: {message}")]
    Malformed { path: String, message: String },
}

/// Metadata about the proof, readable without the backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProofHeader {
    pub backend: String,
    pub sdk: String,
    pub mode: String,
    pub precompiles: Precompiles,
    /// False for the native baseline and any dev/mock mode.
    pub real_proof: bool,
    /// The guest program's identity (image id, verifying key hash), hex, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_id: Option<String>,
    pub created_unix: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProofFile {
    pub header: ProofHeader,
    pub claim: Claim,
    pub payload: Vec<u8>,
}

impl ProofFile {
    pub fn encode(&self) -> Vec<u8> {
        encode_parts(PROOF_MAGIC, &self.header, &self.claim.encode(), &self.payload)
    }

    /// Decodes a proof file; `path` only names the file in errors.
    pub fn decode(bytes: &[u8], path: &str) -> Result<Self, ProofFileError> {
        let (header, claim_bytes, payload) = decode_parts(bytes, path, PROOF_MAGIC, CLAIM_LEN)?;
        let claim = Claim::decode(claim_bytes).map_err(|e| ProofFileError::Malformed { path: path.to_string(), message: e.to_string() })?;
        Ok(ProofFile { header, claim, payload })
    }

    pub fn read(path: &Path) -> Result<Self, ProofFileError> {
        Self::decode(&read_bytes(path)?, &path.display().to_string())
    }

    /// Writes atomically (no partial proof file on failure).
    pub fn write(&self, path: &Path) -> Result<(), ProofFileError> {
        write_bytes(path, &self.encode())
    }
}

/// A chunk proof (issue #36): the same layout as a proof file, with its own magic
/// (`"ZKMLCHPF"`) and a [`ChunkClaim`] where a proof file has its claim, so that neither can be
/// taken for the other.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkProofFile {
    pub header: ProofHeader,
    pub claim: ChunkClaim,
    pub payload: Vec<u8>,
}

pub const CHUNK_PROOF_MAGIC: [u8; 8] = *b"ZKMLCHPF";

impl ChunkProofFile {
    pub fn encode(&self) -> Vec<u8> {
        encode_parts(CHUNK_PROOF_MAGIC, &self.header, &self.claim.encode(), &self.payload)
    }

    pub fn decode(bytes: &[u8], path: &str) -> Result<Self, ProofFileError> {
        let (header, claim_bytes, payload) = decode_parts(bytes, path, CHUNK_PROOF_MAGIC, CHUNK_CLAIM_LEN)?;
        let claim =
            ChunkClaim::decode(claim_bytes).map_err(|e| ProofFileError::Malformed { path: path.to_string(), message: e.to_string() })?;
        Ok(ChunkProofFile { header, claim, payload })
    }

    pub fn read(path: &Path) -> Result<Self, ProofFileError> {
        Self::decode(&read_bytes(path)?, &path.display().to_string())
    }

    pub fn write(&self, path: &Path) -> Result<(), ProofFileError> {
        write_bytes(path, &self.encode())
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, ProofFileError> {
    std::fs::read(path).map_err(|cause| ProofFileError::Io { path: path.display().to_string(), cause })
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), ProofFileError> {
    crate::files::write_bytes_atomically(path, bytes).map_err(|cause| ProofFileError::Io { path: path.display().to_string(), cause })
}

fn encode_parts(magic: [u8; 8], header: &ProofHeader, claim: &[u8], payload: &[u8]) -> Vec<u8> {
    let header = serde_json::to_vec(header).expect("header serialises");
    let mut out = Vec::with_capacity(8 + 8 + header.len() + claim.len() + 8 + payload.len() + 32);
    out.extend_from_slice(&magic);
    out.extend_from_slice(&PROOF_FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(claim);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// The header, the claim's bytes (`claim_len` of them) and the payload of a file with `magic`.
fn decode_parts<'a>(
    bytes: &'a [u8],
    path: &'a str,
    magic: [u8; 8],
    claim_len: usize,
) -> Result<(ProofHeader, &'a [u8], Vec<u8>), ProofFileError> {
    let p = || path.to_string();
    let mut cur = Cursor { bytes, at: 0, path };
    let found = cur.take(8, "magic").map_err(|_| ProofFileError::BadMagic { path: p() })?;
    if found != magic {
        // A chunk proof where a proof is expected (or the other way round) says so.
        let other = if magic == PROOF_MAGIC { CHUNK_PROOF_MAGIC } else { PROOF_MAGIC };
        if found == other {
            let (is, wanted) = if magic == PROOF_MAGIC { ("a chunk proof", "a proof") } else { ("a proof", "a chunk proof") };
            return Err(ProofFileError::Malformed { path: p(), message: format!("this is {is}, not {wanted}") });
        }
        return Err(ProofFileError::BadMagic { path: p() });
    }
    let version = u32::from_le_bytes(cur.take(4, "format version")?.try_into().unwrap());
    if version != PROOF_FORMAT_VERSION {
        return Err(ProofFileError::Version { path: p(), found: version });
    }
    let header_len = u32::from_le_bytes(cur.take(4, "header length")?.try_into().unwrap());
    if header_len > MAX_HEADER_LEN {
        return Err(ProofFileError::Malformed { path: p(), message: format!("header length {header_len} is implausible") });
    }
    let header_bytes = cur.take(header_len as u64, "header")?;
    let claim_bytes = cur.take(claim_len as u64, "claim")?;
    let payload_len = u64::from_le_bytes(cur.take(8, "payload length")?.try_into().unwrap());
    let payload = cur.take(payload_len, "payload")?.to_vec();
    let body_end = cur.at;
    let checksum = cur.take(32, "checksum")?;
    if cur.at != bytes.len() {
        return Err(ProofFileError::Malformed { path: p(), message: format!("{} trailing bytes", bytes.len() - cur.at) });
    }
    if Sha256::digest(&bytes[..body_end])[..] != checksum[..] {
        return Err(ProofFileError::Checksum { path: p() });
    }
    let header: ProofHeader =
        serde_json::from_slice(header_bytes).map_err(|e| ProofFileError::Malformed { path: p(), message: format!("header: {e}") })?;
    Ok((header, claim_bytes, payload))
}

/// Reads consecutive fields, reporting which one a truncated file is missing.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    path: &'a str,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: u64, what: &'static str) -> Result<&'a [u8], ProofFileError> {
        let available = (self.bytes.len() - self.at) as u64;
        if n > available {
            return Err(ProofFileError::Truncated { path: self.path.to_string(), what, needed: n, available });
        }
        let s = &self.bytes[self.at..self.at + n as usize];
        self.at += n as usize;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkml_core::{ModelKind, CLAIM_VERSION};

    fn sample() -> ProofFile {
        ProofFile {
            header: ProofHeader {
                backend: "native".into(),
                sdk: "x".into(),
                mode: "none".into(),
                precompiles: Precompiles::Off,
                real_proof: false,
                program_id: None,
                created_unix: 1,
                note: None,
            },
            claim: Claim {
                version: CLAIM_VERSION,
                model_kind: ModelKind::Ridge,
                degree: 1,
                n_features: 5,
                frac_bits: 16,
                n_rows: 10,
                model_hash: [1; 32],
                data_commitment: [2; 32],
                sse: 3,
                sst: 4,
                mse: 5,
                r2: 6,
            },
            payload: vec![9; 100],
        }
    }

    #[test]
    fn round_trip() {
        let f = sample();
        assert_eq!(ProofFile::decode(&f.encode(), "p").unwrap(), f);
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_rejected() {
        let bytes = sample().encode();
        for cut in 0..bytes.len() {
            assert!(ProofFile::decode(&bytes[..cut], "p").is_err(), "truncated at {cut}");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(ProofFile::decode(&b, "p").is_err(), "flipped byte {i}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(ProofFile::decode(&longer, "p").is_err());
    }

    fn chunk_sample() -> ChunkProofFile {
        ChunkProofFile {
            header: sample().header,
            claim: ChunkClaim {
                version: CLAIM_VERSION,
                model_kind: ModelKind::Ridge,
                degree: 1,
                n_features: 5,
                frac_bits: 16,
                chunk_index: 2,
                chunk_count: 3,
                n_rows: 10,
                model_hash: [1; 32],
                chunk_commitment: [2; 32],
                sum_y: -4,
                sum_y2: 16,
                sse: 5,
            },
            payload: vec![8; 50],
        }
    }

    #[test]
    fn a_chunk_proof_round_trips_and_is_never_taken_for_a_proof() {
        let c = chunk_sample();
        let bytes = c.encode();
        assert_eq!(ChunkProofFile::decode(&bytes, "c").unwrap(), c);
        for cut in 0..bytes.len() {
            assert!(ChunkProofFile::decode(&bytes[..cut], "c").is_err(), "truncated at {cut}");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(ChunkProofFile::decode(&b, "c").is_err(), "flipped byte {i}");
        }
        let e = ProofFile::decode(&bytes, "chunk-0.proof").unwrap_err().to_string();
        assert!(e.contains("chunk-0.proof") && e.contains("this is a chunk proof, not a proof"), "{e}");
        let e = ChunkProofFile::decode(&sample().encode(), "run.proof").unwrap_err().to_string();
        assert!(e.contains("this is a proof, not a chunk proof"), "{e}");
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let bytes = sample().encode();
        let e = ProofFile::decode(&bytes[..bytes.len() - 10], "run.proof").unwrap_err().to_string();
        assert!(e.contains("run.proof") && e.contains("truncated"), "{e}");
        let mut b = bytes.clone();
        let n = b.len();
        b[n - 40] ^= 1; // inside the payload
        let e = ProofFile::decode(&b, "run.proof").unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        let e = ProofFile::decode(b"hello world, not a proof", "x.txt").unwrap_err().to_string();
        assert!(e.contains("x.txt") && e.contains("not a zkml-bench proof file"), "{e}");
    }
}
