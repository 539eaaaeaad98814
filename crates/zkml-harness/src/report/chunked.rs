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
use zkml_protocol::memory_guard::gib;

/// Machines the report also projects to (each proves a share of the chunks at once).
pub const MACHINES: u32 = 10;

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
    /// The median of every chunk prove process measured, at every size.
    pub chunk_median_s: f64,
    /// The largest peak of any of its processes.
    pub peak_bytes: u64,
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
        Some(Projection { rows, chunks, machines, seconds })
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
            let mut all_chunks = Vec::new();
            let mut peak_bytes = 0;
            for (rows, rs) in per_size {
                let metrics: Vec<_> = rs.iter().filter_map(|r| r.metrics.as_ref()).collect();
                let parts: Vec<_> = metrics.iter().filter_map(|m| m.chunked.as_ref()).collect();
                let chunks = parts.first()?.chunk_wall_s.len() as u32;
                let chunk_walls: Vec<f64> = parts.iter().flat_map(|p| p.chunk_wall_s.iter().copied()).collect();
                let agg_walls: Vec<f64> = parts.iter().map(|p| p.aggregate_wall_s).collect();
                agg_points.extend(agg_walls.iter().map(|&w| (chunks as f64, w)));
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
                peak_bytes = peak_bytes.max(size.chunk_peak_bytes).max(size.aggregate_peak_bytes);
                sizes.push(size);
            }
            let chunk_median_s = stats(&all_chunks)?.median;
            Some(ChunkedSystem { key, chunk_rows, sizes, aggregate_fit: linear_fit(&agg_points), chunk_median_s, peak_bytes })
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
         chunk proofs cost the same at every position and ignores moving files between machines. Peak memory does not \
         grow with the rows: it is the largest process's at this chunk size.\n",
        crate::report::text::thousands(PROJECT_TO_ROWS as u32)
    );
    let _ = writeln!(md, "| system | model | chunk (rows) | aggregation fit | chunks K | 1 machine | {MACHINES} machines | peak |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
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
            gib(s.peak_bytes),
        );
    }
    let _ = writeln!(md);
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
        let s =
            ChunkedSystem { key, chunk_rows: 1000, sizes: vec![], aggregate_fit: Some((20.0, 0.5)), chunk_median_s: 100.0, peak_bytes: 1 };
        // 1,000 chunks: 1,000 × 100 s + 20 s + 500 s on one machine; 100 rounds on ten.
        let one = s.project(1e6, 1).unwrap();
        assert_eq!((one.chunks, one.seconds), (1000, 100_000.0 + 520.0));
        assert_eq!(s.project(1e6, 10).unwrap().seconds, 10_000.0 + 520.0);
        // A chunk left over takes a round of its own.
        assert_eq!(s.project(1_000_500.0, 10).unwrap().seconds, 101.0 * 100.0 + 20.0 + 0.5 * 1001.0);
        assert_eq!(ChunkedSystem { aggregate_fit: None, ..s }.project(1e6, 1), None);
    }
}
