//! The EZKL backend: the accuracy job as a halo2 circuit that EZKL (the PyPI wheel, pinned in
//! `zkvms/ezkl/requirements.txt`) compiles from an ONNX graph, behind the same backend protocol
//! as every zkVM.
//!
//! This binary speaks the protocol, decodes the guest input, rewrites the fixed-point model
//! for normalised inputs ([`zkml_protocol::NormalisedModel`]) and turns the circuit's public
//! values into a [`Claim`]; `zkvms/ezkl/ezkl_job.py` (run with the cache's virtual environment)
//! builds the ONNX graph and calls EZKL. The Python process is this process's child, so the
//! harness's peak-memory measurement (wait4 of this process) includes it, and a memory guard
//! here kills it above the limit: an out-of-memory circuit is a recorded failure.
//!
//! The claim is EZKL's own quantisation (inputs at `2^-16` of the normalised range), not
//! zkml-core's: the harness compares it with the native claim within a derived tolerance
//! ([`zkml_protocol::own_quantisation`]). Its data commitment is EZKL's Poseidon hash of the
//! quantised rows (mode `hashed`), or none (mode `private`, all zero bytes).

use anyhow::{bail, Context};
use serde::Deserialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use zkml_core::{commit, Claim, GuestInput, Metrics, SoftwareSha256, CLAIM_VERSION};
use zkml_protocol::backend::header;
use zkml_protocol::memory_guard::gib;
use zkml_protocol::*;

pub const NAME: &str = "ezkl";
/// The pinned EZKL release (zkvms/ezkl/requirements.txt).
pub const EZKL_VERSION: &str = "23.0.5";
pub const MODE_HASHED: &str = "hashed";
pub const MODE_PRIVATE: &str = "private";
/// How EZKL is given the job (see [`zkml_protocol::own_quantisation`]).
pub const QUANTISATION: OwnQuantisation =
    OwnQuantisation { normalisation_bits: 24, input_frac_bits: 18, param_frac_bits: 18, rescale_steps: 4 };
/// 14-bit decomposition legs of the range checks, by degree: values up to 2^42 at twice the
/// input scale (squared errors are not rounded) for degree 1, 2^56 for degree 2, whose products
/// of standardised features reach several hundred on real data (a 1,000-row test set of the
/// benchmark's synthetic customers does not fit three legs at 2^-18), and for an MLP (degree
/// 0), whose pre-activations of outlying rows reach the same range.
pub fn decomp_legs(degree: u32) -> u32 {
    if degree != 1 {
        4
    } else {
        3
    }
}
const PAYLOAD_MAGIC: [u8; 8] = *b"ZKEZKL01";

/// Where the EZKL side lives: the Python interpreter of the cache's virtual environment and the
/// job script that `zkvms/ezkl/build.sh` copies next to this binary.
pub struct Ezkl {
    python: PathBuf,
    script: PathBuf,
    cache: PathBuf,
    /// The Python side's package versions, asked once: `info` is called several times per command.
    versions: std::sync::OnceLock<Option<String>>,
}

impl Ezkl {
    /// Finds the virtual environment and the job script from this binary's place in the cache
    /// (an installed snapshot `$ZKML_CACHE/installed/ezkl-DIGEST/zkml-ezkl`, or cargo's output); `ZKML_EZKL_PYTHON` and `ZKML_EZKL_SCRIPT`
    /// override them.
    pub fn locate() -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("cannot locate this binary")?;
        let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
        // From an installed snapshot ($ZKML_CACHE/installed/ezkl-DIGEST) or cargo's output.
        let cache = match std::env::var_os("ZKML_CACHE") {
            Some(c) => PathBuf::from(c),
            None => dir
                .ancestors()
                .skip(1)
                .find(|a| a.join("ezkl/venv").is_dir())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| dir.join("../../..")),
        };
        let script = std::env::var_os("ZKML_EZKL_SCRIPT").map(PathBuf::from).unwrap_or_else(|| dir.join("ezkl_job.py"));
        let python = std::env::var_os("ZKML_EZKL_PYTHON").map(PathBuf::from).unwrap_or_else(|| cache.join("ezkl/venv/bin/python"));
        for (what, path) in [("job script", &script), ("Python of the EZKL virtual environment", &python)] {
            if !path.exists() {
                bail!("ezkl: {what} {} not found: build the backend with zkvms/ezkl/build.sh (or `zkml-bench build ezkl`)", path.display());
            }
        }
        Ok(Ezkl { python, script, cache, versions: std::sync::OnceLock::new() })
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.cache.join("ezkl").join(name)
    }

    /// Runs `ezkl_job.py COMMAND` on `job` in a fresh work directory and parses its result.
    fn run_job<T: for<'de> Deserialize<'de>>(&self, command: &str, job: &serde_json::Value, extra: &[(&str, &Path)]) -> anyhow::Result<T> {
        let work = tempfile::tempdir().context("ezkl: cannot create a work directory")?;
        let job_path = work.path().join("job.json");
        std::fs::write(&job_path, serde_json::to_vec(job)?)?;
        let result = work.path().join("result.json");
        let mut cmd = Command::new(&self.python);
        cmd.arg(&self.script)
            .arg(command)
            .arg("--job")
            .arg(&job_path)
            .arg("--work")
            .arg(work.path())
            .arg("--srs-dir")
            .arg(self.dir("srs"))
            .arg("--vk-dir")
            .arg(self.dir("vk"))
            .arg("--result")
            .arg(&result);
        for (flag, path) in extra {
            cmd.arg(flag).arg(path);
        }
        // EZKL's progress goes to our stderr; our stdout carries only the protocol's JSON.
        let stderr = std::os::fd::AsFd::as_fd(&std::io::stderr()).try_clone_to_owned()?;
        cmd.stdin(Stdio::null()).stdout(Stdio::from(stderr)).stderr(Stdio::inherit());
        let mut child = cmd.spawn().with_context(|| format!("ezkl: cannot run {}", self.python.display()))?;
        let watch = MemoryWatch::start(child.id(), zkml_protocol::memory_guard::limit_bytes()?);
        let status = child.wait()?;
        let peak = watch.stop();
        if let Some(limit) = peak.killed_at {
            bail!(
                "out of memory: the EZKL prover's resident set reached {:.1} GiB, above the memory guard's limit of {:.1} GiB \
                 (ZKML_MAX_RSS_MB; default 95% of the memory available at start); killed",
                gib(peak.max_rss),
                gib(limit)
            );
        }
        let bytes = match std::fs::read(&result) {
            Ok(b) if status.success() => b,
            _ => bail!("ezkl: {} {command} failed ({status}); see its output above", self.script.display()),
        };
        let value: serde_json::Value = serde_json::from_slice(&bytes).with_context(|| format!("ezkl: unreadable {command} result"))?;
        if let Some(error) = value.get("error").and_then(|e| e.as_str()) {
            bail!("{error}");
        }
        serde_json::from_value(value).with_context(|| format!("ezkl: unreadable {command} result"))
    }

    fn versions(&self) -> Option<String> {
        self.versions
            .get_or_init(|| {
                let out = Command::new(&self.python).arg(&self.script).arg("versions").stderr(Stdio::null()).output().ok()?;
                out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
            })
            .clone()
    }
}

/// Samples a child's resident set and kills it above `limit`.
struct MemoryWatch {
    stop: Arc<std::sync::atomic::AtomicBool>,
    max_rss: Arc<AtomicU64>,
    killed_at: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Peak {
    max_rss: u64,
    killed_at: Option<u64>,
}

impl MemoryWatch {
    fn start(pid: u32, limit: Option<u64>) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (max_rss, killed_at) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (s, m, k) = (stop.clone(), max_rss.clone(), killed_at.clone());
        let thread = std::thread::spawn(move || {
            let status = format!("/proc/{pid}/status");
            while !s.load(Ordering::Relaxed) {
                if let Some(rss) = std::fs::read_to_string(&status).ok().and_then(|t| vm_rss(&t)) {
                    m.fetch_max(rss, Ordering::Relaxed);
                    if let Some(limit) = limit.filter(|&l| rss > l) {
                        k.store(limit, Ordering::Relaxed);
                        // SAFETY: kill(2) on our own child's pid; no memory is touched.
                        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
                        return;
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        MemoryWatch { stop, max_rss, killed_at, thread: Some(thread) }
    }

    fn stop(mut self) -> Peak {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let k = self.killed_at.load(Ordering::Relaxed);
        Peak { max_rss: self.max_rss.load(Ordering::Relaxed), killed_at: (k > 0).then_some(k) }
    }
}

fn vm_rss(status: &str) -> Option<u64> {
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kib| kib * 1024)
}

/// The circuit's public values, as `ezkl_job.py` reads them from a proof or a witness.
#[derive(Debug, Deserialize)]
struct Public {
    /// Little-endian hex of the Poseidon hash of the quantised rows (mode `hashed`).
    data_commitment: Option<String>,
    sse: String,
    /// `N * SST = N Σy² - (Σy)²` (Σy itself stays private: it would reveal the mean target).
    nsst: String,
    /// The scales of SSE and N*SST.
    output_scales: Vec<i32>,
}

#[derive(Debug, Deserialize)]
struct Times {
    #[serde(default)]
    graph_s: f64,
    #[serde(default)]
    settings_compile_s: f64,
    #[serde(default)]
    srs_s: f64,
    #[serde(default)]
    keygen_s: f64,
    #[serde(default)]
    witness_s: f64,
    #[serde(default)]
    prove_s: f64,
}

#[derive(Debug, Deserialize)]
struct ExecuteResult {
    times: Times,
    num_rows: u64,
    logrows: u32,
    public: Public,
}

#[derive(Debug, Deserialize)]
struct ProveResult {
    times: Times,
    srs_generated: bool,
    num_rows: u64,
    logrows: u32,
    circuit_id: String,
    pk_bytes: u64,
    vk_bytes: u64,
    proof_transcript_bytes: u64,
    n_instances: u64,
    public: Public,
    settings: String,
    proof: String,
}

#[derive(Debug, Deserialize)]
struct VerifyResult {
    valid: bool,
    reason: Option<String>,
    verify_s: f64,
    public: Option<Public>,
}

/// The job `ezkl_job.py` runs: the normalised model, the mode, and (to prove) the rows.
fn job(input: &GuestInput<'_>, mode: &str, n_rows: u32, with_rows: bool) -> anyhow::Result<serde_json::Value> {
    let model = input.model.to_owned_model();
    let nm = NormalisedModel::from_fixed(&model, QUANTISATION.normalisation_bits).map_err(|e| {
        anyhow::anyhow!("ezkl: {e} (the {} model is not supported by this backend)", input.model.kind.label(input.model.degree))
    })?;
    let scale = 2f64.powi(-(QUANTISATION.normalisation_bits as i32));
    let rows: Vec<f64> = if with_rows { input.test_set.rows().flatten().map(|&v| v as f64 * scale).collect() } else { vec![] };
    Ok(serde_json::json!({
        "mode": mode,
        "n_rows": n_rows,
        "n_features": nm.n_features,
        "degree": nm.degree,
        "scale": QUANTISATION.input_frac_bits,
        "param_scale": QUANTISATION.param_frac_bits,
        "decomp_legs": decomp_legs(nm.degree),
        "weights": nm.weights,
        "bias": nm.bias,
        "means": nm.means,
        "inv_stds": nm.inv_stds,
        "kind": input.model.kind.label(input.model.degree),
        "layers": nm.layers,
        "trees": nm.trees,
        "rows": rows,
    }))
}

fn parse_int(s: &str, what: &str) -> anyhow::Result<i128> {
    s.parse::<i128>().map_err(|_| anyhow::anyhow!("ezkl: public value {what} = {s} does not fit 128 bits"))
}

/// The claim the circuit's public values state: SSE and `N * SST = N Σy² - (Σy)²`, both at
/// scale `2^2s` of the normalised target (`s` the input scale). In the target's real units that
/// is scale `F = s + T - N` (`T` the target column's bits, `N` the normalisation), or 0 (values
/// shifted up, exactly) when `F` would be negative. `SST = ceil(N * SST / N)`, which is exactly
/// what the guests compute from Σy and Σy² (`Metrics::sst`); the circuit never publishes Σy.
fn claim_from_public(input: &GuestInput<'_>, mode: &str, p: &Public) -> anyhow::Result<Claim> {
    let &[a, c] = p.output_scales.as_slice() else { bail!("ezkl: expected 2 output scales, got {:?}", p.output_scales) };
    if a != c || a < 0 || a % 2 != 0 {
        bail!("ezkl: unexpected output scales {:?} (SSE and N*SST must share an even scale)", p.output_scales);
    }
    let t = input.model.target_frac_bits() as i32;
    let f = a / 2 + t - QUANTISATION.normalisation_bits as i32;
    let up = (-f).max(0) as u32;
    let (sse, nsst) = (parse_int(&p.sse, "SSE")?, parse_int(&p.nsst, "N*SST")?);
    if sse < 0 || nsst < 0 {
        bail!("ezkl: negative sum of squares in the public values");
    }
    let n = input.test_set.n_rows as u128;
    let (sse, nsst) = (sse as u128, nsst as u128);
    let shifted = |v: u128, what: &str| {
        v.checked_shl(2 * up).filter(|s| s >> (2 * up) == v).ok_or_else(|| anyhow::anyhow!("ezkl: {what} out of range"))
    };
    let (sse, nsst) = (shifted(sse, "SSE")?, shifted(nsst, "N*SST")?);
    let metrics = Metrics { n: n as u64, sum_y: 0, sum_y2: nsst.div_ceil(n.max(1)), sse };
    let frac_bits = f.max(0) as u32;
    let (sse, sst, mse, r2) = metrics.finish(frac_bits).map_err(|e| anyhow::anyhow!("ezkl: {e}"))?;
    let data_commitment = match (mode, &p.data_commitment) {
        (MODE_HASHED, Some(h)) => {
            let bytes = hex::decode(h.trim_start_matches("0x")).context("ezkl: Poseidon hash is not hex")?;
            bytes.try_into().map_err(|_| anyhow::anyhow!("ezkl: Poseidon hash is not 32 bytes"))?
        }
        (MODE_HASHED, None) => bail!("ezkl: a hashed-mode proof without its Poseidon hash"),
        _ => [0u8; 32],
    };
    Ok(Claim {
        version: CLAIM_VERSION,
        model_kind: input.model.kind,
        degree: input.model.degree,
        n_features: input.model.n_features,
        frac_bits,
        n_rows: input.test_set.n_rows,
        model_hash: commit::model_hash::<SoftwareSha256>(input.model_words),
        data_commitment,
        sse,
        sst,
        mse,
        r2,
    })
}

/// The proof file's payload: the model (the verifier rebuilds the circuit from it), EZKL's
/// settings and EZKL's proof JSON, each length-prefixed.
fn encode_payload(model_words: &[u32], settings: &str, proof: &str) -> Vec<u8> {
    let mut out = PAYLOAD_MAGIC.to_vec();
    for part in [zkml_core::words_as_bytes(model_words), settings.as_bytes(), proof.as_bytes()] {
        out.extend_from_slice(&(part.len() as u64).to_le_bytes());
        out.extend_from_slice(part);
    }
    out
}

fn decode_payload(payload: &[u8]) -> anyhow::Result<(Vec<u32>, &[u8], &[u8])> {
    if payload.len() < 8 || payload[..8] != PAYLOAD_MAGIC {
        bail!("not an EZKL payload");
    }
    let mut at = 8;
    let mut parts = Vec::new();
    for what in ["model", "settings", "proof"] {
        let len = payload
            .get(at..at + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
            .ok_or_else(|| anyhow::anyhow!("truncated {what}"))?;
        let end = at.checked_add(8 + len as usize).filter(|&e| e <= payload.len()).ok_or_else(|| anyhow::anyhow!("truncated {what}"))?;
        parts.push(&payload[at + 8..end]);
        at = end;
    }
    if at != payload.len() {
        bail!("{} trailing bytes", payload.len() - at);
    }
    Ok((zkml_core::words_from_bytes(parts[0])?, parts[1], parts[2]))
}

/// Guest input of the model alone with `n_rows` placeholder rows: what a verifier, who has no
/// rows, needs to rebuild the circuit and read the claim's identity fields.
fn model_only_input(model_words: &[u32], column_frac_bits: &[u32], n_rows: u32) -> anyhow::Result<Vec<u32>> {
    let nf = column_frac_bits.len();
    let rows = vec![0i32; nf * n_rows as usize];
    let test = zkml_core::encode_test_set(column_frac_bits, &rows, &[0; 32])?;
    Ok(zkml_core::encode_guest_input(model_words, &test))
}

impl Backend for Ezkl {
    fn info(&self) -> BackendInfo {
        let versions = self.versions().unwrap_or_else(|| "versions unknown: the virtual environment does not answer".into());
        BackendInfo {
            protocol_version: PROTOCOL_VERSION,
            name: NAME.into(),
            sdk: format!("ezkl {EZKL_VERSION} (PyPI wheel; {versions})"),
            isa: "none (a circuit compiled from ONNX)".into(),
            proof_system: "halo2 PLONKish circuit with KZG commitments on BN254, compiled by EZKL from an ONNX graph; the SRS is \
                generated locally (ezkl gen_srs, fresh randomness: NOT a ceremony SRS, so whoever generated it could forge \
                proofs; soundness rests on that SRS's secret being destroyed, plus the q-SDH assumption on BN254); one \
                circuit, SRS size and key pair per model and test-set size"
                .into(),
            produces_proofs: true,
            zero_knowledge: "yes: halo2 blinds every advice column with random rows so that the proof reveals nothing about the \
                witness beyond the public instances (halo2 book, 'Zero-knowledge' / PSE halo2's blinding factors); the test rows \
                are private witnesses (EZKL input visibility 'hashed': only their Poseidon hash is public; 'private': nothing), \
                and only SSE and N*SST are public outputs (not Σy: the mean target stays hidden)"
                .into(),
            security_bits: None,
            proof_modes: vec![
                ProofMode::new(MODE_HASHED, ProofFamily::Snark, true),
                ProofMode::new(MODE_PRIVATE, ProofFamily::Snark, true),
            ],
            precompiles: vec![Precompiles::On],
            gpu: false,
            notes: vec![
                "precompiles: not applicable (the circuit hashes with its own Poseidon gadget); reported as 'on'".into(),
                "the claim is EZKL's own quantisation (inputs at 2^-16 of each column's normalised range); compared with the \
                 native claim within a derived tolerance, never bit for bit"
                    .into(),
                "mode private carries no data commitment (all-zero bytes in the claim)".into(),
                "the data commitment of mode hashed is EZKL's Poseidon hash of the quantised rows, not zkml-core's SHA-256".into(),
            ],
            own_quantisation: Some(QUANTISATION),
            programs: Vec::new(),
        }
    }

    fn execute(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ExecuteReport> {
        let gi = GuestInput::decode(input)?;
        let r: ExecuteResult = self.run_job("execute", &job(&gi, MODE_HASHED, gi.test_set.n_rows, true)?, &[])?;
        eprintln!("ezkl: circuit of {} rows (2^{})", r.num_rows, r.logrows);
        let claim = claim_from_public(&gi, MODE_HASHED, &r.public)?;
        Ok(ExecuteReport {
            backend: NAME.into(),
            precompiles,
            claim: ClaimSummary::from(&claim),
            cycles: None,
            phases: Phases {
                setup_s: Some(r.times.graph_s + r.times.settings_compile_s),
                execute_s: Some(r.times.witness_s),
                ..Default::default()
            },
        })
    }

    fn prove(&self, input: &[u32], mode: &str, precompiles: Precompiles) -> anyhow::Result<ProveOutput> {
        let gi = GuestInput::decode(input)?;
        let r: ProveResult = self.run_job("prove", &job(&gi, mode, gi.test_set.n_rows, true)?, &[])?;
        let claim = claim_from_public(&gi, mode, &r.public)?;
        let info = self.info();
        let mut h = header(&info, mode, precompiles, true, Some(r.circuit_id.clone()));
        h.note = Some(format!("EZKL {EZKL_VERSION} halo2/KZG proof, input visibility {mode}; claim in EZKL's own quantisation"));
        let mut notes = vec![
            format!("circuit: {} rows, SRS and keys for 2^{} rows", r.num_rows, r.logrows),
            format!(
                "setup: graph {:.2} s, settings + calibration + compile {:.2} s, key generation {:.2} s (proving key {:.1} MiB on \
                 disk, verifying key {:.1} KiB); witness {:.2} s",
                r.times.graph_s,
                r.times.settings_compile_s,
                r.times.keygen_s,
                r.pk_bytes as f64 / (1u64 << 20) as f64,
                r.vk_bytes as f64 / 1024.0,
                r.times.witness_s
            ),
            format!("proof size: {} bytes of transcript + {} public values of 32 bytes", r.proof_transcript_bytes, r.n_instances),
        ];
        if r.srs_generated {
            notes.push(format!(
                "SRS for 2^{} generated locally in {:.1} s (first use; cached after, not counted in setup)",
                r.logrows, r.times.srs_s
            ));
        }
        if mode == MODE_PRIVATE {
            notes.push("mode private: the claim carries NO data commitment".into());
        }
        let file = ProofFile { header: h, claim, payload: encode_payload(gi.model_words, &r.settings, &r.proof) };
        let phases = Phases {
            setup_s: Some(r.times.graph_s + r.times.settings_compile_s + r.times.keygen_s),
            execute_s: Some(r.times.witness_s),
            prove_s: Some(r.times.prove_s),
            ..Default::default()
        };
        let mut out = ProveOutput::new(file, None, phases, notes);
        // The proof is the transcript and its public values, not the whole payload (which also
        // carries the model words and EZKL's settings).
        out.report.proof_bytes = r.proof_transcript_bytes + 32 * r.n_instances;
        Ok(out)
    }

    fn verify(&self, proof: &ProofFile) -> anyhow::Result<VerifyReport> {
        Ok(VerifyReport::checked(NAME, proof, true, self.check(proof)?))
    }
}

impl Ezkl {
    /// Checks an EZKL proof file: its header and model, then the proof by EZKL's verifier, then
    /// that the proven public values are exactly the file's claim.
    fn check(&self, proof: &ProofFile) -> anyhow::Result<Checked> {
        let invalid = |why: String| Ok(Err(Rejected::unread(why)));
        if !proof.header.real_proof {
            return invalid("the header says this is not a real proof".into());
        }
        let mode = proof.header.mode.as_str();
        if mode != MODE_HASHED && mode != MODE_PRIVATE {
            return invalid(format!("unknown mode {mode:?}"));
        }
        let (model_words, settings, ezkl_proof) = match decode_payload(&proof.payload) {
            Ok(parts) => parts,
            Err(e) => return invalid(format!("verification failed: malformed payload: {e}")),
        };
        if commit::model_hash::<SoftwareSha256>(&model_words) != proof.claim.model_hash {
            return invalid("the model in the proof file is not the claim's model (hash differs)".into());
        }
        let model = match zkml_core::decode_model(&model_words) {
            Ok(m) => m,
            Err(e) => return invalid(format!("verification failed: the model in the proof file is malformed: {e}")),
        };
        let words = model_only_input(&model_words, model.column_frac_bits, proof.claim.n_rows)?;
        let gi = GuestInput::decode(&words)?;
        let work = tempfile::tempdir()?;
        let (settings_path, proof_path) = (work.path().join("settings.json"), work.path().join("proof.json"));
        std::fs::File::create(&settings_path)?.write_all(settings)?;
        std::fs::File::create(&proof_path)?.write_all(ezkl_proof)?;
        let r: VerifyResult = self.run_job(
            "verify",
            &job(&gi, mode, proof.claim.n_rows, false)?,
            &[("--settings", &settings_path), ("--proof", &proof_path)],
        )?;
        if !r.valid {
            return Ok(Err(Rejected::new(format!("verification failed: {}", r.reason.unwrap_or_default()), r.verify_s)));
        }
        let Some(public) = r.public else { bail!("ezkl: a valid proof without public values") };
        let proven = claim_from_public(&gi, mode, &public)?;
        if proven != proof.claim {
            return Ok(Err(Rejected::new("the proof's public values are not the claim in the file (not the claim)", r.verify_s)));
        }
        Ok(Ok(r.verify_s))
    }
}
