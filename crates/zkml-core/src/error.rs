//! Errors of the core: every one names what was wrong and where (row, column, section), so
//! the host can show it to a person and a guest can panic with it.

use core::fmt;

/// Which section of the guest input an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    GuestInput,
    Model,
    TestSet,
    Claim,
    ChunkInput,
    ChunkClaim,
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Section::GuestInput => "guest input",
            Section::Model => "model",
            Section::TestSet => "test set",
            Section::Claim => "claim",
            Section::ChunkInput => "chunk input",
            Section::ChunkClaim => "chunk claim",
        })
    }
}

/// Everything that can go wrong in encoding, decoding or evaluating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// The section does not start with its magic bytes (wrong file, or corrupted).
    BadMagic { section: Section },
    /// The section is shorter than its header says.
    Truncated { section: Section, needed_bytes: u64, available_bytes: u64 },
    /// The section is longer than its header says (trailing garbage).
    TrailingBytes { section: Section, extra_bytes: u64 },
    /// Byte input whose length is not a whole number of 32-bit words.
    Unaligned { len: u64 },
    /// A header field holds a value this version does not support.
    Unsupported { section: Section, field: &'static str, value: u64 },
    /// The model and the test set disagree on the number of features.
    FeatureCountMismatch { model: u32, test_set: u32 },
    /// No rows: MSE and R² are undefined.
    EmptyTestSet,
    /// More rows than the overflow analysis allows (see `MAX_ROWS`).
    TooManyRows { rows: u64, max: u64 },
    /// All targets are equal: SST = 0 and R² is undefined.
    ZeroVariance,
    /// The test set reads a column at another scale than the model was quantised for.
    ScaleMismatch { column: u32, model: u32, test_set: u32 },
    /// A model parameter beyond its bound.
    ModelParameterOutOfRange { field: &'static str, index: u32, value: i64 },
    /// A standardised feature beyond `MAX_ABS_Z` (2^10 standard deviations): the row lies
    /// absurdly far from the training distribution (or the model belongs to other data).
    StandardisedOutOfRange { row: u64, feature: u32 },
    /// A prediction, or a partial sum of a polynomial, beyond `i32` at the target's scale.
    PredictionOutOfRange { row: u64 },
    /// A hidden unit of an MLP at or beyond `2^10` (real units): the row lies far outside
    /// what the network was trained on (or the model belongs to other data).
    ActivationOutOfRange { row: u64, layer: u32, unit: u32 },
    /// An aggregation got another number of chunk claims than the chunks say there are.
    ChunkCount { expected: u32, found: u64 },
    /// The chunk claim at `position` says it is chunk `index` of `count`: a chunk missing,
    /// repeated, out of order, or from a test set cut another way.
    ChunkOrder { position: u32, index: u32, count: u32 },
    /// Chunk `index` is of another model (or version) than chunk 0.
    ChunkMismatch { index: u32, field: &'static str },
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::BadMagic { section } => {
                write!(f, "{section}: bad magic bytes (not a zkml-bench {section}, or corrupted)")
            }
            CoreError::Truncated { section, needed_bytes, available_bytes } => write!(
                f,
                "{section}: truncated: needs {needed_bytes} bytes, only {available_bytes} present"
            ),
            CoreError::TrailingBytes { section, extra_bytes } => {
                write!(f, "{section}: {extra_bytes} unexpected trailing bytes")
            }
            CoreError::Unaligned { len } => {
                write!(f, "input length {len} bytes is not a multiple of 4")
            }
            CoreError::Unsupported { section, field, value } => {
                write!(f, "{section}: unsupported {field} = {value}")
            }
            CoreError::FeatureCountMismatch { model, test_set } => write!(
                f,
                "model expects {model} features but the test set has {test_set}"
            ),
            CoreError::EmptyTestSet => f.write_str("test set has no rows: MSE and R² are undefined"),
            CoreError::TooManyRows { rows, max } => {
                write!(f, "test set has {rows} rows; the fixed-point format supports at most {max}")
            }
            CoreError::ZeroVariance => f.write_str(
                "all test targets are equal (SST = 0): R² is undefined",
            ),
            CoreError::ScaleMismatch { column, model, test_set } => write!(
                f,
                "test-set column {column} is encoded with {test_set} fractional bits, the model expects {model} (encoded for another model?)"
            ),
            CoreError::ModelParameterOutOfRange { field, index, value } => {
                write!(f, "model {field}[{index}] = {value} is out of range")
            }
            CoreError::StandardisedOutOfRange { row, feature } => write!(
                f,
                "test row {row}, feature {feature}: more than 1024 standard deviations from the training mean (model does not match the data?)"
            ),
            CoreError::PredictionOutOfRange { row } => write!(
                f,
                "test row {row}: prediction (or a partial sum of the polynomial) beyond ±2^31 at the target's scale, 128 times the training range (model does not match the data?)"
            ),
            CoreError::ActivationOutOfRange { row, layer, unit } => write!(
                f,
                "test row {row}: hidden layer {layer}, unit {unit}: activation at or beyond 1024, the fixed-point bound (model does not match the data?)"
            ),
            CoreError::ChunkCount { expected, found } => {
                write!(f, "the chunks say there are {expected} of them, but {found} were given (a chunk missing or extra)")
            }
            CoreError::ChunkOrder { position, index, count } => write!(
                f,
                "chunk at position {position} is chunk {index} of {count} (a chunk missing, repeated, out of order, or from a test set cut another way)"
            ),
            CoreError::ChunkMismatch { index, field } => {
                write!(f, "chunk {index} differs from chunk 0 in its {field} (a chunk of another model)")
            }
        }
    }
}

#[cfg(feature = "std")]
extern crate std;
#[cfg(feature = "std")]
impl std::error::Error for CoreError {}
