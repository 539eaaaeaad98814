//! Executing and proving: the light client for plain executions, the CPU prover for proofs.
//! The one place a proof is made: ordinary proofs, chunk proofs and aggregates all come
//! through [`prove_elf`].

use crate::keys::save_vk;
use crate::pipeline::{user_memory_settings, Pipeline};
use crate::{MODE_COMPRESSED, MODE_CORE};
use anyhow::{anyhow, bail, Context};
use sp1_sdk::{
    CpuProver, Elf, ProveRequest, Prover, ProverClient, ProvingKey, SP1Proof, SP1ProofWithPublicValues, SP1Stdin, SP1VerifyingKey,
};
use std::time::Instant;
use zkml_protocol::memory_guard;

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("tokio runtime")
}

pub fn stdin_for(input: &[u32]) -> SP1Stdin {
    let mut stdin = SP1Stdin::new();
    stdin.write_vec(zkml_core::words_as_bytes(input).to_vec());
    stdin
}

/// A plain execution (no proving machinery): the public values, the cycle count, the light
/// client's start-up and the execution's time.
pub struct Executed {
    pub public_values: Vec<u8>,
    pub cycles: u64,
    pub startup_s: f64,
    pub execute_s: f64,
}

pub fn execute_light(elf: &Elf, stdin: SP1Stdin) -> anyhow::Result<Executed> {
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
pub struct Made {
    pub proof: SP1ProofWithPublicValues,
    pub vk: SP1VerifyingKey,
    pub setup_s: f64,
    pub prove_s: f64,
    pub shards: Option<u64>,
    pub notes: Vec<String>,
}

/// Proves `elf` on `stdin` (core or compressed) with the CPU prover, its pipeline sized from
/// the executed cycle count and the memory budget, and caches the verifying key.
pub fn prove_elf(elf: &Elf, elf_hash: &str, stdin: SP1Stdin, executed: &Executed, compressed: bool) -> anyhow::Result<Made> {
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
