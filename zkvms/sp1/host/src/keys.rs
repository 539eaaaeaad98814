//! Verifying keys derived by this host from its own guest ELFs (keyed by the ELF's SHA-256):
//! the verifier trusts only these, never a key carried by a proof file.

use anyhow::anyhow;
use sp1_sdk::{LightProver, Prover, ProvingKey, SP1VerifyingKey};
use std::path::PathBuf;
use zkml_protocol::backend::cache_dir;
use zkml_protocol::files;

pub fn vk_path(elf_hash: &str) -> PathBuf {
    cache_dir().join("sp1/keys").join(format!("vk-{elf_hash}.bincode"))
}

pub fn save_vk(vk: &SP1VerifyingKey, elf_hash: &str) -> anyhow::Result<()> {
    let path = vk_path(elf_hash);
    std::fs::create_dir_all(path.parent().unwrap())?;
    files::write_bytes_atomically(&path, &bincode::serialize(vk)?)?;
    Ok(())
}

/// Our verifying key for a guest program: cached from an earlier setup, or recomputed (light
/// setup). The verifier trusts only these, never a key carried by a proof file.
pub async fn trusted_vk(light: &LightProver, name: &str) -> anyhow::Result<SP1VerifyingKey> {
    let (elf, elf_hash) = crate::program(name)?;
    if let Some(vk) = std::fs::read(vk_path(&elf_hash)).ok().and_then(|b| bincode::deserialize(&b).ok()) {
        return Ok(vk);
    }
    let pk = light.setup(elf).await.map_err(|e| anyhow!("sp1 setup: {e}"))?;
    let vk = pk.verifying_key().clone();
    save_vk(&vk, &elf_hash)?;
    Ok(vk)
}
