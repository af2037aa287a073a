//! Coverage-guided fuzz of the core's shape, stride and index arithmetic: any sizes, strides
//! and offsets a user can write reach the checked constructors, which must return an error or
//! a layout whose every element lies inside its storage; broadcasting, view strides, shape
//! inference and dim normalisation must agree with their definitions and never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pyrustgrad_core::layout::{checked_numel, overlap, Layout};
use pyrustgrad_core::shape::{broadcast_shapes, infer_shape, normalize_dim, view_strides};

fn take(data: &mut &[u8], n: usize) -> Vec<u64> {
    let mut out = Vec::new();
    for _ in 0..n {
        if data.len() < 8 {
            break;
        }
        let (a, b) = data.split_at(8);
        out.push(u64::from_le_bytes(a.try_into().unwrap()));
        *data = b;
    }
    out
}

/// Small values most of the time (to reach deep paths), any value sometimes.
fn size(v: u64) -> usize {
    if v & 3 == 0 { (v >> 2) as usize } else { ((v >> 2) % 5) as usize }
}

fuzz_target!(|bytes: &[u8]| {
    let mut data = bytes;
    let head = take(&mut data, 2);
    if head.len() < 2 {
        return;
    }
    let ndim = (head[0] % 7) as usize;
    let shape: Vec<usize> = take(&mut data, ndim).into_iter().map(size).collect();
    let strides: Vec<usize> = take(&mut data, ndim).into_iter().map(size).collect();
    if shape.len() != ndim || strides.len() != ndim {
        return;
    }
    let offset = size(head[1]);
    let storage_len = size(head[1].rotate_left(17));

    // A checked layout reaches only its storage.
    if let Ok(l) = Layout::checked(&shape[..], &strides[..], offset, storage_len, 4) {
        let n = l.numel();
        if n > 0 && n <= 4096 {
            for o in l.offsets() {
                assert!(o < storage_len, "offset {} outside a storage of {}", o, storage_len);
            }
            let r = l.storage_range();
            assert!(r.end <= storage_len);
        }
        let _ = l.is_contiguous();
        let _ = l.contiguous_range();
        let _ = l.has_internal_overlap();
        let _ = overlap(&l, &Layout::contiguous(&shape[..]));
        // Viewing it with another shape keeps the element count and stays in bounds.
        if n <= 4096 {
            let other: Vec<usize> = if n == 0 { vec![0] } else { vec![n] };
            if let Some(vs) = view_strides(&l.shape, &l.strides, &other) {
                let v = Layout::new(&other[..], &vs[..], offset);
                if n > 0 {
                    for o in v.offsets() {
                        assert!(o < storage_len);
                    }
                }
            }
        }
    }
    let _ = checked_numel(&shape);

    // Broadcasting is symmetric and every input broadcasts to the result.
    let b = broadcast_shapes(&shape, &strides);
    let c = broadcast_shapes(&strides, &shape);
    assert_eq!(b.is_ok(), c.is_ok());
    if let (Ok(b), Ok(c)) = (b, c) {
        assert_eq!(b, c);
    }

    // Shape inference: either an error or a shape with the given element count.
    let wanted: Vec<i64> = take(&mut data, 3).into_iter().map(|v| (v as i64) % 9 - 2).collect();
    if let Ok(numel) = checked_numel(&shape) {
        if let Ok(s) = infer_shape(&wanted, numel) {
            assert_eq!(checked_numel(&s).ok(), Some(numel));
        }
    }
    for d in take(&mut data, 2) {
        if let Ok(n) = normalize_dim(d as i64, ndim) {
            assert!(n < ndim.max(1));
        }
    }
});
