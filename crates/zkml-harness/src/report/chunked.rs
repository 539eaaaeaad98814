//! Issue #36, test sets proven in chunks: what one chunk proof and the aggregation cost, how the
//! aggregation grows with the number of chunks, and the time to a proof of a million rows on one
//! machine and on ten (chunks proven side by side, then one aggregation).
//!
//! Computed as data ([`systems`]) from the records' `chunked` parts, then rendered
//! ([`markdown`]). A chunk's cost is its prove process's wall time as the harness measured it;
//! the aggregation's likewise; a run's peak is the largest of its processes'.

use crate::records::data::{Data, GroupKey};
use crate::records::RunRecord;
use crate::report::scaling::{seconds, PROJECT_TO_ROWS};
use crate::stats::{linear_fit, stats, Stats};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use zkml_protocol::memory_guard::{gib, GIB};

/// Machines the report also projects to (each proves a share of the chunks at once).
pub const MACHINES: u32 = 10;

/// Below this growth per chunk (bytes), an aggregation's peak counts as flat in K: the
/// allocator's noise between runs is of this order.
pub const PEAK_GROWTH_NOISE: f64 = 64.0 * 1024.0 * 1024.0;

/// One measured size of a chunked system.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkedSize {
    pub rows: u32,
    pub chunks: u32,
    /// Every chunk prove process of every repetition at this size (seconds).
    pub chunk_wall: Stats,
    pub chunk_peak_bytes: u64,
    pub aggregate_wall: Stats,
    pub aggregate_peak_bytes: u64,
    /// Time to the proof: the chunks one after another, then the aggregation.
    pub total_wall: Stats,
}

/// A chunked system (host, model, backend, chunk size) over the sizes it proved.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkedSystem {
    pub key: GroupKey,
    pub chunk_rows: u32,
    pub sizes: Vec<ChunkedSize>,
    /// Aggregation wall = fixed + per chunk × K, fitted over every aggregation measured (from
    /// two chunk counts on).
    pub aggregate_fit: Option<(f64, f64)>,
    /// Aggregation peak (bytes) = fixed + per chunk × K, fitted likewise: the aggregation
    /// holds every chunk proof, so its memory may grow with K where a chunk's cannot.
    pub aggregate_peak_fit: Option<(f64, f64)>,
    /// The median of every chunk prove process measured, at every size.
    pub chunk_median_s: f64,
}

/// The time to a proof of `rows` rows on `machines` machines: the chunks spread evenly (each
/// machine proves ⌈K / machines⌉ in turn), then one aggregation of all `K`. Needs the
/// aggregation fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    pub rows: f64,
    pub chunks: u32,
    pub machines: u32,
    pub seconds: f64,
    /// The largest process's peak: one chunk's measured peak, or the aggregation's peak at
    /// `chunks` from its fit, whichever is larger.
    pub peak_bytes: f64,
}

impl ChunkedSystem {
    pub fn name(&self) -> String {
        crate::records::system_name(&self.key.zkvm, &self.key.mode, self.key.precompiles)
    }

    pub fn project(&self, rows: f64, machines: u32) -> Option<Projection> {
        let (fixed, per_chunk) = self.aggregate_fit?;
        let chunks = (rows / self.chunk_rows as f64).ceil() as u32;
        let rounds = chunks.div_ceil(machines.max(1));
        let seconds = rounds as f64 * self.chunk_median_s + fixed + per_chunk * chunks as f64;
        let chunk_peak = self.sizes.iter().map(|z| z.chunk_peak_bytes).max().unwrap_or(0) as f64;
        // A peak flat in K within the noise is not extrapolated (a few KiB over K = 2, 3 would
        // otherwise grow into GiB at ten thousand chunks).
        let aggregate_peak = match (self.aggregate_peak_growth(), self.aggregate_peak_fit) {
            (Some(_), Some((fixed, per_chunk))) => fixed + per_chunk * chunks as f64,
            _ => self.sizes.iter().map(|z| z.aggregate_peak_bytes).max().unwrap_or(0) as f64,
        };
        Some(Projection { rows, chunks, machines, seconds, peak_bytes: chunk_peak.max(aggregate_peak) })
    }

    /// How many GiB the aggregation's peak grows per chunk, where it measurably does (more
    /// than [`PEAK_GROWTH_NOISE`] per chunk).
    pub fn aggregate_peak_growth(&self) -> Option<f64> {
        let (_, per_chunk) = self.aggregate_peak_fit?;
        (per_chunk > PEAK_GROWTH_NOISE).then(|| per_chunk / GIB as f64)
    }

    /// The most chunks one aggregation can take within `ram_bytes`, by the peak's fit, where
    /// that peak grows with K.
    pub fn max_chunks_within(&self, ram_bytes: u64) -> Option<u64> {
        self.aggregate_peak_growth()?;
        let (fixed, per_chunk) = self.aggregate_peak_fit?;
        Some(((ram_bytes as f64 - fixed) / per_chunk).floor().max(0.0) as u64)
    }
}

/// Every chunked system with a successful run, from the records' chunk parts.
pub fn systems(groups: &BTreeMap<GroupKey, Vec<&RunRecord>>) -> Vec<ChunkedSystem> {
    let mut by_system: BTreeMap<(GroupKey, u32), Vec<(u32, &RunRecord)>> = BTreeMap::new();
    for (k, runs) in groups {
        for r in runs {
            if let Some(parts) = r.metrics.as_ref().and_then(|m| m.chunked.as_ref()) {
                by_system.entry((k.system(), parts.chunk_rows)).or_default().push((k.rows, r));
            }
        }
    }
    by_system
        .into_iter()
        .filter_map(|((key, chunk_rows), runs)| {
            let mut per_size: BTreeMap<u32, Vec<&RunRecord>> = BTreeMap::new();
            for (rows, r) in runs {
                per_size.entry(rows).or_default().push(r);
            }
            let mut sizes = Vec::new();
            let mut agg_points = Vec::new();
            let mut agg_peaks = Vec::new();
            let mut all_chunks = Vec::new();
            for (rows, rs) in per_size {
                let metrics: Vec<_> = rs.iter().filter_map(|r| r.metrics.as_ref()).collect();
                let parts: Vec<_> = metrics.iter().filter_map(|m| m.chunked.as_ref()).collect();
                let chunks = parts.first()?.chunk_wall_s.len() as u32;
                let chunk_walls: Vec<f64> = parts.iter().flat_map(|p| p.chunk_wall_s.iter().copied()).collect();
                let agg_walls: Vec<f64> = parts.iter().map(|p| p.aggregate_wall_s).collect();
                agg_points.extend(agg_walls.iter().map(|&w| (chunks as f64, w)));
                agg_peaks.extend(parts.iter().map(|p| (chunks as f64, p.aggregate_peak_rss_bytes as f64)));
                all_chunks.extend(chunk_walls.iter().copied());
                let size = ChunkedSize {
                    rows,
                    chunks,
                    chunk_wall: stats(&chunk_walls)?,
                    chunk_peak_bytes: parts.iter().flat_map(|p| p.chunk_peak_rss_bytes.iter().copied()).max().unwrap_or(0),
                    aggregate_wall: stats(&agg_walls)?,
                    aggregate_peak_bytes: parts.iter().map(|p| p.aggregate_peak_rss_bytes).max().unwrap_or(0),
                    total_wall: stats(&metrics.iter().map(|m| m.prove_wall_s).collect::<Vec<_>>())?,
                };
                sizes.push(size);
            }
            let chunk_median_s = stats(&all_chunks)?.median;
            Some(ChunkedSystem {
                key,
                chunk_rows,
                sizes,
                aggregate_fit: linear_fit(&agg_points),
                aggregate_peak_fit: linear_fit(&agg_peaks),
                chunk_median_s,
            })
        })
        .collect()
}

/// The section's markdown; empty when no run was chunked.
pub fn markdown(data: &Data, groups: &BTreeMap<GroupKey, Vec<&RunRecord>>) -> String {
    let systems = systems(groups);
    let mut md = String::new();
    if systems.is_empty() {
        return md;
    }
    let multi_host = data.hosts.len() > 1;
    let _ = writeln!(md, "## Test sets proven in chunks\n");
    let _ = writeln!(
        md,
        "Each chunk of at most *chunk* rows is proven by a process of its own; one more process proves the aggregation, \
         which verifies every chunk proof inside (the zkVM's recursion) and carries the ordinary claim. Time to a proof \
         = the chunk processes one after another + the aggregation; peak = the largest of them. Chunk: median (min–max) \
         over every chunk process at that size.\n"
    );
    let _ = writeln!(
        md,
        "| system | model | chunk (rows) | rows | chunks K | one chunk: wall | one chunk: peak | aggregation: wall | aggregation: peak | time to a proof |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|");
    for s in &systems {
        let host = if multi_host { format!(" (H{})", s.key.host + 1) } else { String::new() };
        for z in &s.sizes {
            let _ = writeln!(
                md,
                "| {}{host} | {} | {} | {} | {} | {} ({}–{}) | {:.2} GiB | {} | {:.2} GiB | {} |",
                s.name(),
                s.key.model,
                s.chunk_rows,
                z.rows,
                z.chunks,
                seconds(z.chunk_wall.median),
                seconds(z.chunk_wall.min),
                seconds(z.chunk_wall.max),
                gib(z.chunk_peak_bytes),
                seconds(z.aggregate_wall.median),
                gib(z.aggregate_peak_bytes),
                seconds(z.total_wall.median),
            );
        }
    }
    let _ = writeln!(md);
    let projected: Vec<&ChunkedSystem> = systems.iter().filter(|s| s.aggregate_fit.is_some()).collect();
    if projected.is_empty() {
        let _ = writeln!(md, "A projection needs aggregations of two different chunk counts (none here).\n");
        return md;
    }
    let _ = writeln!(
        md,
        "Projection to {} rows at the measured chunk size: the median chunk time × the chunks each machine proves in \
         turn (⌈K / machines⌉), + the aggregation of all K from its fit (fixed + per chunk × K, extrapolated). It assumes \
         chunk proofs cost the same at every position and ignores moving files between machines. Peak: the largest \
         process's — one chunk's (it does not grow with the rows), or the aggregation's at K from the fit of its peaks \
         over the chunk counts measured (fixed + per chunk × K), whichever is larger.\n",
        crate::report::text::thousands(PROJECT_TO_ROWS as u32)
    );
    let _ = writeln!(md, "| system | model | chunk (rows) | aggregation fit | chunks K | 1 machine | {MACHINES} machines | peak |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    let mut bounds = Vec::new();
    for s in projected {
        let (fixed, per_chunk) = s.aggregate_fit.expect("filtered");
        let one = s.project(PROJECT_TO_ROWS, 1).expect("has a fit");
        let many = s.project(PROJECT_TO_ROWS, MACHINES).expect("has a fit");
        let host = if multi_host { format!(" (H{})", s.key.host + 1) } else { String::new() };
        let _ = writeln!(
            md,
            "| {}{host} | {} | {} | {} + {:.2} s × K | {} | {} | {} | {:.2} GiB |",
            s.name(),
            s.key.model,
            s.chunk_rows,
            seconds(fixed),
            per_chunk,
            crate::report::text::thousands(one.chunks),
            seconds(one.seconds),
            seconds(many.seconds),
            gib(one.peak_bytes as u64),
        );
        if let (Some(growth), Some(ram)) = (s.aggregate_peak_growth(), data.hosts.get(s.key.host).map(|h| h.ram_bytes)) {
            let most = s.max_chunks_within(ram).unwrap_or(0);
            bounds.push(format!(
                "- {}{host}: the aggregation's peak grows {growth:.2} GiB per chunk, so one aggregation of more than {most} chunks \
                 would not fit in this machine's {:.0} GiB; {} chunks need a tree of aggregations (not built) or chunks \
                 {} times larger.",
                s.name(),
                gib(ram),
                crate::report::text::thousands(one.chunks),
                crate::report::text::thousands(one.chunks.div_ceil(most.max(1) as u32)),
            ));
        }
    }
    let _ = writeln!(md);
    if !bounds.is_empty() {
        let _ = writeln!(md, "Memory bounds the aggregation:\n\n{}\n", bounds.join("\n"));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_million_rows_on_one_and_on_ten_machines() {
        let key = GroupKey {
            host: 0,
            model: "ridge".into(),
            zkvm: "risc0".into(),
            precompiles: zkml_protocol::Precompiles::On,
            mode: "chunked".into(),
            rows: 0,
        };
        let s = ChunkedSystem {
            key,
            chunk_rows: 1000,
            sizes: vec![],
            aggregate_fit: Some((20.0, 0.5)),
            aggregate_peak_fit: None,
            chunk_median_s: 100.0,
        };
        // 1,000 chunks: 1,000 × 100 s + 20 s + 500 s on one machine; 100 rounds on ten.
        let one = s.project(1e6, 1).unwrap();
        assert_eq!((one.chunks, one.seconds), (1000, 100_000.0 + 520.0));
        assert_eq!(s.project(1e6, 10).unwrap().seconds, 10_000.0 + 520.0);
        // A chunk left over takes a round of its own.
        assert_eq!(s.project(1_000_500.0, 10).unwrap().seconds, 101.0 * 100.0 + 20.0 + 0.5 * 1001.0);
        assert_eq!(ChunkedSystem { aggregate_fit: None, ..s.clone() }.project(1e6, 1), None);
    }

    #[test]
    fn an_aggregation_whose_peak_grows_with_k_bounds_the_chunk_count() {
        let gib = (1u64 << 30) as f64;
        let size = |chunks: u32, aggregate_peak: f64| ChunkedSize {
            rows: chunks * 100,
            chunks,
            chunk_wall: stats(&[300.0]).unwrap(),
            chunk_peak_bytes: (14.0 * gib) as u64,
            aggregate_wall: stats(&[500.0]).unwrap(),
            aggregate_peak_bytes: aggregate_peak as u64,
            total_wall: stats(&[1000.0]).unwrap(),
        };
        let key = GroupKey {
            host: 0,
            model: "ridge".into(),
            zkvm: "sp1".into(),
            precompiles: zkml_protocol::Precompiles::On,
            mode: "chunked".into(),
            rows: 0,
        };
        // 13 GiB + 1.5 GiB per chunk: 16 GiB at K = 2, 17.5 at K = 3.
        let growing = ChunkedSystem {
            key,
            chunk_rows: 100,
            sizes: vec![size(2, 16.0 * gib), size(3, 17.5 * gib)],
            aggregate_fit: Some((250.0, 95.0)),
            aggregate_peak_fit: linear_fit(&[(2.0, 16.0 * gib), (3.0, 17.5 * gib)]),
            chunk_median_s: 300.0,
        };
        assert!((growing.aggregate_peak_growth().unwrap() - 1.5).abs() < 1e-9);
        // 24 GiB hold 13 + 1.5 × 7 = 23.5 GiB, not 25 at K = 8.
        assert_eq!(growing.max_chunks_within((24.0 * gib) as u64), Some(7));
        // At 10 chunks the aggregation, 28 GiB, is the largest process, not a 14 GiB chunk.
        let p = growing.project(1000.0, 1).unwrap();
        assert!((p.peak_bytes / gib - 28.0).abs() < 1e-6, "{}", p.peak_bytes / gib);
        // A flat peak (RISC Zero's 1.42 GiB at K = 2 and 3) bounds nothing; the chunk's peak is the largest.
        let flat = ChunkedSystem {
            aggregate_peak_fit: linear_fit(&[(2.0, 1.42 * gib), (3.0, 1.42 * gib + 4096.0)]),
            sizes: vec![size(2, 1.42 * gib), size(3, 1.42 * gib)],
            ..growing
        };
        assert_eq!((flat.aggregate_peak_growth(), flat.max_chunks_within((24.0 * gib) as u64)), (None, None));
        assert!((flat.project(1e6, 1).unwrap().peak_bytes / gib - 14.0).abs() < 1e-6);
        // Even where that flat peak is the largest process's, it is not extrapolated.
        let flat_large = ChunkedSystem {
            aggregate_peak_fit: linear_fit(&[(2.0, 20.0 * gib), (3.0, 20.0 * gib + 1e6)]),
            sizes: vec![size(2, 20.0 * gib), size(3, 20.0 * gib + 1e6)],
            ..flat
        };
        assert!((flat_large.project(1e6, 1).unwrap().peak_bytes - (20.0 * gib + 1e6)).abs() < 1.0);
    }
}
