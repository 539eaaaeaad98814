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

use anyhow::{anyhow, bail};
use program::{choose_segment_limit, cycles, dev_mode, env_for, program, segment_note, Program, GUESTS};
use receipt::{check_receipt, prove_receipt, Expected, Kind, Proven};
use risc0_zkvm::ExecutorEnv;
use std::time::Instant;
use zkml_core::chunk::{encode_aggregate_input, ChunkClaim};
use zkml_core::Claim;
use zkml_protocol::backend::header;
use zkml_protocol::host::{claim_of, MODE_CHUNKED};
use zkml_protocol::*;

mod profile;
mod program;
mod receipt;

const NAME: &str = "risc0";
const SDK: &str = "risc0-zkvm 3.1.0-rc.1";
const MODE_COMPOSITE: &str = "composite";
const MODE_SUCCINCT: &str = "succinct";
/// Why Groth16 receipts are not offered (said in `info`).
const NO_GROTH16: &str = "cannot be made here: the STARK-to-SNARK step needs docker or a circuit downloaded at run time";

struct Risc0;

impl Risc0 {
    /// A proof file of `mode` made of `proven` (a receipt of `program` whose journal is the
    /// claim, followed by the chunk guest's image id for an aggregate), and its report.
    #[allow(clippy::too_many_arguments)]
    fn output(
        &self,
        mode: &str,
        precompiles: Precompiles,
        claim: Claim,
        program: &Program,
        proven: Proven,
        phases: Phases,
        notes: Vec<String>,
    ) -> anyhow::Result<ProveOutput> {
        let payload = proven.payload()?;
        let real = !proven.fake();
        let file = ProofFile {
            header: header(&self.info(), mode, precompiles, real, Some(hex::encode(program.image_id.as_bytes()))),
            claim,
            payload,
        };
        Ok(ProveOutput::new(file, Some(cycles(&proven.info.stats)), phases, notes))
    }

    /// What a chunk proof must be: a succinct receipt of our chunk guest committing its claim.
    fn check_chunk(&self, program: &Program, file: &ChunkProofFile) -> Result<(risc0_zkvm::Receipt, f64), Rejected> {
        let journal = file.claim.encode();
        let expected = Expected {
            kind: Kind::Succinct,
            program,
            whose: "our chunk guest",
            journal: &journal,
            what_journal: "the chunk claim in this file",
        };
        check_receipt(&file.payload, &expected)
    }

    /// What an aggregate must be: a succinct receipt of our aggregation guest whose journal is
    /// the file's claim followed by the image id of our own chunk guest (the chunks it verified).
    fn check_chunked(&self, file: &ProofFile) -> anyhow::Result<Checked> {
        let agg = program(&GUESTS.file(Role::Aggregate))?;
        let chunk = program(&GUESTS.file(Role::Chunk))?;
        let mut journal = file.claim.encode().to_vec();
        journal.extend_from_slice(chunk.image_id.as_bytes());
        let expected = Expected {
            kind: Kind::Succinct,
            program: &agg,
            whose: "our aggregation guest",
            journal: &journal,
            what_journal: "the claim in this file over chunks of our chunk guest",
        };
        Ok(check_receipt(&file.payload, &expected).map(|(_, verify_s)| verify_s))
    }
}

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
            programs: GUESTS.program_ids("image id", |file| {
                let p = program(file).ok()?;
                Some((p.elf_sha256, Some(hex::encode(p.image_id.as_bytes()))))
            }),
        }
    }

    fn execute(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ExecuteReport> {
        let t = Instant::now();
        let program = program(&GUESTS.file(Role::Ordinary(precompiles)))?;
        let setup_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (_, journal, stats) = choose_segment_limit(&program, input)?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = claim_of(&journal, "journal")?;
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
        let program = program(&GUESTS.file(Role::Ordinary(precompiles)))?;
        let setup_s = t.elapsed().as_secs_f64();
        // Cycle statistics and the claim from a plain execution (timed apart from proving).
        let t = Instant::now();
        let (po2, journal, _) = choose_segment_limit(&program, input)?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = claim_of(&journal, "journal")?;
        // The prover executes the guest again to build its traces; that is part of proving.
        // Succinct: the SDK's recursion (lift every segment, join them) compresses the composite
        // receipt into one; timed apart as compression.
        let proven = prove_receipt(env_for(input, po2, None)?, &program, mode == MODE_SUCCINCT, "")?;
        if proven.info.receipt.journal.bytes != claim.encode() {
            bail!("risc0: the receipt's journal differs from the executed claim");
        }
        let mut notes = proven.notes(match proven.compress_s {
            Some(_) => "succinct receipt: composite proof (prove_s), then lift + join by the SDK's recursion (compress_s)".to_string(),
            None => "composite receipt: one STARK per segment".to_string(),
        });
        notes.push(segment_note(po2));
        let phases = proven.phases(setup_s, Some(execute_s));
        self.output(mode, precompiles, claim, &program, proven, phases, notes)
    }

    fn chunking(&self) -> Result<(), String> {
        Ok(())
    }

    fn prove_chunk(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ChunkProveOutput> {
        if precompiles != Precompiles::On {
            bail!("risc0: chunks are proven by one chunk guest, with the SHA-256 accelerator on");
        }
        let t = Instant::now();
        let program = program(&GUESTS.file(Role::Chunk))?;
        let setup_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (po2, journal, _) = choose_segment_limit(&program, input)?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = ChunkClaim::decode(&journal).map_err(|e| anyhow!("chunk guest journal is not a chunk claim: {e}"))?;
        // Succinct, so that the aggregation's composition can resolve it as an assumption.
        let proven = prove_receipt(env_for(input, po2, None)?, &program, true, " the chunk")?;
        if proven.info.receipt.journal.bytes != claim.encode() {
            bail!("risc0: the chunk receipt's journal differs from the executed chunk claim");
        }
        let file = ChunkProofFile {
            header: header(&self.info(), MODE_SUCCINCT, precompiles, !proven.fake(), Some(hex::encode(program.image_id.as_bytes()))),
            claim,
            payload: proven.payload()?,
        };
        let phases = proven.phases(setup_s, Some(execute_s));
        let mut report = ChunkReport::of(NAME, &file, true, None, phases);
        report.cycles = Some(cycles(&proven.info.stats));
        report.notes = proven.notes(format!("chunk {} of {}: succinct receipt of the chunk guest", claim.chunk_index, claim.chunk_count));
        Ok(ChunkProveOutput { report, file })
    }

    fn verify_chunk(&self, file: &ChunkProofFile) -> anyhow::Result<ChunkReport> {
        let program = program(&GUESTS.file(Role::Chunk))?;
        Ok(ChunkReport::checked(NAME, file, self.check_chunk(&program, file).map(|(_, verify_s)| verify_s)))
    }

    fn aggregate(&self, chunks: &[ChunkProofFile]) -> anyhow::Result<ProveOutput> {
        let t = Instant::now();
        let chunk_program = program(&GUESTS.file(Role::Chunk))?;
        let agg_program = program(&GUESTS.file(Role::Aggregate))?;
        // Each chunk proof is checked here first, so that a bad one is named by its index (the
        // guest's composition would only fail the whole proof).
        let mut receipts = Vec::with_capacity(chunks.len());
        for f in chunks {
            let (receipt, _) = self
                .check_chunk(&chunk_program, f)
                .map_err(|r| anyhow!("chunk {} of {}: {}", f.claim.chunk_index, f.claim.chunk_count, r.reason))?;
            receipts.push(receipt);
        }
        let claims: Vec<ChunkClaim> = chunks.iter().map(|f| f.claim).collect();
        let claim = zkml_core::aggregate::<zkml_core::SoftwareSha256>(&claims).map_err(|e| anyhow!("cannot aggregate: {e}"))?;
        let words = encode_aggregate_input(chunk_program.image_id.as_words().try_into()?, &claims);
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
        let proven = prove_receipt(env, &agg_program, true, " the aggregation")?;
        let mut expected = claim.encode().to_vec();
        expected.extend_from_slice(chunk_program.image_id.as_bytes());
        if proven.info.receipt.journal.bytes != expected {
            bail!("risc0: the aggregation receipt's journal is not the aggregated claim and our chunk guest's image id");
        }
        let notes = proven.notes(format!(
            "chunked: {} chunk receipts verified inside the aggregation guest (composition), resolved and compressed into one succinct receipt",
            chunks.len()
        ));
        let phases = proven.phases(setup_s, None);
        self.output(MODE_CHUNKED, Precompiles::On, claim, &agg_program, proven, phases, notes)
    }

    fn verify(&self, file: &ProofFile) -> anyhow::Result<VerifyReport> {
        let real = file.header.real_proof;
        let kind = match file.header.mode.as_str() {
            MODE_CHUNKED => return Ok(VerifyReport::checked(NAME, file, real, self.check_chunked(file)?)),
            MODE_COMPOSITE => Kind::Composite,
            MODE_SUCCINCT => Kind::Succinct,
            other => bail!("risc0: cannot verify mode {other:?} (composite and succinct receipts are made here)"),
        };
        // Our own guest build decides the image id, never the proof file.
        let program = program(&GUESTS.file(Role::Ordinary(file.header.precompiles)))?;
        let journal = file.claim.encode();
        let whose = format!("our guest (precompiles {})", file.header.precompiles);
        let expected = Expected { kind, program: &program, whose: &whose, journal: &journal, what_journal: "the claim in this file" };
        Ok(VerifyReport::checked(NAME, file, real, check_receipt(&file.payload, &expected).map(|(_, verify_s)| verify_s)))
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("profile") {
        return match profile::profile(&args[2..]) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::ExitCode::from(1)
            }
        };
    }
    run_cli(Risc0)
}
