//! Thread-local grad mode, as torch.no_grad / enable_grad / set_grad_enabled.

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

pub fn set_grad_enabled(flag: bool) {
    GRAD_ENABLED.with(|g| g.set(flag));
}

/// Anomaly mode (torch.autograd.detect_anomaly), process-wide as PyTorch's: pyrustgrad keeps
/// no forward traces, so it only picks the hint of the in-place-modification error.
static ANOMALY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn is_anomaly_enabled() -> bool {
    ANOMALY.load(std::sync::atomic::Ordering::Relaxed)
}

pub fn set_anomaly_enabled(flag: bool) {
    ANOMALY.store(flag, std::sync::atomic::Ordering::Relaxed)
}

/// Sets grad mode for a scope and restores the previous mode when dropped.
pub struct GradModeGuard {
    prev: bool,
}

impl GradModeGuard {
    pub fn new(flag: bool) -> Self {
        let prev = is_grad_enabled();
        set_grad_enabled(flag);
        GradModeGuard { prev }
    }
}

impl Drop for GradModeGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.prev);
    }
}
