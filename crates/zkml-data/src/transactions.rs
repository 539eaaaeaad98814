//! Streaming reader for any transactions CSV, through a column mapping.
//!
//! Reads one record at a time into a reused buffer (`csv::ByteRecord`), so memory does not
//! grow with the file: a 1 GB file needs a few kilobytes here (the feature builder keeps
//! one small aggregate per customer).

use crate::error::{DataError, Result};
use crate::synth::KAGGLE_DATE_FORMAT;
use chrono::{NaiveDate, NaiveDateTime};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// An optional input column: quantity, price and discount may be absent from a CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionalColumn {
    /// Use this column when the header has it (the Kaggle defaults).
    IfPresent(String),
    /// The user named this column: it must exist.
    Required(String),
    /// Do not read it (quantity = 1, price = amount / quantity, discount = 0).
    Absent,
}

impl OptionalColumn {
    /// From a command-line flag: `None` keeps the default, `"none"` disables the column.
    pub fn from_flag(flag: Option<&str>, default: &str) -> Self {
        match flag {
            None => OptionalColumn::IfPresent(default.to_string()),
            Some(name) if name.eq_ignore_ascii_case("none") => OptionalColumn::Absent,
            Some(name) => OptionalColumn::Required(name.to_string()),
        }
    }
}

/// Which column holds what, and how dates are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMapping {
    pub customer: String,
    pub date: String,
    pub amount: String,
    pub quantity: OptionalColumn,
    pub price: OptionalColumn,
    pub discount: OptionalColumn,
    /// A chrono format (`%Y-%m-%d`, `%d.%m.%Y %H:%M`, ...). `None` accepts the Kaggle format
    /// (`12/26/2023 12:32`) and common ISO forms.
    pub date_format: Option<String>,
}

impl Default for ColumnMapping {
    /// The Kaggle "Retail Transaction Dataset" columns.
    fn default() -> Self {
        ColumnMapping {
            customer: "CustomerID".into(),
            date: "TransactionDate".into(),
            amount: "TotalAmount".into(),
            quantity: OptionalColumn::IfPresent("Quantity".into()),
            price: OptionalColumn::IfPresent("Price".into()),
            discount: OptionalColumn::IfPresent("DiscountApplied(%)".into()),
            date_format: None,
        }
    }
}

/// One transaction, borrowed from the reader's buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transaction<'a> {
    pub customer: &'a [u8],
    /// Seconds since 1970-01-01T00:00 (naive, no time zone).
    pub time: i64,
    pub amount: f64,
    pub quantity: f64,
    pub price: f64,
    pub discount: f64,
}

const DEFAULT_DATE_FORMATS: [&str; 6] =
    [KAGGLE_DATE_FORMAT, "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"];
const DEFAULT_DATE_ONLY_FORMATS: [&str; 2] = ["%Y-%m-%d", "%m/%d/%Y"];

/// Parses dates with an explicit format, or by trying the defaults (remembering which one
/// worked last, so a homogeneous file parses with one attempt per row).
#[derive(Debug, Clone)]
pub struct DateParser {
    formats: Vec<String>,
    last_ok: usize,
}

impl DateParser {
    pub fn new(format: Option<&str>) -> Self {
        let formats = match format {
            Some(f) => vec![f.to_string()],
            None => DEFAULT_DATE_FORMATS.iter().chain(&DEFAULT_DATE_ONLY_FORMATS).map(|s| s.to_string()).collect(),
        };
        DateParser { formats, last_ok: 0 }
    }

    pub fn describe(&self) -> String {
        self.formats.join(" | ")
    }

    /// Seconds since the epoch, or `None` if no format matches.
    pub fn parse(&mut self, s: &str) -> Option<i64> {
        let n = self.formats.len();
        for k in 0..n {
            let i = (self.last_ok + k) % n;
            let f = &self.formats[i];
            let parsed = NaiveDateTime::parse_from_str(s, f)
                .ok()
                .or_else(|| NaiveDate::parse_from_str(s, f).ok().and_then(|d| d.and_hms_opt(0, 0, 0)));
            if let Some(t) = parsed {
                self.last_ok = i;
                return Some(t.and_utc().timestamp());
            }
        }
        None
    }
}

/// Converts seconds since the epoch back to a date-time.
pub fn datetime(t: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(t, 0).map(|d| d.naive_utc()).unwrap_or_default()
}

#[derive(Debug, Clone, Copy)]
struct Indices {
    customer: usize,
    date: usize,
    amount: usize,
    quantity: Option<usize>,
    price: Option<usize>,
    discount: Option<usize>,
}

/// A streaming reader of transactions.
pub struct TransactionReader {
    path: PathBuf,
    reader: csv::Reader<BufReader<File>>,
    record: csv::ByteRecord,
    idx: Indices,
    names: [String; 6],
    dates: DateParser,
}

impl TransactionReader {
    pub fn open(path: &Path, mapping: &ColumnMapping) -> Result<Self> {
        let file = File::open(path).map_err(|e| DataError::io(path, e))?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .buffer_capacity(1 << 20)
            .from_reader(BufReader::with_capacity(1 << 20, file));
        let headers = reader.byte_headers().map_err(|e| csv_error(path, e))?.clone();
        if headers.is_empty() {
            return Err(DataError::Empty { path: path.to_path_buf() });
        }
        let header_names: Vec<String> =
            headers.iter().map(|h| String::from_utf8_lossy(h).trim().trim_start_matches('\u{feff}').to_string()).collect();
        crate::error::check_unique_header(path, &header_names)?;
        let find = |name: &str| header_names.iter().position(|h| h == name);
        let available = header_names.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ");
        let missing = |column: &str, role: &'static str| DataError::MissingColumn {
            path: path.to_path_buf(),
            column: column.to_string(),
            role,
            available: available.clone(),
        };
        let required = |name: &str, role| find(name).ok_or_else(|| missing(name, role));
        let optional = |col: &OptionalColumn, role| -> Result<Option<usize>> {
            match col {
                OptionalColumn::IfPresent(name) => Ok(find(name)),
                OptionalColumn::Required(name) => required(name, role).map(Some),
                OptionalColumn::Absent => Ok(None),
            }
        };
        let idx = Indices {
            customer: required(&mapping.customer, "customer (--customer-col)")?,
            date: required(&mapping.date, "date (--date-col)")?,
            amount: required(&mapping.amount, "amount (--amount-col)")?,
            quantity: optional(&mapping.quantity, "quantity (--quantity-col)")?,
            price: optional(&mapping.price, "price (--price-col)")?,
            discount: optional(&mapping.discount, "discount (--discount-col)")?,
        };
        let name_of = |i: Option<usize>| i.map(|i| header_names[i].clone()).unwrap_or_default();
        let names = [
            name_of(Some(idx.customer)),
            name_of(Some(idx.date)),
            name_of(Some(idx.amount)),
            name_of(idx.quantity),
            name_of(idx.price),
            name_of(idx.discount),
        ];
        Ok(TransactionReader {
            path: path.to_path_buf(),
            reader,
            record: csv::ByteRecord::new(),
            idx,
            names,
            dates: DateParser::new(mapping.date_format.as_deref()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads only the date of the next record (for the pass that finds the last date).
    pub fn next_time(&mut self) -> Result<Option<i64>> {
        if !self.read_record()? {
            return Ok(None);
        }
        let line = self.line();
        Ok(Some(self.parse_date(line)?))
    }

    /// The next transaction, or `None` at the end of the file.
    pub fn next_transaction(&mut self) -> Result<Option<Transaction<'_>>> {
        if !self.read_record()? {
            return Ok(None);
        }
        let line = self.line();
        let time = self.parse_date(line)?;
        let amount = self.number(line, self.idx.amount, 2)?;
        if amount < 0.0 {
            return Err(self.bad(line, self.idx.amount, 2, "amount must not be negative (returns are not supported)"));
        }
        let quantity = match self.idx.quantity {
            Some(i) => {
                let q = self.number(line, i, 3)?;
                if q <= 0.0 {
                    return Err(self.bad(line, i, 3, "quantity must be positive"));
                }
                q
            }
            None => 1.0,
        };
        let price = match self.idx.price {
            Some(i) => {
                let p = self.number(line, i, 4)?;
                if p < 0.0 {
                    return Err(self.bad(line, i, 4, "price must not be negative"));
                }
                p
            }
            None => amount / quantity,
        };
        let discount = match self.idx.discount {
            Some(i) => {
                let d = self.number(line, i, 5)?;
                if !(0.0..=100.0).contains(&d) {
                    return Err(self.bad(line, i, 5, "discount must be a percentage in 0..=100"));
                }
                d
            }
            None => 0.0,
        };
        let customer = trim_bytes(&self.record[self.idx.customer]);
        if customer.is_empty() {
            return Err(self.bad(line, self.idx.customer, 0, "empty customer id"));
        }
        Ok(Some(Transaction { customer, time, amount, quantity, price, discount }))
    }

    fn read_record(&mut self) -> Result<bool> {
        self.reader.read_byte_record(&mut self.record).map_err(|e| csv_error(&self.path, e))
    }

    fn line(&self) -> u64 {
        self.record.position().map(|p| p.line()).unwrap_or(0)
    }

    fn field(&self, i: usize) -> &str {
        std::str::from_utf8(&self.record[i]).unwrap_or("\u{fffd}").trim()
    }

    fn bad(&self, line: u64, i: usize, name: usize, reason: &str) -> DataError {
        DataError::BadValue {
            path: self.path.clone(),
            line,
            column: self.names[name].clone(),
            value: self.field(i).to_string(),
            reason: reason.to_string(),
        }
    }

    fn number(&self, line: u64, i: usize, name: usize) -> Result<f64> {
        match self.field(i).parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            Ok(_) => Err(self.bad(line, i, name, "not a finite number")),
            Err(_) => Err(self.bad(line, i, name, "not a number")),
        }
    }

    fn parse_date(&mut self, line: u64) -> Result<i64> {
        let i = self.idx.date;
        let s = std::str::from_utf8(&self.record[i]).unwrap_or("").trim();
        match self.dates.parse(s) {
            Some(t) => Ok(t),
            None => {
                let reason = format!("unparseable date (formats tried: {})", self.dates.describe());
                Err(self.bad(line, i, 1, &reason))
            }
        }
    }
}

fn trim_bytes(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

pub(crate) fn csv_error(path: &Path, e: csv::Error) -> DataError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => DataError::io(path, io),
        csv::ErrorKind::UnequalLengths { expected_len, len, pos } => DataError::Csv {
            path: path.to_path_buf(),
            line: pos.map(|p| p.line()).unwrap_or(line),
            message: format!("row has {len} fields, the header has {expected_len}"),
        },
        kind => DataError::Csv { path: path.to_path_buf(), line, message: format!("{kind:?}") },
    }
}
