//! Output files are written to a temporary file in the destination directory and renamed into
//! place, so a failure (bad input halfway through, a crash, Ctrl-C) never leaves a partial file.

use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically: `write` fills a buffered temporary file beside it, which is
/// synced and renamed over `path` only if `write` succeeds.
pub fn write_atomically<T, E>(path: &Path, write: impl FnOnce(&mut BufWriter<&mut tempfile::NamedTempFile>) -> Result<T, E>) -> Result<T, E>
where
    E: From<io::Error>,
{
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", path.file_name().and_then(|n| n.to_str()).unwrap_or("out")))
        .suffix(".partial")
        .tempfile_in(dir)?;
    let value = {
        let mut w = BufWriter::new(&mut tmp);
        let value = write(&mut w)?;
        w.flush()?;
        value
    };
    // Temporary files are created 0600; an output file should be as readable as any other.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(value)
}

/// Writes bytes atomically.
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically(path, |w| w.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_leaves_no_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let res: Result<(), io::Error> = write_atomically(&target, |w| {
            w.write_all(b"half a file")?;
            Err(io::Error::other("bad row"))
        });
        assert!(res.is_err());
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "temporary file left behind");
    }

    #[test]
    fn success_replaces_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.bin");
        std::fs::write(&target, b"old").unwrap();
        write_bytes_atomically(&target, b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777, 0o644);
        }
    }
}
