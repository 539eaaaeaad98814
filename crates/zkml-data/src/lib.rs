//! # zkml-data
//!
//! From retail transactions to one row per customer:
//! - [`synth`]: a deterministic synthetic generator in the Kaggle "Retail Transaction
//!   Dataset" schema, with persistent customer behaviour so that the past predicts the future;
//! - [`transactions`]: a streaming reader for any transactions CSV through a column mapping;
//! - [`features`]: RFM features over the observation window and the `spend_<h>_days` target;
//! - [`table`]: the feature table (CSV in and out) and the deterministic train/test split.

pub mod error;
pub mod features;
pub mod synth;
pub mod table;
pub mod transactions;

pub use error::{DataError, Result};
