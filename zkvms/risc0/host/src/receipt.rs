//! Receipts: the one place they are made (ordinary proofs, chunk proofs and aggregates) and the
//! one place they are checked.

use crate::program::Program;
use anyhow::{anyhow, Context};
use risc0_zkvm::{ExecutorEnv, InnerReceipt, ProverOpts, Receipt, VerifierContext};
use std::time::Instant;
use zkml_protocol::{Phases, Rejected};

/// A receipt and what making it took.
pub struct Proven {
    pub info: risc0_zkvm::ProveInfo,
    pub prove_s: f64,
    pub compress_s: Option<f64>,
}

impl Proven {
    /// A fake dev-mode receipt (RISC0_DEV_MODE): never a proof.
    pub fn fake(&self) -> bool {
        matches!(self.info.receipt.inner, InnerReceipt::Fake(_))
    }

    /// The receipt as a proof file's payload.
    pub fn payload(&self) -> anyhow::Result<Vec<u8>> {
        bincode::serialize(&self.info.receipt).context("serialising the receipt")
    }

    /// The phases of a proof: set-up and execution as measured before proving, then this
    /// receipt's proving and compression.
    pub fn phases(&self, setup_s: f64, execute_s: Option<f64>) -> Phases {
        Phases { setup_s: Some(setup_s), execute_s, prove_s: Some(self.prove_s), compress_s: self.compress_s, ..Default::default() }
    }

    /// The notes of a proof: `what` it is, after a warning where the receipt is fake.
    pub fn notes(&self, what: String) -> Vec<String> {
        let mut notes = vec![what];
        if self.fake() {
            notes.insert(0, "DEV MODE (RISC0_DEV_MODE): a FAKE receipt, NOT A PROOF".into());
        }
        notes
    }
}

/// A receipt of `program` on `env`, proven composite and then, with `succinct`, compressed by
/// the SDK's recursion (lift + join), which also resolves the assumptions a composing guest
/// made; with the prove and compression times. `what` names it in errors.
pub fn prove_receipt(env: ExecutorEnv<'_>, program: &Program, succinct: bool, what: &str) -> anyhow::Result<Proven> {
    let prover = risc0_zkvm::default_prover();
    let t = Instant::now();
    let mut info = prover
        .prove_with_ctx(env, &VerifierContext::default(), &program.binary, &ProverOpts::composite())
        .map_err(|e| anyhow!("risc0 proving{what}: {e:#}"))?;
    let prove_s = t.elapsed().as_secs_f64();
    let compress_s = if succinct {
        let t = Instant::now();
        info.receipt =
            prover.compress(&ProverOpts::succinct(), &info.receipt).map_err(|e| anyhow!("risc0 compression to succinct{what}: {e:#}"))?;
        Some(t.elapsed().as_secs_f64())
    } else {
        None
    };
    Ok(Proven { info, prove_s, compress_s })
}

/// The kinds of receipt our proof files hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One STARK per segment.
    Composite,
    /// One recursion STARK.
    Succinct,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Composite => "composite",
            Kind::Succinct => "succinct",
        }
    }
}

/// What a receipt must be: a proof of `program` (`whose`: which of our guests, for a reason)
/// of `kind` whose journal is exactly `journal` (`what_journal`: what that is, for a reason).
pub struct Expected<'a> {
    pub kind: Kind,
    pub program: &'a Program,
    pub whose: &'a str,
    pub journal: &'a [u8],
    pub what_journal: &'a str,
}

/// Reads the receipt in `payload` and checks it against `expected` with dev mode off (a fake
/// receipt never passes, whatever the environment says): the receipt and the seconds its
/// verification took, or why it was rejected.
pub fn check_receipt(payload: &[u8], expected: &Expected<'_>) -> Result<(Receipt, f64), Rejected> {
    let receipt: Receipt =
        bincode::deserialize(payload).map_err(|e| Rejected::unread(format!("payload is not a RISC Zero receipt: {e}")))?;
    let kind_ok = matches!(
        (&receipt.inner, expected.kind),
        (InnerReceipt::Composite(_), Kind::Composite) | (InnerReceipt::Succinct(_), Kind::Succinct)
    );
    if !kind_ok {
        return Err(Rejected::unread(format!("not a {} receipt (a fake dev-mode receipt is not a proof)", expected.kind.name())));
    }
    let image_id = expected.program.image_id;
    let t = Instant::now();
    let result = receipt.verify_with_context(&VerifierContext::default().with_dev_mode(false), image_id);
    let verify_s = t.elapsed().as_secs_f64();
    if let Err(e) = result {
        return Err(Rejected::new(
            format!("receipt verification failed against the image id {image_id} of {}: {e}", expected.whose),
            verify_s,
        ));
    }
    if receipt.journal.bytes != expected.journal {
        return Err(Rejected::new(format!("the receipt's journal is not {}", expected.what_journal), verify_s));
    }
    Ok((receipt, verify_s))
}
