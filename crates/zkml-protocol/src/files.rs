//! Output files are written to a temporary file in the destination directory and renamed into
//! place, so a failure (bad input halfway through, a crash, Ctrl-C) never leaves a partial file.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

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
    // Renaming over a symlink, FIFO, socket, device or directory would replace it: refuse.
    if let Some(why) = not_a_regular_file(path) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{}: {why}; refusing to replace it", path.display())).into());
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", path.file_name().and_then(|n| n.to_str()).unwrap_or("out")))
        .suffix(".partial")
        .tempfile_in(dir)?;
    let _tracked = Tracked::new(tmp.path());
    let value = {
        let mut w = BufWriter::new(&mut tmp);
        let value = write(&mut w)?;
        w.flush()?;
        value
    };
    // Interrupted while writing: the command is stopping, so its output is not put in place
    // (the temporary file goes with `tmp`).
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(io::Error::new(io::ErrorKind::Interrupted, format!("{}: interrupted; not written", path.display())).into());
    }
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

/// Why an existing `path` is no place for an output file, if it is not a regular file.
fn not_a_regular_file(path: &Path) -> Option<&'static str> {
    let m = std::fs::symlink_metadata(path).ok()?;
    let t = m.file_type();
    if t.is_symlink() {
        Some("is a symbolic link (name the file it points to)")
    } else if t.is_dir() {
        Some("is a directory")
    } else if !t.is_file() {
        Some("is not a regular file (a FIFO, socket or device)")
    } else {
        None
    }
}

/// Refuses an output path that would destroy something before anything is computed: one of
/// the command's `inputs` (the same file under any name), or anything but a regular file.
/// `outputs` of one command must also name different files.
pub fn check_outputs(outputs: &[(&str, &Path)], inputs: &[(&str, &Path)]) -> Result<(), String> {
    #[cfg(unix)]
    use std::os::unix::fs::MetadataExt;
    for (i, &(flag, out)) in outputs.iter().enumerate() {
        if let Some(why) = not_a_regular_file(out) {
            return Err(format!("{flag} {}: {why}; refusing to replace it", out.display()));
        }
        let same = |a: &Path, b: &Path| -> bool {
            #[cfg(unix)]
            if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
                return x.dev() == y.dev() && x.ino() == y.ino();
            }
            let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
            abs(a) == abs(b)
        };
        for &(in_flag, input) in inputs {
            if same(out, input) {
                return Err(format!("{flag} {} is the {in_flag} input of this command: refusing to overwrite it", out.display()));
            }
        }
        for &(other_flag, other) in &outputs[i + 1..] {
            if same(out, other) {
                return Err(format!("{flag} and {other_flag} name the same file {}: give each output its own", out.display()));
            }
        }
    }
    Ok(())
}

/// Set when the user interrupts the command (Ctrl-C, SIGTERM, SIGHUP; the CLI's one handler
/// sets it): running backends are stopped and no output is put in place.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Temporary files and private directories in use, for [`remove_temporaries`].
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Registers a temporary path for as long as it lives.
struct Tracked(PathBuf);

impl Tracked {
    fn new(path: &Path) -> Self {
        if let Ok(mut t) = TEMPORARIES.lock() {
            t.push(path.to_path_buf());
        }
        Tracked(path.to_path_buf())
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if let Ok(mut t) = TEMPORARIES.lock() {
            t.retain(|p| p != &self.0);
        }
    }
}

/// Removes every temporary file and private directory still in use: for a process about to exit
/// without running destructors (the CLI's second Ctrl-C), so that no private row and no
/// half-written output outlives it.
pub fn remove_temporaries() {
    let paths = match TEMPORARIES.lock() {
        Ok(mut t) => std::mem::take(&mut *t),
        Err(_) => return,
    };
    for p in paths {
        let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
    }
}

/// A private temporary directory (see [`private_tempdir`]), removed when dropped and by
/// [`remove_temporaries`].
pub struct PrivateDir {
    // Field order: untrack after the directory is gone.
    dir: tempfile::TempDir,
    _tracked: Tracked,
}

impl PrivateDir {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A temporary directory only its owner can enter (0700; tempfile's default is 0777 less the
/// umask), removed when dropped: the one place private rows (a guest input, a backend's scratch
/// files) may live while a command runs.
pub fn private_tempdir() -> io::Result<PrivateDir> {
    let mut b = tempfile::Builder::new();
    b.prefix(".zkml-private-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o700));
    }
    let dir = b.tempdir()?;
    let tracked = Tracked::new(dir.path());
    std::fs::write(dir.path().join(OWNER_FILE), std::process::id().to_string())?;
    Ok(PrivateDir { dir, _tracked: tracked })
}

/// The process id of a private directory's owner, written inside it.
const OWNER_FILE: &str = "owner.pid";

/// Removes the private directories (see [`private_tempdir`]) that a killed zkml-bench left in
/// the temporary directory: a process killed with SIGKILL runs no clean-up, so the next
/// zkml-bench does it. A directory goes when its owner process is gone (or, without an owner
/// file, when it is more than a minute old); returns how many went.
pub fn remove_orphaned_private_dirs() -> usize {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return 0 };
    let mut removed = 0;
    for e in entries.flatten() {
        let path = e.path();
        let ours = e.file_name().to_str().is_some_and(|n| n.starts_with(".zkml-private-"));
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if !ours || !meta.is_dir() || is_tracked(&path) {
            continue;
        }
        let orphaned = match std::fs::read_to_string(path.join(OWNER_FILE)) {
            Ok(pid) => pid.trim().parse::<u32>().is_ok_and(|pid| !Path::new("/proc").join(pid.to_string()).exists()),
            Err(_) => meta.modified().ok().and_then(|m| m.elapsed().ok()).is_some_and(|age| age.as_secs() > 60),
        };
        if orphaned && std::fs::remove_dir_all(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

fn is_tracked(path: &Path) -> bool {
    TEMPORARIES.lock().map(|t| t.iter().any(|p| p == path)).unwrap_or(true)
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

    #[test]
    fn outputs_never_replace_inputs_links_or_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("test.csv");
        std::fs::write(&input, b"private").unwrap();
        let out = dir.path().join("out.bin");
        assert_eq!(check_outputs(&[("--out", &out)], &[("--test", &input)]), Ok(()));
        // The same file through another spelling of its path.
        let again = dir.path().join(".").join("test.csv");
        let e = check_outputs(&[("--out", &again)], &[("--test", &input)]).unwrap_err();
        assert!(e.contains("is the --test input"), "{e}");
        let e = check_outputs(&[("--out", &out), ("--test-out", &dir.path().join("./out.bin"))], &[]).unwrap_err();
        assert!(e.contains("name the same file"), "{e}");
        let e = check_outputs(&[("--out", dir.path())], &[]).unwrap_err();
        assert!(e.contains("is a directory"), "{e}");
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&input, &link).unwrap();
            assert!(check_outputs(&[("--out", &link)], &[]).unwrap_err().contains("symbolic link"));
            let e = write_bytes_atomically(&link, b"x").unwrap_err().to_string();
            assert!(e.contains("symbolic link"), "{e}");
            assert_eq!(std::fs::read(&input).unwrap(), b"private", "the link's target is untouched");
            assert!(check_outputs(&[("--out", Path::new("/dev/null"))], &[]).unwrap_err().contains("not a regular file"));
            use std::os::unix::fs::PermissionsExt;
            let private = private_tempdir().unwrap();
            assert_eq!(std::fs::metadata(private.path()).unwrap().permissions().mode() & 0o777, 0o700);
        }
        std::fs::write(dir.path().join("plain"), b"old").unwrap();
        write_bytes_atomically(&dir.path().join("plain"), b"new").unwrap();
        assert_eq!(std::fs::read(dir.path().join("plain")).unwrap(), b"new");
    }
}
