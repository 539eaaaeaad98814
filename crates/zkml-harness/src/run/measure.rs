//! Runs a child process and measures it from the outside: wall time, and its own peak RSS
//! and CPU time from `wait4` — the same way for every backend, whatever it reports itself.
//!
//! The child gets its own process group, so a timeout or Ctrl-C kills it and anything it
//! spawned (provers fork helpers), and a terminal's Ctrl-C reaches only the harness, which
//! then decides what to kill and what to record.

use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How a measured child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Exited(ExitStatus),
    /// Killed by the harness after the timeout.
    TimedOut,
    /// Killed by the harness because the user interrupted it.
    Interrupted,
}

/// `bytes` in GiB (2^30 bytes), the unit every memory figure is reported in.
pub use zkml_protocol::memory_guard::gib;

/// A finished child process and what it cost.
#[derive(Debug)]
pub struct Measured {
    pub ending: Ending,
    pub stdout: Vec<u8>,
    pub wall_s: f64,
    /// Peak resident set size of the child (not of its children), in bytes.
    pub peak_rss_bytes: u64,
    pub user_s: f64,
    pub sys_s: f64,
}

impl Measured {
    /// Two processes run one after the other, as one: wall and CPU times summed, the larger
    /// peak, and how (and what) the later one ended.
    pub fn then(self, next: Measured) -> Measured {
        Measured {
            ending: next.ending,
            stdout: next.stdout,
            wall_s: self.wall_s + next.wall_s,
            peak_rss_bytes: self.peak_rss_bytes.max(next.peak_rss_bytes),
            user_s: self.user_s + next.user_s,
            sys_s: self.sys_s + next.sys_s,
        }
    }

    /// The exit status, when the child exited on its own.
    pub fn status(&self) -> Option<ExitStatus> {
        match self.ending {
            Ending::Exited(s) => Some(s),
            _ => None,
        }
    }
}

/// Limits of a measured run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits<'a> {
    pub timeout: Option<Duration>,
    /// Set (e.g. by a Ctrl-C handler) to stop the child early.
    pub interrupt: Option<&'a AtomicBool>,
}

/// Spawns `cmd` with stdout captured (stderr as the caller configured it), waits for it with
/// `wait4` and returns its output and resource usage.
pub fn run_measured(cmd: &mut Command) -> io::Result<Measured> {
    run_measured_with(cmd, Limits::default())
}

/// [`run_measured`] with a timeout and an interrupt flag.
pub fn run_measured_with(cmd: &mut Command, limits: Limits<'_>) -> io::Result<Measured> {
    cmd.stdout(Stdio::piped()).process_group(0);
    // The child dies with this process, whatever ends it (Ctrl-C, SIGTERM, kill -9, a crash):
    // no orphaned prover goes on writing. (Linux: the signal comes when the spawning thread
    // exits; every run is spawned and waited for by the same thread.)
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getpid, prctl and getppid are async-signal-safe; nothing else runs between
        // fork and exec.
        let parent = unsafe { libc::getpid() };
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // The parent died before the prctl: go at once.
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
    }
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
    let mut killed: Option<Ending> = None;
    let blocking = limits.timeout.is_none() && limits.interrupt.is_none();
    loop {
        let flags = if blocking || killed.is_some() { 0 } else { libc::WNOHANG };
        // SAFETY: `pid` is our own unwaited child; the pointers are valid for the call.
        let r = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        // Still running (WNOHANG): check the limits, then poll again shortly.
        let reason = if limits.interrupt.is_some_and(|f| f.load(Ordering::SeqCst)) {
            Some(Ending::Interrupted)
        } else if limits.timeout.is_some_and(|t| start.elapsed() >= t) {
            Some(Ending::TimedOut)
        } else {
            None
        };
        if let Some(reason) = reason {
            // SAFETY: kill(2) on the child's own process group (it was made its leader).
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            killed = Some(reason);
            continue;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let wall_s = start.elapsed().as_secs_f64();
    // Descendants that outlived the leader still hold the pipe open: end them too.
    // SAFETY: as above; the group may already be gone (ESRCH), which is fine.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let stdout = reader.join().map_err(|_| io::Error::other("stdout reader panicked"))??;
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(Measured {
        ending: killed.unwrap_or(Ending::Exited(ExitStatus::from_raw(status))),
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
        // dd fills one 256 MiB block buffer: its peak RSS must show it; `true`'s must not. A
        // child's peak includes what it shared with this test process between fork and exec (the
        // test binary, with other tests running in parallel — a sweep test's speed probe holds
        // tens of MiB), so the bound for `true` is this process's size then plus a margin, and
        // `true` must stay well under dd whatever that size.
        let parent = zkml_protocol::memory_guard::rss_bytes().unwrap_or(0);
        let big =
            run_measured(Command::new("dd").args(["if=/dev/zero", "of=/dev/null", "bs=256M", "count=1"]).stderr(Stdio::null())).unwrap();
        let small = run_measured(&mut Command::new("true")).unwrap();
        let parent = parent.max(zkml_protocol::memory_guard::rss_bytes().unwrap_or(0));
        assert!(big.status().unwrap().success() && small.status().unwrap().success());
        assert!(big.peak_rss_bytes >= 256 << 20, "dd peak RSS {}", big.peak_rss_bytes);
        assert!(
            small.peak_rss_bytes < (64 << 20u64).max(parent + (32 << 20)),
            "true peak RSS {} (this process: {parent})",
            small.peak_rss_bytes
        );
        assert!(small.peak_rss_bytes + (128 << 20) < big.peak_rss_bytes, "true {} vs dd {}", small.peak_rss_bytes, big.peak_rss_bytes);
        assert!(big.wall_s > 0.0);
    }

    #[test]
    fn reports_failures_and_signals() {
        let m = run_measured(Command::new("sh").args(["-c", "echo out; exit 7"])).unwrap();
        assert_eq!(m.status().unwrap().code(), Some(7));
        assert_eq!(m.stdout, b"out\n");
        let m = run_measured(Command::new("sh").args(["-c", "kill -9 $$"])).unwrap();
        assert_eq!(m.status().unwrap().signal(), Some(9));
        assert!(run_measured(&mut Command::new("/nonexistent/binary")).is_err());
    }

    #[test]
    fn timeout_kills_the_whole_process_group() {
        let t = Instant::now();
        // The shell's child `sleep` holds stdout: it must die too, or this would hang.
        let m = run_measured_with(
            Command::new("sh").args(["-c", "sleep 30 & sleep 30; echo never"]),
            Limits { timeout: Some(Duration::from_millis(300)), interrupt: None },
        )
        .unwrap();
        assert_eq!(m.ending, Ending::TimedOut);
        assert!(t.elapsed() < Duration::from_secs(10));
        assert!(m.stdout.is_empty());
    }

    #[test]
    fn interrupt_flag_stops_the_child() {
        let flag = AtomicBool::new(true);
        let m = run_measured_with(Command::new("sleep").arg("30"), Limits { timeout: None, interrupt: Some(&flag) }).unwrap();
        assert_eq!(m.ending, Ending::Interrupted);
    }
}
