//! The zkVMs zkml-bench knows, and where their backends come from.

use crate::catalogue::{self, Backend};
use crate::run::process::ProcessBackend;
use std::path::PathBuf;

/// A backend the harness can drive.
pub enum BackendHandle {
    /// The native baseline, run in-process (the very code of the `zkml-native` binary).
    Native(zkml_native::NativeBackend),
    /// A backend binary (a zkVM host).
    Process(ProcessBackend),
}

impl BackendHandle {
    /// What the backend is (`info`): in-process for the baseline, a protocol call otherwise.
    pub fn info(&self) -> anyhow::Result<zkml_protocol::BackendInfo> {
        use zkml_protocol::Backend as _;
        match self {
            BackendHandle::Native(native) => Ok(native.info()),
            BackendHandle::Process(pb) => pb.info(),
        }
    }

    /// Verifies `file`, read from `path` (a process backend reads it again itself).
    pub fn verify(&self, file: &zkml_protocol::ProofFile, path: &std::path::Path) -> anyhow::Result<zkml_protocol::VerifyReport> {
        use zkml_protocol::Backend as _;
        match self {
            BackendHandle::Native(native) => native.verify(file),
            BackendHandle::Process(pb) => pb.verify(path),
        }
    }
}

/// The proof modes of a known backend that claim to hide the private rows, and its default
/// mode ([`Backend::zero_knowledge_modes`]); `None` for an unknown name or one that cannot run here.
pub fn zero_knowledge_modes(name: &str) -> Option<(&'static str, &'static [&'static str])> {
    Backend::from_name(name).and_then(Backend::zero_knowledge_modes)
}

/// Refuses, before any work, a backend/mode that cannot satisfy `--require-zk`, or a backend
/// name that is unknown or cannot run here (as [`resolve`] would, without building).
pub fn check_before_work(name: &str, mode: Option<&str>, require_zk: bool) -> anyhow::Result<()> {
    let Some(backend) = Backend::from_name(name) else {
        anyhow::bail!("unknown zkVM {name:?}; known: {}", catalogue::names().join(", "));
    };
    if backend.unavailable_because().is_some() {
        resolve(name, false)?;
    }
    if !require_zk {
        return Ok(());
    }
    let Some((default, zk)) = zero_knowledge_modes(name) else { return Ok(()) };
    let mode = mode.unwrap_or(default);
    if !zk.contains(&mode) {
        let others: Vec<&str> =
            Backend::ALL.iter().filter(|b| b.zero_knowledge_modes().is_some_and(|(_, z)| !z.is_empty())).map(|b| b.name()).collect();
        anyhow::bail!(
            "--require-zk: {name} mode {mode} does not claim zero-knowledge (nothing was built or generated). {}",
            if zk.is_empty() {
                format!("None of {name}'s modes does; backends with zero-knowledge modes: {}", others.join(", "))
            } else {
                format!("Its modes that claim it (whether or not available here): {}", zk.join(", "))
            }
        );
    }
    Ok(())
}

/// Where zkVM hosts and guests are built: outside the clone, shared by every checkout and by
/// CI on the same machine, because one cold zkVM build takes 15-35 minutes.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ZKML_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".cache").join("zkml-bench")
}

/// Where the zkml-bench source tree (with `zkvms/NAME/build.sh`) was found, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceTree {
    pub root: PathBuf,
    pub found_by: &'static str,
}

/// The environment variable naming a source tree explicitly.
pub const SOURCE_ENV: &str = "ZKML_SOURCE_DIR";

fn is_source_tree(dir: &std::path::Path) -> bool {
    dir.join("crates/zkml-core/Cargo.toml").is_file() && dir.join("Cargo.toml").is_file() && dir.join("zkvms").is_dir()
}

/// Finds the zkml-bench source tree the backends are built from: `ZKML_SOURCE_DIR`, else the
/// checkout around the working directory, else the tree this binary was compiled from (so a
/// `cargo install`ed zkml-bench works from anywhere while that tree exists).
pub fn source_tree() -> Option<SourceTree> {
    if let Some(dir) = std::env::var_os(SOURCE_ENV) {
        let root = PathBuf::from(dir);
        return is_source_tree(&root).then_some(SourceTree { root, found_by: "ZKML_SOURCE_DIR" });
    }
    if let Ok(mut dir) = std::env::current_dir() {
        loop {
            if is_source_tree(&dir) {
                return Some(SourceTree { root: dir, found_by: "the working directory" });
            }
            if !dir.pop() {
                break;
            }
        }
    }
    // crates/zkml-harness -> the workspace root, as it was when this binary was compiled.
    let compiled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = compiled.canonicalize().unwrap_or(compiled);
    is_source_tree(&root).then_some(SourceTree { root, found_by: "the tree this binary was built from" })
}

/// The root of the source tree (see [`source_tree`]).
pub fn repo_root() -> Option<PathBuf> {
    source_tree().map(|t| t.root)
}

/// The revision of the source tree the backends are built from (see
/// [`source_tree`]), `-dirty` when it has uncommitted changes.
pub fn git_revision() -> Option<String> {
    let root = repo_root()?;
    let git = |args: &[&str]| std::process::Command::new("git").arg("-C").arg(&root).args(args).output();
    let sha = git(&["rev-parse", "HEAD"]).ok().filter(|o| o.status.success())?;
    let sha = String::from_utf8_lossy(&sha.stdout).trim().to_string();
    // Only code makes a measurement "dirty": not documentation, and not the results files a
    // sweep is appending to (a resumed or chained sweep would otherwise mark itself).
    let dirty = git(&["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)docs", ":(exclude)*.md"])
        .ok()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false);
    Some(if dirty { format!("{sha}-dirty") } else { sha })
}

/// Resolves a zkVM name to a backend, or explains why it cannot run here. With `build`, a
/// zkVM backend is built (or brought up to date) first; without, only an existing build is used.
pub fn resolve(name: &str, build: bool) -> anyhow::Result<BackendHandle> {
    let Some(backend) = Backend::from_name(name) else {
        anyhow::bail!("unknown zkVM {name:?}; known: {}", catalogue::names().join(", "));
    };
    if let Some(why) = backend.unavailable_because() {
        anyhow::bail!("{name}: not buildable here: {why}");
    }
    match backend.kind() {
        catalogue::Kind::Baseline => Ok(BackendHandle::Native(zkml_native::NativeBackend)),
        catalogue::Kind::Zkvm | catalogue::Kind::Circuit => {
            // An explicitly provided binary wins (e.g. one built elsewhere).
            if let Some(exe) = std::env::var_os(format!("ZKML_{}_BIN", name.to_uppercase())) {
                return Ok(BackendHandle::Process(ProcessBackend::new(exe)));
            }
            let Some(root) = repo_root() else {
                anyhow::bail!(
                    "{name}: no zkml-bench source tree found to build its backend from (not {}, not around the working \
                     directory, and the tree this binary was built from is gone); set {SOURCE_ENV} to a checkout, or give a \
                     built binary with --backend {name}=PATH or ZKML_{}_BIN",
                    std::env::var(SOURCE_ENV).map(|v| format!("{SOURCE_ENV}={v}")).unwrap_or_else(|_| format!("{SOURCE_ENV} (unset)")),
                    name.to_uppercase()
                )
            };
            let script = root.join("zkvms").join(name).join("build.sh");
            if !script.is_file() {
                anyhow::bail!("{name}: this checkout has no {name} backend yet (zkvms/{name}/build.sh is missing); available now: native");
            }
            let exe = if build {
                build_backend(name, &script)?
            } else {
                let exe = backend_binary(name);
                if !exe.is_file() {
                    anyhow::bail!("{name}: not built yet (it is built on first use by prove/bench, or now with `zkml-bench build {name}`)");
                }
                exe
            };
            Ok(BackendHandle::Process(ProcessBackend::new(exe)))
        }
    }
}

/// Where cargo builds a zkVM's host binary (the build's work, not what runs).
fn built_binary(name: &str) -> PathBuf {
    cache_dir().join("target").join(name).join("release").join(format!("zkml-{name}"))
}

/// The newest installed snapshot of a backend (`zkvms/common.sh` `install_backend`: the host
/// binary with its guests, in a directory named by their digest that is never written again),
/// else, for a cache from before snapshots, cargo's build output.
pub fn backend_binary(name: &str) -> PathBuf {
    let installed = cache_dir().join("installed").join(format!("{name}-current")).join(format!("zkml-{name}"));
    if installed.is_file() {
        installed
    } else {
        built_binary(name)
    }
}

/// The last cold build of a backend: host binary absent before, built from nothing (seconds).
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct BuildRecord {
    pub seconds: f64,
    pub finished_unix: u64,
}

fn build_record_path(name: &str) -> PathBuf {
    cache_dir().join("build-times").join(format!("{name}.json"))
}

pub fn last_build(name: &str) -> Option<BuildRecord> {
    std::fs::read(build_record_path(name)).ok().and_then(|b| serde_json::from_slice(&b).ok())
}

/// The environment a backend build sees: a whitelist, the same whether the harness runs from a
/// shell, from `cargo run` or from `cargo test`. Why: cargo sets `CARGO_*`/`RUSTUP_*` variables
/// for the processes it starts, and SDK build scripts that watch environment variables would
/// otherwise rerun (and recompile large parts of an SDK) whenever the caller changes; one such
/// rerun even breaks RISC Zero's recursion build script (see zkvms/risc0/README.md).
pub fn build_environment() -> Vec<(String, String)> {
    const KEEP: [&str; 12] =
        ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR", "CARGO_HOME", "RUSTUP_HOME", "SSL_CERT_FILE", "SSL_CERT_DIR", "CI"];
    std::env::vars()
        .filter(|(k, _)| KEEP.contains(&k.as_str()) || k.starts_with("ZKML_") || k.to_ascii_lowercase().ends_with("_proxy"))
        .collect()
}

/// Runs `zkvms/NAME/build.sh` (guest and host into the shared cache; quick when up to date),
/// showing its output, and returns the host binary. A cold build (no binary before) is timed
/// and recorded for the report's "build time"; incremental rebuilds are not.
pub fn build_backend(name: &str, script: &std::path::Path) -> anyhow::Result<PathBuf> {
    // Once per process: `run` and `bench` resolve a backend more than once.
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    if let Some((_, exe)) = BUILT.lock().ok().and_then(|b| b.iter().find(|(n, _)| n == name).cloned()) {
        if exe.is_file() {
            return Ok(exe);
        }
    }
    let built = build_backend_now(name, script)?;
    if let Ok(mut b) = BUILT.lock() {
        b.push((name.to_string(), built.clone()));
    }
    Ok(built)
}

/// Runs the build script; its last line of output names the host binary to run (a snapshot
/// this process keeps using even if another checkout builds meanwhile).
fn build_backend_now(name: &str, script: &std::path::Path) -> anyhow::Result<PathBuf> {
    let cold = !built_binary(name).is_file();
    if cold {
        eprintln!(
            "building the {name} backend on first use (guest + host into {}; a cold build takes 5-20 minutes on 2 cores; \
             cargo's progress follows)...",
            cache_dir().display()
        );
    }
    let start = std::time::Instant::now();
    let mut command = std::process::Command::new("bash");
    command.arg(script).env_clear().envs(build_environment()).env("ZKML_CACHE", cache_dir());
    let out = command
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| anyhow::anyhow!("{name}: cannot run {}: {e}", script.display()))?;
    if !out.status.success() {
        anyhow::bail!("{name}: build failed ({}); see the output above", out.status);
    }
    let seconds = start.elapsed().as_secs_f64();
    let printed = String::from_utf8_lossy(&out.stdout);
    let exe = PathBuf::from(printed.lines().last().unwrap_or("").trim());
    if !exe.is_absolute() || !exe.is_file() {
        anyhow::bail!("{name}: {} finished but named no host binary that exists (it printed {printed:?})", script.display());
    }
    if cold {
        let rec = BuildRecord {
            seconds,
            finished_unix: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        };
        let path = build_record_path(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        zkml_protocol::files::write_bytes_atomically(&path, &serde_json::to_vec(&rec)?)?;
    }
    Ok(exe)
}
