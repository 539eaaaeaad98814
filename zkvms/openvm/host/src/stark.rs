//! The aggregated STARK (mode `stark`): app proofs recursively aggregated into one proof by the
//! SDK, verified against the aggregation key and our guest's verification baseline.

use crate::config::sdk;
use crate::{check_public_values, claim_from_public_values, expected_public_values, field_byte, guest_elf, stdin_for, OpenVm, MODE_STARK};
use anyhow::{anyhow, bail};
use openvm_continuations::CommitBytes;
use openvm_sdk::Sdk;
use std::time::Instant;
use zkml_protocol::*;

impl OpenVm {
    pub fn prove_stark(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ProveOutput> {
        use openvm_stark_backend::codec::Encode;
        let (elf, _) = guest_elf(precompiles)?;
        let sdk = sdk()?;
        // Setup: app and aggregation keys, the exe's baseline (never billed as proving).
        let t = Instant::now();
        let _ = sdk.app_keygen();
        let (_, baseline) = self.trusted_stark_keys(Some(&sdk), precompiles)?;
        let mut prover = sdk.prover(elf.clone()).map_err(|e| anyhow!("openvm stark prover: {e}"))?;
        let setup_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (pv, segments) = sdk.execute_metered(elf, stdin_for(input)).map_err(|e| anyhow!("openvm execution: {e}"))?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = claim_from_public_values(&pv)?;
        let t = Instant::now();
        let (proof, _) = prover.prove(stdin_for(input), &[]).map_err(|e| anyhow!("openvm stark proving: {e}"))?;
        let prove_s = t.elapsed().as_secs_f64();
        let proven: Vec<u8> = proof.user_pvs_proof.public_values.iter().map(field_byte).collect::<anyhow::Result<_>>()?;
        if proven != expected_public_values(&claim) {
            bail!("openvm: the proof's public values differ from the executed claim");
        }
        let payload = proof.encode_to_vec().map_err(|e| anyhow!("encoding the stark proof: {e}"))?;
        let commit = CommitBytes::from(baseline.app_exe_commit).to_string();
        // The app proofs and their aggregation happen inside one SDK call: all of it is reported
        // as proving (compress is not separable here).
        let phases = Phases { setup_s: Some(setup_s), execute_s: Some(execute_s), prove_s: Some(prove_s), ..Default::default() };
        let note = "aggregated STARK: app proofs recursively aggregated into one proof";
        Ok(self.proof_output(MODE_STARK, precompiles, claim, &segments, phases, payload, commit, vec![note.into()]))
    }

    /// Checks an aggregated STARK against our aggregation key and our guest's baseline.
    pub fn check_stark(&self, file: &ProofFile) -> anyhow::Result<Checked> {
        use openvm_stark_backend::codec::Decode;
        let (agg_vk, baseline) = self.trusted_stark_keys(None, file.header.precompiles)?;
        let proof = match openvm_verify_stark_host::VmStarkProof::decode_from_bytes(&file.payload) {
            Ok(p) => p,
            Err(e) => return Ok(Err(Rejected::unread(format!("payload is not an OpenVM STARK proof: {e}")))),
        };
        let t = Instant::now();
        let result = Sdk::verify_proof(agg_vk, baseline, &proof);
        let verify_s = t.elapsed().as_secs_f64();
        if let Err(e) = result {
            return Ok(Err(Rejected::new(format!("STARK verification failed (or proof of another program): {e}"), verify_s)));
        }
        Ok(check_public_values(file, &proof.user_pvs_proof.public_values, verify_s))
    }
}
