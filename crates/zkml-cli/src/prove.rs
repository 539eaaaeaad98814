//! `zkml-bench prove`: a proof of the model's accuracy on a private test set.

use crate::output::{fmt_opt, fmt_secs, print_claim, salt_arg};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use zkml_harness::run::workflow::{self, ProveRequest};
use zkml_protocol::Precompiles;

#[derive(Args)]
pub(crate) struct ProveArgs {
    /// native | risc0 | sp1 | openvm
    #[arg(long)]
    zkvm: String,
    #[arg(long)]
    model: PathBuf,
    /// The private test set (CSV with the model's feature columns and target).
    #[arg(long)]
    test: PathBuf,
    #[arg(long)]
    out: PathBuf,
    /// Proof mode (see `zkml-bench zkvms`); default: the backend's first available.
    #[arg(long)]
    mode: Option<String>,
    /// Hash the test set with the zkVM's SHA-256 accelerator (on) or in software (off).
    #[arg(long, value_enum)]
    precompiles: Option<Precompiles>,
    /// Secret 32-byte salt (hex) for a hiding data commitment; default all zeros.
    #[arg(long)]
    salt: Option<String>,
    /// Refuse a backend/mode whose proofs do not claim zero-knowledge (that may reveal
    /// information about the private rows).
    #[arg(long)]
    require_zk: bool,
    #[arg(long)]
    json: bool,
}

pub(crate) fn prove(a: ProveArgs) -> anyhow::Result<()> {
    let salt = salt_arg(a.salt.as_deref())?;
    let req = ProveRequest {
        zkvm: &a.zkvm,
        model: &a.model,
        test: &a.test,
        out: &a.out,
        mode: a.mode.as_deref(),
        precompiles: a.precompiles,
        salt,
        require_zk: a.require_zk,
    };
    let t = Instant::now();
    let r = workflow::prove(&req)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    print_proven(&r, t.elapsed().as_secs_f64());
    Ok(())
}

pub(crate) fn print_proven(p: &workflow::Proven, secs: f64) {
    let r = &p.report;
    if !r.real_proof {
        println!("NOTE: backend {} produces NO PROOF (mode {}): this file records a claim that nobody can verify.", r.backend, r.mode);
    }
    println!("{} claim written to {} ({})", r.backend, r.proof_path, fmt_secs(secs));
    print_claim(&r.claim);
    println!("  mode             {} ({} proof, precompiles {})", r.mode, p.privacy.family, r.precompiles);
    println!("  privacy          {}", p.privacy.line());
    if let Some(c) = &r.cycles {
        println!("  cycles           {}", c.total);
    }
    println!(
        "  phases           setup {} execute {} prove {} compress {}",
        fmt_opt(r.phases.setup_s),
        fmt_opt(r.phases.execute_s),
        fmt_opt(r.phases.prove_s),
        fmt_opt(r.phases.compress_s)
    );
    println!("  proof bytes      {}", r.proof_bytes);
    if let Some(a) = &p.agreement {
        println!("  native check     {}", a.line());
    }
    for note in &r.notes {
        println!("  note             {note}");
    }
}
