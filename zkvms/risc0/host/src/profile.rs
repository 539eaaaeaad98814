//! `zkml-risc0 profile --input FILE`: where the guest's cycles go (a separate profiling guest;
//! executed, never proved).

use crate::program::{execute_program, program};
use anyhow::bail;
use std::path::PathBuf;

/// `zkml-risc0 profile --input FILE`: where the guest's cycles go, phase by phase (a separate
/// profiling guest; executed, never proved). Prints JSON.
pub fn profile(args: &[String]) -> anyhow::Result<()> {
    let path = match args {
        [flag, path] if flag == "--input" => PathBuf::from(path),
        _ => bail!("usage: zkml-risc0 profile --input FILE"),
    };
    let input = zkml_protocol::backend::read_input(&path)?;
    let program = program("zkml-risc0-profile")?;
    let mut out = Vec::new();
    let (_, stats) = execute_program(&program, &input, None, Some(&mut out))?;
    if out.len() != 6 * 8 {
        bail!("profile guest wrote {} bytes, expected 48", out.len());
    }
    let v: Vec<u64> = out.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect();
    let rows = v[0].max(1) as f64;
    let per_row = |c: u64| (c as f64 / rows * 10.0).round() / 10.0;
    let json = serde_json::json!({
        "backend": crate::NAME,
        "rows": v[0],
        "total_cycles_with_profiling": stats.total_cycles,
        "user_cycles_with_profiling": stats.user_cycles,
        "paging_cycles_with_profiling": stats.paging_cycles,
        "phases": {
            "read_input": {"cycles": v[1], "per_row": per_row(v[1])},
            "decode_validate": {"cycles": v[2], "per_row": per_row(v[2])},
            "hash_accelerated": {"cycles": v[3], "per_row": per_row(v[3])},
            "hash_software": {"cycles": v[4], "per_row": per_row(v[4])},
            "predict_and_metrics": {"cycles": v[5], "per_row": per_row(v[5])},
        },
        "note": "user cycles measured in the guest with env::cycle_count(); paging is counted by the prover per segment",
    });
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}
