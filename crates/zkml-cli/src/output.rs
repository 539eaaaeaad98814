//! What several subcommands print: durations, claims, metrics; and the `--salt` flag.

use zkml_harness::run::workflow;
use zkml_protocol::ClaimSummary;
use zkml_train::RegressionMetrics;

pub(crate) fn salt_arg(salt: Option<&str>) -> anyhow::Result<[u8; 32]> {
    salt.map(|s| workflow::parse_hex32(s, "--salt")).transpose().map(|s| s.unwrap_or([0; 32]))
}

pub(crate) fn fmt_secs(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.1}µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.2}ms", s * 1e3)
    } else {
        format!("{s:.3}s")
    }
}

pub(crate) fn fmt_opt(x: Option<f64>) -> String {
    x.map(fmt_secs).unwrap_or_else(|| "-".into())
}

pub(crate) fn print_claim(c: &ClaimSummary) {
    println!("  model            {} (hash {})", c.model, c.model_hash);
    println!("  test set         {} rows x {} features (commitment {})", c.n_rows, c.n_features, c.data_commitment);
    println!("  MSE              {:.6}", c.mse);
    println!("  RMSE             {:.6}", c.rmse);
    println!("  R²               {:.6}", c.r2);
}

pub(crate) fn print_metrics(label: &str, m: &RegressionMetrics) {
    eprintln!("  {label:<12} MSE {:>16.4}  RMSE {:>12.4}  MAE {:>12.4}  R² {:>9.6}", m.mse, m.rmse, m.mae, m.r2);
}
