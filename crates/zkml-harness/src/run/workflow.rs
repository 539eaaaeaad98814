//! `prove` and `verify` as a user runs them.

use crate::run::registry::{resolve, BackendHandle};
use anyhow::{bail, Context};
use std::path::Path;
use zkml_core::{Claim, SoftwareSha256};
use zkml_data::table::FeatureTable;
use zkml_protocol::*;
use zkml_train::ModelFile;

/// Loads a model and a private test CSV and builds the guest input, checking that they
/// belong together (same features, same target, every value within the fixed-point bounds).
pub fn guest_input(model_path: &Path, test_path: &Path, salt: &[u8; 32]) -> anyhow::Result<(ModelFile, Vec<u32>)> {
    let model = ModelFile::load(model_path)?;
    let table = FeatureTable::read_csv(test_path, Some(&model.target_name), Some(&model.feature_names))?;
    let words = model.guest_input(&table, salt).map_err(|e| anyhow::anyhow!("{}: {e}", test_path.display()))?;
    Ok((model, words))
}

/// Loads a model and a private test CSV, checked as by [`guest_input`], and cuts the rows into
/// chunk inputs of at most `chunk_rows` rows (issue #36).
pub fn chunk_inputs(model_path: &Path, test_path: &Path, salt: &[u8; 32], chunk_rows: u32) -> anyhow::Result<ChunkInputs> {
    let model = ModelFile::load(model_path)?;
    let table = FeatureTable::read_csv(test_path, Some(&model.target_name), Some(&model.feature_names))?;
    let (inputs, commitment) = model.chunk_inputs(&table, salt, chunk_rows).map_err(|e| anyhow::anyhow!("{}: {e}", test_path.display()))?;
    Ok(ChunkInputs { inputs, commitment, rows: table.n_rows() })
}

/// A test set cut into chunks: the chunk inputs in order, the data commitment of the chunked
/// test set, and its rows.
pub struct ChunkInputs {
    pub inputs: Vec<Vec<u32>>,
    pub commitment: [u8; 32],
    pub rows: usize,
}

/// The claim the native evaluation produces: what every backend must prove.
pub fn expected_claim(words: &[u32], test_path: &Path) -> anyhow::Result<Claim> {
    zkml_core::evaluate_words::<SoftwareSha256>(words).map_err(|e| anyhow::anyhow!("{}: {e}", test_path.display()))
}

pub struct ProveRequest<'a> {
    pub zkvm: &'a str,
    pub model: &'a Path,
    pub test: &'a Path,
    pub out: &'a Path,
    pub mode: Option<&'a str>,
    pub precompiles: Option<Precompiles>,
    pub salt: [u8; 32],
    /// Refuse (before proving) a backend/mode that does not claim zero-knowledge.
    pub require_zk: bool,
}

/// Whether a proof hides the private rows, and who says so.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Privacy {
    pub zero_knowledge: bool,
    pub family: ProofFamily,
    /// The backend's statement with its source.
    pub source: String,
}

impl Privacy {
    pub fn of(info: &BackendInfo, mode: &str) -> Self {
        let m = info.mode(mode);
        Privacy {
            zero_knowledge: info.produces_proofs && m.is_some_and(|m| m.zero_knowledge),
            family: m.map(|m| m.family).unwrap_or_default(),
            source: info.zero_knowledge.clone(),
        }
    }

    /// One line for people.
    pub fn line(&self) -> String {
        if self.zero_knowledge {
            format!("zero-knowledge: the proof aims to hide the private rows ({})", self.source)
        } else {
            format!("NOT zero-knowledge: the proof may reveal information about the private rows ({})", self.source)
        }
    }
}

/// What `prove` made.
#[derive(Debug, serde::Serialize)]
pub struct Proven {
    #[serde(flatten)]
    pub report: ProveReport,
    pub privacy: Privacy,
    /// For a backend with its own fixed point (EZKL): how its claim compares with the native one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<Agreement>,
}

/// Checks a backend's claim against the native evaluation of the same input: identical, or, for
/// a backend with its own fixed point ([`BackendInfo::own_quantisation`]), about the same model
/// and rows with MSE and R² within the tolerance its quantisation explains
/// ([`zkml_protocol::own_quantisation`]).
pub fn check_claim(info: &BackendInfo, words: &[u32], expected: &Claim, proven: &Claim) -> anyhow::Result<Option<Agreement>> {
    let Some(q) = &info.own_quantisation else {
        if proven != expected {
            bail!("the proven claim differs from the native evaluation of the same input (a backend bug)");
        }
        return Ok(None);
    };
    let input = zkml_core::GuestInput::decode(words)?;
    let rows: Vec<i32> = input.test_set.rows().flatten().copied().collect();
    let agreement = zkml_protocol::own_quantisation::agreement(q, &input.model.to_owned_model(), &rows, expected, proven)?;
    if !agreement.within_tolerance {
        bail!("{}", agreement.line());
    }
    Ok(Some(agreement))
}

/// Writes a file of private rows readable by its owner only (0600).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)?.write_all(bytes)
}

/// Proves a model's accuracy on a private test set with one backend.
///
/// The native evaluation runs first: it rejects inputs beyond the format's bounds in
/// milliseconds instead of after a long proof, and the backend's claim must equal it.
pub fn prove(req: &ProveRequest<'_>) -> anyhow::Result<Proven> {
    zkml_protocol::files::check_outputs(&[("--out", req.out)], &[("--model", req.model), ("--test", req.test)])
        .map_err(|e| anyhow::anyhow!(e))?;
    crate::run::registry::check_before_work(req.zkvm, req.mode, req.require_zk)?;
    let (_, words) = guest_input(req.model, req.test, &req.salt)?;
    let expected = expected_claim(&words, req.test)?;
    let backend = resolve(req.zkvm, true)?;
    let info = backend.info()?;
    let precompiles = choose_precompiles(&info, req.precompiles)?;
    let mode = match req.mode {
        Some(m) => {
            match info.mode(m) {
                Some(pm) if pm.available => {}
                Some(pm) => bail!("{}: mode {m} is not available here: {}", info.name, pm.reason.as_deref().unwrap_or("unknown reason")),
                None => bail!("{}: unknown proof mode {m:?}; modes: {}", info.name, mode_names(&info)),
            }
            m.to_string()
        }
        None => info.default_mode().ok_or_else(|| anyhow::anyhow!("{}: no proof mode is available here", info.name))?.to_string(),
    };
    let privacy = Privacy::of(&info, &mode);
    if req.require_zk && !privacy.zero_knowledge {
        let zk_modes: Vec<String> =
            info.proof_modes.iter().filter(|m| m.zero_knowledge && m.available && info.produces_proofs).map(|m| m.name.clone()).collect();
        bail!(
            "--require-zk: {} mode {mode} does not claim zero-knowledge: {}. {}",
            info.name,
            info.zero_knowledge,
            if zk_modes.is_empty() {
                "None of its modes available here does; RISC Zero's receipts claim it (--zkvm risc0).".to_string()
            } else {
                format!("Its zero-knowledge modes here: {}", zk_modes.join(", "))
            }
        );
    }
    let report = match &backend {
        BackendHandle::Native(native) => {
            let out = native.prove(&words, &mode, precompiles)?;
            out.file.write(req.out)?;
            let mut report = out.report;
            report.proof_path = req.out.display().to_string();
            report
        }
        BackendHandle::Process(pb) => {
            // The rows, the backend's scratch files and its proof live in a directory only this
            // user can enter, removed on every way out of this function (and the backend dies
            // with this process). Only a proof whose claim checks out is put at --out.
            let dir = zkml_protocol::files::private_tempdir()?;
            let input = dir.path().join("input.bin");
            write_private(&input, zkml_core::words_as_bytes(&words))?;
            let staged = dir.path().join("proof.zkp");
            let mut report = pb.with_tmpdir(dir.path()).prove(&input, &staged, Some(&mode), precompiles)?;
            let proven = report.claim.claim().map_err(|e| anyhow::anyhow!("backend {}: {e}", req.zkvm))?;
            let agreement = check_claim(&info, &words, &expected, &proven)
                .map_err(|e| anyhow::anyhow!("backend {}: {e}; proof discarded", req.zkvm))?;
            let bytes = std::fs::read(&staged).with_context(|| format!("backend {} wrote no proof", req.zkvm))?;
            zkml_protocol::files::write_bytes_atomically(req.out, &bytes).with_context(|| format!("writing {}", req.out.display()))?;
            report.proof_path = req.out.display().to_string();
            return Ok(Proven { report, privacy, agreement });
        }
    };
    let proven = report.claim.claim().map_err(|e| anyhow::anyhow!("backend {}: {e}", req.zkvm))?;
    let agreement = match check_claim(&info, &words, &expected, &proven) {
        Ok(a) => a,
        Err(e) => {
            let _ = std::fs::remove_file(req.out);
            bail!("backend {}: {e}; proof discarded", req.zkvm);
        }
    };
    Ok(Proven { report, privacy, agreement })
}

fn mode_names(info: &BackendInfo) -> String {
    info.proof_modes.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn choose_precompiles(info: &BackendInfo, wanted: Option<Precompiles>) -> anyhow::Result<Precompiles> {
    match wanted {
        Some(p) if info.precompiles.contains(&p) => Ok(p),
        Some(p) => bail!("{}: --precompiles {p} is not supported (supported: {:?})", info.name, info.precompiles),
        None if info.precompiles.contains(&Precompiles::On) => Ok(Precompiles::On),
        None => Ok(Precompiles::Off),
    }
}

/// What a verifier expects of a claim.
#[derive(Debug, Default)]
pub struct Expectations {
    pub model: Option<ModelFile>,
    pub data_commitment: Option<[u8; 32]>,
    pub min_r2: Option<f64>,
    /// Fail unless the file holds a real zkVM proof (not the native baseline).
    pub require_proof: bool,
}

pub struct VerifyOutcome {
    pub proof: ProofFile,
    pub report: VerifyReport,
    /// Expectations the claim does not meet (empty: all met).
    pub failures: Vec<String>,
    /// The guest program this build verifies against (for the proof's precompile setting):
    /// what a verifier compares with the program id published beside a proof.
    pub program: Option<zkml_protocol::ProgramId>,
}

/// Verifies a proof file with the backend that made it, then checks the expectations.
pub fn verify(proof_path: &Path, expect: &Expectations) -> anyhow::Result<VerifyOutcome> {
    let proof = ProofFile::read(proof_path)?;
    // Never build here: the file's header is untrusted input, and naming a backend must not
    // start a 10-minute build. A backend is built by `prove`, `bench` or `zkml-bench build`.
    let backend = resolve(&proof.header.backend, false).with_context(|| format!("{}: cannot verify", proof_path.display()))?;
    let (report, info) = (backend.verify(&proof, proof_path)?, backend.info()?);
    let program = info.programs.iter().find(|p| p.matches(&proof.header.mode, proof.header.precompiles)).cloned();
    let mut failures = Vec::new();
    // The header is untrusted: a valid proof whose header names another program than the one
    // it verified against has had its header edited.
    if let (true, Some(named), Some(ours)) = (report.valid, &proof.header.program_id, program.as_ref().and_then(|p| p.id.as_ref())) {
        if !named.eq_ignore_ascii_case(ours) {
            failures.push(format!("the proof's header names program {named}, but it verified against this build's {ours}"));
        }
    }
    if report.valid {
        match report.claim.claim() {
            Ok(c) if c == proof.claim => {}
            _ => failures.push("the backend verified a different claim than the one in the file".to_string()),
        }
    }
    let claim = &proof.claim;
    if expect.require_proof && !(report.real_proof && proof.header.real_proof) {
        failures.push(format!("--require-proof: backend {} produced no real proof (mode {})", proof.header.backend, proof.header.mode));
    }
    if let Some(model) = &expect.model {
        let hash = model.computed_hash()?;
        if claim.model_hash != hash {
            failures.push(format!(
                "model hash {} in the claim is not the hash of the given model ({})",
                hex::encode(claim.model_hash),
                hex::encode(hash)
            ));
        }
        if claim.n_features as usize != model.feature_names.len() || claim.model_kind != model.model.kind() || claim.degree != model.degree
        {
            failures.push(format!(
                "claim is for a {} model with {} features; the given model is {} with {}",
                claim.model_label(),
                claim.n_features,
                model.model.name(),
                model.feature_names.len()
            ));
        }
    }
    if let Some(dc) = expect.data_commitment {
        if claim.data_commitment != dc {
            failures.push(format!(
                "data commitment {} in the claim is not the expected {}",
                hex::encode(claim.data_commitment),
                hex::encode(dc)
            ));
        }
    }
    if let Some(min) = expect.min_r2 {
        if claim.r2_f64() < min {
            failures.push(format!("R² {:.6} is below the required minimum {min}", claim.r2_f64()));
        }
    }
    Ok(VerifyOutcome { proof, report, failures, program })
}

/// Parses a 32-byte hex value (a commitment or a salt).
pub fn parse_hex32(s: &str, what: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(s.trim().trim_start_matches("0x")).with_context(|| format!("{what} is not hex: {s:?}"))?;
    bytes.try_into().map_err(|b: Vec<u8>| anyhow::anyhow!("{what} must be 32 bytes (64 hex digits), got {} bytes", b.len()))
}
