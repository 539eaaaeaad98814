//! `zkml-bench cycles`: each zkVM's guest executed (no proving) on the workload, cycles per row
//! against the targets of docs/cycle-budget.md.

use clap::Args;
use std::path::PathBuf;
use zkml_protocol::Precompiles;

#[derive(Args)]
pub(crate) struct CyclesArgs {
    #[arg(long, value_delimiter = ',', default_value = "risc0,sp1,openvm")]
    pub(crate) zkvms: Vec<String>,
    #[arg(long, value_delimiter = ',', default_value = "ridge,poly2")]
    pub(crate) models: Vec<String>,
    /// Test-set sizes; cycles per row are the marginal cost between the smallest and largest.
    #[arg(long, value_delimiter = ',', default_value = "100,1000")]
    pub(crate) rows: Vec<u32>,
    #[arg(long, value_delimiter = ',', value_enum, default_value = "on,off")]
    pub(crate) precompiles: Vec<Precompiles>,
    /// Synthetic customers [default: enough for the largest --rows].
    #[arg(long, default_value_t = 0)]
    pub(crate) customers: u64,
    #[arg(long, default_value_t = 7)]
    pub(crate) seed: u64,
    /// Where the workload, cycles.md and cycles.json go.
    #[arg(long, default_value = "cycles")]
    pub(crate) out: PathBuf,
}

pub(crate) fn cycles(a: CyclesArgs) -> anyhow::Result<()> {
    use zkml_harness::run::{config::BenchConfig, cycles};
    let config = BenchConfig {
        zkvms: a.zkvms,
        models: a.models,
        rows: a.rows,
        precompiles: a.precompiles,
        customers: a.customers,
        seed: a.seed,
        reps: 1,
        ..BenchConfig::default()
    };
    config.validate()?;
    std::fs::create_dir_all(&a.out)?;
    let records = cycles::measure(&config, &a.out, &std::env::current_exe()?, |line| eprintln!("{line}"))?;
    let revision = zkml_harness::run::registry::git_revision().unwrap_or_else(|| "unknown".into());
    let host = zkml_harness::records::host::HostInfo::detect();
    let md = format!(
        "Guest executions (no proving) at revision `{revision}` on {}: user cycles for RISC Zero, total cycles for SP1 and \
         OpenVM; per row = the marginal cost between {} and {} rows.\n\n{}",
        host.label(),
        config.rows.iter().min().unwrap_or(&0),
        config.rows.iter().max().unwrap_or(&0),
        cycles::markdown(&records)
    );
    let json = serde_json::json!({ "revision": revision, "host": host, "records": records });
    zkml_protocol::files::write_bytes_atomically(&a.out.join("cycles.json"), &serde_json::to_vec_pretty(&json)?)?;
    zkml_protocol::files::write_bytes_atomically(&a.out.join("cycles.md"), md.as_bytes())?;
    print!("{md}");
    Ok(())
}
