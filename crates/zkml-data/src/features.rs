//! RFM features per customer and the next-period spend target.
//!
//! Observation window: every transaction at or before `cutoff`. Target window:
//! `(cutoff, cutoff + horizon]`. A customer with no purchase in the observation window has
//! no features and is excluded (and counted). Memory: one small aggregate per customer.

use crate::error::{DataError, Result};
use crate::table::FeatureTable;
use crate::transactions::{datetime, ColumnMapping, TransactionReader};
use chrono::NaiveDateTime;
use std::collections::HashMap;
use std::path::Path;

/// The feature columns, in order.
pub const FEATURE_NAMES: [&str; 5] = ["frequency", "monetary", "recency", "avg_price", "avg_discount"];

/// Name of the target column for a horizon: `spend_90_days` for 90.
pub fn target_name(horizon_days: u32) -> String {
    format!("spend_{horizon_days}_days")
}

#[derive(Debug, Clone)]
pub struct FeatureOptions {
    /// End of the observation window; default: last transaction minus the horizon.
    pub cutoff: Option<NaiveDateTime>,
    pub horizon_days: u32,
}

impl Default for FeatureOptions {
    fn default() -> Self {
        FeatureOptions { cutoff: None, horizon_days: 90 }
    }
}

/// What happened while building features (printed at the end of `data features`).
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSummary {
    pub transactions: u64,
    pub first: NaiveDateTime,
    pub last: NaiveDateTime,
    pub cutoff: NaiveDateTime,
    pub horizon_end: NaiveDateTime,
    pub customers_seen: u64,
    pub customers_kept: u64,
    /// Customers whose only purchases fall after the cutoff: no history, excluded.
    pub customers_excluded_no_history: u64,
    pub transactions_after_horizon: u64,
    /// 2 when the cutoff had to be found first (a pass reading dates only), else 1.
    pub passes: u32,
}

#[derive(Debug, Clone, Default)]
struct Aggregate {
    frequency: u64,
    monetary: f64,
    last_purchase: i64,
    sum_price: f64,
    sum_discount: f64,
    target: f64,
}

/// Reads `path` (streaming) and returns one row per customer with history.
pub fn build_features(path: &Path, mapping: &ColumnMapping, options: &FeatureOptions) -> Result<(FeatureTable, FeatureSummary)> {
    if options.horizon_days == 0 {
        return Err(DataError::Config("--horizon-days must be at least 1".into()));
    }
    let horizon = options.horizon_days as i64 * 86_400;
    let (cutoff, passes) = match options.cutoff {
        Some(c) => (c.and_utc().timestamp(), 1),
        None => {
            let mut reader = TransactionReader::open(path, mapping)?;
            let mut last = None::<i64>;
            while let Some(t) = reader.next_time()? {
                last = Some(last.map_or(t, |l| l.max(t)));
            }
            let last = last.ok_or_else(|| DataError::Invalid { path: path.into(), message: "no transactions (header only)".into() })?;
            (last - horizon, 2)
        }
    };
    let end = cutoff + horizon;

    let mut reader = TransactionReader::open(path, mapping)?;
    let mut customers: HashMap<Box<[u8]>, Aggregate> = HashMap::new();
    let (mut n, mut after, mut first, mut last) = (0u64, 0u64, i64::MAX, i64::MIN);
    while let Some(tx) = reader.next_transaction()? {
        n += 1;
        first = first.min(tx.time);
        last = last.max(tx.time);
        if tx.time > end {
            after += 1;
            continue;
        }
        let agg = match customers.get_mut(tx.customer) {
            Some(a) => a,
            None => customers.entry(tx.customer.into()).or_insert_with(|| Aggregate { last_purchase: i64::MIN, ..Default::default() }),
        };
        if tx.time <= cutoff {
            agg.frequency += 1;
            agg.monetary += tx.amount;
            agg.last_purchase = agg.last_purchase.max(tx.time);
            agg.sum_price += tx.price;
            agg.sum_discount += tx.discount;
        } else {
            agg.target += tx.amount;
        }
    }
    if n == 0 {
        return Err(DataError::Invalid { path: path.into(), message: "no transactions (header only)".into() });
    }

    let seen = customers.len() as u64;
    let mut rows: Vec<(String, Aggregate)> =
        customers.into_iter().filter(|(_, a)| a.frequency > 0).map(|(k, a)| (String::from_utf8_lossy(&k).into_owned(), a)).collect();
    sort_customer_ids(&mut rows);
    let kept = rows.len() as u64;
    if kept == 0 {
        return Err(DataError::Invalid {
            path: path.into(),
            message: format!("no customer has a purchase on or before the cutoff {}", datetime(cutoff)),
        });
    }

    let mut table = FeatureTable::new(FEATURE_NAMES.iter().map(|s| s.to_string()).collect(), target_name(options.horizon_days));
    for (id, a) in rows {
        let f = a.frequency as f64;
        let recency_days = (cutoff - a.last_purchase) as f64 / 86_400.0;
        let values = [f, round4(a.monetary), round4(recency_days), round4(a.sum_price / f), round4(a.sum_discount / f)];
        // Each amount is finite, but a sum of huge ones can overflow to infinity.
        for (name, v) in FEATURE_NAMES.iter().zip(&values).chain([(&"the target", &a.target)]) {
            if !v.is_finite() {
                return Err(DataError::Invalid {
                    path: path.into(),
                    message: format!("customer {id}: {name} sums to {v}: the amounts are too large to add up in 64-bit floating point"),
                });
            }
        }
        table.push(id, &values, round4(a.target));
    }
    let summary = FeatureSummary {
        transactions: n,
        first: datetime(first),
        last: datetime(last),
        cutoff: datetime(cutoff),
        horizon_end: datetime(end),
        customers_seen: seen,
        customers_kept: kept,
        customers_excluded_no_history: seen - kept,
        transactions_after_horizon: after,
        passes,
    };
    Ok((table, summary))
}

/// Numeric ids sort numerically, others lexicographically (numbers first).
fn sort_customer_ids(rows: &mut [(String, Aggregate)]) {
    rows.sort_by(|(a, _), (b, _)| match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => a.cmp(b),
    });
}

/// Four decimals: cents and sub-cent averages, without float noise in the CSV.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
