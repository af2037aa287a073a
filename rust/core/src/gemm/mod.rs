//! General matrix multiply, `C = alpha * A·B + beta * C`, for f32 and f64.
//!
//! What it is for: the one kernel behind `mm`, `matmul`, `bmm`, `@` and their
//! backward passes. A BLIS-style loop nest (see `driver.rs`) over packed,
//! 64-byte aligned panels of A and B, with register-tile microkernels for
//! AVX-512F and AVX2+FMA plus a portable fallback, chosen once at run time.
//! Transposed and strided operands cost nothing extra: packing reads any
//! strides, so Aᵀ·B and A·Bᵀ run as fast as A·B. Large products run on a
//! dedicated rayon pool sized by [`set_num_threads`].
//!
//! Routes (picked per call in `driver::run` by a small cost model, for C or
//! for Cᵀ = Bᵀ·Aᵀ, whichever is cheaper):
//! * tiny (`m·n·k ≤ 512`): a scalar loop;
//! * direct: operands up to ~2.5× L2 (or matrix-vector-like, in depth
//!   chunks) with A's columns contiguous: the microkernel reads A and B in
//!   place, only ragged edges are packed;
//! * dot: few columns of C and A's rows contiguous along k: vector dot
//!   products (B copied transposed, small by construction);
//! * blocked: everything else, the packed jc → pc → ic loop nest.
//!
//! What it must never do: know about tensors or autograd, read C when
//! `beta == 0`, copy an operand to make it contiguous, or panic on any input
//! reaching [`gemm_checked`].
//!
//! Files: `params.rs` (block sizes, thresholds), `dispatch.rs` (path choice),
//! `driver.rs` (loop nest, threads), `kernel.rs` (packing, microkernel),
//! `transpose.rs` (transposing packs), `batched.rs` (many products in one
//! call), `checks.rs` (bounds and aliasing checks of the safe entry points),
//! `x86/` and `portable.rs` (per-ISA vector wrappers), `buffer.rs` (aligned
//! scratch), `threading.rs` (thread count, pools).

mod batched;
mod buffer;
mod checks;
mod dispatch;
mod driver;
mod kernel;
pub mod params;
mod portable;
mod threading;
mod transpose;
#[cfg(target_arch = "x86_64")]
mod x86;

use std::sync::OnceLock;

pub use batched::{gemm_batched, gemm_batched_checked};
pub use dispatch::{available_paths, selected_path, SimdPath};
use driver::{Opts, Problem};
pub use params::BlockSizes;
pub use threading::{get_num_threads, set_num_threads};
pub(crate) use threading::pool as threading_pool;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

type RunFn<T> = unsafe fn(&Problem<T>, &Opts);

/// Element types the GEMM supports: `f32` and `f64` (sealed).
pub trait GemmScalar:
    Copy
    + Send
    + Sync
    + 'static
    + sealed::Sealed
    + PartialEq
    + Default
    + core::fmt::Debug
    + core::ops::Add<Output = Self>
    + core::ops::Mul<Output = Self>
{
    #[doc(hidden)]
    const ZERO: Self;
    #[doc(hidden)]
    const ONE: Self;
    #[doc(hidden)]
    /// The blocked implementation for `path` (None if the path does not exist on this target).
    fn run_fn(path: SimdPath) -> Option<RunFn<Self>>;
    #[doc(hidden)]
    /// The implementation for [`selected_path`], looked up once.
    fn selected_run_fn() -> RunFn<Self>;
    #[doc(hidden)]
    /// `dst[p*W + w] = src[w*s_w + p]` for `w < W`, `p < kc` (see `transpose.rs`).
    ///
    /// # Safety
    /// `src` readable at each such index, `dst` writable for `W*kc` elements.
    unsafe fn pack_transposed<const W: usize>(kc: usize, src: *const Self, s_w: isize, dst: *mut Self);
}

macro_rules! impl_scalar {
    ($t:ty, $avx512:ident, $avx2:ident, $portable:ident, $pack_t:ident) => {
        impl GemmScalar for $t {
            const ZERO: $t = 0.0;
            const ONE: $t = 1.0;

            fn run_fn(path: SimdPath) -> Option<RunFn<$t>> {
                match path {
                    #[cfg(target_arch = "x86_64")]
                    SimdPath::Avx512 => Some(driver::run::<$t, x86::avx512::$avx512>),
                    #[cfg(target_arch = "x86_64")]
                    SimdPath::Avx2 => Some(driver::run::<$t, x86::avx2::$avx2>),
                    #[cfg(not(target_arch = "x86_64"))]
                    SimdPath::Avx512 | SimdPath::Avx2 => None,
                    SimdPath::Portable => Some(driver::run::<$t, portable::$portable>),
                }
            }

            #[inline(always)]
            unsafe fn pack_transposed<const W: usize>(kc: usize, src: *const $t, s_w: isize, dst: *mut $t) {
                // SAFETY: forwarded contract.
                unsafe { transpose::$pack_t::<W>(kc, src, s_w, dst) }
            }

            fn selected_run_fn() -> RunFn<$t> {
                static SELECTED: OnceLock<RunFn<$t>> = OnceLock::new();
                *SELECTED.get_or_init(|| {
                    <$t>::run_fn(selected_path()).unwrap_or(driver::run::<$t, portable::$portable>)
                })
            }
        }
    };
}
impl_scalar!(f32, Avx512F32, Avx2F32, PortableF32, pack_t_f32);
impl_scalar!(f64, Avx512F64, Avx2F64, PortableF64, pack_t_f64);

/// Shared front end: trivial cases, orientation, direct path, then `run`.
///
/// # Safety
/// The [`gemm`] contract; `run` is valid to call on this CPU.
unsafe fn execute<T: GemmScalar>(p: Problem<T>, opts: &Opts, run: RunFn<T>) {
    if p.m == 0 || p.n == 0 {
        return;
    }
    if p.k == 0 || p.alpha == T::ZERO {
        // SAFETY: forwarded contract (C valid on m × n).
        unsafe { driver::scale_c(&p) };
        return;
    }
    if !opts.force && !opts.force_dot && p.m.saturating_mul(p.n).saturating_mul(p.k) <= params::DIRECT_MAX_MNK {
        // SAFETY: forwarded contract.
        unsafe { driver::direct(&p) };
        return;
    }
    // SAFETY: forwarded contract; m, n, k >= 1 here.
    unsafe { run(&p, opts) }
}

/// `C = alpha * A·B + beta * C` on the selected SIMD path with up to
/// [`get_num_threads`] threads.
///
/// A is `m × k` with element `(i, p)` at `a + i*rsa + p*csa`, B is `k × n`
/// with `(p, j)` at `b + p*rsb + j*csb`, C is `m × n` with `(i, j)` at
/// `c + i*rsc + j*csc`. Strides are in elements, any sign; zero strides are
/// fine for A and B (broadcast). When `beta == 0`, C is only written (NaN or
/// garbage in C does not leak). When `alpha == 0` or `k == 0`, A and B are not
/// read and `C = beta * C`. `m == 0` or `n == 0` does nothing.
///
/// # Safety
/// * `a`, `b`, `c` are valid (readable; for `c` also writable) at every index
///   reached by the formulas above for `i < m`, `p < k`, `j < n`;
/// * C does not overlap A or B, and no two distinct `(i, j)` of C share an
///   address (C is written from several threads);
/// * nothing else reads or writes these memory areas during the call.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm<T: GemmScalar>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: *const T,
    rsa: isize,
    csa: isize,
    b: *const T,
    rsb: isize,
    csb: isize,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
) {
    let p = Problem { m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc };
    let opts = Opts { threads: get_num_threads(), force: false, force_dot: false, blocks: None };
    // SAFETY: forwarded contract; the selected path was checked available.
    unsafe { execute(p, &opts, T::selected_run_fn()) }
}

/// Like [`gemm`] but on a given SIMD path with at most `threads` threads
/// (`0` counts as 1), for tests and benchmarks. Returns `Err` (and does
/// nothing) if the path is not available on this CPU.
///
/// # Safety
/// The [`gemm`] contract.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_with<T: GemmScalar>(
    path: SimdPath,
    threads: usize,
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: *const T,
    rsa: isize,
    csa: isize,
    b: *const T,
    rsb: isize,
    csb: isize,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
) -> Result<(), String> {
    let opts = Opts { threads: threads.max(1), force: false, force_dot: false, blocks: None };
    // SAFETY: forwarded contract.
    unsafe { gemm_with_opts(path, &opts, Problem { m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc }) }
}

/// Test hook: [`gemm_with`] that always uses the blocked path with exactly
/// `threads` threads and optional forced block sizes (each clamped to
/// `1..=4096`), so small matrices exercise every blocking and threading edge.
///
/// # Safety
/// The [`gemm`] contract.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_forced<T: GemmScalar>(
    path: SimdPath,
    threads: usize,
    blocks: Option<BlockSizes>,
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: *const T,
    rsa: isize,
    csa: isize,
    b: *const T,
    rsb: isize,
    csb: isize,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
) -> Result<(), String> {
    let blocks = blocks.map(|b| BlockSizes {
        mc: b.mc.clamp(1, 4096),
        kc: b.kc.clamp(1, 4096),
        nc: b.nc.clamp(1, 4096),
    });
    let opts = Opts { threads: threads.clamp(1, threading::MAX_THREADS), force: true, force_dot: false, blocks };
    // SAFETY: forwarded contract.
    unsafe { gemm_with_opts(path, &opts, Problem { m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc }) }
}

/// Test hook: [`gemm_with`] that takes the dot-product kernel (narrow C,
/// depth-contiguous A rows) whenever it applies in either orientation, with
/// exactly `threads` threads; otherwise it behaves like [`gemm_with`].
///
/// # Safety
/// The [`gemm`] contract.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_forced_dot<T: GemmScalar>(
    path: SimdPath,
    threads: usize,
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: *const T,
    rsa: isize,
    csa: isize,
    b: *const T,
    rsb: isize,
    csb: isize,
    beta: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
) -> Result<(), String> {
    let opts = Opts { threads: threads.clamp(1, threading::MAX_THREADS), force: false, force_dot: true, blocks: None };
    // SAFETY: forwarded contract.
    unsafe { gemm_with_opts(path, &opts, Problem { m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc }) }
}

/// # Safety
/// The [`gemm`] contract for `p`.
unsafe fn gemm_with_opts<T: GemmScalar>(path: SimdPath, opts: &Opts, p: Problem<T>) -> Result<(), String> {
    if !path.is_available() {
        return Err(format!("SIMD path {} is not available on this CPU", path.name()));
    }
    let Some(run) = T::run_fn(path) else {
        return Err(format!("SIMD path {} is not built for this target", path.name()));
    };
    // SAFETY: forwarded contract; path checked available just above.
    unsafe { execute(p, opts, run) };
    Ok(())
}

/// Safe [`gemm`] over slices: A starts at `a[a_off]`, B at `b[b_off]`, C at
/// `c[c_off]`, strides as in [`gemm`]. Returns `Err` describing the problem
/// (and touches nothing) if any index the product would reach lies outside
/// its slice or if C's strides make two elements share an address. Never panics.
#[allow(clippy::too_many_arguments)]
pub fn gemm_checked<T: GemmScalar>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: &[T],
    a_off: usize,
    rsa: isize,
    csa: isize,
    b: &[T],
    b_off: usize,
    rsb: isize,
    csb: isize,
    beta: T,
    c: &mut [T],
    c_off: usize,
    rsc: isize,
    csc: isize,
) -> Result<(), String> {
    gemm_checked_threads(get_num_threads(), m, k, n, alpha, a, a_off, rsa, csa, b, b_off, rsb, csb, beta, c, c_off, rsc, csc)
}

/// [`gemm_checked`] on at most `threads` threads (`0` counts as 1): for callers that already
/// run one product per thread of the team.
#[allow(clippy::too_many_arguments)]
pub fn gemm_checked_threads<T: GemmScalar>(
    threads: usize,
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: &[T],
    a_off: usize,
    rsa: isize,
    csa: isize,
    b: &[T],
    b_off: usize,
    rsb: isize,
    csb: isize,
    beta: T,
    c: &mut [T],
    c_off: usize,
    rsc: isize,
    csc: isize,
) -> Result<(), String> {
    if m == 0 || n == 0 {
        return Ok(());
    }
    checks::in_bounds("C", c.len(), c_off, &[(m, rsc), (n, csc)])?;
    checks::distinct("C", &[(m, rsc), (n, csc)])?;
    let reads = k > 0 && alpha != T::ZERO;
    if reads {
        checks::in_bounds("A", a.len(), a_off, &[(m, rsa), (k, csa)])?;
        checks::in_bounds("B", b.len(), b_off, &[(k, rsb), (n, csb)])?;
    }
    // Offsets are in bounds now (checked above when reached); compute the base
    // pointers without forming out-of-bounds pointers when an operand is unused.
    let ap = if reads { a[a_off..].as_ptr() } else { a.as_ptr() };
    let bp = if reads { b[b_off..].as_ptr() } else { b.as_ptr() };
    let cp = c[c_off..].as_mut_ptr();
    // SAFETY: every index reached lies inside its slice (checked above with
    // i128 arithmetic, so the isize offset products cannot overflow either: they
    // are bounded by the slice length); `c` is a unique borrow, so it cannot
    // alias `a` or `b`; C's elements are pairwise distinct (checked).
    let p = Problem { m, k, n, alpha, a: ap, rsa, csa, b: bp, rsb, csb, beta, c: cp, rsc, csc };
    let opts = Opts { threads: threads.clamp(1, threading::MAX_THREADS), force: false, force_dot: false, blocks: None };
    // SAFETY: as above; the selected path was checked available.
    unsafe { execute(p, &opts, T::selected_run_fn()) };
    Ok(())
}
