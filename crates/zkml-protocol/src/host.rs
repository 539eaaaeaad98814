//! What every zkVM host shares, whatever its SDK (issue #34 item 5): its guest programs and
//! their roles, the claim a guest committed, the outcome of checking a proof and the reports
//! made of it. The SDK-specific parts (proving, verifying, keys) stay in each host.

use crate::reports::{ChunkReport, Phases, ProgramId, VerifyReport};
use crate::{ChunkProofFile, Precompiles, ProofFile};
use zkml_core::{Claim, CLAIM_LEN};

pub use crate::reports::{MODE_CHUNKED, ROLE_CHUNK};

/// What a guest program proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The whole test set, hashed with the zkVM's SHA-256 accelerator or without it.
    Ordinary(Precompiles),
    /// One chunk of a test set proven in chunks (with the accelerator).
    Chunk,
    /// The aggregate of the chunk proofs (the program of proofs in mode [`MODE_CHUNKED`]).
    Aggregate,
}

impl Role {
    /// The precompile setting a program of this role runs with.
    pub fn precompiles(self) -> Precompiles {
        match self {
            Role::Ordinary(p) => p,
            Role::Chunk | Role::Aggregate => Precompiles::On,
        }
    }

    /// How `info` names the role ([`ProgramId::role`]): none for an ordinary program.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Role::Ordinary(_) => None,
            Role::Chunk => Some(ROLE_CHUNK),
            Role::Aggregate => Some(MODE_CHUNKED),
        }
    }
}

/// A zkVM's guest programs, as its `zkvms/VM/guest/src/bin` builds them:
/// `zkml-VM-precompiles-on`, `zkml-VM-precompiles-off` and, where the zkVM proves in chunks,
/// `zkml-VM-chunk` and `zkml-VM-aggregate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guests {
    pub vm: &'static str,
    pub chunking: bool,
}

impl Guests {
    /// The file name of the program of `role`.
    pub fn file(&self, role: Role) -> String {
        match role {
            Role::Ordinary(p) => format!("zkml-{}-precompiles-{p}", self.vm),
            Role::Chunk => format!("zkml-{}-chunk", self.vm),
            Role::Aggregate => format!("zkml-{}-aggregate", self.vm),
        }
    }

    /// Every program this zkVM builds, ordinary ones first.
    pub fn roles(&self) -> Vec<Role> {
        let mut roles = vec![Role::Ordinary(Precompiles::On), Role::Ordinary(Precompiles::Off)];
        if self.chunking {
            roles.extend([Role::Chunk, Role::Aggregate]);
        }
        roles
    }

    /// The programs as `info` lists them. `id(file)` gives a built program's ELF SHA-256 and,
    /// where known without key generation, the zkVM's own id (of kind `id_kind`); a program
    /// not built (`None`) is left out.
    pub fn program_ids(&self, id_kind: &str, id: impl Fn(&str) -> Option<(String, Option<String>)>) -> Vec<ProgramId> {
        self.roles()
            .into_iter()
            .filter_map(|role| {
                let (elf_sha256, id) = id(&self.file(role))?;
                Some(ProgramId {
                    precompiles: role.precompiles(),
                    elf_sha256,
                    id_kind: id_kind.into(),
                    id,
                    role: role.name().map(str::to_string),
                })
            })
            .collect()
    }
}

/// The claim a guest committed (`what`: its journal, its public values), which must be exactly
/// one encoded claim.
pub fn claim_of(committed: &[u8], what: &str) -> anyhow::Result<Claim> {
    if committed.len() != CLAIM_LEN {
        anyhow::bail!("the guest's {what}: {} bytes, a claim is {CLAIM_LEN}", committed.len());
    }
    Claim::decode(committed).map_err(|e| anyhow::anyhow!("the guest's {what} is not a claim: {e}"))
}

/// Why a proof was not accepted, and the seconds spent verifying before that was known (0 where
/// the proof never reached the verifier: an unreadable payload, a proof of the wrong kind).
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub reason: String,
    pub verify_s: f64,
}

impl Rejected {
    pub fn new(reason: impl Into<String>, verify_s: f64) -> Self {
        Rejected { reason: reason.into(), verify_s }
    }

    /// Refused before verifying anything.
    pub fn unread(reason: impl Into<String>) -> Self {
        Self::new(reason, 0.0)
    }
}

/// The outcome of checking one proof: it verified and binds exactly its file's claim, in
/// `verify_s` seconds, or it was [`Rejected`].
pub type Checked = Result<f64, Rejected>;

impl VerifyReport {
    /// The report of checking `file` (`real_proof`: false for a fake or mock proof).
    pub fn checked(backend: &str, file: &ProofFile, real_proof: bool, checked: Checked) -> Self {
        match checked {
            Ok(verify_s) => VerifyReport::valid(backend, file, real_proof, verify_s),
            Err(r) => VerifyReport::invalid(backend, file, real_proof, r.reason, r.verify_s),
        }
    }
}

impl ChunkReport {
    /// The report of checking the chunk proof `file`.
    pub fn checked(backend: &str, file: &ChunkProofFile, checked: Checked) -> Self {
        let (valid, reason, verify_s) = match checked {
            Ok(verify_s) => (true, None, verify_s),
            Err(r) => (false, Some(r.reason), r.verify_s),
        };
        ChunkReport::of(backend, file, valid, reason, Phases { verify_s: Some(verify_s), ..Default::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guests_are_named_and_listed_by_role() {
        let risc0 = Guests { vm: "risc0", chunking: true };
        assert_eq!(risc0.file(Role::Ordinary(Precompiles::Off)), "zkml-risc0-precompiles-off");
        assert_eq!(risc0.file(Role::Chunk), "zkml-risc0-chunk");
        assert_eq!(risc0.file(Role::Aggregate), "zkml-risc0-aggregate");
        assert_eq!(Guests { vm: "openvm", chunking: false }.roles().len(), 2);
        // A program not built is left out; the rest keep their setting and role.
        let ids = risc0.program_ids("image id", |file| (!file.ends_with("-off")).then(|| (format!("sha of {file}"), None)));
        let listed: Vec<(Precompiles, Option<&str>, &str)> =
            ids.iter().map(|p| (p.precompiles, p.role.as_deref(), p.elf_sha256.as_str())).collect();
        assert_eq!(
            listed,
            [
                (Precompiles::On, None, "sha of zkml-risc0-precompiles-on"),
                (Precompiles::On, Some(ROLE_CHUNK), "sha of zkml-risc0-chunk"),
                (Precompiles::On, Some(MODE_CHUNKED), "sha of zkml-risc0-aggregate"),
            ]
        );
        // The aggregate's program is what a proof in mode `chunked` must be a proof of.
        assert!(ids[2].matches(MODE_CHUNKED, Precompiles::On) && !ids[0].matches(MODE_CHUNKED, Precompiles::On));
    }

    #[test]
    fn a_committed_claim_is_exactly_one_encoded_claim() {
        let claim = Claim::decode(&[0u8; CLAIM_LEN]);
        // Whatever the all-zero bytes decode to, a short or long buffer is refused by length.
        let e = claim_of(&[0u8; CLAIM_LEN + 1], "journal").unwrap_err().to_string();
        assert!(e.contains(&format!("the guest's journal: {} bytes, a claim is {CLAIM_LEN}", CLAIM_LEN + 1)), "{e}");
        assert_eq!(claim_of(&[0u8; CLAIM_LEN], "journal").is_ok(), claim.is_ok());
    }
}
