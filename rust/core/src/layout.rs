//! Layouts: the shape, strides and offset of a strided view, and all the arithmetic on them
//! that touches memory: element counts, the storage range a view reaches, contiguity, and
//! whether two views (or one view with itself) overlap, as PyTorch's MemoryOverlap rules.
//! Everything a user can make reach here is checked (`Layout::checked`): no overflow, no view
//! past its storage.
//!
//! What it must never do: hold data, or compute an offset with arithmetic that can overflow
//! on a layout that was not checked.

use crate::bail;
use crate::error::Result;
use crate::shape::{contiguous_strides, numel, Dims};
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub shape: Dims,
    pub strides: Dims,
    pub offset: usize,
}

impl Layout {
    pub fn contiguous(shape: impl Into<Dims>) -> Self {
        let shape = shape.into();
        let strides = contiguous_strides(&shape);
        Layout { shape, strides, offset: 0 }
    }
    /// A layout from any lists of sizes and strides.
    pub fn new(shape: impl Into<Dims>, strides: impl Into<Dims>, offset: usize) -> Self {
        Layout { shape: shape.into(), strides: strides.into(), offset }
    }
    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }
    /// Row-major without gaps (any empty layout is contiguous, as in PyTorch).
    #[inline]
    pub fn is_contiguous(&self) -> bool {
        self.strides_are_row_major() || self.shape.contains(&0)
    }

    #[inline]
    fn strides_are_row_major(&self) -> bool {
        let mut expected = 1usize;
        for i in (0..self.shape.len()).rev() {
            if self.shape[i] != 1 {
                if self.strides[i] != expected {
                    return false;
                }
                // Saturating: an empty layout may have sizes whose product overflows.
                expected = expected.saturating_mul(self.shape[i]);
            }
        }
        true
    }
    /// Storage offsets of every element in row-major order.
    pub fn offsets(&self) -> StridedOffsets<'_> {
        StridedOffsets::new(&self.shape, &self.strides, self.offset)
    }
}

/// Iterates the storage offsets of a strided layout in row-major order.
pub struct StridedOffsets<'a> {
    shape: &'a [usize],
    strides: &'a [usize],
    index: Vec<usize>,
    next: usize,
    remaining: usize,
}

impl<'a> StridedOffsets<'a> {
    pub fn new(shape: &'a [usize], strides: &'a [usize], offset: usize) -> Self {
        StridedOffsets { shape, strides, index: vec![0; shape.len()], next: offset, remaining: numel(shape) }
    }
}

impl<'a> Iterator for StridedOffsets<'a> {
    type Item = usize;
    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.remaining == 0 {
            return None;
        }
        let cur = self.next;
        self.remaining -= 1;
        if self.remaining > 0 {
            let mut d = self.shape.len();
            while d > 0 {
                d -= 1;
                self.index[d] += 1;
                self.next += self.strides[d];
                if self.index[d] < self.shape[d] {
                    break;
                }
                self.next -= self.strides[d] * self.index[d];
                self.index[d] = 0;
            }
        }
        Some(cur)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}
impl<'a> ExactSizeIterator for StridedOffsets<'a> {}


impl Layout {
    /// A layout made from user-given sizes and strides, checked: the element count must not
    /// overflow and every element must lie inside a storage of `storage_len` elements of
    /// `itemsize` bytes (PyTorch states the sizes in bytes).
    pub fn checked(shape: impl Into<Dims>, strides: impl Into<Dims>, offset: usize, storage_len: usize, itemsize: usize) -> Result<Layout> {
        let l = Layout::new(shape, strides, offset);
        if l.shape.len() != l.strides.len() {
            bail!(Runtime, "mismatch in length of strides and shape");
        }
        checked_numel(&l.shape)?;
        let (_, end) = l.reach_u128();
        if l.numel() > 0 && end > storage_len as u128 {
            bail!(
                Runtime,
                "setStorage: sizes {}, strides {}, storage offset {}, and itemsize {} requiring a storage size of {} are out of bounds for storage of size {}",
                crate::shape::fmt_shape(&l.shape),
                crate::shape::fmt_shape(&l.strides),
                offset,
                itemsize,
                end.saturating_mul(itemsize as u128),
                storage_len as u128 * itemsize as u128
            );
        }
        Ok(l)
    }

    /// [first, one past the last) storage element, in 128-bit arithmetic (saturating: a sum of
    /// six products of 64-bit sizes and strides can exceed even 128 bits).
    fn reach_u128(&self) -> (u128, u128) {
        let first = self.offset as u128;
        if self.shape.contains(&0) {
            return (first, first);
        }
        let last: u128 = self.shape.iter().zip(&self.strides).map(|(&n, &s)| (n as u128 - 1) * s as u128).fold(0u128, u128::saturating_add);
        (first, first.saturating_add(last).saturating_add(1))
    }

    /// The storage elements the layout reaches: [first, one past the last); empty for an empty
    /// layout. Valid for layouts inside their storage (every layout of a tensor is).
    pub fn storage_range(&self) -> Range<usize> {
        let (a, b) = self.reach_u128();
        a as usize..b as usize
    }

    /// For a contiguous layout, its elements as one range of the storage (empty when it has
    /// none, wherever its offset points).
    #[inline]
    pub fn contiguous_range(&self) -> Option<Range<usize>> {
        if self.strides_are_row_major() {
            let n = self.numel();
            Some(if n == 0 { 0..0 } else { self.offset..self.offset + n })
        } else if self.shape.contains(&0) {
            Some(0..0)
        } else {
            None
        }
    }

    /// Whether the strides are a permutation of contiguous strides (PyTorch's
    /// is_non_overlapping_and_dense): every element exactly once, no gaps. Dims of size 0 and
    /// 1 do not count, as in PyTorch.
    pub fn is_non_overlapping_and_dense(&self) -> bool {
        let mut dims: Vec<usize> = (0..self.shape.len()).filter(|&d| self.shape[d] >= 2).collect();
        dims.sort_by_key(|&d| self.strides[d]);
        let mut expected = 1usize;
        for d in dims {
            if self.strides[d] != expected {
                return false;
            }
            expected = expected.saturating_mul(self.shape[d]);
        }
        true
    }

    /// PyTorch's internal overlap check: a dim of size > 1 with stride 0 writes several
    /// elements to one memory location (other layouts are taken as non-overlapping).
    pub fn has_internal_overlap(&self) -> bool {
        !self.is_non_overlapping_and_dense() && self.shape.iter().zip(&self.strides).any(|(&n, &s)| n > 1 && s == 0)
    }
}

/// How two views of the same storage share memory (PyTorch's MemOverlapStatus).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlap {
    /// No element in common (or different storages).
    No,
    /// The very same elements in the same order.
    Full,
    /// Some elements in common, not all in the same places.
    Partial,
    /// Not decidable cheaply (a layout with gaps or repeats): taken as no overlap.
    TooHard,
}

/// PyTorch's get_overlap_status for two layouts over one storage.
pub fn overlap(a: &Layout, b: &Layout) -> Overlap {
    if a.numel() == 0 || b.numel() == 0 {
        return Overlap::No;
    }
    if !a.is_non_overlapping_and_dense() || !b.is_non_overlapping_and_dense() {
        return Overlap::TooHard;
    }
    let (ra, rb) = (a.storage_range(), b.storage_range());
    if ra == rb {
        return if a.strides == b.strides && a.shape == b.shape { Overlap::Full } else { Overlap::Partial };
    }
    if ra.start < rb.end && rb.start < ra.end {
        return Overlap::Partial;
    }
    Overlap::No
}

/// The element count of a user-given shape: PyTorch's error on overflow.
pub fn checked_numel(shape: &[usize]) -> Result<usize> {
    let mut n: usize = 1;
    for &d in shape {
        n = match n.checked_mul(d) {
            Some(v) if v <= isize::MAX as usize => v,
            _ => bail!(Runtime, "numel: integer multiplication overflow"),
        };
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_layouts_are_contiguous_and_reach_nothing() {
        let l = Layout::new(&[2usize, 0][..], &[0usize, 1][..], 7);
        assert!(l.is_contiguous());
        assert_eq!(l.contiguous_range(), Some(0..0));
        assert_eq!(l.storage_range().len(), 0);
    }

    #[test]
    fn empty_layouts_with_huge_sizes_do_not_overflow() {
        // Found by scripts/fuzz-core: numel 0, so the layout is valid, but the product of the
        // other sizes overflows.
        for shape in [[1usize << 40, 0, 1 << 40], [0, 1 << 40, 1 << 40], [0, usize::MAX, usize::MAX]] {
            let strides = [3usize, usize::MAX, 1];
            let l = Layout::checked(&shape[..], &strides[..], 5, 0, 8).unwrap();
            assert!(l.is_contiguous());
            assert_eq!(l.storage_range().len(), 0);
            assert!(!l.has_internal_overlap());
            let _ = l.contiguous_range();
            let _ = overlap(&l, &Layout::contiguous(&shape[..]));
            assert!(Layout::contiguous(&shape[..]).is_contiguous());
        }
        // Nonempty but reaching past any 128-bit end: an error, not an overflow.
        assert!(Layout::checked(&[1usize << 62, 2][..], &[usize::MAX, usize::MAX][..], usize::MAX, 1, 8).is_err());
    }

    #[test]
    fn checked_layouts_refuse_overflow_and_overreach() {
        assert_eq!(Layout::checked(&[1usize << 32, 1 << 32][..], &[0usize, 0][..], 0, 1, 4).unwrap_err().msg, "numel: integer multiplication overflow");
        assert!(Layout::checked(&[7usize, 7905747460161236407][..], &[0usize, 0][..], 0, 1, 4).is_err());
        assert!(Layout::checked(&[3usize][..], &[2usize][..], 0, 5, 4).is_ok());
        assert!(Layout::checked(&[3usize][..], &[2usize][..], 0, 4, 4).is_err());
        assert!(Layout::checked(&[usize::MAX][..], &[usize::MAX][..], usize::MAX, 10, 4).is_err());
    }

    #[test]
    fn overlap_follows_pytorchs_rules() {
        let x = Layout::contiguous(&[4usize][..]);
        let tail = Layout::new(&[3usize][..], &[1usize][..], 1);
        let head = Layout::new(&[3usize][..], &[1usize][..], 0);
        assert_eq!(overlap(&tail, &head), Overlap::Partial);
        assert_eq!(overlap(&x, &x), Overlap::Full);
        assert_eq!(overlap(&Layout::new(&[2usize][..], &[1usize][..], 0), &Layout::new(&[2usize][..], &[1usize][..], 2)), Overlap::No);
        let t = Layout::new(&[2usize, 2][..], &[1usize, 2][..], 0);
        assert_eq!(overlap(&t, &Layout::contiguous(&[2usize, 2][..])), Overlap::Partial);
        assert!(Layout::new(&[3usize][..], &[0usize][..], 0).has_internal_overlap());
        assert!(!Layout::new(&[1usize][..], &[0usize][..], 0).has_internal_overlap());
        assert!(!Layout::new(&[2usize, 2][..], &[1usize, 2][..], 0).has_internal_overlap());
    }
}
