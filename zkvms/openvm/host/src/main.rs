//! zkml-bench backend for OpenVM 2.0.2: app (continuation STARK) proofs of the accuracy claim,
//! built entirely from crates.io.

use anyhow::{anyhow, bail};
use openvm_continuations::CommitBytes;
use openvm_sdk::config::{AggregationSystemParams, AggregationTreeConfig, AppConfig, MAX_NUM_CHILDREN_INTERNAL, MAX_NUM_CHILDREN_LEAF};
use openvm_sdk::openvm_circuit::arch::ContinuationVmProof;
use openvm_sdk::prover::verify_app_proof;
use openvm_sdk::{Sdk, StdIn, SC};
use openvm_sdk_config::SdkVmConfig;
use openvm_stark_sdk::config::app_params_with_100_bits_security;
use sha2::{Digest as _, Sha256};
use std::path::PathBuf;
use std::time::Instant;
use zkml_core::{Claim, CLAIM_LEN};
use zkml_protocol::backend::{cache_dir, header, read_guest};
use zkml_protocol::*;

mod evm;
mod kzg;

const NAME: &str = "openvm";
const SDK: &str = "openvm-sdk 2.0.2";
const MODE_APP: &str = "app";
/// Aggregated (recursive) STARK: one constant-size proof of the whole execution.
const MODE_STARK: &str = "stark";
/// The aggregated STARK wrapped in halo2/KZG SNARKs: the zero-knowledge mode (see `evm.rs`).
const MODE_EVM: &str = "evm";
/// Trace stacking height. The SDK's default (24) spends about a minute committing even a tiny
/// program; 20 keeps the same stated 100-bit security and is ~10x faster on small inputs
/// (19 is the minimum for rv32im). Override with ZKML_OPENVM_LOG_STACKED_HEIGHT.
const DEFAULT_LOG_STACKED_HEIGHT: usize = 20;
/// OpenVM's public-value count must be a power of two: the claim's bytes, then zeros.
const PUBLIC_VALUES: usize = CLAIM_LEN.next_power_of_two();

fn guest_elf(precompiles: Precompiles) -> anyhow::Result<(Vec<u8>, String)> {
    let elf = read_guest(
        "ZKML_OPENVM_GUEST_DIR",
        "openvm-guest/riscv32im-risc0-zkvm-elf/release",
        &format!("zkml-openvm-precompiles-{precompiles}"),
    )?;
    Ok((elf.bytes, elf.sha256))
}

fn log_stacked_height() -> usize {
    std::env::var("ZKML_OPENVM_LOG_STACKED_HEIGHT").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_LOG_STACKED_HEIGHT)
}

/// RV32IM + IO + the SHA-2 extension, with room for the claim as public values. Both guests
/// (precompiles on and off) run on this same VM, so they share keys and differ only in code.
fn app_config() -> AppConfig<SdkVmConfig> {
    let mut vm = SdkVmConfig::builder()
        .system(Default::default())
        .rv32i(Default::default())
        .rv32m(Default::default())
        .io(Default::default())
        .sha2(Default::default())
        .build()
        .optimize();
    vm.system.config = vm.system.config.clone().with_public_values(PUBLIC_VALUES);
    AppConfig::new(vm, app_params_with_100_bits_security(log_stacked_height()))
}

/// The aggregation tree's fan-in, children per leaf and per internal proof:
/// `ZKML_OPENVM_AGG_FAN_IN=LEAF,INTERNAL`; unset: the SDK's maxima (4, 3). A lever against
/// memory (issue #35). It only groups proofs at run time (openvm-sdk's `prover/agg.rs` chunks
/// the segment proofs by it); every circuit and key is built for the maxima, so key generation
/// — and the static verifier's halo2 key generation in `evm` mode — does not see it.
fn agg_tree_config() -> anyhow::Result<AggregationTreeConfig> {
    let Some(value) = std::env::var_os("ZKML_OPENVM_AGG_FAN_IN") else {
        return Ok(AggregationTreeConfig::default());
    };
    parse_fan_in(&value.to_string_lossy())
}

fn parse_fan_in(value: &str) -> anyhow::Result<AggregationTreeConfig> {
    let parsed = value.split_once(',').and_then(|(l, i)| Some((l.trim().parse::<usize>().ok()?, i.trim().parse::<usize>().ok()?)));
    match parsed {
        Some((leaf @ 1..=MAX_NUM_CHILDREN_LEAF, internal @ 2..=MAX_NUM_CHILDREN_INTERNAL)) => {
            Ok(AggregationTreeConfig { num_children_leaf: leaf, num_children_internal: internal })
        }
        _ => bail!(
            "ZKML_OPENVM_AGG_FAN_IN={value:?}: expected LEAF,INTERNAL with LEAF in 1..={MAX_NUM_CHILDREN_LEAF} and INTERNAL in \
             2..={MAX_NUM_CHILDREN_INTERNAL} (openvm-sdk's maxima; an internal fan-in of 1 never reduces to one proof)"
        ),
    }
}

/// The one SDK every mode uses: our VM, the SDK's aggregation parameters and fan-in, and the
/// local KZG parameters (read only by `evm`).
fn sdk() -> anyhow::Result<Sdk> {
    Sdk::builder()
        .app_config(app_config())
        .agg_params(AggregationSystemParams::default())
        .agg_tree_config(agg_tree_config()?)
        .halo2_params_dir(evm::params_dir())
        .build()
        .map_err(|e| anyhow!("openvm sdk: {e}"))
}

/// What a run's settings differ in from the defaults, for `info` and every proof's notes: a
/// result measured with a lever pulled says so.
fn settings_note() -> Option<String> {
    let mut s = Vec::new();
    if std::env::var_os("ZKML_OPENVM_AGG_FAN_IN").is_some() {
        if let Ok(c) = agg_tree_config() {
            s.push(format!(
                "aggregation fan-in leaf {} / internal {} (ZKML_OPENVM_AGG_FAN_IN; default 4 / 3)",
                c.num_children_leaf, c.num_children_internal
            ));
        }
    }
    if let Some(n) = std::env::var_os("RAYON_NUM_THREADS") {
        s.push(format!("RAYON_NUM_THREADS={} (prover threads; default one per core)", n.to_string_lossy()));
    }
    (!s.is_empty()).then(|| format!("settings: {}", s.join("; ")))
}

/// Where keys derived from our own configuration are cached (a verifier trusts only these).
fn key_dir() -> PathBuf {
    let fp = hex::encode(&Sha256::digest(format!("{SDK} lsh={} pv={PUBLIC_VALUES} rv32im+io+sha2", log_stacked_height()))[..8]);
    cache_dir().join("openvm/keys").join(fp)
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
    /// Caches the verifying key (derived from our own configuration) and our guest's exe
    /// commit, so that `verify` need not redo key generation.
    fn save_keys(&self, vk: &openvm_sdk::keygen::AppVerifyingKey, elf_hash: &str, commit: &str) -> anyhow::Result<()> {
        let dir = key_dir();
        std::fs::create_dir_all(&dir)?;
        let vk_path = dir.join("app_vk.bitcode");
        if !vk_path.exists() {
            files::write_bytes_atomically(&vk_path, &bitcode::serialize(vk)?)?;
        }
        files::write_bytes_atomically(&dir.join(format!("exe-commit-{elf_hash}.txt")), commit.as_bytes())?;
        Ok(())
    }

    /// The verifying key and the expected exe commit of our own guest, from the cache or
    /// recomputed from the configuration and the ELF.
    fn trusted_keys(&self, precompiles: Precompiles) -> anyhow::Result<(openvm_sdk::keygen::AppVerifyingKey, String)> {
        let (elf, elf_hash) = guest_elf(precompiles)?;
        let dir = key_dir();
        let vk = std::fs::read(dir.join("app_vk.bitcode")).ok().and_then(|b| bitcode::deserialize(&b).ok());
        let commit = std::fs::read_to_string(dir.join(format!("exe-commit-{elf_hash}.txt"))).ok();
        match (vk, commit) {
            (Some(vk), Some(c)) => Ok((vk, c)),
            _ => {
                let sdk = sdk()?;
                let prover = sdk.app_prover(elf).map_err(|e| anyhow!("openvm app prover: {e}"))?;
                let commit = CommitBytes::from(prover.app_exe_commit()).to_string();
                let vk = sdk.app_vk();
                self.save_keys(&vk, &elf_hash, &commit)?;
                Ok((vk, commit))
            }
        }
    }
}

type AggVk = openvm_stark_backend::keygen::types::MultiStarkVerifyingKey<SC>;
type Baseline = openvm_verify_stark_host::vk::VerificationBaseline;

impl OpenVm {
    /// The aggregation verifying key and our guest's verification baseline (which commits to
    /// the exe): from the verifier's own key generation, cached like the app keys.
    fn trusted_stark_keys(&self, sdk: Option<&Sdk>, precompiles: Precompiles) -> anyhow::Result<(AggVk, Baseline)> {
        let (elf, elf_hash) = guest_elf(precompiles)?;
        let dir = key_dir();
        let vk_path = dir.join("agg_vk.bitcode");
        let baseline_path = dir.join(format!("baseline-{elf_hash}.bitcode"));
        let vk: Option<AggVk> = std::fs::read(&vk_path).ok().and_then(|b| bitcode::deserialize(&b).ok());
        let baseline: Option<Baseline> = std::fs::read(&baseline_path).ok().and_then(|b| bitcode::deserialize(&b).ok());
        if let (Some(vk), Some(b)) = (vk, baseline) {
            return Ok((vk, b));
        }
        let owned;
        let sdk = match sdk {
            Some(s) => s,
            None => {
                owned = self::sdk()?;
                &owned
            }
        };
        let (_, agg_vk) = sdk.agg_keygen();
        let baseline = sdk.prover(elf).map_err(|e| anyhow!("openvm stark prover: {e}"))?.generate_baseline();
        std::fs::create_dir_all(&dir)?;
        files::write_bytes_atomically(&vk_path, &bitcode::serialize(&agg_vk)?)?;
        files::write_bytes_atomically(&baseline_path, &bitcode::serialize(&baseline)?)?;
        Ok((agg_vk, baseline))
    }

    fn prove_stark(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ProveOutput> {
        use openvm_stark_backend::codec::Encode;
        let (elf, _) = guest_elf(precompiles)?;
        let sdk = sdk()?;
        // Setup: app and aggregation keys, the exe's baseline (never billed as proving).
        let t = Instant::now();
        let _ = sdk.app_keygen();
        let (_, baseline) = self.trusted_stark_keys(Some(&sdk), precompiles)?;
        let mut prover = sdk.prover(elf.clone()).map_err(|e| anyhow!("openvm stark prover: {e}"))?;
        let setup_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (pv, segments) = sdk.execute_metered(elf, stdin_for(input)).map_err(|e| anyhow!("openvm execution: {e}"))?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = claim_from_public_values(&pv)?;
        let t = Instant::now();
        let (proof, _) = prover.prove(stdin_for(input), &[]).map_err(|e| anyhow!("openvm stark proving: {e}"))?;
        let prove_s = t.elapsed().as_secs_f64();
        let proven: Vec<u8> = proof.user_pvs_proof.public_values.iter().map(field_byte).collect::<anyhow::Result<_>>()?;
        if proven != expected_public_values(&claim) {
            bail!("openvm: the proof's public values differ from the executed claim");
        }
        let payload = proof.encode_to_vec().map_err(|e| anyhow!("encoding the stark proof: {e}"))?;
        let commit = CommitBytes::from(baseline.app_exe_commit).to_string();
        // The app proofs and their aggregation happen inside one SDK call: all of it is reported
        // as proving (compress is not separable here).
        let phases = Phases { setup_s: Some(setup_s), execute_s: Some(execute_s), prove_s: Some(prove_s), ..Default::default() };
        let note = "aggregated STARK: app proofs recursively aggregated into one proof";
        Ok(self.proof_output(MODE_STARK, precompiles, claim, &segments, phases, payload, commit, vec![note.into()]))
    }

    fn verify_stark(&self, file: &ProofFile) -> anyhow::Result<VerifyReport> {
        use openvm_stark_backend::codec::Decode;
        let (agg_vk, baseline) = self.trusted_stark_keys(None, file.header.precompiles)?;
        let invalid = |reason: String, verify_s: f64| VerifyReport::invalid(NAME, file, true, reason, verify_s);
        let proof = match openvm_verify_stark_host::VmStarkProof::decode_from_bytes(&file.payload) {
            Ok(p) => p,
            Err(e) => return Ok(invalid(format!("payload is not an OpenVM STARK proof: {e}"), 0.0)),
        };
        let t = Instant::now();
        let result = Sdk::verify_proof(agg_vk, baseline, &proof);
        let verify_s = t.elapsed().as_secs_f64();
        if let Err(e) = result {
            return Ok(invalid(format!("STARK verification failed (or proof of another program): {e}"), verify_s));
        }
        Ok(report_public_values(file, &proof.user_pvs_proof.public_values, verify_s))
    }
}

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
        ProveOutput {
            report: ProveReport {
                backend: NAME.into(),
                mode: mode.into(),
                precompiles,
                real_proof: true,
                claim: ClaimSummary::from(&claim),
                cycles: Some(Cycles {
                    total: segments.iter().map(|s| s.num_insns).sum(),
                    segments: Some(segments.len() as u64),
                    ..Default::default()
                }),
                phases,
                proof_bytes: payload.len() as u64,
                proof_path: String::new(),
                notes,
            },
            file: ProofFile { header: header(&info, mode, precompiles, true, Some(commit)), claim, payload },
        }
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
            programs: [Precompiles::On, Precompiles::Off]
                .into_iter()
                .filter_map(|p| {
                    let (_, elf_sha256) = guest_elf(p).ok()?;
                    let id = std::fs::read_to_string(key_dir().join(format!("exe-commit-{elf_sha256}.txt"))).ok();
                    Some(ProgramId { precompiles: p, elf_sha256, id_kind: "exe commit".into(), id, role: None })
                })
                .collect(),
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
        if file.header.mode == MODE_STARK {
            return self.verify_stark(file);
        }
        if file.header.mode == MODE_EVM {
            return self.verify_evm(file);
        }
        let (vk, expected_commit) = self.trusted_keys(file.header.precompiles)?;
        let invalid = |reason: String, verify_s: f64| VerifyReport::invalid(NAME, file, true, reason, verify_s);
        let proof: ContinuationVmProof<SC> = match bitcode::deserialize(&file.payload) {
            Ok(p) => p,
            Err(e) => return Ok(invalid(format!("payload is not an OpenVM app proof: {e}"), 0.0)),
        };
        let t = Instant::now();
        let result = verify_app_proof::<openvm_sdk::DefaultStarkEngine>(&vk, &proof);
        let verify_s = t.elapsed().as_secs_f64();
        let exe_commit = match result {
            Ok(c) => CommitBytes::from(c).to_string(),
            Err(e) => return Ok(invalid(format!("STARK verification failed: {e}"), verify_s)),
        };
        if exe_commit != expected_commit {
            return Ok(invalid(
                format!(
                    "proof is of another program (exe commit {exe_commit}, expected {expected_commit} for precompiles {})",
                    file.header.precompiles
                ),
                verify_s,
            ));
        }
        Ok(report_public_values(file, &proof.user_public_values.public_values, verify_s))
    }
}

/// The verdict once the STARK itself verified: valid only if the proven public values are
/// exactly this file's claim (and its zero padding).
fn report_public_values(file: &ProofFile, public_values: &[openvm_sdk::F], verify_s: f64) -> VerifyReport {
    match public_values.iter().map(field_byte).collect::<anyhow::Result<Vec<u8>>>() {
        Ok(bytes) if bytes == expected_public_values(&file.claim) => VerifyReport::valid(NAME, file, true, verify_s),
        Ok(_) => VerifyReport::invalid(NAME, file, true, "the proof's public values are not the claim in this file", verify_s),
        Err(e) => VerifyReport::invalid(NAME, file, true, e.to_string(), verify_s),
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

#[cfg(test)]
mod tests {
    use super::parse_fan_in;

    #[test]
    fn fan_in_is_leaf_comma_internal_within_the_sdk_maxima() {
        let c = parse_fan_in("1, 2").unwrap();
        assert_eq!((c.num_children_leaf, c.num_children_internal), (1, 2));
        let c = parse_fan_in("4,3").unwrap();
        assert_eq!((c.num_children_leaf, c.num_children_internal), (4, 3));
        for bad in ["", "2", "0,2", "5,3", "2,1", "2,4", "a,b", "2,3,1"] {
            let e = parse_fan_in(bad).unwrap_err().to_string();
            assert!(e.contains("LEAF,INTERNAL"), "{bad:?}: {e}");
        }
    }
}
