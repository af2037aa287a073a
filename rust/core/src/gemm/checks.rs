//! Argument checks for the safe entry points: every index an operand can
//! reach must lie inside its slice (computed in i128, overflow-checked), and
//! the output's elements must be pairwise distinct. Pure functions; they
//! never panic.

/// A strided operand: `(extent, stride)` per dimension, e.g. `[(m, rs), (n, cs)]`.
pub type Dims<'a> = &'a [(usize, isize)];

fn describe(dims: Dims) -> String {
    let shape: Vec<String> = dims.iter().map(|(d, _)| d.to_string()).collect();
    let strides: Vec<String> = dims.iter().map(|(_, s)| s.to_string()).collect();
    format!("{}, strides ({})", shape.join("x"), strides.join(", "))
}

/// Smallest and largest offset reached from `off`: `Ok(None)` if the operand
/// is empty, `Err(())` if the offsets overflow i128.
fn reach(off: usize, dims: Dims) -> Result<Option<(i128, i128)>, ()> {
    if dims.iter().any(|&(d, _)| d == 0) {
        return Ok(None);
    }
    let (mut lo, mut hi) = (off as i128, off as i128);
    for &(d, s) in dims {
        // |(d-1) * s| < 2^127: the product fits; the sums are checked.
        let t = (d - 1) as i128 * s as i128;
        lo = lo.checked_add(t.min(0)).ok_or(())?;
        hi = hi.checked_add(t.max(0)).ok_or(())?;
    }
    Ok(Some((lo, hi)))
}

/// Every index of operand `name` lies inside a slice of `len` elements.
pub fn in_bounds(name: &str, len: usize, off: usize, dims: Dims) -> Result<(), String> {
    let what = || format!("gemm: {name} ({}, offset {off})", describe(dims));
    match reach(off, dims) {
        Ok(None) => Ok(()),
        Err(()) => Err(format!("{} reaches indices that overflow", what())),
        Ok(Some((lo, _))) if lo < 0 => Err(format!("{} reaches index {lo}, before the start of its slice", what())),
        Ok(Some((_, hi))) if hi >= len as i128 => {
            Err(format!("{} reaches index {hi}, but its slice has {len} elements", what()))
        }
        Ok(Some(_)) => Ok(()),
    }
}

/// No two elements of output `name` share an address. Sufficient test: with
/// the dimensions of extent > 1 sorted by |stride|, each stride is nonzero
/// and larger than the span of all smaller ones.
pub fn distinct(name: &str, dims: Dims) -> Result<(), String> {
    let mut ds: Vec<(u128, u128)> =
        dims.iter().filter(|&&(d, _)| d > 1).map(|&(d, s)| (d as u128, s.unsigned_abs() as u128)).collect();
    ds.sort_by_key(|&(_, s)| s);
    let mut span: u128 = 0; // largest offset reached by the smaller dimensions
    for &(d, s) in &ds {
        if s == 0 || s <= span {
            return Err(format!(
                "gemm: {name} ({}) has overlapping elements; the output must not alias itself",
                describe(dims)
            ));
        }
        // s < 2^64 and d < 2^64, and span stays below 2^128 by the check above.
        span = span.saturating_add(s.saturating_mul(d - 1));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_accepts_dense_layouts_and_rejects_overlaps() {
        assert!(distinct("C", &[(3, 4), (4, 1)]).is_ok());
        assert!(distinct("C", &[(3, 1), (4, 3)]).is_ok());
        assert!(distinct("C", &[(2, 12), (3, 4), (4, 1)]).is_ok());
        assert!(distinct("C", &[(1, 0), (4, 1)]).is_ok());
        assert!(distinct("C", &[(3, 0), (4, 1)]).is_err());
        assert!(distinct("C", &[(3, 2), (4, 1)]).is_err());
        assert!(distinct("C", &[(2, 11), (3, 4), (4, 1)]).is_err());
        assert!(distinct("C", &[(2, 0), (3, 4), (4, 1)]).is_err());
        assert!(distinct("C", &[(usize::MAX, isize::MIN), (usize::MAX, isize::MAX)]).is_err());
    }

    #[test]
    fn in_bounds_handles_negative_and_huge_strides() {
        assert!(in_bounds("A", 12, 0, &[(3, 4), (4, 1)]).is_ok());
        assert!(in_bounds("A", 12, 1, &[(3, 4), (4, 1)]).is_err());
        assert!(in_bounds("A", 12, 11, &[(3, -4), (4, -1)]).is_ok());
        assert!(in_bounds("A", 12, 0, &[(3, -4), (4, 1)]).is_err());
        assert!(in_bounds("A", 12, usize::MAX, &[(usize::MAX, isize::MAX), (usize::MAX, isize::MAX)]).is_err());
        assert!(in_bounds("A", 0, usize::MAX, &[(0, isize::MAX), (5, 1)]).is_ok());
    }
}
