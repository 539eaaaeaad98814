//! zkml-bench backend for RISC Zero 3.1.0-rc.1: composite and succinct receipts of the accuracy
//! claim, built entirely from crates.io (no rzup, no docker).
//!
//! Receipt kinds:
//! - **composite** (segmented family): one STARK per segment;
//! - **succinct** (aggregated family): the composite receipt compressed by the SDK's own
//!   recursion (lift each segment, join them) into one constant-size STARK. 3.1.0-rc.1's
//!   `risc0-circuit-recursion` takes the recursion programs from crates.io crates
//!   (`risc0-circuit-recursion-zkrs`, `...-control-zkrs`) instead of downloading them (3.0.6
//!   downloaded `recursion_zkr.zip` from a bucket this machine cannot reach);
//! - Groth16 needs the STARK-to-SNARK prover (docker or a downloaded circuit): not offered.

use anyhow::{anyhow, bail, Context};
use risc0_zkvm::{ExecutorEnv, ExecutorImpl, InnerReceipt, NullSegmentRef, ProverOpts, Receipt, SessionStats, VerifierContext};
use std::path::PathBuf;
use std::time::Instant;
use zkml_core::chunk::ChunkClaim;
use zkml_core::{Claim, CLAIM_LEN};
use zkml_protocol::backend::{header, read_guest};
use zkml_protocol::*;

const NAME: &str = "risc0";
const SDK: &str = "risc0-zkvm 3.1.0-rc.1";
const MODE_COMPOSITE: &str = "composite";
const MODE_SUCCINCT: &str = "succinct";
/// Issue #36: one succinct receipt of the aggregation guest, which verified every chunk's
/// succinct receipt by composition (`env::verify`, resolved by the succinct prover).
const MODE_CHUNKED: &str = "chunked";
const CHUNK_GUEST: &str = "zkml-risc0-chunk";
const AGGREGATE_GUEST: &str = "zkml-risc0-aggregate";
/// Why Groth16 receipts are not offered (said in `info`).
const NO_GROTH16: &str = "cannot be made here: the STARK-to-SNARK step needs docker or a circuit downloaded at run time";

/// Where zkvms/risc0/build.sh's cargo puts the guests, under `$ZKML_CACHE/target`.
const GUEST_BUILT: &str = "risc0-guest/riscv32im-risc0-zkvm-elf/release";

/// A v3 program: our user ELF combined with RISC Zero's v1-compatibility kernel.
struct Program {
    binary: Vec<u8>,
    image_id: risc0_zkvm::sha::Digest,
    elf_sha256: String,
}

fn program(guest: &str) -> anyhow::Result<Program> {
    let elf = read_guest("ZKML_RISC0_GUEST_DIR", GUEST_BUILT, guest)?;
    let binary = risc0_binfmt::ProgramBinary::new(&elf.bytes, risc0_zkos_v1compat::V1COMPAT_ELF).encode();
    let image_id = risc0_binfmt::compute_image_id(&binary).map_err(|e| anyhow!("image id of {}: {e}", elf.path.display()))?;
    Ok(Program { binary, image_id, elf_sha256: elf.sha256 })
}

fn guest_name(precompiles: Precompiles) -> String {
    format!("zkml-risc0-precompiles-{precompiles}")
}

/// Segment size limit (log2 cycles), from `ZKML_RISC0_SEGMENT_PO2`:
/// - unset: RISC Zero's default (2^20);
/// - a number: that limit (a smaller limit lowers the prover's peak memory, with more segments);
/// - `auto`: the limit in 2^16..=2^20 that minimises the *proved* cycles. Why: every segment is
///   padded to a power of two and proving time follows the padded count, so a program just over
///   a power of two pays almost double (e.g. 596k user cycles are proved as one 2^20 segment).
///   Executions are cheap (milliseconds), so `prove` tries each limit first.
#[derive(Debug, Clone, Copy)]
enum SegmentLimit {
    SdkDefault,
    Fixed(u32),
    Auto,
}

fn segment_limit() -> anyhow::Result<SegmentLimit> {
    match std::env::var("ZKML_RISC0_SEGMENT_PO2").ok().as_deref().map(str::trim) {
        None | Some("") => Ok(SegmentLimit::SdkDefault),
        Some("auto") => Ok(SegmentLimit::Auto),
        Some(s) => match s.parse::<u32>() {
            Ok(p) if (14..=22).contains(&p) => Ok(SegmentLimit::Fixed(p)),
            _ => bail!("ZKML_RISC0_SEGMENT_PO2={s:?}: expected auto or a number in 14..=22"),
        },
    }
}

/// The guest's input: its length in words, then the words (read with `env::read_slice`).
fn env_for<'a>(input: &'a [u32], po2: Option<u32>, stdout: Option<&'a mut Vec<u8>>) -> anyhow::Result<ExecutorEnv<'a>> {
    let mut builder = ExecutorEnv::builder();
    builder.write_slice(&[input.len() as u32]).write_slice(input);
    if let Some(po2) = po2 {
        builder.segment_limit_po2(po2);
    }
    if let Some(out) = stdout {
        builder.stdout(out);
    }
    builder.build().map_err(|e| anyhow!("risc0 executor environment: {e}"))
}

/// The segment limit to prove with, and the statistics of an execution under it.
fn choose_segment_limit(program: &Program, input: &[u32]) -> anyhow::Result<(Option<u32>, Vec<u8>, SessionStats)> {
    match segment_limit()? {
        SegmentLimit::SdkDefault => {
            let (journal, stats) = execute_program(program, input, None, None)?;
            Ok((None, journal, stats))
        }
        SegmentLimit::Fixed(p) => {
            let (journal, stats) = execute_program(program, input, Some(p), None)?;
            Ok((Some(p), journal, stats))
        }
        SegmentLimit::Auto => {
            let mut best: Option<(u32, Vec<u8>, SessionStats)> = None;
            // From large to small: a smaller limit must strictly win (fewer segments on ties).
            for p in (16..=20).rev() {
                let (journal, stats) = execute_program(program, input, Some(p), None)?;
                if best.as_ref().is_none_or(|(_, _, b)| stats.total_cycles < b.total_cycles) {
                    best = Some((p, journal, stats));
                }
            }
            let (p, journal, stats) = best.expect("at least one limit tried");
            Ok((Some(p), journal, stats))
        }
    }
}

/// Runs the guest without proving: its journal and the session's cycle statistics.
fn execute_program(
    program: &Program,
    input: &[u32],
    po2: Option<u32>,
    stdout: Option<&mut Vec<u8>>,
) -> anyhow::Result<(Vec<u8>, SessionStats)> {
    let env = env_for(input, po2, stdout)?;
    let mut exec = ExecutorImpl::from_elf(env, &program.binary).map_err(|e| anyhow!("risc0 executor: {e}"))?;
    let session = exec.run_with_callback(|_| Ok(Box::new(NullSegmentRef))).map_err(|e| anyhow!("risc0 execution: {e:#}"))?;
    let journal = session.journal.as_ref().map(|j| j.bytes.clone()).unwrap_or_default();
    Ok((journal, session.stats()))
}

fn claim_from_journal(journal: &[u8]) -> anyhow::Result<Claim> {
    if journal.len() != CLAIM_LEN {
        bail!("guest journal is {} bytes, a claim is {CLAIM_LEN}", journal.len());
    }
    Claim::decode(journal).map_err(|e| anyhow!("guest journal is not a claim: {e}"))
}

fn cycles(stats: &SessionStats) -> Cycles {
    Cycles {
        total: stats.total_cycles,
        user: Some(stats.user_cycles),
        paging: Some(stats.paging_cycles),
        segments: Some(stats.segments as u64),
    }
}

/// Dev mode (RISC0_DEV_MODE) makes fake receipts: allowed for quick iteration, never a proof.
fn dev_mode() -> bool {
    ProverOpts::composite().dev_mode()
}

struct Risc0;

impl Backend for Risc0 {
    fn info(&self) -> BackendInfo {
        let mut notes = vec![
            "CPU prover (risc0-zkvm without the cuda feature); C++ prover kernels built at the optimisation levels \
             recorded in zkvms/risc0/README.md"
                .to_string(),
            format!("Groth16 receipts {NO_GROTH16}"),
        ];
        if dev_mode() {
            notes.push("RISC0_DEV_MODE is set: receipts are FAKE (not proofs)".into());
        }
        BackendInfo {
            protocol_version: PROTOCOL_VERSION,
            name: NAME.into(),
            sdk: SDK.into(),
            isa: "rv32im".into(),
            proof_system: "STARK (Poseidon2) per segment of at most 2^20 cycles; composite receipt = the list of segment \
                receipts; succinct = one recursion STARK (lift + join)"
                .into(),
            produces_proofs: !dev_mode(),
            zero_knowledge: "claimed: RISC Zero's security model says its receipts hide all program inputs and witness \
                data and target perfect zero-knowledge (no written proof of it; csp-benchmarks lists it as not ZK for \
                that reason)"
                .into(),
            security_bits: Some(96),
            proof_modes: vec![
                ProofMode::new(MODE_COMPOSITE, ProofFamily::Segmented, true),
                ProofMode::new(MODE_SUCCINCT, ProofFamily::Aggregated, true),
                ProofMode::new("groth16", ProofFamily::Snark, true).unavailable(NO_GROTH16),
                ProofMode::new(MODE_CHUNKED, ProofFamily::Aggregated, true).unavailable(
                    "made from chunk proofs, not by one prove: zkml-bench prove --chunk-rows N (or prove-chunk and aggregate)",
                ),
            ],
            precompiles: vec![Precompiles::On, Precompiles::Off],
            gpu: false,
            notes,
            own_quantisation: None,
            programs: [
                (guest_name(Precompiles::On), Precompiles::On, None),
                (guest_name(Precompiles::Off), Precompiles::Off, None),
                (CHUNK_GUEST.to_string(), Precompiles::On, Some("chunk")),
                (AGGREGATE_GUEST.to_string(), Precompiles::On, Some(MODE_CHUNKED)),
            ]
            .into_iter()
            .filter_map(|(guest, p, role)| {
                let program = program(&guest).ok()?;
                Some(ProgramId {
                    precompiles: p,
                    elf_sha256: program.elf_sha256,
                    id_kind: "image id".into(),
                    id: Some(hex::encode(program.image_id.as_bytes())),
                    role: role.map(str::to_string),
                })
            })
            .collect(),
        }
    }

    fn execute(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ExecuteReport> {
        let t = Instant::now();
        let program = program(&guest_name(precompiles))?;
        let setup_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (_, journal, stats) = choose_segment_limit(&program, input)?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = claim_from_journal(&journal)?;
        Ok(ExecuteReport {
            backend: NAME.into(),
            precompiles,
            claim: ClaimSummary::from(&claim),
            cycles: Some(cycles(&stats)),
            phases: Phases { setup_s: Some(setup_s), execute_s: Some(execute_s), ..Default::default() },
        })
    }

    fn prove(&self, input: &[u32], mode: &str, precompiles: Precompiles) -> anyhow::Result<ProveOutput> {
        if mode != MODE_COMPOSITE && mode != MODE_SUCCINCT {
            bail!("risc0: unknown mode {mode}");
        }
        // Setup: load the guest, combine it with the kernel, compute the image id. RISC Zero
        // has no per-program key generation.
        let t = Instant::now();
        let program = program(&guest_name(precompiles))?;
        let setup_s = t.elapsed().as_secs_f64();
        // Cycle statistics and the claim from a plain execution (timed apart from proving).
        let t = Instant::now();
        let (po2, journal, _) = choose_segment_limit(&program, input)?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = claim_from_journal(&journal)?;
        // The prover executes the guest again to build its traces; that is part of proving.
        // Succinct: the SDK's recursion (lift every segment, join them) compresses the composite
        // receipt into one; timed apart as compression.
        let Proven { info, prove_s, compress_s } = prove_receipt(env_for(input, po2, None)?, &program, mode == MODE_SUCCINCT, "")?;
        if info.receipt.journal.bytes != claim.encode() {
            bail!("risc0: the receipt's journal differs from the executed claim");
        }
        let fake = matches!(info.receipt.inner, InnerReceipt::Fake(_));
        let payload = bincode::serialize(&info.receipt).context("serialising the receipt")?;
        let mut notes = vec![match compress_s {
            Some(_) => "succinct receipt: composite proof (prove_s), then lift + join by the SDK's recursion (compress_s)".to_string(),
            None => "composite receipt: one STARK per segment".to_string(),
        }];
        notes.push(match po2 {
            None => "segment limit: RISC Zero's default 2^20 (ZKML_RISC0_SEGMENT_PO2 unset)".into(),
            Some(p) => {
                format!("segment limit 2^{p} (ZKML_RISC0_SEGMENT_PO2={})", std::env::var("ZKML_RISC0_SEGMENT_PO2").unwrap_or_default())
            }
        });
        if fake {
            notes.insert(0, "DEV MODE (RISC0_DEV_MODE): a FAKE receipt, NOT A PROOF".into());
        }
        let image_id = hex::encode(program.image_id.as_bytes());
        let backend_info = self.info();
        Ok(ProveOutput {
            report: ProveReport {
                backend: NAME.into(),
                mode: mode.into(),
                precompiles,
                real_proof: !fake,
                claim: ClaimSummary::from(&claim),
                cycles: Some(cycles(&info.stats)),
                phases: Phases {
                    setup_s: Some(setup_s),
                    execute_s: Some(execute_s),
                    prove_s: Some(prove_s),
                    compress_s,
                    ..Default::default()
                },
                proof_bytes: payload.len() as u64,
                proof_path: String::new(),
                notes,
            },
            file: ProofFile { header: header(&backend_info, mode, precompiles, !fake, Some(image_id)), claim, payload },
        })
    }

    fn chunking(&self) -> Result<(), String> {
        Ok(())
    }

    fn prove_chunk(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ChunkProveOutput> {
        if precompiles != Precompiles::On {
            bail!("risc0: chunks are proven by one chunk guest, with the SHA-256 accelerator on");
        }
        let t = Instant::now();
        let program = program(CHUNK_GUEST)?;
        let setup_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (po2, journal, _) = choose_segment_limit(&program, input)?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = ChunkClaim::decode(&journal).map_err(|e| anyhow!("chunk guest journal is not a chunk claim: {e}"))?;
        // Succinct, so that the aggregation's composition can resolve it as an assumption.
        let Proven { info, prove_s, compress_s } = prove_receipt(env_for(input, po2, None)?, &program, true, " the chunk")?;
        if info.receipt.journal.bytes != claim.encode() {
            bail!("risc0: the chunk receipt's journal differs from the executed chunk claim");
        }
        let fake = matches!(info.receipt.inner, InnerReceipt::Fake(_));
        let payload = bincode::serialize(&info.receipt).context("serialising the receipt")?;
        let file = ChunkProofFile {
            header: header(&self.info(), MODE_SUCCINCT, precompiles, !fake, Some(hex::encode(program.image_id.as_bytes()))),
            claim,
            payload,
        };
        let phases =
            Phases { setup_s: Some(setup_s), execute_s: Some(execute_s), prove_s: Some(prove_s), compress_s, ..Default::default() };
        let mut report = ChunkReport::of(NAME, &file, true, None, phases);
        report.cycles = Some(cycles(&info.stats));
        report.notes.push(format!("chunk {} of {}: succinct receipt of the chunk guest", claim.chunk_index, claim.chunk_count));
        if fake {
            report.notes.insert(0, "DEV MODE (RISC0_DEV_MODE): a FAKE receipt, NOT A PROOF".into());
        }
        Ok(ChunkProveOutput { report, file })
    }

    fn verify_chunk(&self, file: &ChunkProofFile) -> anyhow::Result<ChunkReport> {
        let program = program(CHUNK_GUEST)?;
        let t = Instant::now();
        let result = verify_chunk_receipt(&program, file);
        let phases = Phases { verify_s: Some(t.elapsed().as_secs_f64()), ..Default::default() };
        Ok(match result {
            Ok(_) => ChunkReport::of(NAME, file, true, None, phases),
            Err(reason) => ChunkReport::of(NAME, file, false, Some(reason), phases),
        })
    }

    fn aggregate(&self, chunks: &[ChunkProofFile]) -> anyhow::Result<ProveOutput> {
        let t = Instant::now();
        let chunk_program = program(CHUNK_GUEST)?;
        let agg_program = program(AGGREGATE_GUEST)?;
        // Each chunk proof is checked here first, so that a bad one is named by its index (the
        // guest's composition would only fail the whole proof).
        let mut receipts = Vec::with_capacity(chunks.len());
        for f in chunks {
            let receipt = verify_chunk_receipt(&chunk_program, f)
                .map_err(|e| anyhow!("chunk {} of {}: {e}", f.claim.chunk_index, f.claim.chunk_count))?;
            receipts.push(receipt);
        }
        let claims: Vec<ChunkClaim> = chunks.iter().map(|f| f.claim).collect();
        let claim = zkml_core::aggregate::<zkml_core::SoftwareSha256>(&claims).map_err(|e| anyhow!("cannot aggregate: {e}"))?;
        let mut words: Vec<u32> = AGGREGATE_INPUT_MAGIC.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
        words.extend_from_slice(chunk_program.image_id.as_words());
        words.push(chunks.len() as u32);
        for c in &claims {
            words.extend(c.encode().chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().unwrap())));
        }
        let setup_s = t.elapsed().as_secs_f64();
        let env = {
            let mut builder = ExecutorEnv::builder();
            builder.write_slice(&[words.len() as u32]).write_slice(&words);
            for r in receipts {
                builder.add_assumption(r);
            }
            builder.build().map_err(|e| anyhow!("risc0 executor environment: {e}"))?
        };
        // Compression resolves the chunk receipts the guest assumed: the result stands alone.
        let Proven { info, prove_s, compress_s } = prove_receipt(env, &agg_program, true, " the aggregation")?;
        let mut expected = claim.encode().to_vec();
        expected.extend_from_slice(chunk_program.image_id.as_bytes());
        if info.receipt.journal.bytes != expected {
            bail!("risc0: the aggregation receipt's journal is not the aggregated claim and our chunk guest's image id");
        }
        let fake = matches!(info.receipt.inner, InnerReceipt::Fake(_));
        let payload = bincode::serialize(&info.receipt).context("serialising the receipt")?;
        let mut notes = vec![format!(
            "chunked: {} chunk receipts verified inside the aggregation guest (composition), resolved and compressed into one succinct receipt",
            chunks.len()
        )];
        if fake {
            notes.insert(0, "DEV MODE (RISC0_DEV_MODE): a FAKE receipt, NOT A PROOF".into());
        }
        let backend_info = self.info();
        Ok(ProveOutput {
            report: ProveReport {
                backend: NAME.into(),
                mode: MODE_CHUNKED.into(),
                precompiles: Precompiles::On,
                real_proof: !fake,
                claim: ClaimSummary::from(&claim),
                cycles: Some(cycles(&info.stats)),
                phases: Phases { setup_s: Some(setup_s), prove_s: Some(prove_s), compress_s, ..Default::default() },
                proof_bytes: payload.len() as u64,
                proof_path: String::new(),
                notes,
            },
            file: ProofFile {
                header: header(&backend_info, MODE_CHUNKED, Precompiles::On, !fake, Some(hex::encode(agg_program.image_id.as_bytes()))),
                claim,
                payload,
            },
        })
    }

    fn verify(&self, file: &ProofFile) -> anyhow::Result<VerifyReport> {
        if file.header.mode == MODE_CHUNKED {
            return verify_chunked(file);
        }
        if file.header.mode != MODE_COMPOSITE && file.header.mode != MODE_SUCCINCT {
            bail!("risc0: cannot verify mode {:?} (composite and succinct receipts are made here)", file.header.mode);
        }
        // Our own guest build decides the image id, never the proof file.
        let program = program(&guest_name(file.header.precompiles))?;
        let invalid = |reason: String, verify_s: f64| VerifyReport::invalid(NAME, file, file.header.real_proof, reason, verify_s);
        let receipt: Receipt = match bincode::deserialize(&file.payload) {
            Ok(r) => r,
            Err(e) => return Ok(invalid(format!("payload is not a RISC Zero receipt: {e}"), 0.0)),
        };
        // The receipt must be of the kind the file says (a fake dev-mode receipt is neither).
        let kind_ok = matches!(
            (&receipt.inner, file.header.mode.as_str()),
            (InnerReceipt::Composite(_), MODE_COMPOSITE) | (InnerReceipt::Succinct(_), MODE_SUCCINCT)
        );
        if !kind_ok {
            return Ok(invalid(format!("not a {} receipt (a fake dev-mode receipt is not a proof)", file.header.mode), 0.0));
        }
        // Dev mode off: a fake receipt must never pass, whatever the environment says.
        let ctx = VerifierContext::default().with_dev_mode(false);
        let t = Instant::now();
        let result = receipt.verify_with_context(&ctx, program.image_id);
        let verify_s = t.elapsed().as_secs_f64();
        if let Err(e) = result {
            return Ok(invalid(
                format!(
                    "receipt verification failed against our image id {} (precompiles {}): {e}",
                    program.image_id, file.header.precompiles
                ),
                verify_s,
            ));
        }
        if receipt.journal.bytes != file.claim.encode() {
            return Ok(invalid("the receipt's journal is not the claim in this file".into(), verify_s));
        }
        Ok(VerifyReport::valid(NAME, file, file.header.real_proof, verify_s))
    }
}

/// A chunk proof's succinct receipt, verified against our chunk guest and its file's claim.
fn verify_chunk_receipt(program: &Program, file: &ChunkProofFile) -> Result<Receipt, String> {
    let receipt: Receipt = bincode::deserialize(&file.payload).map_err(|e| format!("payload is not a RISC Zero receipt: {e}"))?;
    if !matches!(receipt.inner, InnerReceipt::Succinct(_)) {
        return Err("not a succinct receipt (a fake dev-mode receipt is not a proof)".into());
    }
    receipt
        .verify_with_context(&VerifierContext::default().with_dev_mode(false), program.image_id)
        .map_err(|e| format!("receipt verification failed against our chunk guest's image id {}: {e}", program.image_id))?;
    if receipt.journal.bytes != file.claim.encode() {
        return Err("the receipt's journal is not the chunk claim in this file".into());
    }
    Ok(receipt)
}

/// An aggregate of chunks: one succinct receipt of our aggregation guest whose journal is the
/// file's claim followed by the image id of our own chunk guest (the chunks it verified).
fn verify_chunked(file: &ProofFile) -> anyhow::Result<VerifyReport> {
    let agg = program(AGGREGATE_GUEST)?;
    let chunk = program(CHUNK_GUEST)?;
    let invalid = |reason: String, verify_s: f64| Ok(VerifyReport::invalid(NAME, file, file.header.real_proof, reason, verify_s));
    let receipt: Receipt = match bincode::deserialize(&file.payload) {
        Ok(r) => r,
        Err(e) => return invalid(format!("payload is not a RISC Zero receipt: {e}"), 0.0),
    };
    if !matches!(receipt.inner, InnerReceipt::Succinct(_)) {
        return invalid("not a succinct receipt (a fake dev-mode receipt is not a proof)".into(), 0.0);
    }
    let t = Instant::now();
    let result = receipt.verify_with_context(&VerifierContext::default().with_dev_mode(false), agg.image_id);
    let verify_s = t.elapsed().as_secs_f64();
    if let Err(e) = result {
        return invalid(format!("receipt verification failed against our aggregation guest's image id {}: {e}", agg.image_id), verify_s);
    }
    let mut expected = file.claim.encode().to_vec();
    expected.extend_from_slice(chunk.image_id.as_bytes());
    if receipt.journal.bytes != expected {
        return invalid("the receipt's journal is not the claim in this file over chunks of our chunk guest".into(), verify_s);
    }
    Ok(VerifyReport::valid(NAME, file, file.header.real_proof, verify_s))
}

/// A receipt of `program` on `env`, proven composite and then, with `succinct`, compressed by
/// the SDK's recursion (lift + join), which also resolves the assumptions a composing guest
/// made; with the prove and compression times. The one place a receipt is made: ordinary
/// proofs, chunk proofs and aggregates all come through here. `what` names it in errors.
struct Proven {
    info: risc0_zkvm::ProveInfo,
    prove_s: f64,
    compress_s: Option<f64>,
}

fn prove_receipt(env: ExecutorEnv<'_>, program: &Program, succinct: bool, what: &str) -> anyhow::Result<Proven> {
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

/// The aggregation guest's input magic (zkvms/risc0/guest/src/lib.rs).
const AGGREGATE_INPUT_MAGIC: [u8; 8] = *b"ZKMLAGI1";

/// `zkml-risc0 profile --input FILE`: where the guest's cycles go, phase by phase (a separate
/// profiling guest; executed, never proved). Prints JSON.
fn profile(args: &[String]) -> anyhow::Result<()> {
    let path = match args {
        [flag, path] if flag == "--input" => PathBuf::from(path),
        _ => bail!("usage: zkml-risc0 profile --input FILE"),
    };
    let input = zkml_protocol::backend::read_input(&path)?;
    let program = program("zkml-risc0-profile")?;
    let mut out = Vec::new();
    let (_, stats) = execute_program(&program, &input, None, Some(&mut out))?;
    if out.len() != 6 * 8 {
        bail!("profile guest wrote {} bytes, expected 48", out.len());
    }
    let v: Vec<u64> = out.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect();
    let rows = v[0].max(1) as f64;
    let per_row = |c: u64| (c as f64 / rows * 10.0).round() / 10.0;
    let json = serde_json::json!({
        "backend": NAME,
        "rows": v[0],
        "total_cycles_with_profiling": stats.total_cycles,
        "user_cycles_with_profiling": stats.user_cycles,
        "paging_cycles_with_profiling": stats.paging_cycles,
        "phases": {
            "read_input": {"cycles": v[1], "per_row": per_row(v[1])},
            "decode_validate": {"cycles": v[2], "per_row": per_row(v[2])},
            "hash_accelerated": {"cycles": v[3], "per_row": per_row(v[3])},
            "hash_software": {"cycles": v[4], "per_row": per_row(v[4])},
            "predict_and_metrics": {"cycles": v[5], "per_row": per_row(v[5])},
        },
        "note": "user cycles measured in the guest with env::cycle_count(); paging is counted by the prover per segment",
    });
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("profile") {
        return match profile(&args[2..]) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::ExitCode::from(1)
            }
        };
    }
    run_cli(Risc0)
}
