//! `zkml-bench`: prove how accurate a model is on a private test set, and which zkVM does it
//! best. See the README for a walk-through. One file per subcommand (or small group); this one
//! parses the command line, installs the Ctrl-C handler and dispatches.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use exit::{EXIT_INTERRUPTED, EXIT_USAGE};

mod backends;
mod bench;
mod cycles;
mod data;
mod exit;
mod main_job;
mod output;
mod prove;
mod train;
mod verify;

#[derive(Parser)]
#[command(name = "zkml-bench", version, about = "Prove how accurate a model is on a private test set, with zkVMs", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// The main job in one command: synthetic data -> features -> model -> a real proof of its
    /// accuracy on the private test set (RISC Zero, zero-knowledge) -> verification -> report.
    Run(main_job::RunArgs),
    /// Transactions and features.
    #[command(subcommand)]
    Data(data::DataCommand),
    /// Train a model on a feature table; write model.json and the held-out test set.
    Train(train::TrainArgs),
    /// Prove the model's accuracy on a private test set with a zkVM (or the native baseline).
    Prove(prove::ProveArgs),
    /// Verify a proof file and check its claim.
    Verify(verify::VerifyArgs),
    /// Combine chunk proofs (prove --chunk-rows N --chunk i/K, on one or many machines) into
    /// one proof that `verify` accepts.
    Aggregate(prove::AggregateArgs),
    /// List the zkVM backends and whether they can run here.
    Zkvms {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Benchmark backends over a sweep (each run its own measured process); ends with a report.
    Bench(bench::BenchArgs),
    /// Execute each zkVM's guest (no proving) on the workload and report cycles per test row
    /// against the targets of docs/cycle-budget.md.
    Cycles(cycles::CyclesArgs),
    /// Build (or bring up to date) zkVM backends: guest and host, into the shared cache.
    Build {
        #[arg(required = true, value_delimiter = ',')]
        zkvms: Vec<String>,
    },
    /// Turn one or more results directories into a markdown report with plots.
    Report {
        /// Results directories (several merge into one report, grouped by machine).
        #[arg(required = true)]
        results: Vec<PathBuf>,
        #[arg(long, default_value = "report")]
        out: PathBuf,
        /// Merge records measured on different git revisions (refused by default).
        #[arg(long)]
        allow_mixed_revisions: bool,
    },
    /// The native baseline speaking the backend protocol (what `bench` runs as a child process).
    #[command(hide = true, name = "backend-native", disable_help_flag = true)]
    BackendNative {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            return if usage { ExitCode::from(EXIT_USAGE) } else { ExitCode::SUCCESS };
        }
    };
    // One handler for every command: the first Ctrl-C (or SIGTERM, SIGHUP) stops the running
    // backend, whose caller then cleans up and fails; a second one quits at once.
    let installed = ctrlc::set_handler(|| {
        if zkml_harness::run::process::INTERRUPTED.swap(true, Ordering::SeqCst) {
            // No destructor runs after exit: remove private directories and partial outputs now.
            zkml_protocol::files::remove_temporaries();
            std::process::exit(EXIT_INTERRUPTED as i32);
        }
        eprintln!("\ninterrupted: stopping the running backend (Ctrl-C again to quit at once)");
    });
    if let Err(e) = installed {
        eprintln!("error: installing the Ctrl-C handler: {e}");
        return ExitCode::from(1);
    }
    // Private rows a killed (SIGKILL) zkml-bench had to leave behind go now.
    let orphans = zkml_protocol::files::remove_orphaned_private_dirs();
    if orphans > 0 {
        eprintln!("removed {orphans} private temporary director{} left by a killed zkml-bench", if orphans == 1 { "y" } else { "ies" });
    }
    match run(cli.command) {
        Ok(_) if zkml_harness::run::process::INTERRUPTED.load(Ordering::SeqCst) => ExitCode::from(EXIT_INTERRUPTED),
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            if zkml_harness::run::process::INTERRUPTED.load(Ordering::SeqCst) {
                ExitCode::from(EXIT_INTERRUPTED)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Data(command) => data::run(command)?,
        Command::Run(args) => return main_job::run(args),
        Command::Train(args) => train::train_cmd(args)?,
        Command::Prove(args) => prove::prove(args)?,
        Command::Aggregate(args) => prove::aggregate(args)?,
        Command::Verify(args) => return verify::verify(args),
        Command::Zkvms { json } => backends::zkvms(json)?,
        Command::Bench(args) => bench::bench(args)?,
        Command::Cycles(args) => cycles::cycles(args)?,
        Command::Build { zkvms } => backends::build(zkvms)?,
        Command::Report { results, out, allow_mixed_revisions } => {
            let data = zkml_harness::records::data::Data::load(&results)?;
            for line in &data.skipped_lines {
                eprintln!("warning: skipped {line} (listed in the report)");
            }
            data.check_one_revision(allow_mixed_revisions)?;
            let path = zkml_harness::report::write_report(&data, &out)?;
            println!("wrote {} ({} runs from {} machine(s))", path.display(), data.records.len(), data.hosts.len());
        }
        Command::BackendNative { args } => {
            let argv = std::iter::once(std::ffi::OsString::from("zkml-bench backend-native")).chain(args);
            return Ok(zkml_protocol::run_cli_from(zkml_native::NativeBackend, argv));
        }
    }
    Ok(ExitCode::SUCCESS)
}
