//! Every backend zkml-bench knows, in one place: its name (as the CLI, the records and the
//! build scripts spell it), what kind of system it is, its default proof mode, the modes that
//! claim to hide the private rows, and its colour in every chart. Adding a backend is adding a
//! variant here (and its `zkvms/NAME/` directory); nothing else names backends by string.
//!
//! Records keep the name as a string (`runs.jsonl` is a file format, and a record may name a
//! backend this build does not know): [`Backend::from_name`] reads it back.

/// A backend the harness can drive, in report order: the baseline, the zkVMs, then EZKL (a
/// circuit compiler), then Jolt (known, not buildable here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Backend {
    Native,
    Risc0,
    Sp1,
    OpenVm,
    Ezkl,
    Jolt,
}

/// What kind of system a backend is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Evaluates the claim without proving it: the reference every proof is checked against.
    Baseline,
    /// A zkVM: a guest program proven by the zkVM's prover.
    Zkvm,
    /// A circuit compiler (the model compiled into a circuit).
    Circuit,
}

impl Backend {
    /// Every backend, in report order.
    pub const ALL: [Backend; 6] = [Backend::Native, Backend::Risc0, Backend::Sp1, Backend::OpenVm, Backend::Ezkl, Backend::Jolt];

    /// The name the CLI, the records and `zkvms/NAME/` use.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Native => "native",
            Backend::Risc0 => "risc0",
            Backend::Sp1 => "sp1",
            Backend::OpenVm => "openvm",
            Backend::Ezkl => "ezkl",
            Backend::Jolt => "jolt",
        }
    }

    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.name() == name)
    }

    pub const fn kind(self) -> Kind {
        match self {
            Backend::Native => Kind::Baseline,
            Backend::Ezkl => Kind::Circuit,
            _ => Kind::Zkvm,
        }
    }

    /// Why this backend can never run on this kind of machine (`None`: it can, once built).
    pub const fn unavailable_because(self) -> Option<&'static str> {
        match self {
            Backend::Jolt => Some(
                "Jolt is not published on crates.io and depends on a git fork of arkworks, and this machine reaches no git \
                 hosts (see docs/zkvm-recipes.md)",
            ),
            _ => None,
        }
    }

    /// Its default proof mode and the modes that claim to hide the private rows, as the
    /// backend's own `info` states them (each backend's tests hold the two equal): what lets
    /// `--require-zk` refuse before anything is built or generated. `None` for a backend that
    /// cannot run here.
    pub const fn zero_knowledge_modes(self) -> Option<(&'static str, &'static [&'static str])> {
        match self {
            Backend::Native => Some(("none", &[])),
            Backend::Risc0 => Some(("composite", &["composite", "succinct", "groth16", "chunked"])),
            Backend::Sp1 => Some(("core", &["groth16", "plonk"])),
            Backend::OpenVm => Some(("app", &["evm"])),
            Backend::Ezkl => Some(("hashed", &["hashed", "private"])),
            Backend::Jolt => None,
        }
    }

    /// Whether it proves a test set in chunks and aggregates them with its own recursion (issue
    /// #36: mode `chunked`, as its `info` lists it; its tests hold the two equal).
    pub const fn proves_in_chunks(self) -> bool {
        matches!(self, Backend::Risc0 | Backend::Sp1)
    }

    /// Its colour in every chart (RGB).
    pub const fn colour(self) -> (u8, u8, u8) {
        match self {
            Backend::Native => (90, 90, 90),
            Backend::Risc0 => (214, 39, 40),
            Backend::Sp1 => (31, 119, 180),
            Backend::OpenVm => (44, 160, 44),
            Backend::Ezkl => (255, 127, 14),
            Backend::Jolt => (148, 103, 189),
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The names of the backends that prove test sets in chunks ("risc0, sp1").
pub fn chunking_names() -> String {
    Backend::ALL.iter().filter(|b| b.proves_in_chunks()).map(|b| b.name()).collect::<Vec<_>>().join(", ")
}

/// Whether the backend a record names is the native baseline (which proves nothing and has no
/// accelerator): the report leaves it out of rankings, fits and charts of proofs.
pub fn is_baseline(name: &str) -> bool {
    Backend::from_name(name).is_some_and(|b| b.kind() == Kind::Baseline)
}

/// Every backend name, in report order (for messages).
pub fn names() -> Vec<&'static str> {
    Backend::ALL.iter().map(|b| b.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_only_native_is_the_baseline() {
        for b in Backend::ALL {
            assert_eq!(Backend::from_name(b.name()), Some(b));
            assert_eq!(is_baseline(b.name()), b == Backend::Native);
        }
        assert_eq!(Backend::from_name("Risc0"), None, "names are exact");
        assert!(!is_baseline("a-backend-of-another-build"));
        assert_eq!(names(), ["native", "risc0", "sp1", "openvm", "ezkl", "jolt"]);
        // What cannot run here has no modes to promise.
        for b in Backend::ALL {
            assert_eq!(b.unavailable_because().is_some(), b.zero_knowledge_modes().is_none(), "{b}");
        }
        // Every chart tells backends apart.
        let colours: std::collections::BTreeSet<_> = Backend::ALL.iter().map(|b| b.colour()).collect();
        assert_eq!(colours.len(), Backend::ALL.len());
    }
}
