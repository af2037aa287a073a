//! Block sizes and thresholds of the GEMM, all in one place.
//!
//! The cache blocking follows the BLIS analytical model:
//! * a packed B micro-panel (`KC × NR`) should stay in L1d while the A
//!   micro-panels stream past it. The textbook choice is half of L1d; on
//!   Zen 4 filling L1d measured better (f64 1024³: 49 → 52 GFLOP/s with KC
//!   168 → 336; f32 KC 336 → 512 about +1%), so KC takes all of L1d;
//! * a packed A block (`MC × KC`) should take about half of L2 (per core);
//! * a packed B panel (`KC × NC`) should take a fraction of L3.
//!
//! Cache sizes are read once from Linux sysfs; where that is unavailable the
//! safe defaults below are used. Nothing here may panic.

use std::sync::OnceLock;

/// Cache sizes in bytes used to derive block sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheSizes {
    pub l1d: usize,
    pub l2: usize,
    pub l3: usize,
}

/// Used when the cache sizes cannot be detected (or look implausible).
pub const DEFAULT_CACHES: CacheSizes = CacheSizes { l1d: 32 * 1024, l2: 256 * 1024, l3: 8 * 1024 * 1024 };

/// Problems with `m * n * k` at or below this many multiply-adds skip packing
/// and use the direct (unpacked) loop.
pub const DIRECT_MAX_MNK: usize = 4 * 4 * 4 * 8;

/// The direct SIMD path (no packing except ragged edges) is used when A and
/// B together take at most this many bytes: `5/2 × L2`. Measured on Zen 4
/// (1 MiB L2): the direct path beats packing up to about 2–3× L2 and loses
/// beyond (1024³ f32 at 8 MiB: 88 vs 100 GFLOP/s).
pub fn direct_max_bytes() -> usize {
    static BYTES: OnceLock<usize> = OnceLock::new();
    *BYTES.get_or_init(|| cache_sizes().l2 / 2 * 5)
}

/// ...and the depth is at most this (longer dot products want KC blocking).
pub const DIRECT_MAX_K: usize = 1024;

/// The direct path also takes products with at most this many columns of C
/// whatever their size (matrix-vector-like: no reuse for packing to buy)...
pub const DIRECT_STREAM_MAX_N: usize = 4;
/// ...as long as one column of A (and so its edge buffers) stays this small.
pub const DIRECT_STREAM_MAX_K_BYTES: usize = 1 << 20;
/// Depth chunk of the direct path in that streaming case.
pub const DIRECT_STREAM_KC: usize = 16;

/// The dot-product kernel (narrow C, A rows contiguous along the depth) is
/// considered for at most this many columns of C...
pub const DOT_MAX_N: usize = 16;
/// ...when the transposed copy of B it makes takes at most this many bytes.
pub const DOT_MAX_BT_BYTES: usize = 1 << 20;
/// Cost model of the dot kernel: cycles per vector FMA (it loads more per FMA
/// than the register-tile kernel) and per lane reduction of an accumulator.
pub const DOT_FMA_COST: f64 = 1.0;
pub const DOT_REDUCE_COST: f64 = 4.0;

/// Below this many multiply-adds (`m * n * k`) the GEMM runs on the calling
/// thread only: waking the pool costs more than it saves.
pub const PARALLEL_MIN_MNK: usize = 96 * 96 * 96;

/// Each thread should get at least this many multiply-adds of work.
pub const PARALLEL_MIN_MNK_PER_THREAD: usize = 48 * 48 * 48;

/// When splitting rows among threads, aim for this many work items per
/// thread, so work stealing can rebalance around a slowed thread.
pub const ITEMS_PER_THREAD: usize = 4;

/// Bounds for the derived block sizes (in elements).
const KC_RANGE: (usize, usize) = (64, 512);
const MC_MAX: usize = 1024;
const NC_MAX: usize = 4096;

/// Block sizes for one kernel (one SIMD path and one element type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockSizes {
    pub mc: usize,
    pub kc: usize,
    pub nc: usize,
}

fn parse_size(s: &str) -> Option<usize> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()? {
        'K' | 'k' => (&s[..s.len() - 1], 1024),
        'M' | 'm' => (&s[..s.len() - 1], 1024 * 1024),
        'G' | 'g' => (&s[..s.len() - 1], 1024 * 1024 * 1024),
        _ => (s, 1),
    };
    num.trim().parse::<usize>().ok()?.checked_mul(mult)
}

fn detect_caches() -> CacheSizes {
    let mut found = CacheSizes { l1d: 0, l2: 0, l3: 0 };
    for idx in 0..8 {
        let dir = format!("/sys/devices/system/cpu/cpu0/cache/index{idx}");
        let read = |f: &str| std::fs::read_to_string(format!("{dir}/{f}")).ok();
        let (Some(level), Some(kind), Some(size)) = (read("level"), read("type"), read("size")) else {
            continue;
        };
        let Some(size) = parse_size(&size) else { continue };
        match (level.trim(), kind.trim()) {
            ("1", "Data") => found.l1d = size,
            ("2", "Unified") | ("2", "Data") => found.l2 = size,
            ("3", "Unified") => found.l3 = size,
            _ => {}
        }
    }
    let pick = |v: usize, d: usize, lo: usize, hi: usize| if (lo..=hi).contains(&v) { v } else { d };
    CacheSizes {
        l1d: pick(found.l1d, DEFAULT_CACHES.l1d, 8 * 1024, 1024 * 1024),
        l2: pick(found.l2, DEFAULT_CACHES.l2, 64 * 1024, 64 * 1024 * 1024),
        l3: pick(found.l3, DEFAULT_CACHES.l3, 256 * 1024, 1024 * 1024 * 1024),
    }
}

/// The machine's cache sizes (detected once).
pub fn cache_sizes() -> CacheSizes {
    static CACHES: OnceLock<CacheSizes> = OnceLock::new();
    *CACHES.get_or_init(detect_caches)
}

/// Derives block sizes for a kernel with register tile `mr × nr` over
/// elements of `elem` bytes. Results are multiples of `mr` (MC), `nr` (NC)
/// and 8 (KC) and never zero.
pub fn block_sizes(caches: CacheSizes, mr: usize, nr: usize, elem: usize) -> BlockSizes {
    let round_down = |v: usize, q: usize| (v / q).max(1) * q;
    let kc = caches.l1d / (nr * elem);
    let kc = round_down(kc.clamp(KC_RANGE.0, KC_RANGE.1), 8);
    let mc = (caches.l2 / 2) / (kc * elem);
    let mc = round_down(mc.clamp(mr, MC_MAX), mr);
    let nc = (caches.l3 / 4) / (kc * elem);
    let nc = round_down(nc.clamp(nr, NC_MAX), nr);
    BlockSizes { mc, kc, nc }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_sizes_are_multiples_of_the_tile_and_nonzero() {
        for caches in [DEFAULT_CACHES, cache_sizes(), CacheSizes { l1d: 8192, l2: 65536, l3: 262144 }] {
            for (mr, nr, e) in [(32, 12, 4), (16, 12, 8), (16, 6, 4), (8, 6, 8), (8, 4, 4)] {
                let b = block_sizes(caches, mr, nr, e);
                assert!(b.mc >= mr && b.mc.is_multiple_of(mr), "{b:?}");
                assert!(b.nc >= nr && b.nc.is_multiple_of(nr), "{b:?}");
                assert!(b.kc >= 8 && b.kc.is_multiple_of(8), "{b:?}");
            }
        }
    }

    #[test]
    fn parse_size_understands_sysfs_suffixes() {
        assert_eq!(parse_size("32K\n"), Some(32768));
        assert_eq!(parse_size("1024K"), Some(1 << 20));
        assert_eq!(parse_size("8M"), Some(8 << 20));
        assert_eq!(parse_size("junk"), None);
        assert_eq!(parse_size(""), None);
    }
}
