//! The JSON documents backends return.

use serde::{Deserialize, Serialize};
use zkml_core::Claim;

/// Whether a guest hashes the test set with its zkVM's SHA-256 accelerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Precompiles {
    On,
    Off,
}

impl Precompiles {
    pub fn as_str(self) -> &'static str {
        match self {
            Precompiles::On => "on",
            Precompiles::Off => "off",
        }
    }
}

impl std::fmt::Display for Precompiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The shared vocabulary for proof modes, so that zkVMs are compared like with like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProofFamily {
    /// One proof per segment/shard, growing with the execution (RISC Zero composite, SP1 core,
    /// OpenVM app).
    Segmented,
    /// The segment proofs recursively reduced to one constant-size STARK (RISC Zero succinct,
    /// SP1 compressed, OpenVM stark).
    Aggregated,
    /// A constant-size SNARK (Groth16, PLONK, halo2/KZG).
    Snark,
    /// No proof at all (the native baseline).
    #[default]
    None,
}

impl ProofFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            ProofFamily::Segmented => "segmented",
            ProofFamily::Aggregated => "aggregated",
            ProofFamily::Snark => "snark",
            ProofFamily::None => "none",
        }
    }
}

impl std::fmt::Display for ProofFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A proof mode and whether this machine can produce it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofMode {
    pub name: String,
    pub available: bool,
    /// Why not, when unavailable (e.g. "needs circuit artifacts that cannot be downloaded").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub family: ProofFamily,
    /// Whether a proof of this mode claims to hide the private rows (the source is
    /// [`BackendInfo::zero_knowledge`]).
    #[serde(default)]
    pub zero_knowledge: bool,
}

impl ProofMode {
    pub fn new(name: &str, family: ProofFamily, zero_knowledge: bool) -> Self {
        ProofMode { name: name.into(), available: true, reason: None, family, zero_knowledge }
    }

    /// The same mode, not available here, with the reason.
    pub fn unavailable(mut self, reason: impl Into<String>) -> Self {
        self.available = false;
        self.reason = Some(reason.into());
        self
    }
}

/// What a backend is (`info`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendInfo {
    pub protocol_version: u32,
    /// `native`, `risc0`, `sp1`, `openvm`.
    pub name: String,
    /// SDK and version, e.g. `risc0-zkvm 3.0.6`.
    pub sdk: String,
    /// Instruction set the guest runs on (`rv32im`, `rv64im`, or the host's for native).
    pub isa: String,
    pub proof_system: String,
    /// False for the native baseline: it evaluates but proves nothing.
    pub produces_proofs: bool,
    /// Whether proofs hide the private inputs, with the source of that statement.
    pub zero_knowledge: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_bits: Option<u32>,
    pub proof_modes: Vec<ProofMode>,
    /// `on` and/or `off`.
    pub precompiles: Vec<Precompiles>,
    pub gpu: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Set by a backend that evaluates the model in its own fixed point (a circuit compiler such
    /// as EZKL), not in zkml-core's: its claim is compared with the native one within a derived
    /// tolerance, never bit for bit. `None`: the claim must equal the native one exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_quantisation: Option<crate::own_quantisation::OwnQuantisation>,
    /// The guest programs this build proves and verifies, one per precompile setting: what a
    /// verifier on another machine compares with a published proof's program id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<ProgramId>,
}

/// The mode of a proof made from chunk proofs (issue #36), and the role of its program.
pub const MODE_CHUNKED: &str = "chunked";
/// The role of the program that proves one chunk.
pub const ROLE_CHUNK: &str = "chunk";

/// One guest program's identity. Guests are built reproducibly (paths remapped), so the ELF
/// digest, and the zkVM's id derived from it, depend on the source revision alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramId {
    pub precompiles: Precompiles,
    /// SHA-256 of the guest ELF, hex.
    pub elf_sha256: String,
    /// What the zkVM's own id is: `image id`, `exe commit`, `vkey hash`.
    pub id_kind: String,
    /// The zkVM's id (the `program_id` of a proof header), when known without key generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `None`: the ordinary guest of this precompile setting. Otherwise what the program proves
    /// (issue #36): `chunk` (one chunk of a test set proven in chunks) or `chunked` (the
    /// aggregate of the chunk proofs: the program of proofs in mode `chunked`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl ProgramId {
    /// The program a proof file of `mode` and `precompiles` must be a proof of.
    pub fn matches(&self, mode: &str, precompiles: Precompiles) -> bool {
        match self.role.as_deref() {
            Some(role) => role == mode,
            None => self.precompiles == precompiles && mode != MODE_CHUNKED,
        }
    }
}

impl BackendInfo {
    pub fn default_mode(&self) -> Option<&str> {
        self.proof_modes.iter().find(|m| m.available).map(|m| m.name.as_str())
    }

    pub fn mode(&self, name: &str) -> Option<&ProofMode> {
        self.proof_modes.iter().find(|m| m.name == name)
    }

    /// One line for people: does a proof of `mode` hide the private rows, and says who.
    pub fn privacy_statement(&self, mode: &str) -> String {
        let zk = self.mode(mode).is_some_and(|m| m.zero_knowledge) && self.produces_proofs;
        format!(
            "{} ({} {mode}): {}",
            if zk {
                "ZERO-KNOWLEDGE: the proof aims to hide the private rows"
            } else {
                "NOT zero-knowledge: the proof may reveal information about the private rows"
            },
            self.name,
            self.zero_knowledge
        )
    }
}

/// The claim, for people and JSON tools. The canonical bytes (`encoded`) are what proofs
/// bind; the other fields are decoded from them. 128-bit integers are strings (JSON numbers
/// lose precision beyond 2^53).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimSummary {
    pub model: String,
    pub model_hash: String,
    pub data_commitment: String,
    pub n_rows: u32,
    pub n_features: u32,
    pub frac_bits: u32,
    pub mse: f64,
    pub rmse: f64,
    pub r2: f64,
    pub sse_raw: String,
    pub sst_raw: String,
    pub mse_raw: String,
    /// R² at scale 2^32.
    pub r2_raw: i64,
    /// Hex of the canonical claim bytes.
    pub encoded: String,
}

impl From<&Claim> for ClaimSummary {
    fn from(c: &Claim) -> Self {
        ClaimSummary {
            model: c.model_label().into(),
            model_hash: hex::encode(c.model_hash),
            data_commitment: hex::encode(c.data_commitment),
            n_rows: c.n_rows,
            n_features: c.n_features,
            frac_bits: c.frac_bits,
            mse: c.mse_f64(),
            rmse: c.rmse_f64(),
            r2: c.r2_f64(),
            sse_raw: c.sse.to_string(),
            sst_raw: c.sst.to_string(),
            mse_raw: c.mse.to_string(),
            r2_raw: c.r2,
            encoded: hex::encode(c.encode()),
        }
    }
}

impl ClaimSummary {
    /// The claim itself, decoded from `encoded` (the other fields are not trusted).
    pub fn claim(&self) -> Result<Claim, String> {
        let bytes = hex::decode(&self.encoded).map_err(|e| format!("claim is not hex: {e}"))?;
        Claim::decode(&bytes).map_err(|e| e.to_string())
    }
}

/// Cycle counts, as far as a backend can see them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cycles {
    pub total: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<u64>,
}

/// Seconds spent in each phase the backend can tell apart. Setup (key generation, program
/// loading) is never billed as proving.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Phases {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execute_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prove_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compress_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_s: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecuteReport {
    pub backend: String,
    pub precompiles: Precompiles,
    pub claim: ClaimSummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycles: Option<Cycles>,
    pub phases: Phases,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProveReport {
    pub backend: String,
    pub mode: String,
    pub precompiles: Precompiles,
    /// False for the native baseline and for any dev/mock mode: never count it as a proof.
    pub real_proof: bool,
    pub claim: ClaimSummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycles: Option<Cycles>,
    pub phases: Phases,
    /// Size of the backend's proof (receipt) bytes, excluding the file's header.
    pub proof_bytes: u64,
    pub proof_path: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub backend: String,
    pub mode: String,
    /// The proof verified and binds exactly this claim.
    pub valid: bool,
    /// False when there was no proof to check (native baseline, dev mode).
    pub real_proof: bool,
    pub claim: ClaimSummary,
    pub verify_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl VerifyReport {
    /// The proof in `file` verified and binds exactly its claim.
    pub fn valid(backend: &str, file: &crate::ProofFile, real_proof: bool, verify_s: f64) -> Self {
        Self::new(backend, file, real_proof, true, None, verify_s)
    }

    /// The proof in `file` did not verify, for `reason`.
    pub fn invalid(backend: &str, file: &crate::ProofFile, real_proof: bool, reason: impl Into<String>, verify_s: f64) -> Self {
        Self::new(backend, file, real_proof, false, Some(reason.into()), verify_s)
    }

    fn new(backend: &str, file: &crate::ProofFile, real_proof: bool, valid: bool, reason: Option<String>, verify_s: f64) -> Self {
        VerifyReport {
            backend: backend.into(),
            mode: file.header.mode.clone(),
            valid,
            real_proof,
            claim: ClaimSummary::from(&file.claim),
            verify_s,
            reason,
        }
    }
}

/// A chunk proof made (`prove-chunk`) or checked (`verify-chunk`): issue #36.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkReport {
    pub backend: String,
    pub mode: String,
    pub chunk_index: u32,
    pub chunk_count: u32,
    pub n_rows: u32,
    pub model_hash: String,
    pub chunk_commitment: String,
    /// False for a dev/mock proof: never count it as a proof.
    pub real_proof: bool,
    /// `prove-chunk`: true; `verify-chunk`: the proof verified and binds exactly its chunk claim.
    pub valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycles: Option<Cycles>,
    pub phases: Phases,
    pub proof_bytes: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub proof_path: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ChunkReport {
    /// The report of `file`, valid or not (`reason`), with the given timings.
    pub fn of(backend: &str, file: &crate::ChunkProofFile, valid: bool, reason: Option<String>, phases: Phases) -> Self {
        let c = &file.claim;
        ChunkReport {
            backend: backend.into(),
            mode: file.header.mode.clone(),
            chunk_index: c.chunk_index,
            chunk_count: c.chunk_count,
            n_rows: c.n_rows,
            model_hash: hex::encode(c.model_hash),
            chunk_commitment: hex::encode(c.chunk_commitment),
            real_proof: file.header.real_proof,
            valid,
            reason,
            cycles: None,
            phases,
            proof_bytes: file.payload.len() as u64,
            proof_path: String::new(),
            notes: Vec::new(),
        }
    }
}

/// What a backend prints on failure (exit status 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorReport {
    pub error: String,
}
