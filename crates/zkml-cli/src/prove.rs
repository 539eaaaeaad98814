//! `zkml-bench prove`: a proof of the model's accuracy on a private test set.

use crate::output::{fmt_opt, fmt_secs, print_claim, salt_arg};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use zkml_harness::run::chunked;
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
    /// Prove the test set in chunks of at most this many rows, then one proof that verifies
    /// them all (the zkVM's recursion): memory stays that of one chunk. Chunk proofs are kept
    /// in OUT.chunks/ and reused when a run is repeated (resumable).
    #[arg(long)]
    chunk_rows: Option<u32>,
    /// With --chunk-rows: make only chunk i of K (0 <= i < K), so that K machines share the
    /// work; then `zkml-bench aggregate` combines the chunk proofs.
    #[arg(long, requires = "chunk_rows")]
    chunk: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub(crate) struct AggregateArgs {
    /// The zkVM that made the chunk proofs (risc0, sp1).
    #[arg(long)]
    zkvm: String,
    /// The chunk proofs of chunks 0..K, in order (repeat the flag).
    #[arg(long = "chunk", required = true)]
    chunks: Vec<PathBuf>,
    #[arg(long)]
    out: PathBuf,
    #[arg(long)]
    json: bool,
}

pub(crate) fn aggregate(a: AggregateArgs) -> anyhow::Result<()> {
    let t = Instant::now();
    let r = chunked::aggregate(&a.zkvm, &a.chunks, &a.out)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    print_proven(&r, t.elapsed().as_secs_f64());
    Ok(())
}

fn prove_chunked(a: &ProveArgs, chunk_rows: u32, salt: [u8; 32]) -> anyhow::Result<()> {
    if a.mode.as_deref().is_some_and(|m| m != chunked::MODE_CHUNKED) || a.precompiles == Some(Precompiles::Off) {
        anyhow::bail!(
            "--chunk-rows: chunks are proven in mode {} with the accelerator on (no --mode or --precompiles)",
            chunked::MODE_CHUNKED
        );
    }
    let only = a.chunk.as_deref().map(chunked::parse_chunk).transpose()?;
    let req = chunked::ChunkedRequest {
        zkvm: &a.zkvm,
        model: &a.model,
        test: &a.test,
        out: &a.out,
        chunk_rows,
        salt,
        only,
        require_zk: a.require_zk,
    };
    let t = Instant::now();
    let r = chunked::prove_chunked(&req)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    for c in &r.chunks {
        let how = match &c.report {
            None => "found valid, kept".to_string(),
            Some(rep) => format!(
                "proven: prove {} compress {}, {} bytes",
                fmt_opt(rep.phases.prove_s),
                fmt_opt(rep.phases.compress_s),
                rep.proof_bytes
            ),
        };
        println!("chunk {} of {} ({} rows) {}: {how}", c.chunk_index, c.chunk_count, c.n_rows, c.path.display());
    }
    match &r.aggregate {
        Some(p) => print_proven(p, t.elapsed().as_secs_f64()),
        None => println!(
            "chunk proofs only (--chunk); when all {} exist: zkml-bench aggregate --zkvm {} --chunk … --out {}",
            r.chunks.first().map(|c| c.chunk_count).unwrap_or(0),
            a.zkvm,
            a.out.display()
        ),
    }
    Ok(())
}

pub(crate) fn prove(a: ProveArgs) -> anyhow::Result<()> {
    let salt = salt_arg(a.salt.as_deref())?;
    if let Some(n) = a.chunk_rows {
        return prove_chunked(&a, n, salt);
    }
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
