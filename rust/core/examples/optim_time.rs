//! Quick timing of the fused optimizer steps (best of many repeats) on 1M float32 values,
//! against a plain slice loop doing the same arithmetic (the memory-bound bound).
//!
//! Run: `cargo run --release -p pyrustgrad-core --example optim_time [n] [threads]`
use std::time::Instant;

use pyrustgrad_core::ops::{adam_step, sgd_step, AdamOptions, SgdOptions};
use pyrustgrad_core::Tensor;

fn best(mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    let mut b = f64::INFINITY;
    while start.elapsed().as_secs_f64() < 1.0 {
        let t = Instant::now();
        f();
        b = b.min(t.elapsed().as_secs_f64());
    }
    b * 1e3
}

fn main() {
    let n: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(1 << 20);
    let threads: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(1);
    pyrustgrad_core::gemm::set_num_threads(threads);
    println!("{} float32 values, {} thread(s)", n, threads);
    let vals = |k: f32| Tensor::from_vec((0..n).map(|i| ((i as f32) * 0.37 + k).sin()).collect::<Vec<f32>>(), vec![n]);
    let (p, g, b) = (vals(0.0), vals(1.0), vals(2.0));
    let o = SgdOptions { lr: 0.01, momentum: 0.9, dampening: 0.0, weight_decay: 0.0, nesterov: false, maximize: false };
    let bufs = vec![Some(b.clone())];
    let t = best(|| {
        sgd_step(&[p.clone()], &[g.clone()], &bufs, &o).unwrap().unwrap();
    });
    println!("sgd momentum fused: {:.3} ms", t);
    let o0 = SgdOptions { momentum: 0.0, ..o };
    let t = best(|| {
        sgd_step(&[p.clone()], &[g.clone()], &[], &o0).unwrap().unwrap();
    });
    println!("sgd plain fused:    {:.3} ms", t);
    let (mut pv, gv, mut bv) = (vec![0.5f32; n], vec![0.25f32; n], vec![0.1f32; n]);
    let t = best(|| {
        for ((p, g), b) in pv.iter_mut().zip(&gv).zip(bv.iter_mut()) {
            *b = *b * 0.9 + *g;
            *p += *b * -0.01;
        }
    });
    println!("slice loop momentum: {:.3} ms", t);
    let (m, v) = (vals(3.0), pyrustgrad_core::ops::abs(&vals(4.0)).unwrap());
    let step = Tensor::from_vec(vec![0.0f32], vec![]);
    let ao = AdamOptions { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, amsgrad: false, maximize: false, decoupled_weight_decay: false };
    let t = best(|| {
        adam_step(&[p.clone()], &[g.clone()], &[m.clone()], &[v.clone()], &[], &[step.clone()], &ao).unwrap();
    });
    println!("adam fused:         {:.3} ms", t);
}
