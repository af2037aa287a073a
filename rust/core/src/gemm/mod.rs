//! PLACEHOLDER naive GEMM with the final API; replaced by the packed SIMD kernel (issue 3).

pub trait GemmScalar: Copy + Send + Sync + 'static + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> + Default + PartialEq {}
impl GemmScalar for f32 {}
impl GemmScalar for f64 {}

#[allow(clippy::too_many_arguments)]
pub fn gemm_checked<T: GemmScalar>(
    m: usize, k: usize, n: usize, alpha: T, a: &[T], a_off: usize, rsa: isize, csa: isize, b: &[T], b_off: usize, rsb: isize, csb: isize,
    beta: T, c: &mut [T], c_off: usize, rsc: isize, csc: isize,
) -> Result<(), String> {
    for i in 0..m {
        for j in 0..n {
            let mut acc = T::default();
            for p in 0..k {
                acc = acc + a[(a_off as isize + i as isize * rsa + p as isize * csa) as usize] * b[(b_off as isize + p as isize * rsb + j as isize * csb) as usize];
            }
            let ci = (c_off as isize + i as isize * rsc + j as isize * csc) as usize;
            c[ci] = if beta == T::default() { alpha * acc } else { alpha * acc + beta * c[ci] };
        }
    }
    Ok(())
}

static THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
pub fn set_num_threads(n: usize) {
    THREADS.store(n.max(1), std::sync::atomic::Ordering::Relaxed);
}
pub fn get_num_threads() -> usize {
    THREADS.load(std::sync::atomic::Ordering::Relaxed)
}
