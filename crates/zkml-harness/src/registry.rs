//! The zkVMs zkml-bench knows, and where their backends come from.

use crate::process::ProcessBackend;
use std::path::PathBuf;

/// A backend the harness can drive.
pub enum BackendHandle {
    /// The native baseline, run in-process (the very code of the `zkml-native` binary).
    Native(zkml_native::NativeBackend),
    /// A backend binary (a zkVM host).
    Process(ProcessBackend),
}

/// Every zkVM name the CLI accepts, in report order.
pub const ZKVMS: [&str; 5] = ["native", "risc0", "sp1", "openvm", "jolt"];

/// Where zkVM hosts and guests are built: outside the clone, shared by every checkout and by
/// CI on the same machine, because one cold zkVM build takes 15-35 minutes.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ZKML_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".cache").join("zkml-bench")
}

/// Finds the zkml-bench checkout (the workspace with `crates/zkml-core`), from the working
/// directory up.
pub fn repo_root() -> Option<PathBuf> {
    let mut dir = std::env::current_dir().ok()?;
    loop {
        if dir.join("crates/zkml-core/Cargo.toml").is_file() && dir.join("Cargo.toml").is_file() {
            return Some(dir);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// Resolves a zkVM name to a backend, or explains why it cannot run here.
pub fn resolve(name: &str) -> anyhow::Result<BackendHandle> {
    match name {
        "native" => Ok(BackendHandle::Native(zkml_native::NativeBackend)),
        "jolt" => anyhow::bail!(
            "jolt: not buildable here: Jolt is not published on crates.io and depends on a git fork of arkworks, and this \
             machine reaches no git hosts (see docs/zkvm-recipes.md)"
        ),
        "risc0" | "sp1" | "openvm" => {
            let bin = format!("zkml-{name}");
            // An explicitly provided binary wins (e.g. one built elsewhere).
            if let Some(exe) = std::env::var_os(format!("ZKML_{}_BIN", name.to_uppercase())) {
                return Ok(BackendHandle::Process(ProcessBackend::new(exe)));
            }
            let root = repo_root();
            let manifest = root.as_deref().map(|r| r.join("zkvms").join(name).join("host").join("Cargo.toml"));
            match manifest {
                Some(m) if m.is_file() => {
                    let exe = cache_dir().join("target").join(name).join("release").join(&bin);
                    if exe.is_file() {
                        Ok(BackendHandle::Process(ProcessBackend::new(exe)))
                    } else {
                        anyhow::bail!(
                            "{name}: backend binary {} is not built yet; build it with `cargo build --release --manifest-path {}`",
                            exe.display(),
                            m.display()
                        )
                    }
                }
                Some(_) => {
                    anyhow::bail!("{name}: this checkout has no {name} backend yet (zkvms/{name}/host is missing); available now: native")
                }
                None => anyhow::bail!(
                    "{name}: not inside a zkml-bench checkout, so its backend cannot be found or built; run from the repository, \
                     or give a built binary with --backend {name}=PATH or ZKML_{}_BIN",
                    name.to_uppercase()
                ),
            }
        }
        other => anyhow::bail!("unknown zkVM {other:?}; known: {}", ZKVMS.join(", ")),
    }
}
