//! Keys derived from our own configuration and guests (a verifier trusts only these), cached
//! under [`key_dir`].

use crate::config::{key_dir, sdk};
use crate::{guest_elf, OpenVm};
use anyhow::anyhow;
use openvm_continuations::CommitBytes;
use openvm_sdk::{Sdk, SC};
use zkml_protocol::{files, Precompiles};

pub type AggVk = openvm_stark_backend::keygen::types::MultiStarkVerifyingKey<SC>;
pub type Baseline = openvm_verify_stark_host::vk::VerificationBaseline;

impl OpenVm {
    /// Caches the verifying key (derived from our own configuration) and our guest's exe
    /// commit, so that `verify` need not redo key generation.
    pub fn save_keys(&self, vk: &openvm_sdk::keygen::AppVerifyingKey, elf_hash: &str, commit: &str) -> anyhow::Result<()> {
        let dir = key_dir();
        std::fs::create_dir_all(&dir)?;
        let vk_path = dir.join("app_vk.bitcode");
        if !vk_path.exists() {
            files::write_bytes_atomically(&vk_path, &bitcode::serialize(vk)?)?;
        }
        files::write_bytes_atomically(&dir.join(format!("exe-commit-{elf_hash}.txt")), commit.as_bytes())?;
        Ok(())
    }

    /// The verifying key and the expected exe commit of our own guest, from the cache or
    /// recomputed from the configuration and the ELF.
    pub fn trusted_keys(&self, precompiles: Precompiles) -> anyhow::Result<(openvm_sdk::keygen::AppVerifyingKey, String)> {
        let (elf, elf_hash) = guest_elf(precompiles)?;
        let dir = key_dir();
        let vk = std::fs::read(dir.join("app_vk.bitcode")).ok().and_then(|b| bitcode::deserialize(&b).ok());
        let commit = std::fs::read_to_string(dir.join(format!("exe-commit-{elf_hash}.txt"))).ok();
        match (vk, commit) {
            (Some(vk), Some(c)) => Ok((vk, c)),
            _ => {
                let sdk = sdk()?;
                let prover = sdk.app_prover(elf).map_err(|e| anyhow!("openvm app prover: {e}"))?;
                let commit = CommitBytes::from(prover.app_exe_commit()).to_string();
                let vk = sdk.app_vk();
                self.save_keys(&vk, &elf_hash, &commit)?;
                Ok((vk, commit))
            }
        }
    }
    /// The aggregation verifying key and our guest's verification baseline (which commits to
    /// the exe): from the verifier's own key generation, cached like the app keys.
    pub fn trusted_stark_keys(&self, sdk: Option<&Sdk>, precompiles: Precompiles) -> anyhow::Result<(AggVk, Baseline)> {
        let (elf, elf_hash) = guest_elf(precompiles)?;
        let dir = key_dir();
        let vk_path = dir.join("agg_vk.bitcode");
        let baseline_path = dir.join(format!("baseline-{elf_hash}.bitcode"));
        let vk: Option<AggVk> = std::fs::read(&vk_path).ok().and_then(|b| bitcode::deserialize(&b).ok());
        let baseline: Option<Baseline> = std::fs::read(&baseline_path).ok().and_then(|b| bitcode::deserialize(&b).ok());
        if let (Some(vk), Some(b)) = (vk, baseline) {
            return Ok((vk, b));
        }
        let owned;
        let sdk = match sdk {
            Some(s) => s,
            None => {
                owned = crate::config::sdk()?;
                &owned
            }
        };
        let (_, agg_vk) = sdk.agg_keygen();
        let baseline = sdk.prover(elf).map_err(|e| anyhow!("openvm stark prover: {e}"))?.generate_baseline();
        std::fs::create_dir_all(&dir)?;
        files::write_bytes_atomically(&vk_path, &bitcode::serialize(&agg_vk)?)?;
        files::write_bytes_atomically(&baseline_path, &bitcode::serialize(&baseline)?)?;
        Ok((agg_vk, baseline))
    }
}
