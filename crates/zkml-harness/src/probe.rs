//! How fast this machine is right now: a fixed CPU and memory workload timed at the start of
//! every sweep sitting and written into each of its records.
//!
//! Virtual machines of the same description ("2 cores, AMD EPYC") have proven the same input
//! up to 1.9× apart on different days, and a long sweep resumes over several sittings. The
//! probe is what tells them apart: the report lists each sitting's probe time and warns when
//! they differ, so that timings are compared within a sitting (or scaled knowingly).
//!
//! The workload mirrors what provers spend their time on: SHA-256 over a buffer larger than
//! the caches (hash-based commitments) and multiply-reduce passes over a 31-bit prime field
//! vector (NTTs, constraint evaluation), on every logical core at once.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Instant;

/// One sitting of a sweep: when it started and how long the speed probe took then.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sitting {
    pub started_unix: u64,
    /// Median wall time of [`probe`]'s workload, seconds (lower = faster machine).
    pub probe_s: f64,
    /// Which probe workload ([`work`]): only sittings timed with the same one are compared.
    #[serde(default = "first_version")]
    pub version: u32,
}

fn first_version() -> u32 {
    1
}

/// The probe workload this build runs.
pub const VERSION: u32 = 2;

/// What probe `version` runs, for the report.
pub fn work(version: u32) -> &'static str {
    match version {
        1 => "v1, per logical core: SHA-256 over 64 MiB and 8 multiply-reduce passes over 4 Mi BabyBear elements; median of 3 timings",
        2 => {
            "v2, per logical core: SHA-256 over 384 MiB (an 8 MiB buffer 48 times) and 32 multiply-reduce passes over 4 Mi \
              BabyBear elements; median of 3 timings"
        }
        _ => "unknown probe version",
    }
}

impl Sitting {
    /// Starts a sitting now: runs the probe on `cores` threads.
    pub fn start(cores: usize) -> Sitting {
        let started_unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Sitting { started_unix, probe_s: probe(cores), version: VERSION }
    }
}

/// Two sittings whose probes differ by more than this ratio are not comparable side by side.
/// (The first probe, 8× shorter, read 0.11–0.13 s on one idle machine within minutes: 1.23×;
/// the machines it must tell apart differed by 1.7–1.9×.)
pub const COMPARABLE_RATIO: f64 = 1.25;

const BABYBEAR: u64 = 0x7800_0001;

fn one_core(seed: u64) -> u64 {
    let buf: Vec<u8> = (0..8usize << 20).map(|i| (i as u64).wrapping_mul(seed | 1).to_le_bytes()[1]).collect();
    let mut h = Sha256::new();
    for _ in 0..48 {
        h.update(&buf);
    }
    let digest = h.finalize();
    let mut v: Vec<u32> = (0..4u32 << 20).map(|i| ((i as u64 * 2_654_435_761 + seed) % BABYBEAR) as u32).collect();
    for pass in 0..32u64 {
        let w = u64::from(digest[pass as usize]) * 2_654_435 + 3;
        for x in v.iter_mut() {
            *x = ((u64::from(*x) * w + 7) % BABYBEAR) as u32;
        }
    }
    v.iter().fold(0u64, |a, &x| a.wrapping_add(u64::from(x)))
}

/// Times the workload on `cores` threads at once; returns the median of three timings (s).
pub fn probe(cores: usize) -> f64 {
    let mut t: Vec<f64> = (0..3)
        .map(|round| {
            let start = Instant::now();
            let sum: u64 = std::thread::scope(|s| {
                let handles: Vec<_> = (0..cores.max(1)).map(|c| s.spawn(move || one_core(round * 31 + c as u64))).collect();
                handles.into_iter().map(|h| h.join().expect("probe thread")).fold(0, u64::wrapping_add)
            });
            std::hint::black_box(sum);
            start.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[1]
}

/// The slowest sitting's probe time over the fastest's, among sittings timed with the same
/// probe version (the largest such ratio; `None` without sittings).
pub fn spread(sittings: &[Sitting]) -> Option<f64> {
    sittings.iter().map(|s| s.probe_s / fastest(sittings, s.version)).filter(|r| r.is_finite()).reduce(f64::max)
}

/// The fastest probe time of `version` among `sittings`.
pub fn fastest(sittings: &[Sitting], version: u32) -> f64 {
    sittings.iter().filter(|s| s.version == version).map(|s| s.probe_s).fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_takes_measurable_time_and_repeats_closely() {
        let a = probe(1);
        let b = probe(1);
        assert!(a > 0.01, "the workload is not optimised away: {a}");
        // Same machine, same moment: within a factor that tells 1.25 apart only loosely here
        // (CI shares its cores), but never an order of magnitude.
        assert!(a / b < 3.0 && b / a < 3.0, "{a} vs {b}");
    }

    #[test]
    fn spread_is_slowest_over_fastest() {
        let s = |p| Sitting { started_unix: 0, probe_s: p, version: VERSION };
        assert_eq!(spread(&[]), None);
        assert_eq!(spread(&[s(2.0)]), Some(1.0));
        assert!((spread(&[s(2.0), s(3.8), s(2.1)]).unwrap() - 1.9).abs() < 1e-12);
        // Probes of different workloads are never compared with each other.
        let old = Sitting { started_unix: 0, probe_s: 0.1, version: 1 };
        assert!((spread(&[old, s(2.0), s(2.2)]).unwrap() - 1.1).abs() < 1e-12);
        // A record written before the version existed reads as the first probe.
        let r: Sitting = serde_json::from_str(r#"{"started_unix":1,"probe_s":0.12}"#).unwrap();
        assert_eq!(r.version, 1);
    }
}
