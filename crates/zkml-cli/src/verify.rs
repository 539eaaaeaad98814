//! `zkml-bench verify`: a proof file checked, and its claim against what the verifier knows.

use crate::exit::{EXIT_EXPECTATION_FAILED, EXIT_INVALID_PROOF};
use crate::output::{fmt_secs, print_claim};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use zkml_harness::run::workflow::{self, Expectations};
use zkml_train::ModelFile;

#[derive(Args)]
pub(crate) struct VerifyArgs {
    proof: PathBuf,
    /// Check the claim is about this model (its hash, kind and feature count).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Check the claim is about the test set with this commitment (hex).
    #[arg(long)]
    data_commitment: Option<String>,
    /// Check R² is at least this (a number at most 1).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_min_r2)]
    min_r2: Option<f64>,
    /// Fail unless the file holds a real zkVM proof (the native baseline has none).
    #[arg(long)]
    require_proof: bool,
    #[arg(long)]
    json: bool,
}

pub(crate) fn parse_min_r2(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v <= 1.0 => Ok(v),
        Ok(v) => Err(format!("{v} is no R² threshold: R² is at most 1 (give a finite number <= 1)")),
        Err(_) => Err(format!("{s:?} is not a number")),
    }
}

pub(crate) fn verify(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let expect = Expectations {
        model: a.model.as_deref().map(ModelFile::load).transpose()?,
        data_commitment: a.data_commitment.as_deref().map(|s| workflow::parse_hex32(s, "--data-commitment")).transpose()?,
        min_r2: a.min_r2,
        require_proof: a.require_proof,
    };
    let out = workflow::verify(&a.proof, &expect)?;
    let r = &out.report;
    if a.json {
        let doc = serde_json::json!({ "report": r, "header": out.proof.header, "failures": out.failures, "program": out.program });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        let h = &out.proof.header;
        println!("proof file  {}", a.proof.display());
        println!("  backend          {} ({}), mode {}, precompiles {}", h.backend, h.sdk, h.mode, h.precompiles);
        print_claim(&r.claim);
        match (&out.program, &h.program_id) {
            (Some(p), _) => println!(
                "  program          {} {} (guest ELF sha256 {}, this build's, precompiles {})",
                p.id_kind,
                p.id.as_deref().or(h.program_id.as_deref()).unwrap_or("unknown"),
                p.elf_sha256,
                p.precompiles
            ),
            (None, Some(id)) => println!("  program          {id} (as the proof's header names it)"),
            (None, None) => {}
        }
        if !r.real_proof {
            println!("WARNING: backend {} made no proof: the claim above is NOT cryptographically verified.", h.backend);
        } else if r.valid {
            println!("  proof            VALID (verified in {})", fmt_secs(r.verify_s));
        }
    }
    if !r.valid {
        eprintln!("INVALID: {}", r.reason.as_deref().unwrap_or("the proof does not verify"));
        return Ok(ExitCode::from(EXIT_INVALID_PROOF));
    }
    if !out.failures.is_empty() {
        for f in &out.failures {
            eprintln!("FAILED: {f}");
        }
        return Ok(ExitCode::from(EXIT_EXPECTATION_FAILED));
    }
    if !a.json && (a.model.is_some() || a.data_commitment.is_some() || a.min_r2.is_some()) {
        println!("  checks           all passed");
    }
    Ok(ExitCode::SUCCESS)
}
