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

use crate::records::sitting::{Sitting, VERSION};
use sha2::{Digest, Sha256};
use std::time::Instant;

impl Sitting {
    /// Starts a sitting now: runs the probe on `cores` threads.
    pub fn start(cores: usize) -> Sitting {
        let started_unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Sitting { started_unix, probe_s: probe(cores), version: VERSION }
    }
}

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
}
