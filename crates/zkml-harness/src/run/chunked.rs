//! Issue #36: a test set proven in chunks, then one proof that verifies the chunk proofs (the
//! zkVM's own recursion) and carries the ordinary claim.
//!
//! Chunk proofs live beside the final proof, in `OUT.chunks/chunk-IIIII-of-KKKKK.zkp`, so that
//! a run cut short resumes (a chunk proof that exists, holds the expected chunk claim and
//! verifies is not made again) and so that K machines can each make some (`--chunk i/K`) and
//! one of them aggregates (`aggregate`). A chunk proof holds no private row (its chunk claim
//! is sums and a salted commitment), like any proof.

use crate::run::registry::{resolve, BackendHandle};
use crate::run::workflow::{Privacy, Proven};
use anyhow::{bail, Context};
use std::path::{Path, PathBuf};
use zkml_core::chunk::{evaluate_chunk_words, ChunkClaim};
use zkml_core::SoftwareSha256;
use zkml_protocol::*;

/// The proof mode of an aggregate of chunks.
pub use zkml_protocol::host::MODE_CHUNKED;

pub struct ChunkedRequest<'a> {
    pub zkvm: &'a str,
    pub model: &'a Path,
    pub test: &'a Path,
    /// The final proof; the chunk proofs go to [`chunk_dir`] of it.
    pub out: &'a Path,
    pub chunk_rows: u32,
    pub salt: [u8; 32],
    /// Make only chunk `i` of `K` (`--chunk i/K`: K machines share the work); `None`: every
    /// chunk, then the aggregate.
    pub only: Option<(u32, u32)>,
    /// Refuse (before proving) a backend whose chunked proofs do not claim zero-knowledge.
    pub require_zk: bool,
}

/// One chunk proof, made now or found valid from an earlier run.
#[derive(Debug, serde::Serialize)]
pub struct ChunkDone {
    pub chunk_index: u32,
    pub chunk_count: u32,
    pub n_rows: u32,
    pub path: PathBuf,
    /// Found, holding the expected chunk claim and verified: not made again.
    pub reused: bool,
    /// The backend's report of a chunk proved now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<ChunkReport>,
}

#[derive(Debug, serde::Serialize)]
pub struct ChunkedOutcome {
    pub chunk_rows: u32,
    pub chunks: Vec<ChunkDone>,
    /// The aggregate proof (absent with `--chunk i/K`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<Proven>,
}

/// Where the chunk proofs of the proof `out` are kept.
pub fn chunk_dir(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".chunks");
    out.with_file_name(name)
}

pub fn chunk_path(dir: &Path, index: u32, count: u32) -> PathBuf {
    dir.join(format!("chunk-{index:05}-of-{count:05}.zkp"))
}

/// Parses `--chunk i/K`.
pub fn parse_chunk(s: &str) -> anyhow::Result<(u32, u32)> {
    let parsed = s.split_once('/').and_then(|(i, k)| Some((i.trim().parse::<u32>().ok()?, k.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((i, k)) if i < k => Ok((i, k)),
        _ => bail!("--chunk {s:?}: expected i/K with 0 <= i < K (chunk i of K, counted from 0)"),
    }
}

fn process_backend(zkvm: &str, build: bool) -> anyhow::Result<crate::run::process::ProcessBackend> {
    match resolve(zkvm, build)? {
        BackendHandle::Process(pb) => Ok(pb),
        BackendHandle::Native(_) => {
            bail!("{zkvm} makes no proofs, so it has no chunk proofs to aggregate; choose a zkVM ({})", crate::catalogue::chunking_names())
        }
    }
}

/// Proves the test set in chunks (all of them, or `--chunk i/K`), resuming from valid chunk
/// proofs already made, then (all of them) aggregates.
pub fn prove_chunked(req: &ChunkedRequest<'_>) -> anyhow::Result<ChunkedOutcome> {
    zkml_protocol::files::check_outputs(&[("--out", req.out)], &[("--model", req.model), ("--test", req.test)])
        .map_err(|e| anyhow::anyhow!(e))?;
    crate::run::registry::check_before_work(req.zkvm, Some(MODE_CHUNKED), req.require_zk)?;
    let crate::run::workflow::ChunkInputs { inputs, rows, .. } =
        crate::run::workflow::chunk_inputs(req.model, req.test, &req.salt, req.chunk_rows)?;
    let k = inputs.len() as u32;
    if let Some((i, kk)) = req.only {
        if kk != k {
            bail!("--chunk {i}/{kk}: {} rows in chunks of {} make {k} chunks, not {kk}", rows, req.chunk_rows);
        }
    }
    // Natively first: every chunk within the format's bounds, and the claims the backend must prove.
    let expected: Vec<ChunkClaim> = inputs
        .iter()
        .map(|w| evaluate_chunk_words::<SoftwareSha256>(w))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("{}: {e}", req.test.display()))?;
    let pb = process_backend(req.zkvm, true)?;
    let info = pb.info()?;
    info_chunking(&info)?;
    let dir = chunk_dir(req.out);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let scratch = zkml_protocol::files::private_tempdir()?;
    let mut chunks = Vec::new();
    let selected: Vec<u32> = match req.only {
        Some((i, _)) => vec![i],
        None => (0..k).collect(),
    };
    for i in selected {
        let path = chunk_path(&dir, i, k);
        let want = &expected[i as usize];
        if existing_chunk_is_valid(&pb, &info, &path, want)? {
            chunks.push(ChunkDone { chunk_index: i, chunk_count: k, n_rows: want.n_rows, path, reused: true, report: None });
            continue;
        }
        // The chunk's rows exist only in this private directory, and only while it is proven.
        let input = scratch.path().join("chunk-input.bin");
        crate::run::workflow::write_private(&input, zkml_core::words_as_bytes(&inputs[i as usize]))?;
        let staged = scratch.path().join("chunk.zkp");
        let result = pb.with_tmpdir(scratch.path()).prove_chunk(&input, &staged);
        let _ = std::fs::remove_file(&input);
        let mut report = result.with_context(|| format!("chunk {i} of {k}"))?;
        let file = ChunkProofFile::read(&staged)?;
        if file.claim != *want {
            bail!("backend {}: chunk {i}'s proven claim differs from the native evaluation (a backend bug); proof discarded", req.zkvm);
        }
        let bytes = std::fs::read(&staged)?;
        zkml_protocol::files::write_bytes_atomically(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        let _ = std::fs::remove_file(&staged);
        report.proof_path = path.display().to_string();
        chunks.push(ChunkDone { chunk_index: i, chunk_count: k, n_rows: want.n_rows, path, reused: false, report: Some(report) });
    }
    if req.only.is_some() {
        return Ok(ChunkedOutcome { chunk_rows: req.chunk_rows, chunks, aggregate: None });
    }
    let paths: Vec<PathBuf> = (0..k).map(|i| chunk_path(&dir, i, k)).collect();
    let aggregate = aggregate(req.zkvm, &paths, req.out)?;
    Ok(ChunkedOutcome { chunk_rows: req.chunk_rows, chunks, aggregate: Some(aggregate) })
}

fn info_chunking(info: &BackendInfo) -> anyhow::Result<()> {
    match info.mode(MODE_CHUNKED) {
        Some(_) => Ok(()),
        None => bail!("{} does not prove test sets in chunks (chunked proofs: {})", info.name, crate::catalogue::chunking_names()),
    }
}

/// A chunk proof at `path` that holds `want` and verifies (anything else is made again).
fn existing_chunk_is_valid(
    pb: &crate::run::process::ProcessBackend,
    info: &BackendInfo,
    path: &Path,
    want: &ChunkClaim,
) -> anyhow::Result<bool> {
    if !path.exists() {
        return Ok(false);
    }
    match ChunkProofFile::read(path) {
        Ok(f) if f.claim == *want && f.header.backend == info.name && f.header.real_proof => Ok(pb.verify_chunk(path)?.valid),
        _ => Ok(false),
    }
}

/// Aggregates the chunk proofs `chunks` (chunks 0..K, in order) into the proof `out`.
pub fn aggregate(zkvm: &str, chunks: &[PathBuf], out: &Path) -> anyhow::Result<Proven> {
    let inputs: Vec<(&str, &Path)> = chunks.iter().map(|p| ("--chunk", p.as_path())).collect();
    zkml_protocol::files::check_outputs(&[("--out", out)], &inputs).map_err(|e| anyhow::anyhow!(e))?;
    let files = chunks.iter().map(|p| ChunkProofFile::read(p).map_err(anyhow::Error::from)).collect::<anyhow::Result<Vec<_>>>()?;
    let claims: Vec<ChunkClaim> = files.iter().map(|f| f.claim).collect();
    let expected =
        zkml_core::aggregate::<SoftwareSha256>(&claims).map_err(|e| anyhow::anyhow!("cannot aggregate these chunk proofs: {e}"))?;
    let pb = process_backend(zkvm, true)?;
    let info = pb.info()?;
    info_chunking(&info)?;
    let scratch = zkml_protocol::files::private_tempdir()?;
    let staged = scratch.path().join("aggregate.zkp");
    let mut report = pb.with_tmpdir(scratch.path()).aggregate(chunks, &staged)?;
    let proven = report.claim.claim().map_err(|e| anyhow::anyhow!("backend {zkvm}: {e}"))?;
    if proven != expected {
        bail!("backend {zkvm}: the aggregate's claim differs from the chunks' claims combined natively (a backend bug); proof discarded");
    }
    let bytes = std::fs::read(&staged).with_context(|| format!("backend {zkvm} wrote no proof"))?;
    zkml_protocol::files::write_bytes_atomically(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    report.proof_path = out.display().to_string();
    Ok(Proven { report, privacy: Privacy::of(&info, MODE_CHUNKED), agreement: None })
}
