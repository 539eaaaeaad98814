//! Runs a child process and measures it from the outside: wall time, and its own peak RSS
//! and CPU time from `wait4` — the same way for every backend, whatever it reports itself.

use std::io::{self, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

/// A finished child process and what it cost.
#[derive(Debug)]
pub struct Measured {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub wall_s: f64,
    /// Peak resident set size of the child (not of its children), in bytes.
    pub peak_rss_bytes: u64,
    pub user_s: f64,
    pub sys_s: f64,
}

/// Spawns `cmd` with stdout captured (stderr as the caller configured it), waits for it with
/// `wait4` and returns its output and resource usage.
pub fn run_measured(cmd: &mut Command) -> io::Result<Measured> {
    cmd.stdout(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let mut stdout_pipe = child.stdout.take().expect("stdout is piped");
    // Drain stdout concurrently so a chatty child never blocks on a full pipe.
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stdout_pipe.read_to_end(&mut buf).map(|_| buf)
    });
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own unwaited child; the pointers are valid for the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    let wall_s = start.elapsed().as_secs_f64();
    let stdout = reader.join().map_err(|_| io::Error::other("stdout reader panicked"))??;
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    use std::os::unix::process::ExitStatusExt;
    Ok(Measured {
        status: ExitStatus::from_raw(status),
        stdout,
        wall_s,
        // Linux reports ru_maxrss in kilobytes.
        peak_rss_bytes: usage.ru_maxrss as u64 * 1024,
        user_s: tv(usage.ru_utime),
        sys_s: tv(usage.ru_stime),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_the_child_not_the_parent() {
        // dd fills one 64 MiB block buffer: its peak RSS must show it; `true`'s must not.
        let big =
            run_measured(Command::new("dd").args(["if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]).stderr(Stdio::null())).unwrap();
        let small = run_measured(&mut Command::new("true")).unwrap();
        assert!(big.status.success() && small.status.success());
        assert!(big.peak_rss_bytes >= 64 << 20, "dd peak RSS {}", big.peak_rss_bytes);
        assert!(small.peak_rss_bytes < 16 << 20, "true peak RSS {}", small.peak_rss_bytes);
        assert!(big.wall_s > 0.0);
    }

    #[test]
    fn reports_failures_and_signals() {
        let m = run_measured(Command::new("sh").args(["-c", "echo out; exit 7"])).unwrap();
        assert_eq!(m.status.code(), Some(7));
        assert_eq!(m.stdout, b"out\n");
        let m = run_measured(Command::new("sh").args(["-c", "kill -9 $$"])).unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(m.status.signal(), Some(9));
        assert!(run_measured(&mut Command::new("/nonexistent/binary")).is_err());
    }
}
