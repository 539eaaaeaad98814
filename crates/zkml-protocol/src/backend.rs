//! The [`Backend`] trait and the command-line runner every backend binary shares.

use crate::proof_file::{ChunkProofFile, ProofFile, ProofHeader};
use crate::reports::*;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A proof and the report about it.
pub struct ProveOutput {
    pub report: ProveReport,
    pub file: ProofFile,
}

impl ProveOutput {
    /// A proof file and the report about it. What the report repeats of the file — backend, mode,
    /// accelerator, whether it is a real proof, the claim, the proof's size (its payload's bytes;
    /// a backend whose proof is not its whole payload sets `report.proof_bytes` after) — is read
    /// from the file, so the two cannot disagree.
    pub fn new(file: ProofFile, cycles: Option<Cycles>, phases: Phases, notes: Vec<String>) -> Self {
        let report = ProveReport {
            backend: file.header.backend.clone(),
            mode: file.header.mode.clone(),
            precompiles: file.header.precompiles,
            real_proof: file.header.real_proof,
            claim: ClaimSummary::from(&file.claim),
            cycles,
            phases,
            proof_bytes: file.payload.len() as u64,
            proof_path: String::new(),
            notes,
        };
        ProveOutput { report, file }
    }
}

/// A chunk proof and its report (issue #36).
pub struct ChunkProveOutput {
    pub report: ChunkReport,
    pub file: ChunkProofFile,
}

/// What a zkVM backend implements. `input` is the canonical guest input (words).
pub trait Backend {
    fn info(&self) -> BackendInfo;
    fn execute(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ExecuteReport>;
    /// Proves; `report.proof_path` is filled in by the runner.
    fn prove(&self, input: &[u32], mode: &str, precompiles: Precompiles) -> anyhow::Result<ProveOutput>;
    /// Checks `proof.payload` proves exactly `proof.claim`. An invalid proof is
    /// `Ok(VerifyReport { valid: false, .. })`, not an error.
    fn verify(&self, proof: &ProofFile) -> anyhow::Result<VerifyReport>;
    /// Issue #36: whether this backend proves chunks and aggregates them (`prove-chunk`,
    /// `verify-chunk`, `aggregate`); `Err(why not)` otherwise.
    fn chunking(&self) -> Result<(), String> {
        Err(format!("{} does not prove test sets in chunks", self.info().name))
    }
    /// Proves one chunk: `input` is a chunk input (`zkml_core::chunk::encode_chunk_input`).
    fn prove_chunk(&self, _input: &[u32], _precompiles: Precompiles) -> anyhow::Result<ChunkProveOutput> {
        Err(anyhow::anyhow!(self.chunking().err().unwrap_or_default()))
    }
    /// Checks a chunk proof proves exactly its chunk claim (invalid: `valid: false`).
    fn verify_chunk(&self, _proof: &ChunkProofFile) -> anyhow::Result<ChunkReport> {
        Err(anyhow::anyhow!(self.chunking().err().unwrap_or_default()))
    }
    /// One proof of the ordinary claim over chunks `0..K`, given in order, that verifies each
    /// chunk proof inside (the zkVM's recursion). `verify` accepts it like any proof.
    fn aggregate(&self, _chunks: &[ChunkProofFile]) -> anyhow::Result<ProveOutput> {
        Err(anyhow::anyhow!(self.chunking().err().unwrap_or_default()))
    }
}

#[derive(Parser)]
#[command(about = "A zkml-bench backend (speaks the zkml-bench backend protocol; JSON on stdout)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Describe this backend.
    Info,
    /// Run the guest without proving: claim and cycle counts.
    Execute {
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = Precompiles::On)]
        precompiles: Precompiles,
    },
    /// Prove the guest's claim and write a proof file.
    Prove {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Proof mode (see `info`); default: the first available.
        #[arg(long)]
        mode: Option<String>,
        #[arg(long, value_enum, default_value_t = Precompiles::On)]
        precompiles: Precompiles,
    },
    /// Verify a proof file.
    Verify {
        #[arg(long)]
        proof: PathBuf,
    },
    /// Prove one chunk of a larger test set (a chunk input file) and write a chunk proof.
    ProveChunk {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Precompiles::On)]
        precompiles: Precompiles,
    },
    /// Verify a chunk proof.
    VerifyChunk {
        #[arg(long)]
        proof: PathBuf,
    },
    /// Aggregate the chunk proofs of chunks 0..K (in order) into one proof file.
    Aggregate {
        #[arg(long = "chunk", required = true)]
        chunks: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
}

/// Reads a guest-input file into words, with errors that name the file.
pub fn read_input(path: &Path) -> anyhow::Result<Vec<u32>> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let words = zkml_core::words_from_bytes(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    zkml_core::GuestInput::decode(&words).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(words)
}

fn print_json<T: serde::Serialize>(value: &T) {
    println!("{}", serde_json::to_string_pretty(value).expect("report serialises"));
}

/// Parses the command line, runs the command, prints JSON, returns the exit status.
pub fn run_cli<B: Backend>(backend: B) -> ExitCode {
    run_cli_from(backend, std::env::args_os())
}

/// [`run_cli`] with explicit arguments (the first is the program name), for binaries that
/// host a backend behind a subcommand (`zkml-bench backend-native ...`).
pub fn run_cli_from<B: Backend, I, T>(backend: B, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // A panic inside an SDK is still an answer the harness can record: turn it into the
    // protocol's JSON error instead of a bare exit status 101.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&backend, cli.command)));
    let error = match result {
        Ok(Ok(code)) => return code,
        Ok(Err(e)) => format!("{e:#}"),
        Err(panic) => {
            let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned());
            format!("backend panicked: {}", what.unwrap_or_else(|| "unknown panic".into()))
        }
    };
    eprintln!("error: {error}");
    print_json(&ErrorReport { error });
    ExitCode::from(1)
}

fn run<B: Backend>(backend: &B, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Info => print_json(&backend.info()),
        Command::Execute { input, precompiles } => {
            check_precompiles(backend, precompiles)?;
            print_json(&backend.execute(&read_input(&input)?, precompiles)?)
        }
        Command::Prove { input, out, mode, precompiles } => {
            check_precompiles(backend, precompiles)?;
            let info = backend.info();
            let mode = match mode {
                Some(m) => {
                    let known = info.proof_modes.iter().find(|x| x.name == m).ok_or_else(|| {
                        let names: Vec<_> = info.proof_modes.iter().map(|x| x.name.as_str()).collect();
                        anyhow::anyhow!("{}: unknown proof mode {m:?}; modes: {}", info.name, names.join(", "))
                    })?;
                    if !known.available {
                        anyhow::bail!(
                            "{}: proof mode {m:?} is not available here: {}",
                            info.name,
                            known.reason.as_deref().unwrap_or("unknown reason")
                        );
                    }
                    m
                }
                None => info.default_mode().ok_or_else(|| anyhow::anyhow!("{}: no proof mode is available", info.name))?.to_string(),
            };
            let words = read_input(&input)?;
            crate::memory_guard::spawn("proving")?;
            let ProveOutput { mut report, file } = backend.prove(&words, &mode, precompiles)?;
            file.write(&out)?;
            report.proof_path = out.display().to_string();
            print_json(&report);
        }
        Command::Verify { proof } => {
            let file = ProofFile::read(&proof)?;
            let info = backend.info();
            if file.header.backend != info.name {
                anyhow::bail!("{}: proof was made by backend {:?}, this is {:?}", proof.display(), file.header.backend, info.name);
            }
            let report = backend.verify(&file)?;
            print_json(&report);
            if !report.valid {
                return Ok(ExitCode::from(2));
            }
        }
        Command::ProveChunk { input, out, precompiles } => {
            check_precompiles(backend, precompiles)?;
            backend.chunking().map_err(|e| anyhow::anyhow!(e))?;
            let words = read_chunk_input(&input)?;
            crate::memory_guard::spawn("proving")?;
            let ChunkProveOutput { mut report, file } = backend.prove_chunk(&words, precompiles)?;
            file.write(&out)?;
            report.proof_path = out.display().to_string();
            print_json(&report);
        }
        Command::VerifyChunk { proof } => {
            let file = ChunkProofFile::read(&proof)?;
            let info = backend.info();
            if file.header.backend != info.name {
                anyhow::bail!("{}: chunk proof was made by backend {:?}, this is {:?}", proof.display(), file.header.backend, info.name);
            }
            let report = backend.verify_chunk(&file)?;
            print_json(&report);
            if !report.valid {
                return Ok(ExitCode::from(2));
            }
        }
        Command::Aggregate { chunks, out } => {
            backend.chunking().map_err(|e| anyhow::anyhow!(e))?;
            let info = backend.info();
            let files = chunks
                .iter()
                .map(|p| {
                    let f = ChunkProofFile::read(p)?;
                    if f.header.backend != info.name {
                        anyhow::bail!("{}: chunk proof was made by backend {:?}, this is {:?}", p.display(), f.header.backend, info.name);
                    }
                    Ok(f)
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            // The chunks' order, count and model are checked natively by the backend (it needs
            // the combined claim to check its proof) and before it by zkml-bench, which names
            // the files.
            crate::memory_guard::spawn("aggregating")?;
            let ProveOutput { mut report, file } = backend.aggregate(&files)?;
            file.write(&out)?;
            report.proof_path = out.display().to_string();
            print_json(&report);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a chunk-input file into words, checked as a chunk input.
pub fn read_chunk_input(path: &Path) -> anyhow::Result<Vec<u32>> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let words = zkml_core::words_from_bytes(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    zkml_core::chunk::evaluate_chunk_words::<zkml_core::SoftwareSha256>(&words).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(words)
}

fn check_precompiles<B: Backend>(backend: &B, p: Precompiles) -> anyhow::Result<()> {
    let info = backend.info();
    if !info.precompiles.contains(&p) {
        anyhow::bail!("{}: --precompiles {p} is not supported (supported: {:?})", info.name, info.precompiles);
    }
    Ok(())
}

/// Seconds since the Unix epoch (for proof headers).
pub fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A header with the common fields filled in.
pub fn header(info: &BackendInfo, mode: &str, precompiles: Precompiles, real_proof: bool, program_id: Option<String>) -> ProofHeader {
    ProofHeader {
        backend: info.name.clone(),
        sdk: info.sdk.clone(),
        mode: mode.into(),
        precompiles,
        real_proof,
        program_id,
        created_unix: now_unix(),
        note: None,
    }
}

/// The zkVM build cache: `$ZKML_CACHE`, else `~/.cache/zkml-bench` (as the harness's).
pub fn cache_dir() -> PathBuf {
    std::env::var_os("ZKML_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/zkml-bench"))
}

/// A zkVM host's guest ELF, as read by [`read_guest`].
pub struct GuestElf {
    pub bytes: Vec<u8>,
    pub path: PathBuf,
    /// SHA-256 of the bytes, hex (keys caches; listed in [`ProgramId`]).
    pub sha256: String,
}

/// Reads a zkVM host's guest ELF `file`: from `$override_env` if set, else from the host's own
/// directory (an installed snapshot holds its guests beside it: see `zkvms/common.sh`
/// `install_backend`, so another build cannot swap them), else from cargo's guest output
/// `$ZKML_CACHE/target/<built>`.
pub fn read_guest(override_env: &str, built: &str, file: &str) -> anyhow::Result<GuestElf> {
    use sha2::Digest as _;
    let beside_me = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|d| d.join(file))).filter(|p| p.is_file());
    let path = match std::env::var_os(override_env) {
        Some(dir) => PathBuf::from(dir).join(file),
        None => beside_me.unwrap_or_else(|| cache_dir().join("target").join(built).join(file)),
    };
    let bytes = std::fs::read(&path)
        .map_err(|e| anyhow::anyhow!("guest ELF {}: {e} (build the backend with its zkvms/*/build.sh)", path.display()))?;
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    Ok(GuestElf { bytes, path, sha256 })
}
