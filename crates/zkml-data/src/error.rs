use std::path::PathBuf;

/// Errors of the data layer. Every variant names the file, and the line and column where one
/// is known, so a person can go straight to the problem.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{path}: line {line}: malformed CSV: {message}")]
    Csv { path: PathBuf, line: u64, message: String },
    #[error("{path}: is empty (no header row)")]
    Empty { path: PathBuf },
    #[error("{path}: no column named {column:?} (for {role}); columns present: {available}")]
    MissingColumn { path: PathBuf, column: String, role: &'static str, available: String },
    #[error("{path}: unexpected column {column:?}; expected {expected}")]
    UnexpectedColumn { path: PathBuf, column: String, expected: String },
    #[error("{path}: line {line}, column {column:?}: {reason} (value {value:?})")]
    BadValue { path: PathBuf, line: u64, column: String, value: String, reason: String },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{0}")]
    Config(String),
}

impl DataError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DataError::Io { path: path.into(), cause: source }
    }
}

impl From<std::io::Error> for DataError {
    fn from(source: std::io::Error) -> Self {
        DataError::Io { path: PathBuf::from("<output>"), cause: source }
    }
}

pub type Result<T, E = DataError> = std::result::Result<T, E>;

/// Refuses a header that names one column twice: which of the two a name means would be a
/// silent guess.
pub(crate) fn check_unique_header(path: &std::path::Path, names: &[String]) -> Result<()> {
    for (i, name) in names.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
        if let Some(j) = names[i + 1..].iter().position(|m| m == name) {
            return Err(DataError::Invalid {
                path: path.to_path_buf(),
                message: format!("the header names column {name:?} twice (columns {} and {}): rename one", i + 1, i + j + 2),
            });
        }
    }
    Ok(())
}
