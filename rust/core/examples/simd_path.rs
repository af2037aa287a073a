//! Prints the SIMD path the GEMM selected (honours `PYRUSTGRAD_SIMD`) and
//! every path this CPU can run, then checks a small product on the selected path.
//!
//! Run: `PYRUSTGRAD_SIMD=avx2 cargo run --release -p pyrustgrad-core --example simd_path`

use pyrustgrad_core::gemm::{available_paths, gemm_checked, get_num_threads, selected_path};

fn main() {
    println!("selected: {:?}", selected_path());
    println!("available: {:?}", available_paths());
    println!("threads: {}", get_num_threads());
    let a = [1.0f32, 2.0, 3.0, 4.0]; // [[1, 2], [3, 4]]
    let b = [5.0f32, 6.0, 7.0, 8.0]; // [[5, 6], [7, 8]]
    let mut c = [f32::NAN; 4];
    match gemm_checked(2, 2, 2, 1.0, &a, 0, 2, 1, &b, 0, 2, 1, 0.0, &mut c, 0, 2, 1) {
        Ok(()) => println!("[[1,2],[3,4]] @ [[5,6],[7,8]] = {c:?}"),
        Err(e) => println!("error: {e}"),
    }
}
