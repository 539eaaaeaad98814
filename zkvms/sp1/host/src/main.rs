//! zkml-bench backend for SP1 6.10.0 ("Hypercube", RV64IM): core and compressed STARK proofs
//! of the accuracy claim, built entirely from crates.io (no sp1up, no docker).
//!
//! Two provers from the SDK, each for what it is cheap at:
//! - `LightProver` executes and verifies (full cryptographic verification) without building the
//!   proving machinery, so `execute` and `verify` start in seconds;
//! - `CpuProver` proves. Building it takes minutes on a small machine (it prepares the
//!   recursion programs); that start-up is measured and reported apart from setup and proving.
//!
//! Memory: `SP1CoreOpts` reads `SHARD_SIZE`, `ELEMENT_THRESHOLD`, `MEMORY_LIMIT`, ... from the
//! environment; see zkvms/sp1/README.md for the settings measured on a 24 GB machine. The
//! prover's pipeline width (`SP1_WORKER_*`: shard and recursion proofs in flight) is chosen by
//! [`pipeline::Pipeline`] from the cycle count and the memory budget, and recorded with every proof.

use anyhow::{anyhow, bail, Context};
use keys::{trusted_vk, vk_path};
use prover::{execute_light, prove_elf, runtime, stdin_for, Executed, Made};
use sp1_sdk::{Elf, HashableKey, ProverClient, SP1Proof, SP1VerifyingKey};
use std::time::Instant;
use verifier::{check_proof, chunk_vk_digest};
use zkml_core::chunk::{encode_aggregate_input, ChunkClaim};
use zkml_core::Claim;
use zkml_protocol::backend::{header, read_guest};
use zkml_protocol::host::{claim_of, MODE_CHUNKED};
use zkml_protocol::*;

mod keys;
mod pipeline;
mod prover;
mod verifier;

const NAME: &str = "sp1";
const SDK: &str = "sp1-sdk 6.10.0";
const MODE_CORE: &str = "core";
const MODE_COMPRESSED: &str = "compressed";
const NO_SNARK: &str = "blocked: SP1 proves its Groth16/PLONK wrap with gnark (Go). sp1-recursion-gnark-ffi 6.10.0 \
    builds it from Go sources whose go.mod needs Go >= 1.24 (Debian offers 1.19: `invalid go version '1.24.0'`) and Go \
    modules (gnark-crypto v0.19.3-0.20251115174214-022ec58e8c19, the gnark fork github.com/p4u/gnark) served only by \
    proxy.golang.org, which this machine cannot resolve (`lookup proxy.golang.org: no such host`); otherwise the SDK \
    downloads prebuilt artifacts or runs docker, neither reachable. zkvms/sp1/wrap-blocked.sh shows both errors";

/// Our guests: ordinary (precompile on and off), chunk and aggregate.
const GUESTS: Guests = Guests { vm: "sp1", chunking: true };

/// One of our guest programs, by file name ([`Guests::file`]), with its SHA-256.
fn program(name: &str) -> anyhow::Result<(Elf, String)> {
    let elf = read_guest("ZKML_SP1_GUEST_DIR", "sp1-guest/riscv64im-succinct-zkvm-elf/release", name)?;
    Ok((Elf::Dynamic(elf.bytes.into()), elf.sha256))
}

/// What an aggregate's public values must be: the claim, then the chunk guest's key digest.
fn aggregate_public_values(claim: &Claim, vk_digest: &[u32; 8]) -> Vec<u8> {
    let mut pv = claim.encode().to_vec();
    pv.extend(vk_digest.iter().flat_map(|w| w.to_le_bytes()));
    pv
}

/// The proof file of `mode` made of `made` (a proof whose public values are exactly what
/// `executed` committed) and its report; `setup_before_s`: set-up spent before proving (reading
/// and checking chunk proofs), `notes` said before the prover's own.
fn output(
    mode: &str,
    precompiles: Precompiles,
    claim: Claim,
    executed: &Executed,
    made: Made,
    setup_before_s: f64,
    mut notes: Vec<String>,
) -> anyhow::Result<ProveOutput> {
    let payload = bincode::serialize(&made.proof).context("serialising the proof")?;
    notes.extend(made.notes);
    let file = ProofFile { header: header(&Sp1.info(), mode, precompiles, true, Some(made.vk.bytes32())), claim, payload };
    let cycles = Cycles { total: executed.cycles, segments: made.shards, ..Default::default() };
    let phases = Phases {
        setup_s: Some(setup_before_s + made.setup_s),
        execute_s: Some(executed.execute_s),
        prove_s: Some(made.prove_s),
        ..Default::default()
    };
    Ok(ProveOutput::new(file, Some(cycles), phases, notes))
}

struct Sp1;

impl Backend for Sp1 {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            protocol_version: PROTOCOL_VERSION,
            name: NAME.into(),
            sdk: SDK.into(),
            isa: "rv64im".into(),
            proof_system: "SP1 Hypercube: multilinear STARK (jagged PCS, BaseFold) over KoalaBear per shard; compressed = \
                shard proofs recursively reduced to one"
                .into(),
            produces_proofs: true,
            zero_knowledge: "not claimed for core/compressed: SP1's security model says \"individual STARK proofs in SP1 do \
                not currently satisfy the zero-knowledge property\"; only its Groth16/PLONK wrappers are described as ZK. \
                Treat a STARK proof as possibly revealing private rows"
                .into(),
            security_bits: Some(100),
            proof_modes: vec![
                ProofMode::new(MODE_CORE, ProofFamily::Segmented, false),
                ProofMode::new(MODE_COMPRESSED, ProofFamily::Aggregated, false),
                ProofMode::new("groth16", ProofFamily::Snark, true).unavailable(NO_SNARK),
                ProofMode::new("plonk", ProofFamily::Snark, true).unavailable(NO_SNARK),
                ProofMode::new(MODE_CHUNKED, ProofFamily::Aggregated, false).unavailable(
                    "made from chunk proofs, not by one prove: zkml-bench prove --chunk-rows N (or prove-chunk and aggregate)",
                ),
            ],
            precompiles: vec![Precompiles::On, Precompiles::Off],
            gpu: false,
            notes: vec![
                "CPU prover (sp1-sdk without the cuda feature)".into(),
                "execute and verify use the SDK's LightProver (full verification, no proving machinery)".into(),
                "chunked: compressed chunk proofs, each verified inside the aggregation guest (verify_sp1_proof; the \
                    prover checks them in its recursion); not zero-knowledge, like every SP1 STARK proof"
                    .into(),
            ],
            own_quantisation: None,
            // The vkey hash is known once a setup has cached the verifying key (first prove or verify).
            programs: GUESTS.program_ids("vkey hash", |file| {
                let (_, elf_sha256) = program(file).ok()?;
                let vk: Option<SP1VerifyingKey> = std::fs::read(vk_path(&elf_sha256)).ok().and_then(|b| bincode::deserialize(&b).ok());
                Some((elf_sha256, vk.map(|vk| vk.bytes32())))
            }),
        }
    }

    fn execute(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ExecuteReport> {
        let (elf, _) = program(&GUESTS.file(Role::Ordinary(precompiles)))?;
        let executed = execute_light(&elf, stdin_for(input))?;
        let claim = claim_of(&executed.public_values, "public values")?;
        Ok(ExecuteReport {
            backend: NAME.into(),
            precompiles,
            claim: ClaimSummary::from(&claim),
            cycles: Some(Cycles { total: executed.cycles, ..Default::default() }),
            phases: Phases { setup_s: Some(executed.startup_s), execute_s: Some(executed.execute_s), ..Default::default() },
        })
    }

    fn prove(&self, input: &[u32], mode: &str, precompiles: Precompiles) -> anyhow::Result<ProveOutput> {
        if mode != MODE_CORE && mode != MODE_COMPRESSED {
            bail!("sp1: unknown mode {mode}");
        }
        let (elf, elf_hash) = program(&GUESTS.file(Role::Ordinary(precompiles)))?;
        // Cycles and the claim from a plain execution (timed apart from proving), first: the
        // cycle count sizes the prover's pipeline, which is fixed when the prover is built.
        let executed = execute_light(&elf, stdin_for(input))?;
        let claim = claim_of(&executed.public_values, "public values")?;
        let made = prove_elf(&elf, &elf_hash, stdin_for(input), &executed, mode == MODE_COMPRESSED)?;
        output(mode, precompiles, claim, &executed, made, 0.0, Vec::new())
    }

    fn chunking(&self) -> Result<(), String> {
        Ok(())
    }

    fn prove_chunk(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ChunkProveOutput> {
        if precompiles != Precompiles::On {
            bail!("sp1: chunks are proven by one chunk guest, with the SHA-256 precompile on");
        }
        let (elf, elf_hash) = program(&GUESTS.file(Role::Chunk))?;
        let executed = execute_light(&elf, stdin_for(input))?;
        let claim =
            ChunkClaim::decode(&executed.public_values).map_err(|e| anyhow!("chunk guest public values are not a chunk claim: {e}"))?;
        // Compressed: the aggregation guest can verify only compressed proofs.
        let made = prove_elf(&elf, &elf_hash, stdin_for(input), &executed, true)?;
        let payload = bincode::serialize(&made.proof).context("serialising the proof")?;
        let file =
            ChunkProofFile { header: header(&self.info(), MODE_COMPRESSED, precompiles, true, Some(made.vk.bytes32())), claim, payload };
        let phases =
            Phases { setup_s: Some(made.setup_s), execute_s: Some(executed.execute_s), prove_s: Some(made.prove_s), ..Default::default() };
        let mut report = ChunkReport::of(NAME, &file, true, None, phases);
        report.cycles = Some(Cycles { total: executed.cycles, ..Default::default() });
        report.notes.push(format!("chunk {} of {}: compressed proof of the chunk guest", claim.chunk_index, claim.chunk_count));
        report.notes.extend(made.notes);
        Ok(ChunkProveOutput { report, file })
    }

    fn verify_chunk(&self, file: &ChunkProofFile) -> anyhow::Result<ChunkReport> {
        let checked = check_proof(&file.payload, MODE_COMPRESSED, &GUESTS.file(Role::Chunk), &file.claim.encode())?;
        Ok(ChunkReport::checked(NAME, file, checked.map(|(_, verify_s)| verify_s)))
    }

    fn aggregate(&self, chunks: &[ChunkProofFile]) -> anyhow::Result<ProveOutput> {
        let t = Instant::now();
        // Each chunk proof is checked here first, so that a bad one is named by its index (the
        // aggregation's recursion would only fail the whole proof).
        let mut proofs = Vec::with_capacity(chunks.len());
        for f in chunks {
            let (proof, _) = check_proof(&f.payload, MODE_COMPRESSED, &GUESTS.file(Role::Chunk), &f.claim.encode())?
                .map_err(|r| anyhow!("chunk {} of {}: {}", f.claim.chunk_index, f.claim.chunk_count, r.reason))?;
            match proof.proof {
                SP1Proof::Compressed(p) => proofs.push(*p),
                _ => unreachable!("check_proof checked the kind"),
            }
        }
        let claims: Vec<ChunkClaim> = chunks.iter().map(|f| f.claim).collect();
        let claim = zkml_core::aggregate::<zkml_core::SoftwareSha256>(&claims).map_err(|e| anyhow!("cannot aggregate: {e}"))?;
        let chunk_vk = runtime()?.block_on(async {
            let light = ProverClient::builder().light().build().await;
            trusted_vk(&light, &GUESTS.file(Role::Chunk)).await
        })?;
        let vk_digest = chunk_vk.hash_u32();
        let words = encode_aggregate_input(&vk_digest, &claims);
        let stdin = || {
            let mut stdin = stdin_for(&words);
            for p in &proofs {
                stdin.write_proof(p.clone(), chunk_vk.vk.clone());
            }
            stdin
        };
        let (elf, elf_hash) = program(&GUESTS.file(Role::Aggregate))?;
        let setup_s = t.elapsed().as_secs_f64();
        let executed = execute_light(&elf, stdin())?;
        let expected = aggregate_public_values(&claim, &vk_digest);
        if executed.public_values != expected {
            bail!("sp1: the aggregation guest's public values are not the aggregated claim and our chunk guest's key digest");
        }
        let made = prove_elf(&elf, &elf_hash, stdin(), &executed, true)?;
        let lead = format!(
            "chunked: {} compressed chunk proofs verified inside the aggregation guest (verify_sp1_proof), one compressed proof",
            chunks.len()
        );
        output(MODE_CHUNKED, Precompiles::On, claim, &executed, made, setup_s, vec![lead])
    }

    fn verify(&self, file: &ProofFile) -> anyhow::Result<VerifyReport> {
        // Our own guest and key decide, never the proof file; an aggregate must also carry our
        // own chunk guest's key digest (the chunks it verified).
        let (want, guest, expected) = match file.header.mode.as_str() {
            MODE_CORE | MODE_COMPRESSED => {
                (file.header.mode.as_str(), GUESTS.file(Role::Ordinary(file.header.precompiles)), file.claim.encode().to_vec())
            }
            MODE_CHUNKED => (MODE_COMPRESSED, GUESTS.file(Role::Aggregate), aggregate_public_values(&file.claim, &chunk_vk_digest()?)),
            other => bail!("sp1: cannot verify mode {other:?}"),
        };
        let checked = check_proof(&file.payload, want, &guest, &expected)?;
        Ok(VerifyReport::checked(NAME, file, true, checked.map(|(_, verify_s)| verify_s)))
    }
}

fn main() -> std::process::ExitCode {
    run_cli(Sp1)
}
