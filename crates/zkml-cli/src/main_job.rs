//! `zkml-bench run`: the main job in one command, on embedded defaults.
//!
//! synthetic transactions → features → trained model → salted commitment of the private test
//! set → a real zkVM proof (built on first use) → verification against the model hash, the
//! data commitment and a minimum R² → a short report of what was proven and what each step
//! cost. Every artefact lands in one directory; the test set and the salt stay private.

use crate::output::{fmt_secs, print_claim};
use anyhow::Context;
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use zkml_data::features::{build_features, FeatureOptions};
use zkml_data::synth::{write_transactions, SynthConfig};
use zkml_data::transactions::ColumnMapping;
use zkml_harness::run::registry;
use zkml_harness::run::workflow::{self, Expectations, ProveRequest};
use zkml_protocol::Precompiles;
use zkml_train::ModelSpec;

#[derive(Args)]
pub struct RunArgs {
    /// The prover. risc0 (default) is the zkVM here whose receipts claim zero-knowledge; sp1
    /// and openvm prove faster but their STARKs do not claim to hide the private rows.
    #[arg(long, default_value = "risc0")]
    zkvm: String,
    /// Proof mode [default: the backend's first available].
    #[arg(long)]
    mode: Option<String>,
    /// SHA-256 accelerator on or off [default: on where the backend has one].
    #[arg(long, value_enum)]
    precompiles: Option<Precompiles>,
    /// linear | ridge | poly2 | poly3 | gbdt | mlp
    #[arg(long, default_value = "ridge", value_parser = crate::train::parse_model)]
    model: ModelSpec,
    /// Synthetic customers; a fifth of them (those with purchases) form the private test set.
    /// The default (137 test rows) proves in one 2^16-cycle RISC Zero segment: about 11 minutes
    /// on a fresh 2-core machine, the backend's build included (26 s once built).
    #[arg(long, default_value_t = 700)]
    customers: u64,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Verification fails (exit 3) below this R².
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true, value_parser = crate::verify::parse_min_r2)]
    min_r2: f64,
    /// Refuse a prover/mode that does not claim zero-knowledge.
    #[arg(long)]
    require_zk: bool,
    /// Where every artefact goes (transactions.csv, features.csv, test.csv and salt.hex in it
    /// are PRIVATE).
    #[arg(long, default_value = "zkml-run")]
    out: PathBuf,
    /// Reuse a directory that already holds a salt.hex: a new run replaces the salt and the test
    /// set, so a commitment published from the old ones can no longer be opened.
    #[arg(long)]
    replace_salt: bool,
}

/// One line of the step log, kept for the report.
struct Steps {
    lines: Vec<(String, f64, String)>,
    total: usize,
}

impl Steps {
    fn start(&self, name: &str) {
        eprintln!("[{}/{}] {name} ...", self.lines.len() + 1, self.total);
    }

    fn done(&mut self, name: &str, secs: f64, what: String) {
        println!("[{}/{}] {name:<24} {:>9}  {what}", self.lines.len() + 1, self.total, fmt_secs(secs));
        self.lines.push((name.to_string(), secs, what));
    }
}

fn timed<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(T, f64)> {
    let t = Instant::now();
    let v = f()?;
    Ok((v, t.elapsed().as_secs_f64()))
}

pub fn run(a: RunArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    // Everything that can refuse does so before anything is generated or built.
    registry::check_before_work(&a.zkvm, a.mode.as_deref(), a.require_zk)?;
    let salt_path = a.out.join("salt.hex");
    if salt_path.exists() && !a.replace_salt {
        anyhow::bail!(
            "{} already holds a salt from an earlier run: a new run would replace it and the test set, and a data commitment \
             published from them could no longer be opened. Use another --out, or --replace-salt to replace them",
            salt_path.display()
        );
    }
    // A directory this command creates is its owner's alone (it will hold private rows).
    {
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    }
    // One run per directory at a time: two would interleave their files.
    let lock_path = a.out.join(".zkml-run.lock");
    let lock = std::fs::File::create(&lock_path).with_context(|| format!("creating {}", lock_path.display()))?;
    if let Err(e) = lock.try_lock() {
        anyhow::bail!("another `zkml-bench run` is writing into {} ({e}); wait for it or use another --out", a.out.display());
    }
    let mut steps = Steps { lines: Vec::new(), total: 7 };
    println!(
        "zkml-bench run: {} on {} synthetic customers (seed {}), proven with {}; artefacts in {}",
        a.model.name(),
        a.customers,
        a.seed,
        a.zkvm,
        a.out.display()
    );

    // 1. Transactions.
    let tx = a.out.join("transactions.csv");
    let config = SynthConfig { customers: a.customers, seed: a.seed, ..Default::default() };
    let (summary, s) = timed(|| {
        zkml_protocol::files::write_atomically(&tx, |w| write_transactions(&config, w).map_err(anyhow::Error::from))
            .with_context(|| format!("writing {}", tx.display()))
    })?;
    steps.done(
        "synthetic transactions",
        s,
        format!("{} transactions of {} customers -> {}", summary.transactions, summary.customers, tx.display()),
    );

    // 2. Features.
    let features = a.out.join("features.csv");
    let ((table, fs), s) = timed(|| Ok(build_features(&tx, &ColumnMapping::default(), &FeatureOptions::default())?))?;
    table.write_csv(&features)?;
    steps.done(
        "features",
        s,
        format!(
            "{} customers x {} features ({}) -> {}",
            fs.customers_kept,
            table.n_features(),
            table.feature_names.join(", "),
            features.display()
        ),
    );

    // 3. Train.
    let lambda = zkml_train::pipeline::parse_lambda(a.model, "auto", 5).map_err(|e| anyhow::anyhow!(e))?;
    let settings = zkml_train::pipeline::Settings {
        spec: a.model,
        hyper: crate::train::ShapeArgs::default().hyper(lambda),
        test_fraction: 0.2,
        seed: a.seed,
    };
    let trained = zkml_train::pipeline::train_split(&table, &settings, &features)?;
    let model_path = a.out.join("model.json");
    let test_path = a.out.join("test.csv");
    trained.file.save(&model_path)?;
    trained.test.write_csv(&test_path)?;
    steps.done(
        "train",
        trained.secs,
        format!(
            "{} on {} rows, lambda {}, test R² {:.6} (f64) / {:.6} (fixed point) -> {} (hash {})",
            a.model.name(),
            trained.train.n_rows(),
            trained.lambda_label(lambda),
            trained.f64_metrics.r2,
            trained.fixed_metrics.r2,
            model_path.display(),
            &trained.file.model_hash[..16]
        ),
    );

    // 4. Commit to the private test set with a fresh secret salt (hiding commitment).
    let salt: [u8; 32] = rand::random();
    zkml_protocol::files::write_bytes_atomically(&salt_path, hex::encode(salt).as_bytes())?;
    let ((_, words), s) = timed(|| workflow::guest_input(&model_path, &test_path, &salt))?;
    let input = zkml_core::GuestInput::decode(&words)?;
    let commitment = zkml_core::commit::data_commitment::<zkml_core::SoftwareSha256>(input.test_set_words);
    steps.done(
        "commit test set",
        s,
        format!(
            "{} private rows -> {} (PRIVATE, with {}); commitment {}",
            trained.test.n_rows(),
            test_path.display(),
            salt_path.display(),
            hex::encode(commitment)
        ),
    );

    // 5. Backend (built on first use; cargo's progress shows on stderr).
    steps.start(&format!("build {} backend", a.zkvm));
    let (backend, s) = timed(|| registry::resolve(&a.zkvm, true))?;
    let info = backend.info()?;
    steps.done(&format!("build {} backend", a.zkvm), s, format!("{} ({})", info.sdk, info.proof_system));

    // 6. Prove.
    let proof_path = a.out.join("proof.zkp");
    steps.start("prove");
    let req = ProveRequest {
        zkvm: &a.zkvm,
        model: &model_path,
        test: &test_path,
        out: &proof_path,
        mode: a.mode.as_deref(),
        precompiles: a.precompiles,
        salt,
        require_zk: a.require_zk,
    };
    let (proven, s) = timed(|| workflow::prove(&req))?;
    let r = &proven.report;
    steps.done(
        "prove",
        s,
        format!(
            "{} {} proof ({}), {} KiB{} -> {}",
            r.backend,
            r.mode,
            proven.privacy.family,
            r.proof_bytes / 1024,
            r.cycles.as_ref().map(|c| format!(", {} cycles", c.total)).unwrap_or_default(),
            proof_path.display()
        ),
    );

    // 7. Verify against what a verifier knows: the model, the published commitment, a bar.
    steps.start("verify");
    let expect = Expectations {
        model: Some(trained.file.clone()),
        data_commitment: Some(commitment),
        min_r2: Some(a.min_r2),
        require_proof: !zkml_harness::catalogue::is_baseline(&a.zkvm),
    };
    let (outcome, s) = timed(|| workflow::verify(&proof_path, &expect))?;
    let verdict = if !outcome.report.valid {
        format!("INVALID: {}", outcome.report.reason.as_deref().unwrap_or("the proof does not verify"))
    } else if !outcome.failures.is_empty() {
        format!("FAILED: {}", outcome.failures.join("; "))
    } else if outcome.report.real_proof {
        format!(
            "VALID proof (checked in {}); model hash, data commitment and R² >= {} all match",
            fmt_secs(outcome.report.verify_s),
            a.min_r2
        )
    } else {
        "claim matches, but NO PROOF: the native baseline proves nothing".to_string()
    };
    steps.done("verify", s, verdict.clone());

    let total = started.elapsed().as_secs_f64();
    println!();
    println!("what was proven:");
    print_claim(&r.claim);
    println!("  proof            {} {} ({} family), precompiles {}", r.backend, r.mode, proven.privacy.family, r.precompiles);
    println!("  privacy          {}", proven.privacy.line());
    println!("  verdict          {verdict}");
    println!("  total            {}", fmt_secs(total));

    let report = report_markdown(&a, &steps, &proven, &verdict, total);
    let report_path = a.out.join("REPORT.md");
    zkml_protocol::files::write_bytes_atomically(&report_path, report.as_bytes())?;
    println!("report: {}", report_path.display());

    Ok(if !outcome.report.valid {
        ExitCode::from(crate::exit::EXIT_INVALID_PROOF)
    } else if !outcome.failures.is_empty() {
        ExitCode::from(crate::exit::EXIT_EXPECTATION_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

fn report_markdown(a: &RunArgs, steps: &Steps, proven: &workflow::Proven, verdict: &str, total: f64) -> String {
    let r = &proven.report;
    let c = &r.claim;
    let mut md = String::new();
    let _ = writeln!(md, "# zkml-bench run\n");
    let _ = writeln!(
        md,
        "{} model on {} synthetic customers (seed {}), proven with **{}** ({} mode, {} family, precompiles {}).\n",
        a.model.name(),
        a.customers,
        a.seed,
        r.backend,
        r.mode,
        proven.privacy.family,
        r.precompiles
    );
    if !r.real_proof {
        let _ = writeln!(md, "**NOT A PROOF**: the native baseline only evaluates.\n");
    }
    let _ = writeln!(md, "## What was proven\n");
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| model | {} (hash `{}`) |", c.model, c.model_hash);
    let _ = writeln!(md, "| private test set | {} rows x {} features (commitment `{}`) |", c.n_rows, c.n_features, c.data_commitment);
    let _ = writeln!(md, "| MSE / RMSE | {:.4} / {:.4} |", c.mse, c.rmse);
    let _ = writeln!(md, "| R² | {:.6} (required >= {}) |", c.r2, a.min_r2);
    let _ = writeln!(md, "| privacy | {} |", proven.privacy.line());
    let _ = writeln!(md, "| proof | {} bytes |", r.proof_bytes);
    let _ = writeln!(md, "| verification | {verdict} |\n");
    let _ = writeln!(md, "## Steps\n");
    let _ = writeln!(md, "| # | step | time | result |\n|---|---|---|---|");
    for (i, (name, secs, what)) in steps.lines.iter().enumerate() {
        let _ = writeln!(md, "| {} | {name} | {} | {} |", i + 1, fmt_secs(*secs), what.replace('|', "/"));
    }
    let _ = writeln!(md, "\nTotal: {}.", fmt_secs(total));
    let _ = writeln!(
        md,
        "\nKeep `transactions.csv`, `features.csv`, `test.csv` and `salt.hex` private: the first three hold the customers' rows \
         (the test rows among them), and the salt opens the commitment. Publish `model.json`, the commitment and `proof.zkp`; anyone verifies with\n\
         `zkml-bench verify proof.zkp --model model.json --data-commitment {} --min-r2 {} --require-proof`.",
        c.data_commitment, a.min_r2
    );
    md
}
