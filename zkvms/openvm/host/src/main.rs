//! zkml-bench backend for OpenVM 2.0.2: app (continuation STARK) proofs of the accuracy claim,
//! built entirely from crates.io.

use anyhow::{anyhow, bail};
use config::{key_dir, log_stacked_height, sdk, settings_note};
use openvm_continuations::CommitBytes;
use openvm_sdk::openvm_circuit::arch::ContinuationVmProof;
use openvm_sdk::prover::verify_app_proof;
use openvm_sdk::{StdIn, SC};
use std::time::Instant;
use zkml_core::{Claim, CLAIM_LEN};
use zkml_protocol::backend::{header, read_guest};
use zkml_protocol::*;

mod config;
mod evm;
mod keys;
mod kzg;
mod stark;

const NAME: &str = "openvm";
const SDK: &str = "openvm-sdk 2.0.2";
const MODE_APP: &str = "app";
/// Aggregated (recursive) STARK: one constant-size proof of the whole execution.
const MODE_STARK: &str = "stark";
/// The aggregated STARK wrapped in halo2/KZG SNARKs: the zero-knowledge mode (see `evm.rs`).
const MODE_EVM: &str = "evm";
/// OpenVM's public-value count must be a power of two: the claim's bytes, then zeros.
const PUBLIC_VALUES: usize = CLAIM_LEN.next_power_of_two();

/// Our guests: one per precompile setting (OpenVM does not prove in chunks here).
const GUESTS: Guests = Guests { vm: "openvm", chunking: false };
const GUEST_DIR_ENV: &str = "ZKML_OPENVM_GUEST_DIR";
const GUEST_BUILT: &str = "openvm-guest/riscv32im-risc0-zkvm-elf/release";

/// Our guest of a precompile setting and its SHA-256.
fn guest_elf(precompiles: Precompiles) -> anyhow::Result<(Vec<u8>, String)> {
    let elf = read_guest(GUEST_DIR_ENV, GUEST_BUILT, &GUESTS.file(Role::Ordinary(precompiles)))?;
    Ok((elf.bytes, elf.sha256))
}

fn stdin_for(input: &[u32]) -> StdIn {
    let mut stdin = StdIn::default();
    stdin.write_bytes(zkml_core::words_as_bytes(input));
    stdin
}

fn claim_from_public_values(pv: &[u8]) -> anyhow::Result<Claim> {
    if pv.len() != PUBLIC_VALUES || pv[CLAIM_LEN..].iter().any(|&b| b != 0) {
        bail!("guest public values are not a claim followed by zero padding");
    }
    Claim::decode(&pv[..CLAIM_LEN]).map_err(|e| anyhow!("guest public values are not a claim: {e}"))
}

/// The public values a proof of `claim` must carry.
fn expected_public_values(claim: &Claim) -> Vec<u8> {
    let mut pv = claim.encode().to_vec();
    pv.resize(PUBLIC_VALUES, 0);
    pv
}

struct OpenVm;

impl OpenVm {
    /// The report and proof file of a finished proof, common to every mode (with the settings
    /// the run differed in, if any).
    #[allow(clippy::too_many_arguments)]
    fn proof_output(
        &self,
        mode: &str,
        precompiles: Precompiles,
        claim: Claim,
        segments: &[openvm_sdk::openvm_circuit::arch::execution_mode::Segment],
        phases: Phases,
        payload: Vec<u8>,
        commit: String,
        mut notes: Vec<String>,
    ) -> ProveOutput {
        let info = self.info();
        notes.extend(settings_note());
        let file = ProofFile { header: header(&info, mode, precompiles, true, Some(commit)), claim, payload };
        let cycles =
            Cycles { total: segments.iter().map(|s| s.num_insns).sum(), segments: Some(segments.len() as u64), ..Default::default() };
        ProveOutput::new(file, Some(cycles), phases, notes)
    }
}

impl Backend for OpenVm {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            protocol_version: PROTOCOL_VERSION,
            name: NAME.into(),
            sdk: SDK.into(),
            isa: "rv32im".into(),
            proof_system: format!(
                "STARK over BabyBear (Poseidon2, WHIR), continuation app proof per segment; log_stacked_height {}",
                log_stacked_height()
            ),
            produces_proofs: true,
            zero_knowledge: "per mode. app, stark: not claimed: openvm-sdk 2.0.2 sets 100-bit soundness parameters \
                (app_params_with_100_bits_security) but documents no hiding/zero-knowledge property for its STARKs; treat \
                such a proof as possibly leaking information about the private rows. evm: claimed by construction, not by \
                OpenVM: only a halo2/KZG (PLONK) proof is published, whose random blinding hides its witness (the halo2 \
                book, \"Zero-knowledge\"; snark-verifier-sdk's gen_evm_proof draws it from the OS), and the STARKs are \
                witnesses inside it; no written proof or audit of this composition is known to us"
                .into(),
            security_bits: Some(100),
            proof_modes: vec![
                ProofMode::new(MODE_APP, ProofFamily::Segmented, false),
                ProofMode::new(MODE_STARK, ProofFamily::Aggregated, false),
                ProofMode::new(MODE_EVM, ProofFamily::Snark, true),
            ],
            precompiles: vec![Precompiles::On, Precompiles::Off],
            gpu: false,
            notes: [
                Some("CPU prover (openvm-sdk without the cuda feature)".to_string()),
                Some(format!(
                    "evm: needs more than 22 GiB of memory — measured on a 2-core, 24 GiB machine (2026-12-06): the static \
                     verifier's halo2 key generation (k={}) passed 22.0 GiB after 7 minutes and was stopped there; no proof \
                     has been made on such a machine",
                    evm::VERIFIER_K
                )),
                settings_note(),
            ]
            .into_iter()
            .flatten()
            .collect(),
            own_quantisation: None,
            // The exe commit is known once a prove or verify has cached it.
            programs: GUESTS.program_ids("exe commit", |file| {
                let elf_sha256 = read_guest(GUEST_DIR_ENV, GUEST_BUILT, file).ok()?.sha256;
                let id = std::fs::read_to_string(key_dir().join(format!("exe-commit-{elf_sha256}.txt"))).ok();
                Some((elf_sha256, id))
            }),
        }
    }

    fn execute(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ExecuteReport> {
        let (elf, _) = guest_elf(precompiles)?;
        let sdk = sdk()?;
        let t = Instant::now();
        let _ = sdk.app_pk();
        let setup_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (pv, segments) = sdk.execute_metered(elf, stdin_for(input)).map_err(|e| anyhow!("openvm execution: {e}"))?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = claim_from_public_values(&pv)?;
        Ok(ExecuteReport {
            backend: NAME.into(),
            precompiles,
            claim: ClaimSummary::from(&claim),
            cycles: Some(Cycles {
                total: segments.iter().map(|s| s.num_insns).sum(),
                segments: Some(segments.len() as u64),
                ..Default::default()
            }),
            phases: Phases { setup_s: Some(setup_s), execute_s: Some(execute_s), ..Default::default() },
        })
    }

    fn prove(&self, input: &[u32], mode: &str, precompiles: Precompiles) -> anyhow::Result<ProveOutput> {
        if mode == MODE_STARK {
            return self.prove_stark(input, precompiles);
        }
        if mode == MODE_EVM {
            return self.prove_evm(input, precompiles);
        }
        if mode != MODE_APP {
            bail!("openvm: unknown mode {mode}");
        }
        let (elf, elf_hash) = guest_elf(precompiles)?;
        let sdk = sdk()?;
        // Setup: key generation and the program commitment (never billed as proving).
        let t = Instant::now();
        let (_, vk) = sdk.app_keygen();
        let mut prover = sdk.app_prover(elf.clone()).map_err(|e| anyhow!("openvm app prover: {e}"))?;
        let commit = CommitBytes::from(prover.app_exe_commit()).to_string();
        let setup_s = t.elapsed().as_secs_f64();
        self.save_keys(&vk, &elf_hash, &commit)?;
        // Cycle count and segments from a metered execution (timed separately from proving).
        let t = Instant::now();
        let (pv, segments) = sdk.execute_metered(elf, stdin_for(input)).map_err(|e| anyhow!("openvm execution: {e}"))?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = claim_from_public_values(&pv)?;
        let t = Instant::now();
        let proof = prover.prove(stdin_for(input)).map_err(|e| anyhow!("openvm proving: {e}"))?;
        let prove_s = t.elapsed().as_secs_f64();
        let proven: Vec<u8> = proof.user_public_values.public_values.iter().map(field_byte).collect::<anyhow::Result<_>>()?;
        if proven != expected_public_values(&claim) {
            bail!("openvm: the proof's public values differ from the executed claim");
        }
        let payload = bitcode::serialize(&proof)?;
        let phases = Phases { setup_s: Some(setup_s), execute_s: Some(execute_s), prove_s: Some(prove_s), ..Default::default() };
        Ok(self.proof_output(mode, precompiles, claim, &segments, phases, payload, commit, vec![]))
    }

    fn verify(&self, file: &ProofFile) -> anyhow::Result<VerifyReport> {
        let checked = match file.header.mode.as_str() {
            MODE_APP => self.check_app(file)?,
            MODE_STARK => self.check_stark(file)?,
            MODE_EVM => self.check_evm(file)?,
            other => bail!("openvm: cannot verify mode {other:?}"),
        };
        Ok(VerifyReport::checked(NAME, file, true, checked))
    }
}

impl OpenVm {
    /// Checks an app proof against our verifying key and our guest's exe commit.
    fn check_app(&self, file: &ProofFile) -> anyhow::Result<Checked> {
        let (vk, expected_commit) = self.trusted_keys(file.header.precompiles)?;
        let proof: ContinuationVmProof<SC> = match bitcode::deserialize(&file.payload) {
            Ok(p) => p,
            Err(e) => return Ok(Err(Rejected::unread(format!("payload is not an OpenVM app proof: {e}")))),
        };
        let t = Instant::now();
        let result = verify_app_proof::<openvm_sdk::DefaultStarkEngine>(&vk, &proof);
        let verify_s = t.elapsed().as_secs_f64();
        let exe_commit = match result {
            Ok(c) => CommitBytes::from(c).to_string(),
            Err(e) => return Ok(Err(Rejected::new(format!("STARK verification failed: {e}"), verify_s))),
        };
        if exe_commit != expected_commit {
            let reason = format!(
                "proof is of another program (exe commit {exe_commit}, expected {expected_commit} for precompiles {})",
                file.header.precompiles
            );
            return Ok(Err(Rejected::new(reason, verify_s)));
        }
        Ok(check_public_values(file, &proof.user_public_values.public_values, verify_s))
    }
}

/// The verdict once the STARK itself verified: valid only if the proven public values are
/// exactly this file's claim (and its zero padding).
fn check_public_values(file: &ProofFile, public_values: &[openvm_sdk::F], verify_s: f64) -> Checked {
    match public_values.iter().map(field_byte).collect::<anyhow::Result<Vec<u8>>>() {
        Ok(bytes) if bytes == expected_public_values(&file.claim) => Ok(verify_s),
        Ok(_) => Err(Rejected::new("the proof's public values are not the claim in this file", verify_s)),
        Err(e) => Err(Rejected::new(e.to_string(), verify_s)),
    }
}

/// A public value is one byte stored in a field element.
fn field_byte(f: &openvm_sdk::F) -> anyhow::Result<u8> {
    use openvm_stark_backend::p3_field::PrimeField32;
    u8::try_from(f.as_canonical_u32()).map_err(|_| anyhow!("public value {} is not a byte", f.as_canonical_u32()))
}

fn main() -> std::process::ExitCode {
    run_cli(OpenVm)
}
