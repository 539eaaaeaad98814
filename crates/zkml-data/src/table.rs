//! The feature table: one row per customer, feature columns then the target. Read and written
//! as CSV (`customer_id, <features...>, <target>`); also the format of the test split.

use crate::error::{DataError, Result};
use crate::transactions::csv_error;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::Path;

pub const ID_COLUMN: &str = "customer_id";

#[derive(Debug, Clone, PartialEq)]
pub struct FeatureTable {
    pub feature_names: Vec<String>,
    pub target_name: String,
    pub ids: Vec<String>,
    /// Row-major, `n_rows * n_features`.
    pub features: Vec<f64>,
    pub targets: Vec<f64>,
}

impl FeatureTable {
    pub fn new(feature_names: Vec<String>, target_name: String) -> Self {
        FeatureTable { feature_names, target_name, ids: Vec::new(), features: Vec::new(), targets: Vec::new() }
    }

    pub fn push(&mut self, id: String, features: &[f64], target: f64) {
        debug_assert_eq!(features.len(), self.feature_names.len());
        self.ids.push(id);
        self.features.extend_from_slice(features);
        self.targets.push(target);
    }

    pub fn n_rows(&self) -> usize {
        self.targets.len()
    }

    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    pub fn row(&self, i: usize) -> &[f64] {
        let k = self.n_features();
        &self.features[i * k..(i + 1) * k]
    }

    /// The rows at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> FeatureTable {
        let mut t = FeatureTable::new(self.feature_names.clone(), self.target_name.clone());
        for &i in indices {
            t.push(self.ids[i].clone(), self.row(i), self.targets[i]);
        }
        t
    }

    /// The first `n` rows (for sweeps over test-set sizes).
    pub fn head(&self, n: usize) -> FeatureTable {
        self.select(&(0..n.min(self.n_rows())).collect::<Vec<_>>())
    }

    /// Deterministic split: a seeded shuffle picks `round(n * test_fraction)` test rows (at
    /// least one, and at least one left for training); both parts keep the original order.
    pub fn split(&self, test_fraction: f64, seed: u64) -> Result<(FeatureTable, FeatureTable)> {
        let n = self.n_rows();
        if !(test_fraction > 0.0 && test_fraction < 1.0) {
            return Err(DataError::Config(format!("--test-fraction must be strictly between 0 and 1 (got {test_fraction})")));
        }
        if n < 2 {
            return Err(DataError::Config(format!("cannot split {n} row(s) into train and test sets")));
        }
        let n_test = ((n as f64 * test_fraction).round() as usize).clamp(1, n - 1);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let mut test: Vec<usize> = order[..n_test].to_vec();
        let mut train: Vec<usize> = order[n_test..].to_vec();
        test.sort_unstable();
        train.sort_unstable();
        Ok((self.select(&train), self.select(&test)))
    }

    /// Writes the table as CSV (atomically: no partial file on failure).
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        zkml_protocol::files::write_atomically(path, |w| -> Result<()> {
            let mut wtr = csv::Writer::from_writer(w);
            let mut header = vec![ID_COLUMN.to_string()];
            header.extend(self.feature_names.iter().cloned());
            header.push(self.target_name.clone());
            wtr.write_record(&header).map_err(|e| csv_error(path, e))?;
            let mut buf = Vec::with_capacity(header.len());
            for i in 0..self.n_rows() {
                buf.clear();
                buf.push(self.ids[i].clone());
                buf.extend(self.row(i).iter().map(|v| v.to_string()));
                buf.push(self.targets[i].to_string());
                wtr.write_record(&buf).map_err(|e| csv_error(path, e))?;
            }
            wtr.flush().map_err(|e| DataError::io(path, e))?;
            Ok(())
        })
        .map_err(|e| match e {
            DataError::Io { path: p, cause } if p.as_os_str() == "<output>" => DataError::io(path, cause),
            other => other,
        })
    }

    /// Reads a feature table. The target column is `target` if given, else the one column
    /// whose name starts with `spend_`. With `expected_features` (a model's feature names),
    /// the file must have exactly those feature columns (any order; returned in the model's
    /// order) and nothing else but `customer_id` and the target.
    pub fn read_csv(path: &Path, target: Option<&str>, expected_features: Option<&[String]>) -> Result<FeatureTable> {
        let file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(std::io::BufReader::new(file));
        let header: Vec<String> =
            rdr.headers().map_err(|e| csv_error(path, e))?.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect();
        if header.is_empty() || header.iter().all(|h| h.is_empty()) {
            return Err(DataError::Empty { path: path.into() });
        }
        crate::error::check_unique_header(path, &header)?;
        let available = header.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ");
        let id_col = header.iter().position(|h| h == ID_COLUMN);
        let target_col = match target {
            Some(t) => header.iter().position(|h| h == t).ok_or_else(|| DataError::MissingColumn {
                path: path.into(),
                column: t.into(),
                role: "target",
                available: available.clone(),
            })?,
            None => {
                let spends: Vec<usize> = (0..header.len()).filter(|&i| header[i].starts_with("spend_")).collect();
                match spends.as_slice() {
                    [one] => *one,
                    [] => {
                        return Err(DataError::MissingColumn {
                            path: path.into(),
                            column: "spend_<horizon>_days".into(),
                            role: "target (or pass --target)",
                            available,
                        })
                    }
                    _ => {
                        return Err(DataError::Invalid {
                            path: path.into(),
                            message: format!("several target candidates ({available}); pass --target"),
                        })
                    }
                }
            }
        };
        let others: Vec<usize> = (0..header.len()).filter(|&i| Some(i) != id_col && i != target_col).collect();
        let feature_cols: Vec<usize> = match expected_features {
            None => others,
            Some(expected) => {
                let mut cols = Vec::with_capacity(expected.len());
                for name in expected {
                    let i = header.iter().position(|h| h == name).ok_or_else(|| DataError::MissingColumn {
                        path: path.into(),
                        column: name.clone(),
                        role: "model feature (is this test set for another feature set?)",
                        available: available.clone(),
                    })?;
                    cols.push(i);
                }
                if let Some(&extra) = others.iter().find(|i| !cols.contains(i)) {
                    return Err(DataError::UnexpectedColumn {
                        path: path.into(),
                        column: header[extra].clone(),
                        expected: format!("{ID_COLUMN}, {}, {}", expected.join(", "), header[target_col]),
                    });
                }
                cols
            }
        };
        if feature_cols.is_empty() {
            return Err(DataError::Invalid { path: path.into(), message: "no feature columns".into() });
        }
        let mut table = FeatureTable::new(feature_cols.iter().map(|&i| header[i].clone()).collect(), header[target_col].clone());
        let mut record = csv::StringRecord::new();
        let mut row = Vec::with_capacity(feature_cols.len());
        while rdr.read_record(&mut record).map_err(|e| csv_error(path, e))? {
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            let num = |i: usize| -> Result<f64> {
                let s = record[i].trim();
                match s.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    Ok(_) => Err(bad(path, line, &header[i], s, "not a finite number")),
                    Err(_) => Err(bad(path, line, &header[i], s, "not a number")),
                }
            };
            row.clear();
            for &i in &feature_cols {
                row.push(num(i)?);
            }
            let y = num(target_col)?;
            let id = id_col.map(|i| record[i].to_string()).unwrap_or_else(|| (table.n_rows() + 1).to_string());
            table.push(id, &row, y);
        }
        if table.n_rows() == 0 {
            return Err(DataError::Invalid { path: path.into(), message: "no data rows (header only)".into() });
        }
        Ok(table)
    }
}

fn bad(path: &Path, line: u64, column: &str, value: &str, reason: &str) -> DataError {
    DataError::BadValue { path: path.into(), line, column: column.into(), value: value.into(), reason: reason.into() }
}
