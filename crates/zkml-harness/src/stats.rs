//! Statistics the runner and the report share: medians with their spread, least-squares
//! lines and where two lines cross.

use std::collections::BTreeSet;

/// Median, min and max of a set of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

pub fn stats(values: &[f64]) -> Option<Stats> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
    Some(Stats { median, min: v[0], max: v[n - 1], n })
}

/// Least-squares `wall = fixed + per_row * rows` over (rows, wall) points; `None` under 2 sizes.
pub fn linear_fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    let sizes: BTreeSet<u64> = points.iter().map(|p| p.0 as u64).collect();
    if sizes.len() < 2 {
        return None;
    }
    let (mx, my) = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

/// The rows at which two fits cross, when the second grows slower and they cross at positive rows.
pub fn crossover(first: (f64, f64), second: (f64, f64)) -> Option<f64> {
    let (a1, b1) = first;
    let (a2, b2) = second;
    (b1 > b2).then(|| (a2 - a1) / (b1 - b2)).filter(|x| x.is_finite() && *x > 0.0)
}
