//! Checking a proof: the light client, our own verifying key, the public values expected.

use crate::keys::trusted_vk;
use crate::prover::runtime;
use crate::{GUESTS, MODE_COMPRESSED, MODE_CORE};
use sp1_sdk::{HashableKey, Prover, ProverClient, SP1Proof, SP1ProofWithPublicValues};
use std::time::Instant;
use zkml_protocol::{Rejected, Role};

/// Checks a proof payload: an SP1 proof of kind `want` (core or compressed) that verifies
/// against our own key for `guest` and whose public values are `expected`. The proof and the
/// seconds its verification took, or why it was rejected (`Ok(Err(..))`); `Err` when the check
/// itself could not run.
pub fn check_proof(
    payload: &[u8],
    want: &str,
    guest: &str,
    expected: &[u8],
) -> anyhow::Result<Result<(SP1ProofWithPublicValues, f64), Rejected>> {
    let proof: SP1ProofWithPublicValues = match bincode::deserialize(payload) {
        Ok(p) => p,
        Err(e) => return Ok(Err(Rejected::unread(format!("payload is not an SP1 proof: {e}")))),
    };
    let kind_ok = matches!((&proof.proof, want), (SP1Proof::Core(_), MODE_CORE) | (SP1Proof::Compressed(_), MODE_COMPRESSED));
    if !kind_ok {
        return Ok(Err(Rejected::unread(format!("payload is not a {want} proof"))));
    }
    runtime()?.block_on(async {
        let light = ProverClient::builder().light().build().await;
        let vk = trusted_vk(&light, guest).await?;
        let t = Instant::now();
        let result = light.verify(&proof, &vk, None);
        let verify_s = t.elapsed().as_secs_f64();
        if let Err(e) = result {
            let reason = format!("proof verification failed against our verifying key {} ({guest}): {e}", vk.bytes32());
            return Ok(Err(Rejected::new(reason, verify_s)));
        }
        if proof.public_values.as_slice() != expected {
            return Ok(Err(Rejected::new("the proof's public values are not the claim in this file", verify_s)));
        }
        Ok(Ok((proof, verify_s)))
    })
}

/// The chunk guest's verifying-key digest, as the aggregation guest takes and commits it.
pub fn chunk_vk_digest() -> anyhow::Result<[u32; 8]> {
    runtime()?.block_on(async {
        let light = ProverClient::builder().light().build().await;
        Ok(trusted_vk(&light, &GUESTS.file(Role::Chunk)).await?.hash_u32())
    })
}
