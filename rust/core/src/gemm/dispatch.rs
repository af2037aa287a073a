//! Which SIMD path the GEMM uses: detected once at run time, overridable by
//! the `PYRUSTGRAD_SIMD` environment variable. Never selects a path the CPU
//! cannot run.

use std::sync::OnceLock;

/// A family of microkernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SimdPath {
    /// AVX-512F (x86-64), 512-bit registers, 32 of them.
    Avx512,
    /// AVX2 + FMA (x86-64), 256-bit registers, 16 of them.
    Avx2,
    /// Plain Rust, any target.
    Portable,
}

impl SimdPath {
    /// The spelling used by `PYRUSTGRAD_SIMD`.
    pub fn name(self) -> &'static str {
        match self {
            SimdPath::Avx512 => "avx512",
            SimdPath::Avx2 => "avx2",
            SimdPath::Portable => "portable",
        }
    }

    /// Parses the spelling used by `PYRUSTGRAD_SIMD` (case-insensitive).
    pub fn from_name(s: &str) -> Option<SimdPath> {
        match s.trim().to_ascii_lowercase().as_str() {
            "avx512" | "avx512f" => Some(SimdPath::Avx512),
            "avx2" => Some(SimdPath::Avx2),
            "portable" | "scalar" | "generic" => Some(SimdPath::Portable),
            _ => None,
        }
    }

    /// Whether this CPU can run the path.
    pub fn is_available(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx512 => is_x86_feature_detected!("avx512f"),
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            #[cfg(not(target_arch = "x86_64"))]
            SimdPath::Avx512 | SimdPath::Avx2 => false,
            SimdPath::Portable => true,
        }
    }
}

/// Every path this CPU can run, fastest first.
pub fn available_paths() -> Vec<SimdPath> {
    [SimdPath::Avx512, SimdPath::Avx2, SimdPath::Portable].into_iter().filter(|p| p.is_available()).collect()
}

fn detect() -> SimdPath {
    available_paths().first().copied().unwrap_or(SimdPath::Portable)
}

fn choose(env: Option<&str>) -> SimdPath {
    let Some(raw) = env else { return detect() };
    match SimdPath::from_name(raw) {
        Some(p) if p.is_available() => p,
        Some(p) => {
            let d = detect();
            eprintln!("pyrustgrad: PYRUSTGRAD_SIMD={raw}: {} is not available on this CPU, using {}", p.name(), d.name());
            d
        }
        None => {
            let d = detect();
            eprintln!("pyrustgrad: PYRUSTGRAD_SIMD={raw} is not one of avx512|avx2|portable, using {}", d.name());
            d
        }
    }
}

/// The path used by [`gemm`](super::gemm): chosen on first use and cached.
pub fn selected_path() -> SimdPath {
    static SELECTED: OnceLock<SimdPath> = OnceLock::new();
    *SELECTED.get_or_init(|| {
        let env = std::env::var("PYRUSTGRAD_SIMD").ok();
        choose(env.as_deref().filter(|s| !s.trim().is_empty()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_override_falls_back_to_detection_on_bad_values() {
        assert_eq!(choose(Some("no-such-path")), detect());
        assert_eq!(choose(Some("portable")), SimdPath::Portable);
        assert_eq!(choose(Some("PORTABLE")), SimdPath::Portable);
        assert_eq!(choose(None), detect());
        for p in [SimdPath::Avx512, SimdPath::Avx2] {
            let want = if p.is_available() { p } else { detect() };
            assert_eq!(choose(Some(p.name())), want);
        }
    }

    #[test]
    fn selected_path_is_available() {
        assert!(selected_path().is_available());
        assert!(available_paths().contains(&SimdPath::Portable));
    }
}
