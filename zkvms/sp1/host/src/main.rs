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
//! [`Pipeline`] from the cycle count and the memory budget, and recorded with every proof.

use anyhow::{anyhow, bail, Context};
use sp1_sdk::{
    CpuProver, Elf, HashableKey, LightProver, ProveRequest, Prover, ProverClient, ProvingKey, SP1Proof, SP1ProofWithPublicValues, SP1Stdin,
    SP1VerifyingKey,
};
use std::path::PathBuf;
use std::time::Instant;
use zkml_core::chunk::ChunkClaim;
use zkml_core::{Claim, CLAIM_LEN};
use zkml_protocol::backend::{cache_dir, header, read_guest};
use zkml_protocol::*;

const NAME: &str = "sp1";
const SDK: &str = "sp1-sdk 6.10.0";
const MODE_CORE: &str = "core";
const MODE_COMPRESSED: &str = "compressed";
const NO_SNARK: &str = "blocked: SP1 proves its Groth16/PLONK wrap with gnark (Go). sp1-recursion-gnark-ffi 6.10.0 \
    builds it from Go sources whose go.mod needs Go >= 1.24 (Debian offers 1.19: `invalid go version '1.24.0'`) and Go \
    modules (gnark-crypto v0.19.3-0.20251115174214-022ec58e8c19, the gnark fork github.com/p4u/gnark) served only by \
    proxy.golang.org, which this machine cannot resolve (`lookup proxy.golang.org: no such host`); otherwise the SDK \
    downloads prebuilt artifacts or runs docker, neither reachable. zkvms/sp1/wrap-blocked.sh shows both errors";

/// Issue #36: one chunk of a larger test set; the aggregation that verifies chunk proofs.
const MODE_CHUNKED: &str = "chunked";
const CHUNK_GUEST: &str = "zkml-sp1-chunk";
const AGGREGATE_GUEST: &str = "zkml-sp1-aggregate";
/// The aggregation guest's input magic (zkvms/sp1/guest/src/lib.rs).
const AGGREGATE_INPUT_MAGIC: [u8; 8] = *b"ZKMLAGI1";

fn guest_name(precompiles: Precompiles) -> String {
    format!("zkml-sp1-precompiles-{precompiles}")
}

/// One of our guest programs, by file name, with its SHA-256.
fn program(name: &str) -> anyhow::Result<(Elf, String)> {
    let elf = read_guest("ZKML_SP1_GUEST_DIR", "sp1-guest/riscv64im-succinct-zkvm-elf/release", name)?;
    Ok((Elf::Dynamic(elf.bytes.into()), elf.sha256))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("tokio runtime")
}

fn stdin_for(input: &[u32]) -> SP1Stdin {
    let mut stdin = SP1Stdin::new();
    stdin.write_vec(zkml_core::words_as_bytes(input).to_vec());
    stdin
}

fn claim_from_public_values(pv: &[u8]) -> anyhow::Result<Claim> {
    if pv.len() != CLAIM_LEN {
        bail!("guest public values are {} bytes, a claim is {CLAIM_LEN}", pv.len());
    }
    Claim::decode(pv).map_err(|e| anyhow!("guest public values are not a claim: {e}"))
}

/// Verifying keys derived by this host from its own guest ELFs (keyed by the ELF's SHA-256):
/// the verifier trusts only these, never a key carried by a proof file.
fn vk_path(elf_hash: &str) -> PathBuf {
    cache_dir().join("sp1/keys").join(format!("vk-{elf_hash}.bincode"))
}

fn save_vk(vk: &SP1VerifyingKey, elf_hash: &str) -> anyhow::Result<()> {
    let path = vk_path(elf_hash);
    std::fs::create_dir_all(path.parent().unwrap())?;
    files::write_bytes_atomically(&path, &bincode::serialize(vk)?)?;
    Ok(())
}

/// The SDK's sharding and memory knobs (read by `SP1CoreOpts` from the environment) that the
/// user set, read before the host sets its own (the "prover pipeline" note): recorded with every
/// proof so that a measurement says what it was taken under.
fn user_memory_settings() -> String {
    const KNOBS: [&str; 7] = [
        "SHARD_SIZE",
        "ELEMENT_THRESHOLD",
        "HEIGHT_THRESHOLD",
        "MEMORY_LIMIT",
        "MINIMAL_TRACE_CHUNK_THRESHOLD",
        "TRACE_CHUNK_SLOTS",
        "ZKML_MAX_RSS_MB",
    ];
    let set: Vec<String> = KNOBS.iter().filter_map(|k| std::env::var(k).ok().map(|v| format!("{k}={v}"))).collect();
    if set.is_empty() {
        "none set by the user".into()
    } else {
        set.join(" ")
    }
}

/// SP1 6.10's CPU prover pipelines its work: by default up to 4 core shard proofs at once with 4
/// more shard records queued, and 8 recursion proofs at once (`SP1_WORKER_*`, read when the
/// prover is built). One core shard proof in flight holds its trace, low-degree extensions and
/// commitments: 10–15 GiB measured on this project's 2-core machine (one shard at 100 and 1,000
/// rows). So on a small machine a run of two or more shards exceeds memory at the SDK's defaults
/// (ridge at 10,000 rows did, at 22 GiB), though the shards proven one at a time fit; with 2 cores
/// the concurrency buys little time. The backend therefore chooses the pipeline's width from the
/// cycle count and the memory budget, and records it with the proof.
#[derive(Debug, Clone, PartialEq)]
struct Pipeline {
    /// Shards expected from the cycle count (at most the SDK's default width is useful).
    shards: u64,
    /// Core shard proofs in flight (and records queued for them).
    core_workers: u64,
    /// Recursion proofs in flight (compressed mode).
    recursion_workers: u64,
    /// Trace elements per shard (`ELEMENT_THRESHOLD`), when smaller than the SDK's default.
    element_threshold: Option<u64>,
    /// Why, for the run record.
    reason: String,
}

/// The SDK's defaults (sp1-prover 6.10.0 `worker/config.rs`).
const SDK_CORE_WORKERS: u64 = 4;
const SDK_RECURSION_PROVER_WORKERS: u64 = 8;
/// Memory one core shard proof in flight needs, with headroom (measured 10–15 GiB; see above).
const SHARD_PROOF_BYTES: u64 = 12 << 30;
/// Memory one recursion proof in flight needs, with headroom (compressed peaked ~7 GiB above
/// core at 100 rows with the SDK's 8 recursion workers on one shard's proofs).
const RECURSION_PROOF_BYTES: u64 = 6 << 30;
/// Cycles per shard at the SDK's default trace threshold, as measured here (a 4.4M-cycle run
/// made 2 shards; 1.1M cycles made 1): an estimate, used only to size the pipeline.
const CYCLES_PER_SHARD: u64 = 2_500_000;
/// The SDK's default trace elements per shard (sp1-core-executor 6.10.0 `ELEMENT_THRESHOLD`).
const SDK_ELEMENT_THRESHOLD: u64 = (1 << 28) + (1 << 27);
/// Trace elements per shard the host may choose when several shards are proven one at a time,
/// largest first: the SDK's default, then halvings down to a twelfth of it.
const ELEMENT_THRESHOLDS: [u64; 5] = [SDK_ELEMENT_THRESHOLD, 1 << 28, 1 << 27, 1 << 26, 1 << 25];
/// The peak of a run proving full shards one at a time ≈ a fixed part (the prover and its
/// recursion programs, the recursion proof beside the shard) + bytes per trace element of the
/// shard in flight. Measured on this project's 24 GB machines: 2^27 elements per shard peaked at
/// 20.2 GiB (ridge, 10,000 rows), 21.1 GiB (poly2, 1,000 rows, software SHA-256) and ran out of
/// memory above 21.9 GiB (poly2, 10,000 rows); 2^26 peaked at 15.8 GiB (poly2, 10,000 rows,
/// 7 shards, core) and 17.2 GiB (the same rows compressed: the recursion beside it). 13 GiB + 80
/// bytes per element (5 GiB per 2^26) puts 2^27 at 23 GiB and 2^26 at 18 GiB: at or above every
/// peak measured.
const SHARD_FIXED_BYTES: u64 = 13 * memory_guard::GIB;
const BYTES_PER_TRACE_ELEMENT: u64 = 80;

/// `n` as a power of two, or the sum of two (how SP1 writes its thresholds), else the number.
fn elements(n: u64) -> String {
    if n.is_power_of_two() {
        format!("2^{}", n.trailing_zeros())
    } else if (n - (1 << (63 - n.leading_zeros()))).is_power_of_two() {
        let high = 63 - n.leading_zeros();
        format!("2^{high}+2^{}", (n - (1 << high)).trailing_zeros())
    } else {
        n.to_string()
    }
}

impl Pipeline {
    fn choose(cycles: u64, budget: Option<u64>) -> Pipeline {
        let shards = cycles.div_ceil(CYCLES_PER_SHARD).max(1);
        let Some(budget) = budget else {
            return Pipeline {
                shards,
                core_workers: SDK_CORE_WORKERS,
                recursion_workers: SDK_RECURSION_PROVER_WORKERS,
                element_threshold: None,
                reason: "SDK defaults (no memory budget known)".into(),
            };
        };
        let core_workers = memory_guard::concurrency_within(budget, SHARD_PROOF_BYTES, SDK_CORE_WORKERS, shards);
        // Recursion proofs of early shards may run beside later core shard proofs.
        let recursion_budget = budget.saturating_sub(core_workers * SHARD_PROOF_BYTES);
        let recursion_workers =
            memory_guard::concurrency_within(recursion_budget, RECURSION_PROOF_BYTES, SDK_RECURSION_PROVER_WORKERS, u64::MAX);
        let mut reason = format!(
            "~{shards} shard(s) from {cycles} cycles; {:.1} GiB budget: ~{} GiB per core shard proof, ~{} GiB per recursion proof beside them",
            memory_guard::gib(budget),
            SHARD_PROOF_BYTES >> 30,
            RECURSION_PROOF_BYTES >> 30,
        );
        // Several shards proven one at a time fill each shard to the threshold: the largest
        // shard whose estimated peak fits the budget (the smallest offered when none does; the
        // memory guard then ends the run cleanly).
        let mut element_threshold = None;
        if shards > 1 && core_workers == 1 {
            let fits = memory_guard::largest_within(budget, SHARD_FIXED_BYTES, BYTES_PER_TRACE_ELEMENT, &ELEMENT_THRESHOLDS);
            let chosen = fits.unwrap_or(ELEMENT_THRESHOLDS[ELEMENT_THRESHOLDS.len() - 1]);
            let estimate = memory_guard::gib(SHARD_FIXED_BYTES + BYTES_PER_TRACE_ELEMENT * chosen);
            reason.push_str(&format!(
                "; several shards one at a time: {} trace elements per shard (SDK default {}), {} (~{estimate:.0} GiB estimated)",
                elements(chosen),
                elements(SDK_ELEMENT_THRESHOLD),
                if fits.is_some() { "the largest that fits" } else { "the smallest offered, though over the budget" },
            ));
            element_threshold = (chosen != SDK_ELEMENT_THRESHOLD).then_some(chosen);
        }
        Pipeline { shards, core_workers, recursion_workers, element_threshold, reason }
    }

    /// The `SP1_WORKER_*` (and shard size) settings this pipeline means.
    fn env(&self) -> Vec<(&'static str, u64)> {
        let mut env = vec![
            ("SP1_WORKER_NUM_CORE_WORKERS", self.core_workers),
            ("SP1_WORKER_CORE_BUFFER_SIZE", self.core_workers),
            ("SP1_WORKER_NUM_SPLICING_WORKERS", self.core_workers.min(2)),
            ("SP1_WORKER_SPLICING_BUFFER_SIZE", self.core_workers.min(2)),
            ("SP1_WORKER_NUM_RECURSION_PROVER_WORKERS", self.recursion_workers),
            ("SP1_WORKER_RECURSION_PROVER_BUFFER_SIZE", self.recursion_workers),
        ];
        env.extend(self.element_threshold.map(|t| ("ELEMENT_THRESHOLD", t)));
        env
    }

    /// Sets each setting the user has not set (theirs win), before the prover is built; returns
    /// the settings in effect.
    fn apply(&self) -> Vec<String> {
        self.env()
            .iter()
            .map(|(k, v)| match std::env::var(k) {
                Ok(theirs) => format!("{k}={theirs} (set by the user; the host's choice was {v})"),
                Err(_) => {
                    // Before the prover and its runtime exist; no other thread reads the environment.
                    std::env::set_var(k, v.to_string());
                    format!("{k}={v}")
                }
            })
            .collect()
    }
}

struct Sp1;

/// Our verifying key for a guest program: cached from an earlier setup, or recomputed (light
/// setup). The verifier trusts only these, never a key carried by a proof file.
async fn trusted_vk(light: &LightProver, name: &str) -> anyhow::Result<SP1VerifyingKey> {
    let (elf, elf_hash) = program(name)?;
    if let Some(vk) = std::fs::read(vk_path(&elf_hash)).ok().and_then(|b| bincode::deserialize(&b).ok()) {
        return Ok(vk);
    }
    let pk = light.setup(elf).await.map_err(|e| anyhow!("sp1 setup: {e}"))?;
    let vk = pk.verifying_key().clone();
    save_vk(&vk, &elf_hash)?;
    Ok(vk)
}

/// A plain execution (no proving machinery): the public values, the cycle count, the light
/// client's start-up and the execution's time.
struct Executed {
    public_values: Vec<u8>,
    cycles: u64,
    startup_s: f64,
    execute_s: f64,
}

fn execute_light(elf: &Elf, stdin: SP1Stdin) -> anyhow::Result<Executed> {
    runtime()?.block_on(async {
        let t = Instant::now();
        let light = ProverClient::builder().light().build().await;
        let startup_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (pv, report) = light.execute(elf.clone(), stdin).await.map_err(|e| anyhow!("sp1 execution: {e}"))?;
        Ok(Executed {
            public_values: pv.as_slice().to_vec(),
            cycles: report.total_instruction_count(),
            startup_s,
            execute_s: t.elapsed().as_secs_f64(),
        })
    })
}

/// One proof made by the CPU prover, with what it took.
struct Made {
    proof: SP1ProofWithPublicValues,
    vk: SP1VerifyingKey,
    setup_s: f64,
    prove_s: f64,
    shards: Option<u64>,
    notes: Vec<String>,
}

/// Proves `elf` on `stdin` (core or compressed) with the CPU prover, its pipeline sized from
/// the executed cycle count and the memory budget, and caches the verifying key. The one place
/// a proof is made: ordinary proofs, chunk proofs and aggregates all come through here.
fn prove_elf(elf: &Elf, elf_hash: &str, stdin: SP1Stdin, executed: &Executed, compressed: bool) -> anyhow::Result<Made> {
    let pipeline = Pipeline::choose(executed.cycles, memory_guard::limit_bytes()?);
    let user_settings = user_memory_settings();
    let pipeline_settings = pipeline.apply();
    let mode = if compressed { MODE_COMPRESSED } else { MODE_CORE };
    runtime()?.block_on(async {
        // The prover client's start-up is a fixed cost of every process, not of this
        // program: measured and reported on its own.
        let t = Instant::now();
        let client: CpuProver = ProverClient::builder().cpu().build().await;
        let startup_s = t.elapsed().as_secs_f64() + executed.startup_s;
        // Setup: key generation for this program (never billed as proving).
        let t = Instant::now();
        let pk = client.setup(elf.clone()).await.map_err(|e| anyhow!("sp1 setup: {e}"))?;
        let setup_s = t.elapsed().as_secs_f64();
        save_vk(pk.verifying_key(), elf_hash)?;
        let t = Instant::now();
        let request = client.prove(&pk, stdin);
        let request = if compressed { request.compressed() } else { request.core() };
        let proof = request.await.map_err(|e| anyhow!("sp1 proving ({mode}): {e}"))?;
        let prove_s = t.elapsed().as_secs_f64();
        if proof.public_values.as_slice() != executed.public_values {
            bail!("sp1: the proof's public values differ from the executed ones");
        }
        let shards = match &proof.proof {
            SP1Proof::Core(shards) => Some(shards.len() as u64),
            _ => None,
        };
        let mut notes = vec![format!("prover client start-up {startup_s:.1} s (a fixed cost per process; not in setup or prove)")];
        if compressed {
            notes.push("compressed: the core proof and its recursive compression in one SDK call (prove_s covers both)".into());
        }
        if let Some(n) = shards {
            notes.push(format!("{n} shard proofs"));
        }
        notes.push(format!("memory settings: {user_settings}"));
        notes.push(format!("prover pipeline: {} ({})", pipeline_settings.join(" "), pipeline.reason));
        Ok(Made { proof, vk: pk.verifying_key().clone(), setup_s, prove_s, shards, notes })
    })
}

/// Checks a proof payload: an SP1 proof of the expected kind that verifies against our own key
/// for `guest` and whose public values are `expected`. `Ok(Err(reason))` when it does not.
fn check_proof(
    payload: &[u8],
    want: &str,
    guest: &str,
    expected: &[u8],
) -> anyhow::Result<Result<(SP1ProofWithPublicValues, f64), (String, f64)>> {
    let proof: SP1ProofWithPublicValues = match bincode::deserialize(payload) {
        Ok(p) => p,
        Err(e) => return Ok(Err((format!("payload is not an SP1 proof: {e}"), 0.0))),
    };
    let kind_ok = matches!((&proof.proof, want), (SP1Proof::Core(_), MODE_CORE) | (SP1Proof::Compressed(_), MODE_COMPRESSED));
    if !kind_ok {
        return Ok(Err((format!("payload is not a {want} proof"), 0.0)));
    }
    runtime()?.block_on(async {
        let light = ProverClient::builder().light().build().await;
        let vk = trusted_vk(&light, guest).await?;
        let t = Instant::now();
        let result = light.verify(&proof, &vk, None);
        let verify_s = t.elapsed().as_secs_f64();
        if let Err(e) = result {
            return Ok(Err((format!("proof verification failed against our verifying key {} ({guest}): {e}", vk.bytes32()), verify_s)));
        }
        if proof.public_values.as_slice() != expected {
            return Ok(Err(("the proof's public values are not the claim in this file".into(), verify_s)));
        }
        Ok(Ok((proof, verify_s)))
    })
}

/// The chunk guest's verifying-key digest, as the aggregation guest takes and commits it.
fn chunk_vk_digest() -> anyhow::Result<[u32; 8]> {
    runtime()?.block_on(async {
        let light = ProverClient::builder().light().build().await;
        Ok(trusted_vk(&light, CHUNK_GUEST).await?.hash_u32())
    })
}

fn words_of(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap()))
}

/// What an aggregate's public values must be: the claim, then the chunk guest's key digest.
fn aggregate_public_values(claim: &Claim, vk_digest: &[u32; 8]) -> Vec<u8> {
    let mut pv = claim.encode().to_vec();
    pv.extend(vk_digest.iter().flat_map(|w| w.to_le_bytes()));
    pv
}

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
            programs: [
                (guest_name(Precompiles::On), Precompiles::On, None),
                (guest_name(Precompiles::Off), Precompiles::Off, None),
                (CHUNK_GUEST.to_string(), Precompiles::On, Some("chunk")),
                (AGGREGATE_GUEST.to_string(), Precompiles::On, Some(MODE_CHUNKED)),
            ]
            .into_iter()
            .filter_map(|(guest, p, role)| {
                let (_, elf_sha256) = program(&guest).ok()?;
                let vk: Option<SP1VerifyingKey> = std::fs::read(vk_path(&elf_sha256)).ok().and_then(|b| bincode::deserialize(&b).ok());
                Some(ProgramId {
                    precompiles: p,
                    elf_sha256,
                    id_kind: "vkey hash".into(),
                    id: vk.map(|vk| vk.bytes32()),
                    role: role.map(String::from),
                })
            })
            .collect(),
        }
    }

    fn execute(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ExecuteReport> {
        let (elf, _) = program(&guest_name(precompiles))?;
        let executed = execute_light(&elf, stdin_for(input))?;
        let claim = claim_from_public_values(&executed.public_values)?;
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
        let (elf, elf_hash) = program(&guest_name(precompiles))?;
        // Cycles and the claim from a plain execution (timed apart from proving), first: the
        // cycle count sizes the prover's pipeline, which is fixed when the prover is built.
        let executed = execute_light(&elf, stdin_for(input))?;
        let claim = claim_from_public_values(&executed.public_values)?;
        let made = prove_elf(&elf, &elf_hash, stdin_for(input), &executed, mode == MODE_COMPRESSED)?;
        let payload = bincode::serialize(&made.proof).context("serialising the proof")?;
        let info = self.info();
        Ok(ProveOutput {
            report: ProveReport {
                backend: NAME.into(),
                mode: mode.into(),
                precompiles,
                real_proof: true,
                claim: ClaimSummary::from(&claim),
                cycles: Some(Cycles { total: executed.cycles, segments: made.shards, ..Default::default() }),
                phases: Phases {
                    setup_s: Some(made.setup_s),
                    execute_s: Some(executed.execute_s),
                    prove_s: Some(made.prove_s),
                    ..Default::default()
                },
                proof_bytes: payload.len() as u64,
                proof_path: String::new(),
                notes: made.notes,
            },
            file: ProofFile { header: header(&info, mode, precompiles, true, Some(made.vk.bytes32())), claim, payload },
        })
    }

    fn chunking(&self) -> Result<(), String> {
        Ok(())
    }

    fn prove_chunk(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ChunkProveOutput> {
        if precompiles != Precompiles::On {
            bail!("sp1: chunks are proven by one chunk guest, with the SHA-256 precompile on");
        }
        let (elf, elf_hash) = program(CHUNK_GUEST)?;
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
        let result = check_proof(&file.payload, MODE_COMPRESSED, CHUNK_GUEST, &file.claim.encode())?;
        Ok(match result {
            Ok((_, verify_s)) => ChunkReport::of(NAME, file, true, None, Phases { verify_s: Some(verify_s), ..Default::default() }),
            Err((reason, verify_s)) => {
                ChunkReport::of(NAME, file, false, Some(reason), Phases { verify_s: Some(verify_s), ..Default::default() })
            }
        })
    }

    fn aggregate(&self, chunks: &[ChunkProofFile]) -> anyhow::Result<ProveOutput> {
        let t = Instant::now();
        // Each chunk proof is checked here first, so that a bad one is named by its index (the
        // aggregation's recursion would only fail the whole proof).
        let mut proofs = Vec::with_capacity(chunks.len());
        for f in chunks {
            let (proof, _) = check_proof(&f.payload, MODE_COMPRESSED, CHUNK_GUEST, &f.claim.encode())?
                .map_err(|(e, _)| anyhow!("chunk {} of {}: {e}", f.claim.chunk_index, f.claim.chunk_count))?;
            match proof.proof {
                SP1Proof::Compressed(p) => proofs.push(*p),
                _ => unreachable!("check_proof checked the kind"),
            }
        }
        let claims: Vec<ChunkClaim> = chunks.iter().map(|f| f.claim).collect();
        let claim = zkml_core::aggregate::<zkml_core::SoftwareSha256>(&claims).map_err(|e| anyhow!("cannot aggregate: {e}"))?;
        let chunk_vk = runtime()?.block_on(async {
            let light = ProverClient::builder().light().build().await;
            trusted_vk(&light, CHUNK_GUEST).await
        })?;
        let vk_digest = chunk_vk.hash_u32();
        let mut words: Vec<u32> = words_of(&AGGREGATE_INPUT_MAGIC).collect();
        words.extend_from_slice(&vk_digest);
        words.push(chunks.len() as u32);
        for c in &claims {
            words.extend(words_of(&c.encode()));
        }
        let stdin = || {
            let mut stdin = stdin_for(&words);
            for p in &proofs {
                stdin.write_proof(p.clone(), chunk_vk.vk.clone());
            }
            stdin
        };
        let (elf, elf_hash) = program(AGGREGATE_GUEST)?;
        let setup_s = t.elapsed().as_secs_f64();
        let executed = execute_light(&elf, stdin())?;
        let expected = aggregate_public_values(&claim, &vk_digest);
        if executed.public_values != expected {
            bail!("sp1: the aggregation guest's public values are not the aggregated claim and our chunk guest's key digest");
        }
        let made = prove_elf(&elf, &elf_hash, stdin(), &executed, true)?;
        let payload = bincode::serialize(&made.proof).context("serialising the proof")?;
        let mut notes = vec![format!(
            "chunked: {} compressed chunk proofs verified inside the aggregation guest (verify_sp1_proof), one compressed proof",
            chunks.len()
        )];
        notes.extend(made.notes);
        let info = self.info();
        Ok(ProveOutput {
            report: ProveReport {
                backend: NAME.into(),
                mode: MODE_CHUNKED.into(),
                precompiles: Precompiles::On,
                real_proof: true,
                claim: ClaimSummary::from(&claim),
                cycles: Some(Cycles { total: executed.cycles, ..Default::default() }),
                phases: Phases {
                    setup_s: Some(setup_s + made.setup_s),
                    execute_s: Some(executed.execute_s),
                    prove_s: Some(made.prove_s),
                    ..Default::default()
                },
                proof_bytes: payload.len() as u64,
                proof_path: String::new(),
                notes,
            },
            file: ProofFile { header: header(&info, MODE_CHUNKED, Precompiles::On, true, Some(made.vk.bytes32())), claim, payload },
        })
    }

    fn verify(&self, file: &ProofFile) -> anyhow::Result<VerifyReport> {
        // Our own guest and key decide, never the proof file; an aggregate must also carry our
        // own chunk guest's key digest (the chunks it verified).
        let (want, guest, expected) = match file.header.mode.as_str() {
            MODE_CORE | MODE_COMPRESSED => (file.header.mode.as_str(), guest_name(file.header.precompiles), file.claim.encode().to_vec()),
            MODE_CHUNKED => (MODE_COMPRESSED, AGGREGATE_GUEST.to_string(), aggregate_public_values(&file.claim, &chunk_vk_digest()?)),
            other => bail!("sp1: cannot verify mode {other:?}"),
        };
        Ok(match check_proof(&file.payload, want, &guest, &expected)? {
            Ok((_, verify_s)) => VerifyReport::valid(NAME, file, true, verify_s),
            Err((reason, verify_s)) => VerifyReport::invalid(NAME, file, true, reason, verify_s),
        })
    }
}

fn main() -> std::process::ExitCode {
    run_cli(Sp1)
}
