//! The zero-knowledge `evm` mode: OpenVM's aggregated STARK, its root STARK over BN254, then
//! two halo2/KZG circuits (openvm-sdk feature `evm-prove`): a "static verifier" that checks the
//! root STARK, and a wrapper (SHPLONK, Keccak transcript) whose proof is what Ethereum would
//! verify. Only the wrapper's proof leaves the machine; the STARKs and the static verifier's
//! proof are witnesses inside it.
//!
//! Zero knowledge: halo2's PLONK hides its witness with random blinding rows (the halo2 book,
//! "Zero-knowledge"), and the wrapper draws that randomness from the OS
//! (`snark_verifier_sdk::evm::gen_evm_proof`: `StdRng::from_entropy`). The inner static
//! verifier's proof uses a fixed seed (`ChaCha20Rng::from_seed(Default::default())`), but it is
//! never published: it is a private witness of the wrapper.
//!
//! KZG parameters: generated here, once, into the cache (`ParamsKZG::setup` with the OS's
//! randomness; the secret is dropped when it returns) — never downloaded. A local setup is not
//! a ceremony: whoever made the parameters could forge proofs for them, so a verifier trusts a
//! proof only against parameters it made or trusts. Hiding does not depend on who made them.
//!
//! Verification is native (no Solidity compiler): halo2's `verify_proof` with the Keccak
//! transcript over the wrapper's verifying key, then the pairing check of the KZG accumulator
//! the wrapper carries in its first 12 public inputs — what the on-chain verifier computes.

use crate::{expected_public_values, guest_elf, key_dir, sdk, settings_note, stdin_for, OpenVm, MODE_EVM};
use anyhow::{anyhow, bail, Context as _};
use halo2_base::gates::circuit::{builder::BaseCircuitBuilder, BaseCircuitParams};
use halo2_base::halo2_proofs::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_base::halo2_proofs::plonk::{verify_proof, VerifyingKey};
use halo2_base::halo2_proofs::poly::commitment::ParamsProver as _;
use halo2_base::halo2_proofs::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_base::halo2_proofs::poly::kzg::multiopen::VerifierSHPLONK;
use halo2_base::halo2_proofs::poly::kzg::strategy::AccumulatorStrategy;
use halo2_base::halo2_proofs::poly::VerificationStrategy;
use halo2_base::halo2_proofs::transcript::TranscriptReadBuffer as _;
use halo2_base::halo2_proofs::SerdeFormat;
use openvm_sdk::types::{EvmProof, NUM_BN254_ACCUMULATOR};
use openvm_static_verifier::keygen::RawEvmProof;
use serde::{Deserialize, Serialize};
use snark_verifier_sdk::snark_verifier::loader::native::NativeLoader;
use snark_verifier_sdk::snark_verifier::pcs::kzg::{KzgDecidingKey, LimbsEncoding};
use snark_verifier_sdk::snark_verifier::pcs::{AccumulationDecider, AccumulatorEncoding};
use snark_verifier_sdk::snark_verifier::system::halo2::transcript::evm::EvmTranscript;
use snark_verifier_sdk::{BITS, LIMBS, SHPLONK};
use std::path::PathBuf;
use std::time::Instant;
use zkml_protocol::backend::cache_dir;
use zkml_protocol::*;

/// The static verifier's circuit size (openvm-static-verifier's `DEFAULT_HALO2_VERIFIER_K`).
pub const VERIFIER_K: u32 = openvm_static_verifier::config::DEFAULT_HALO2_VERIFIER_K as u32;
/// Where the local KZG setup lives (`kzg_bn254_<k>.srs`, the SDK's file names and format).
pub fn params_dir() -> PathBuf {
    cache_dir().join("openvm/kzg-local-setup")
}

fn params_path(k: u32) -> PathBuf {
    params_dir().join(format!("kzg_bn254_{k}.srs"))
}

/// The sizes written: the static verifier's, and every size the SDK's auto-tuning may pick for
/// the wrapper (`Halo2WrapperProvingKey::select_k` starts at 2^20 rows).
const SIZES: std::ops::RangeInclusive<u32> = 20..=VERIFIER_K;

/// Generates the KZG parameters once, every size from one secret (the wrapper's accumulator is
/// checked against the static verifier's parameters: they must share it); returns the seconds
/// spent (0 when they exist). A set written by an interrupted run is replaced whole.
fn ensure_params() -> anyhow::Result<f64> {
    let done = params_dir().join("complete");
    if done.exists() && SIZES.clone().all(|k| params_path(k).exists()) {
        return Ok(0.0);
    }
    let t = Instant::now();
    std::fs::create_dir_all(params_dir())?;
    let _ = std::fs::remove_file(&done);
    eprintln!("openvm evm: generating local KZG parameters (k = {SIZES:?}) into {}", params_dir().display());
    use halo2_base::halo2_proofs::arithmetic::Field as _;
    let secret = halo2_base::halo2_proofs::halo2curves::bn256::Fr::random(rand::rngs::OsRng);
    for (k, bytes) in crate::kzg::setup_bytes(secret, &SIZES.collect::<Vec<_>>()) {
        files::write_bytes_atomically(&params_path(k), &bytes)?;
    }
    let seconds = t.elapsed().as_secs_f64();
    files::write_bytes_atomically(&done, format!("one local setup, sizes {SIZES:?}, {seconds:.1} s\n").as_bytes())?;
    Ok(seconds)
}

fn read_params(k: u32) -> anyhow::Result<ParamsKZG<Bn256>> {
    let path = params_path(k);
    let file =
        std::fs::File::open(&path).with_context(|| format!("no KZG parameters at {} (a prove in mode evm makes them)", path.display()))?;
    ParamsKZG::read_custom(&mut std::io::BufReader::new(file), SerdeFormat::RawBytes).with_context(|| format!("reading {}", path.display()))
}

/// What a verifier needs, from the prover's own key generation on this machine: the wrapper's
/// verifying key and circuit shape, and the BN254 commitments of our guest and VM.
#[derive(Serialize, Deserialize)]
struct TrustedEvmKeys {
    wrapper_k: u32,
    wrapper_params: BaseCircuitParams,
    wrapper_vk: Vec<u8>,
    app_exe_commit: String,
    app_vm_commit: String,
}

fn trusted_keys_path(elf_hash: &str) -> PathBuf {
    key_dir().join(format!("evm-{elf_hash}.json"))
}

impl OpenVm {
    pub fn prove_evm(&self, input: &[u32], precompiles: Precompiles) -> anyhow::Result<ProveOutput> {
        // The SDK's stages (dummy root proof, static verifier keygen, wrapper keygen, proofs) as
        // they open and close, on stderr: a run that runs out of memory says where.
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::NEW | tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_ansi(false)
            .try_init();
        let (elf, elf_hash) = guest_elf(precompiles)?;
        if let Some(settings) = settings_note() {
            eprintln!("openvm evm: {settings}");
        }
        // Setup, never billed as proving: the local KZG parameters (once per machine), then the
        // STARK keys and the halo2 keys (a dummy root proof through both circuits).
        let params_s = ensure_params()?;
        let t = Instant::now();
        let sdk = sdk()?;
        let _ = sdk.app_keygen();
        eprintln!(
            "openvm evm: STARK keys ready after {:.1} s; halo2 key generation (a dummy root proof through both circuits)",
            t.elapsed().as_secs_f64()
        );
        let halo2_pk = sdk.halo2_pk();
        eprintln!("openvm evm: halo2 keys ready after {:.1} s", t.elapsed().as_secs_f64());
        let commit = sdk.app_commit(elf.clone()).map_err(|e| anyhow!("openvm app commit: {e}"))?;
        let mut prover = sdk.evm_prover(elf.clone()).map_err(|e| anyhow!("openvm evm prover: {e}"))?;
        let keygen_s = t.elapsed().as_secs_f64();
        let wrapper = &halo2_pk.wrapper.pinning;
        let mut wrapper_vk = Vec::new();
        wrapper.pk.get_vk().write(&mut wrapper_vk, SerdeFormat::RawBytes)?;
        let keys = TrustedEvmKeys {
            wrapper_k: wrapper.metadata.config_params.k as u32,
            wrapper_params: wrapper.metadata.config_params.clone(),
            wrapper_vk,
            app_exe_commit: commit.app_exe_commit.to_string(),
            app_vm_commit: commit.app_vm_commit.to_string(),
        };
        std::fs::create_dir_all(key_dir())?;
        files::write_bytes_atomically(&trusted_keys_path(&elf_hash), &serde_json::to_vec(&keys)?)?;

        let t = Instant::now();
        let (pv, segments) = sdk.execute_metered(elf, stdin_for(input)).map_err(|e| anyhow!("openvm execution: {e}"))?;
        let execute_s = t.elapsed().as_secs_f64();
        let claim = crate::claim_from_public_values(&pv)?;
        eprintln!("openvm evm: proving");
        let t = Instant::now();
        let proof = prover.prove_evm(stdin_for(input), &[]).map_err(|e| anyhow!("openvm evm proving: {e}"))?;
        let prove_s = t.elapsed().as_secs_f64();
        if proof.user_public_values != expected_public_values(&claim) {
            bail!("openvm: the EVM proof's public values differ from the executed claim");
        }
        if proof.app_commit != commit {
            bail!("openvm: the EVM proof is of another program than our guest");
        }
        let payload = serde_json::to_vec(&proof)?;
        let phases =
            Phases { setup_s: Some(params_s + keygen_s), execute_s: Some(execute_s), prove_s: Some(prove_s), ..Default::default() };
        let notes = vec![
            format!(
                "halo2/KZG wrap of the aggregated STARK (static verifier k={VERIFIER_K}, wrapper k={}); set-up {keygen_s:.1} s of key generation{}",
                keys.wrapper_k,
                if params_s > 0.0 { format!(" + {params_s:.1} s generating the local KZG parameters (once per machine)") } else { String::new() }
            ),
        ];
        Ok(self.proof_output(MODE_EVM, precompiles, claim, &segments, phases, payload, keys.app_exe_commit, notes))
    }

    /// Checks an EVM proof: our guest's app commits and claim, then the halo2 wrapper proof.
    pub fn check_evm(&self, file: &ProofFile) -> anyhow::Result<Checked> {
        let (_, elf_hash) = guest_elf(file.header.precompiles)?;
        let keys_path = trusted_keys_path(&elf_hash);
        let keys: TrustedEvmKeys = match std::fs::read(&keys_path) {
            Ok(b) => serde_json::from_slice(&b).with_context(|| format!("reading {}", keys_path.display()))?,
            Err(_) => bail!(
                "no verifying key for OpenVM's evm mode on this machine ({} is missing): it comes from the halo2 key \
                 generation that `prove --mode evm` runs once",
                keys_path.display()
            ),
        };
        let proof: EvmProof = match serde_json::from_slice(&file.payload) {
            Ok(p) => p,
            Err(e) => return Ok(Err(Rejected::unread(format!("payload is not an OpenVM EVM proof: {e}")))),
        };
        let expected = (keys.app_exe_commit.as_str(), keys.app_vm_commit.as_str());
        if (proof.app_commit.app_exe_commit.to_string().as_str(), proof.app_commit.app_vm_commit.to_string().as_str()) != expected {
            return Ok(Err(Rejected::unread("proof is of another program or VM (app commits differ from our guest's)")));
        }
        if proof.user_public_values != expected_public_values(&file.claim) {
            return Ok(Err(Rejected::unread("the proof's public values are not the claim in this file")));
        }
        let raw: RawEvmProof = match proof.try_into() {
            Ok(r) => r,
            Err(e) => return Ok(Err(Rejected::unread(format!("malformed EVM proof: {e}")))),
        };
        let params = read_params(keys.wrapper_k)?;
        let vk = VerifyingKey::<G1Affine>::read::<_, BaseCircuitBuilder<Fr>>(
            &mut keys.wrapper_vk.as_slice(),
            SerdeFormat::RawBytes,
            keys.wrapper_params.clone(),
        )?;
        let t = Instant::now();
        let result = verify_wrapper(&params, &vk, &raw);
        let verify_s = t.elapsed().as_secs_f64();
        Ok(result.map(|()| verify_s).map_err(|reason| Rejected::new(reason, verify_s)))
    }
}

/// The wrapper's halo2 proof (Keccak transcript, SHPLONK) and the KZG accumulator it carries.
fn verify_wrapper(params: &ParamsKZG<Bn256>, vk: &VerifyingKey<G1Affine>, raw: &RawEvmProof) -> Result<(), String> {
    if raw.instances.len() <= NUM_BN254_ACCUMULATOR {
        return Err("too few public inputs for an EVM proof".into());
    }
    let instances: &[&[Fr]] = &[&raw.instances];
    let mut transcript = EvmTranscript::<G1Affine, NativeLoader, _, _>::init(raw.proof.as_slice());
    let verifier_params = params.verifier_params();
    let proof_ok = verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        verifier_params,
        vk,
        AccumulatorStrategy::new(verifier_params),
        &[instances],
        &mut transcript,
    )
    .map(VerificationStrategy::<'_, KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>>::finalize)
    .unwrap_or(false);
    if !proof_ok {
        return Err("halo2 verification of the wrapper proof failed".into());
    }
    let limbs: Vec<&Fr> = raw.instances[..NUM_BN254_ACCUMULATOR].iter().collect();
    let accumulator = <LimbsEncoding<LIMBS, BITS> as AccumulatorEncoding<G1Affine, NativeLoader>>::from_repr(&limbs)
        .map_err(|e| format!("the proof's KZG accumulator is malformed: {e:?}"))?;
    let dk = KzgDecidingKey::<Bn256>::from((params.get_g()[0], params.g2(), params.s_g2()));
    <SHPLONK as AccumulationDecider<G1Affine, NativeLoader>>::decide(&dk, accumulator)
        .map_err(|e| format!("the inner proof's KZG accumulator does not verify: {e:?}"))
}
