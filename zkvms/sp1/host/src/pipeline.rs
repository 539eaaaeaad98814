//! How wide SP1's prover pipeline may run on this machine: core shard proofs and recursion
//! proofs in flight, and the trace elements per shard, chosen from the cycle count and the
//! memory budget (and recorded with every proof), with the user's own settings winning.

use zkml_protocol::memory_guard;

/// The SDK's sharding and memory knobs (read by `SP1CoreOpts` from the environment) that the
/// user set, read before the host sets its own (the "prover pipeline" note): recorded with every
/// proof so that a measurement says what it was taken under.
pub fn user_memory_settings() -> String {
    const KNOBS: [&str; 7] = [
        "SHARD_SIZE",
        "ELEMENT_THRESHOLD",
        "HEIGHT_THRESHOLD",
        "MEMORY_LIMIT",
        "MINIMAL_TRACE_CHUNK_THRESHOLD",
        "TRACE_CHUNK_SLOTS",
        "ZKML_MAX_RSS_MB",
    ];
    let set: Vec<String> = KNOBS.iter().filter_map(|k| std::env::var(k).ok().map(|v| format!("{k}={v}"))).collect();
    if set.is_empty() {
        "none set by the user".into()
    } else {
        set.join(" ")
    }
}

/// SP1 6.10's CPU prover pipelines its work: by default up to 4 core shard proofs at once with 4
/// more shard records queued, and 8 recursion proofs at once (`SP1_WORKER_*`, read when the
/// prover is built). One core shard proof in flight holds its trace, low-degree extensions and
/// commitments: 10–15 GiB measured on this project's 2-core machine (one shard at 100 and 1,000
/// rows). So on a small machine a run of two or more shards exceeds memory at the SDK's defaults
/// (ridge at 10,000 rows did, at 22 GiB), though the shards proven one at a time fit; with 2 cores
/// the concurrency buys little time. The backend therefore chooses the pipeline's width from the
/// cycle count and the memory budget, and records it with the proof.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// Shards expected from the cycle count (at most the SDK's default width is useful).
    shards: u64,
    /// Core shard proofs in flight (and records queued for them).
    core_workers: u64,
    /// Recursion proofs in flight (compressed mode).
    recursion_workers: u64,
    /// Trace elements per shard (`ELEMENT_THRESHOLD`), when smaller than the SDK's default.
    element_threshold: Option<u64>,
    /// Why, for the run record.
    pub reason: String,
}

/// The SDK's defaults (sp1-prover 6.10.0 `worker/config.rs`).
const SDK_CORE_WORKERS: u64 = 4;
const SDK_RECURSION_PROVER_WORKERS: u64 = 8;
/// Memory one core shard proof in flight needs, with headroom (measured 10–15 GiB; see above).
const SHARD_PROOF_BYTES: u64 = 12 << 30;
/// Memory one recursion proof in flight needs, with headroom (compressed peaked ~7 GiB above
/// core at 100 rows with the SDK's 8 recursion workers on one shard's proofs).
const RECURSION_PROOF_BYTES: u64 = 6 << 30;
/// Cycles per shard at the SDK's default trace threshold, as measured here (a 4.4M-cycle run
/// made 2 shards; 1.1M cycles made 1): an estimate, used only to size the pipeline.
const CYCLES_PER_SHARD: u64 = 2_500_000;
/// The SDK's default trace elements per shard (sp1-core-executor 6.10.0 `ELEMENT_THRESHOLD`).
const SDK_ELEMENT_THRESHOLD: u64 = (1 << 28) + (1 << 27);
/// Trace elements per shard the host may choose when several shards are proven one at a time,
/// largest first: the SDK's default, then halvings down to a twelfth of it.
const ELEMENT_THRESHOLDS: [u64; 5] = [SDK_ELEMENT_THRESHOLD, 1 << 28, 1 << 27, 1 << 26, 1 << 25];
/// The peak of a run proving full shards one at a time ≈ a fixed part (the prover and its
/// recursion programs, the recursion proof beside the shard) + bytes per trace element of the
/// shard in flight. Measured on this project's 24 GB machines: 2^27 elements per shard peaked at
/// 20.2 GiB (ridge, 10,000 rows), 21.1 GiB (poly2, 1,000 rows, software SHA-256) and ran out of
/// memory above 21.9 GiB (poly2, 10,000 rows); 2^26 peaked at 15.8 GiB (poly2, 10,000 rows,
/// 7 shards, core) and 17.2 GiB (the same rows compressed: the recursion beside it). 13 GiB + 80
/// bytes per element (5 GiB per 2^26) puts 2^27 at 23 GiB and 2^26 at 18 GiB: at or above every
/// peak measured.
const SHARD_FIXED_BYTES: u64 = 13 * memory_guard::GIB;
const BYTES_PER_TRACE_ELEMENT: u64 = 80;

/// `n` as a power of two, or the sum of two (how SP1 writes its thresholds), else the number.
fn elements(n: u64) -> String {
    if n.is_power_of_two() {
        format!("2^{}", n.trailing_zeros())
    } else if (n - (1 << (63 - n.leading_zeros()))).is_power_of_two() {
        let high = 63 - n.leading_zeros();
        format!("2^{high}+2^{}", (n - (1 << high)).trailing_zeros())
    } else {
        n.to_string()
    }
}

impl Pipeline {
    pub fn choose(cycles: u64, budget: Option<u64>) -> Pipeline {
        let shards = cycles.div_ceil(CYCLES_PER_SHARD).max(1);
        let Some(budget) = budget else {
            return Pipeline {
                shards,
                core_workers: SDK_CORE_WORKERS,
                recursion_workers: SDK_RECURSION_PROVER_WORKERS,
                element_threshold: None,
                reason: "SDK defaults (no memory budget known)".into(),
            };
        };
        let core_workers = memory_guard::concurrency_within(budget, SHARD_PROOF_BYTES, SDK_CORE_WORKERS, shards);
        // Recursion proofs of early shards may run beside later core shard proofs.
        let recursion_budget = budget.saturating_sub(core_workers * SHARD_PROOF_BYTES);
        let recursion_workers =
            memory_guard::concurrency_within(recursion_budget, RECURSION_PROOF_BYTES, SDK_RECURSION_PROVER_WORKERS, u64::MAX);
        let mut reason = format!(
            "~{shards} shard(s) from {cycles} cycles; {:.1} GiB budget: ~{} GiB per core shard proof, ~{} GiB per recursion proof beside them",
            memory_guard::gib(budget),
            SHARD_PROOF_BYTES >> 30,
            RECURSION_PROOF_BYTES >> 30,
        );
        // Several shards proven one at a time fill each shard to the threshold: the largest
        // shard whose estimated peak fits the budget (the smallest offered when none does; the
        // memory guard then ends the run cleanly).
        let mut element_threshold = None;
        if shards > 1 && core_workers == 1 {
            let fits = memory_guard::largest_within(budget, SHARD_FIXED_BYTES, BYTES_PER_TRACE_ELEMENT, &ELEMENT_THRESHOLDS);
            let chosen = fits.unwrap_or(ELEMENT_THRESHOLDS[ELEMENT_THRESHOLDS.len() - 1]);
            let estimate = memory_guard::gib(SHARD_FIXED_BYTES + BYTES_PER_TRACE_ELEMENT * chosen);
            reason.push_str(&format!(
                "; several shards one at a time: {} trace elements per shard (SDK default {}), {} (~{estimate:.0} GiB estimated)",
                elements(chosen),
                elements(SDK_ELEMENT_THRESHOLD),
                if fits.is_some() { "the largest that fits" } else { "the smallest offered, though over the budget" },
            ));
            element_threshold = (chosen != SDK_ELEMENT_THRESHOLD).then_some(chosen);
        }
        Pipeline { shards, core_workers, recursion_workers, element_threshold, reason }
    }

    /// The `SP1_WORKER_*` (and shard size) settings this pipeline means.
    fn env(&self) -> Vec<(&'static str, u64)> {
        let mut env = vec![
            ("SP1_WORKER_NUM_CORE_WORKERS", self.core_workers),
            ("SP1_WORKER_CORE_BUFFER_SIZE", self.core_workers),
            ("SP1_WORKER_NUM_SPLICING_WORKERS", self.core_workers.min(2)),
            ("SP1_WORKER_SPLICING_BUFFER_SIZE", self.core_workers.min(2)),
            ("SP1_WORKER_NUM_RECURSION_PROVER_WORKERS", self.recursion_workers),
            ("SP1_WORKER_RECURSION_PROVER_BUFFER_SIZE", self.recursion_workers),
        ];
        env.extend(self.element_threshold.map(|t| ("ELEMENT_THRESHOLD", t)));
        env
    }

    /// Sets each setting the user has not set (theirs win), before the prover is built; returns
    /// the settings in effect.
    pub fn apply(&self) -> Vec<String> {
        self.env()
            .iter()
            .map(|(k, v)| match std::env::var(k) {
                Ok(theirs) => format!("{k}={theirs} (set by the user; the host's choice was {v})"),
                Err(_) => {
                    // Before the prover and its runtime exist; no other thread reads the environment.
                    std::env::set_var(k, v.to_string());
                    format!("{k}={v}")
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use memory_guard::GIB;

    /// This project's 24 GB machines: the memory guard's budget is about 21.8 GiB.
    const SMALL: u64 = 21 * GIB + 8 * GIB / 10;

    #[test]
    fn a_small_machine_proves_one_shard_at_a_time_and_the_sdk_defaults_stand_without_a_budget() {
        let p = Pipeline::choose(1_000_000, None);
        assert_eq!((p.shards, p.core_workers, p.recursion_workers, p.element_threshold), (1, 4, 8, None));
        assert!(p.reason.contains("SDK defaults"), "{}", p.reason);
        // One shard on 21.8 GiB: one core proof in flight, the recursion in what is left.
        let p = Pipeline::choose(1_000_000, Some(SMALL));
        assert_eq!((p.shards, p.core_workers, p.recursion_workers, p.element_threshold), (1, 1, 1, None));
        // Ten shards one at a time: the largest shard whose estimate fits, 2^26 elements (18 GiB).
        let p = Pipeline::choose(25_000_000, Some(SMALL));
        assert_eq!((p.shards, p.core_workers, p.element_threshold), (10, 1, Some(1 << 26)));
        assert!(p.reason.contains("2^26 trace elements per shard (SDK default 2^28+2^27), the largest that fits"), "{}", p.reason);
        // A large machine keeps several shard proofs in flight and the SDK's shard size.
        let p = Pipeline::choose(25_000_000, Some(64 * GIB));
        assert_eq!((p.core_workers, p.element_threshold), (4, None));
    }

    #[test]
    fn the_settings_a_pipeline_means() {
        let p = Pipeline::choose(25_000_000, Some(SMALL));
        let env = p.env();
        assert!(env.contains(&("SP1_WORKER_NUM_CORE_WORKERS", 1)) && env.contains(&("ELEMENT_THRESHOLD", 1 << 26)), "{env:?}");
        assert!(!Pipeline::choose(1_000_000, Some(SMALL)).env().iter().any(|(k, _)| *k == "ELEMENT_THRESHOLD"));
        assert_eq!(
            (elements(1 << 26), elements((1 << 28) + (1 << 27)), elements(1000)),
            ("2^26".into(), "2^28+2^27".into(), "1000".into())
        );
    }
}
