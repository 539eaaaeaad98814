//! The native baseline: the very zkml-core evaluation every guest runs, on the host, with no
//! proof. Every zkVM's figures are compared to it; its outputs are labelled "not a proof"
//! everywhere (`real_proof: false`, mode `none`).

use std::time::Instant;
use zkml_core::{evaluate_words, SoftwareSha256};
use zkml_protocol::backend::header;
use zkml_protocol::*;

pub const NAME: &str = "native";
pub const MODE: &str = "none";

#[derive(Debug, Default, Clone, Copy)]
pub struct NativeBackend;

impl NativeBackend {
    fn evaluate(input: &[u32]) -> anyhow::Result<(zkml_core::Claim, f64)> {
        let start = Instant::now();
        let claim = evaluate_words::<SoftwareSha256>(input)?;
        Ok((claim, start.elapsed().as_secs_f64()))
    }
}

impl Backend for NativeBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            protocol_version: PROTOCOL_VERSION,
            name: NAME.into(),
            sdk: format!("zkml-core {} (host, no zkVM)", env!("CARGO_PKG_VERSION")),
            isa: std::env::consts::ARCH.into(),
            proof_system: "none".into(),
            produces_proofs: false,
            zero_knowledge: "no: nothing is proven; the baseline only evaluates".into(),
            security_bits: None,
            proof_modes: vec![ProofMode::new(MODE, ProofFamily::None, false)],
            precompiles: vec![Precompiles::Off],
            gpu: false,
            notes: vec!["NOT A PROOF: the claim is computed on the host and cannot be checked by anyone else".into()],
            own_quantisation: None,
            programs: Vec::new(),
        }
    }

    fn execute(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ExecuteReport> {
        let (claim, secs) = Self::evaluate(input)?;
        Ok(ExecuteReport {
            backend: NAME.into(),
            precompiles,
            claim: ClaimSummary::from(&claim),
            cycles: None,
            phases: Phases { execute_s: Some(secs), ..Default::default() },
        })
    }

    fn prove(&self, input: &[u32], mode: &str, precompiles: Precompiles) -> anyhow::Result<ProveOutput> {
        let (claim, secs) = Self::evaluate(input)?;
        let info = self.info();
        let mut h = header(&info, mode, precompiles, false, None);
        h.note = Some("native baseline: NOT A PROOF".into());
        let file = ProofFile { header: h, claim, payload: Vec::new() };
        Ok(ProveOutput::new(file, None, Phases { execute_s: Some(secs), ..Default::default() }, info.notes))
    }

    fn verify(&self, proof: &ProofFile) -> anyhow::Result<VerifyReport> {
        let start = Instant::now();
        // Nothing to check cryptographically; the file's checksum was checked on reading.
        let secs = start.elapsed().as_secs_f64();
        Ok(if proof.payload.is_empty() && !proof.header.real_proof {
            let mut r = VerifyReport::valid(NAME, proof, false, secs);
            r.reason = Some("native baseline: there is no proof; the claim is NOT verified".into());
            r
        } else {
            VerifyReport::invalid(NAME, proof, false, "native proof files carry no payload and never claim to be real proofs", secs)
        })
    }
}
