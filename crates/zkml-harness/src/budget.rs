//! The cycle budget of `docs/cycle-budget.md`: how many RV32IM instructions a test row of each
//! model should cost by hand count, and the target a guest must stay within. The runner's
//! cycle profile holds guests against it; the report's compute-intensity axis is laid out on it.

/// Cycles per test row a guest must stay within (issues #11 and #32: twice the RV32IM hand
/// count of `docs/cycle-budget.md`, rounded up), with the SHA-256 accelerator on; `None` for
/// models without a target.
pub fn target_per_row(model: &str) -> Option<u64> {
    match model {
        "linear" | "ridge" => Some(320),
        "poly2" => Some(800),
        _ => hand_count_rv32(model).map(|c| 2 * c),
    }
}

/// The RV32IM hand count per row of a model (ridge 111 and poly2 398 with the SHA-256
/// accelerator), of a gradient-boosted forest or of an MLP over the 5 features
/// (`docs/cycle-budget.md`, "Compute-intensive models"): 67 instructions a tree of depth 5
/// (11 a level, 12 for the leaf and the loop) and 10 to copy the row; 8 a multiply-accumulate and 16 a unit of a
/// 5-W-W-1 network, 85 to standardise; plus the row's reading, commitment, rounding and
/// metrics (~80).
pub fn hand_count_rv32(model: &str) -> Option<u64> {
    // Ridge and poly2: the totals of `docs/cycle-budget.md` ("Totals per row").
    match model {
        "linear" | "ridge" => return Some(111),
        "poly2" => return Some(398),
        _ => {}
    }
    let (spec, hyper) = zkml_train::named_model(model).ok()?;
    match spec {
        zkml_train::ModelSpec::Gbdt if hyper.gbdt.depth == 5 => Some(67 * hyper.gbdt.trees as u64 + 90),
        zkml_train::ModelSpec::Mlp if hyper.mlp.hidden.len() == 2 => {
            let w = hyper.mlp.hidden[0] as u64;
            let macs = 5 * w + w * hyper.mlp.hidden[1] as u64 + hyper.mlp.hidden[1] as u64;
            Some(85 + 8 * macs + 16 * (2 * w + 1) + 80)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_of_the_compute_intensive_models_follow_their_size() {
        assert_eq!(hand_count_rv32("gbdt"), Some(67 * 100 + 90));
        assert_eq!(target_per_row("gbdt-10"), Some(2 * (67 * 10 + 90)));
        assert_eq!(hand_count_rv32("mlp"), Some(85 + 8 * (160 + 1024 + 32) + 16 * 65 + 80));
        assert_eq!(target_per_row("mlp-8"), Some(2 * (85 + 8 * (40 + 64 + 8) + 16 * 17 + 80)));
        assert_eq!(target_per_row("poly3"), None);
        assert_eq!(target_per_row("ridge"), Some(320));
    }
}
