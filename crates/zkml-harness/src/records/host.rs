//! What machine produced a result: every record carries it, and reports group by it.

use serde::{Deserialize, Serialize};
use std::process::Command;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HostInfo {
    pub hostname: String,
    pub cpu_model: String,
    pub logical_cores: usize,
    pub physical_cores: Option<usize>,
    pub arch: String,
    pub ram_bytes: u64,
    pub os: String,
    pub kernel: String,
    /// GPU names (from `nvidia-smi`), if any.
    pub gpus: Vec<String>,
}

impl HostInfo {
    pub fn detect() -> Self {
        use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};
        let sys = System::new_with_specifics(
            RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing()).with_memory(MemoryRefreshKind::nothing().with_ram()),
        );
        let cpu_model =
            sys.cpus().first().map(|c| c.brand().trim().to_string()).filter(|s| !s.is_empty()).unwrap_or_else(|| "unknown".into());
        HostInfo {
            hostname: System::host_name().unwrap_or_else(|| "unknown".into()),
            cpu_model,
            logical_cores: sys.cpus().len().max(1),
            physical_cores: System::physical_core_count(),
            arch: std::env::consts::ARCH.into(),
            ram_bytes: sys.total_memory(),
            os: System::long_os_version().unwrap_or_else(|| std::env::consts::OS.into()),
            kernel: System::kernel_version().unwrap_or_default(),
            gpus: detect_gpus(),
        }
    }

    /// A short label for tables and plot legends: `x86_64 · Intel Xeon ... · 2 cores · 24 GiB`.
    pub fn label(&self) -> String {
        let gpu = if self.gpus.is_empty() { String::new() } else { format!(" · {}", self.gpus.join(", ")) };
        format!(
            "{} · {} · {} cores · {:.0} GiB{gpu}",
            self.arch,
            self.cpu_model,
            self.logical_cores,
            zkml_protocol::memory_guard::gib(self.ram_bytes)
        )
    }
}

fn detect_gpus() -> Vec<String> {
    Command::new("nvidia-smi")
        .args(["--query-gpu=name", "--format=csv,noheader"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn detects_this_machine() {
        let h = super::HostInfo::detect();
        assert_eq!(h.logical_cores, std::thread::available_parallelism().unwrap().get());
        assert!(h.ram_bytes > 1 << 28);
        assert!(!h.arch.is_empty() && !h.os.is_empty());
        assert!(h.label().contains(&h.arch));
    }
}
