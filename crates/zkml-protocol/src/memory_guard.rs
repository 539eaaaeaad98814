//! A memory guard for provers: a prover that outgrows the machine should end as a clear failed
//! run, not as a swap storm or a silent kill. A background thread samples the process's
//! resident set (`/proc/self/status`, Linux) and, above the limit, prints the protocol's JSON
//! error and exits with status 1. (An allocation spike faster than the sampling can still meet
//! the kernel's OOM killer first; the harness records that as "killed by signal 9".)

use crate::reports::ErrorReport;
use std::time::Duration;

/// One GiB in bytes: memory is budgeted and reported in GiB everywhere.
pub const GIB: u64 = 1 << 30;

/// Bytes as GiB, for messages.
pub fn gib(bytes: u64) -> f64 {
    bytes as f64 / GIB as f64
}

/// The limit in bytes: `ZKML_MAX_RSS_MB` if set (0 disables the guard), else 95 % of the memory
/// available when the process started. A value that is not a whole number of MiB is an error,
/// never a silent fallback to the default.
pub fn limit_bytes() -> anyhow::Result<Option<u64>> {
    match std::env::var("ZKML_MAX_RSS_MB") {
        Ok(s) => parse_limit_mb(&s).map(|mb| (mb > 0).then_some(mb * 1024 * 1024)),
        Err(std::env::VarError::NotPresent) => Ok(meminfo_kib("MemAvailable:").map(|kib| kib * 1024 / 100 * 95)),
        Err(std::env::VarError::NotUnicode(v)) => anyhow::bail!("ZKML_MAX_RSS_MB={v:?} is not a number of MiB"),
    }
}

fn parse_limit_mb(s: &str) -> anyhow::Result<u64> {
    s.trim()
        .parse::<u64>()
        .map_err(|_| anyhow::anyhow!("ZKML_MAX_RSS_MB={s:?} is not a whole number of MiB (e.g. 20000; 0 disables the memory guard)"))
}

fn meminfo_kib(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    kib_field(&text, key)
}

fn kib_field(text: &str, key: &str) -> Option<u64> {
    text.lines().find(|l| l.starts_with(key))?.split_whitespace().nth(1)?.parse().ok()
}

/// How many memory-hungry pieces of work (shard proofs, recursion proofs) a prover may have in
/// flight within `budget` bytes: as many as fit at `per_unit` bytes each, at least 1, at most
/// `max` (the SDK's own default) and at most `units` (no wider than there is work for).
pub fn concurrency_within(budget: u64, per_unit: u64, max: u64, units: u64) -> u64 {
    (budget / per_unit.max(1)).clamp(1, max.max(1)).min(units.max(1))
}

/// The largest of `sizes` (e.g. trace elements per shard) whose estimated memory,
/// `fixed + per_unit × size` bytes, fits within `budget`; `None` when none does.
pub fn largest_within(budget: u64, fixed: u64, per_unit: u64, sizes: &[u64]) -> Option<u64> {
    sizes.iter().copied().filter(|&size| fixed.saturating_add(per_unit.saturating_mul(size)) <= budget).max()
}

/// The process's resident set in bytes, if the platform says.
pub fn rss_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    kib_field(&text, "VmRSS:").map(|kib| kib * 1024)
}

/// Starts the guard (once per process) for `what` (e.g. "sp1 proving"). Fails only on an
/// unparseable `ZKML_MAX_RSS_MB`.
pub fn spawn(what: &'static str) -> anyhow::Result<()> {
    let Some(limit) = limit_bytes()? else { return Ok(()) };
    if rss_bytes().is_none() {
        return Ok(());
    }
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(200));
        if let Some(rss) = rss_bytes() {
            if rss > limit {
                let error = format!(
                    "{what}: out of memory: resident set {:.1} GiB exceeded the limit {:.1} GiB (ZKML_MAX_RSS_MB; default 95% of \
                     the memory available at start); stopped before the machine ran out",
                    gib(rss),
                    gib(limit)
                );
                eprintln!("error: {error}");
                println!("{}", serde_json::to_string_pretty(&ErrorReport { error }).expect("serialises"));
                std::process::exit(1);
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_fits_the_budget_and_the_work() {
        // This project's 24 GB machine (guard limit ~21.9 GiB), 12 GiB per shard proof: one at a time.
        assert_eq!(concurrency_within(21 * GIB + GIB / 2, 12 * GIB, 4, 3), 1);
        // A bigger machine: as many as fit, capped by the SDK's default and by the work there is.
        assert_eq!(concurrency_within(64 * GIB, 12 * GIB, 4, 10), 4);
        assert_eq!(concurrency_within(40 * GIB, 12 * GIB, 4, 10), 3);
        assert_eq!(concurrency_within(64 * GIB, 12 * GIB, 4, 2), 2);
        // Never zero, even when one unit does not fit (the memory guard then decides).
        assert_eq!(concurrency_within(GIB, 12 * GIB, 4, 5), 1);
        assert_eq!(concurrency_within(64 * GIB, 0, 0, 0), 1);
    }

    #[test]
    fn the_largest_size_whose_estimate_fits() {
        let sizes = [3 << 27, 1 << 28, 1 << 27, 1 << 26, 1 << 25];
        // SP1's line, 13 GiB fixed + 80 bytes per element (5 GiB per 2^26): on this project's
        // 24 GB machine (limit ~21.8 GiB) 2^27 (23 GiB) does not fit, 2^26 (18 GiB) does.
        assert_eq!(largest_within(21 * GIB + 8 * GIB / 10, 13 * GIB, 80, &sizes), Some(1 << 26));
        assert_eq!(largest_within(23 * GIB, 13 * GIB, 80, &sizes), Some(1 << 27), "exactly at the budget fits");
        assert_eq!(largest_within(40 * GIB, 13 * GIB, 80, &sizes), Some(1 << 28));
        assert_eq!(largest_within(64 * GIB, 13 * GIB, 80, &sizes), Some(3 << 27));
        // Nothing fits: the caller decides (the memory guard then ends the run cleanly).
        assert_eq!(largest_within(13 * GIB, 13 * GIB, 80, &sizes), None);
        assert_eq!(largest_within(64 * GIB, 0, 1, &[]), None);
        // No overflow on absurd estimates.
        assert_eq!(largest_within(u64::MAX - 1, 1, u64::MAX, &[2]), None);
        assert!((gib(3 * GIB / 2) - 1.5).abs() < 1e-12);
    }

    #[test]
    fn parses_kib_fields() {
        let text = "Name:\tx\nVmRSS:\t  123456 kB\nMemAvailable:   2048 kB\n";
        assert_eq!(kib_field(text, "VmRSS:"), Some(123456));
        assert_eq!(kib_field(text, "MemAvailable:"), Some(2048));
        assert_eq!(kib_field(text, "VmHWM:"), None);
    }

    #[test]
    fn a_limit_must_be_a_number() {
        assert_eq!(parse_limit_mb(" 2048 ").unwrap(), 2048);
        assert_eq!(parse_limit_mb("0").unwrap(), 0);
        for bad in ["20G", "", "-1", "1.5"] {
            let e = parse_limit_mb(bad).unwrap_err().to_string();
            assert!(e.contains("ZKML_MAX_RSS_MB") && e.contains("not a whole number"), "{bad}: {e}");
        }
    }

    #[test]
    fn reads_this_process_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(rss_bytes().unwrap() > 0);
        }
    }
}
