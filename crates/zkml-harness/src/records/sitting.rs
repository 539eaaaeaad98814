//! One sitting of a sweep, as its records carry it: when it started and how fast the machine
//! was then ([`crate::run::probe`] times it). The report compares timings within a sitting and
//! warns when sittings differ.

use serde::{Deserialize, Serialize};

/// One sitting of a sweep: when it started and how long the speed probe took then.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sitting {
    pub started_unix: u64,
    /// Median wall time of [`crate::run::probe::probe`]'s workload, seconds (lower = faster machine).
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

/// Two sittings whose probes differ by more than this ratio are not comparable side by side.
/// (The first probe, 8× shorter, read 0.11–0.13 s on one idle machine within minutes: 1.23×;
/// the machines it must tell apart differed by 1.7–1.9×.)
pub const COMPARABLE_RATIO: f64 = 1.25;

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
