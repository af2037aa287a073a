//! PyTorch-compatible tensor printing (`repr(tensor)` / `str(tensor)`).
//!
//! This module reproduces, character for character, what PyTorch's
//! `torch/_tensor_str.py` prints for a dense CPU tensor: the `_Formatter`
//! choice between integer, fixed and scientific notation, column widths,
//! summarisation with `...`, line wrapping at `linewidth`, and the wrapping of
//! suffixes such as `grad_fn=<AddBackward0>` onto a new line.
//!
//! It must never depend on a tensor type: it takes plain, contiguous,
//! row-major values plus a shape, so it can be tested alone and called from
//! any storage. When summarising it reads only the printed edge elements, so
//! printing a huge tensor costs what the printed text costs.
//!
//! The rules are those of PyTorch 2.15 (checked string-for-string against
//! it). Two of them differ from older PyTorch releases: a forced
//! `sci_mode` also decides the column width, and `edgeitems == 0` prints
//! `[...]` plus a `size=` suffix.
//!
//! # Contract for the caller
//!
//! * Float tensors of every width pass their values widened to `f64`
//!   (`f32 as f64` is exact). PyTorch formats `tensor.tolist()` / `.item()`
//!   values, which are Python floats, i.e. the same widened doubles, and it
//!   compares magnitudes in double, so widening reproduces it exactly.
//! * `suffixes` are fully formatted strings in PyTorch's order, e.g.
//!   `"dtype=torch.float64"`, `"grad_fn=<AddBackward0>"`,
//!   `"requires_grad=True"`. Which dtype suffix to pass is decided by
//!   [`dtype_suffix_needed`], because PyTorch's rule differs for empty
//!   tensors.
//! * For an empty tensor (`numel == 0`) whose shape is not 1-D, and for any
//!   non-empty tensor printed with `edgeitems == 0`, this module inserts
//!   `size=(d0, d1, ...)` *before* the caller's suffixes, which is where
//!   PyTorch puts it (before `dtype=`, `grad_fn=`, `requires_grad=`).
//!
//! # Not covered
//!
//! Complex, sparse, quantized, named, nested and meta tensors, and the
//! `device=` suffix (the caller may pass it first in `suffixes`).

use std::borrow::Cow;
use std::sync::RwLock;

/// Print options, mirroring `torch.set_printoptions`.
///
/// `threshold == usize::MAX` plays the role of PyTorch's `threshold=inf`
/// (the `"full"` profile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintOptions {
    /// Digits after the decimal point in fixed and scientific notation.
    pub precision: usize,
    /// Summarise when the element count is strictly greater than this.
    pub threshold: usize,
    /// Leading and trailing items kept per dimension when summarising.
    pub edgeitems: usize,
    /// Characters per line before a 1-D row wraps.
    pub linewidth: usize,
    /// `Some(true)`/`Some(false)` forces scientific notation on/off;
    /// `None` lets the formatter decide from the values.
    pub sci_mode: Option<bool>,
}

impl PrintOptions {
    /// PyTorch's `profile="default"`.
    pub const DEFAULT: PrintOptions = PrintOptions {
        precision: 4,
        threshold: 1000,
        edgeitems: 3,
        linewidth: 80,
        sci_mode: None,
    };
}

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions::DEFAULT
    }
}

static PRINT_OPTIONS: RwLock<PrintOptions> = RwLock::new(PrintOptions::DEFAULT);

/// The process-global print options (what `torch.set_printoptions` sets).
pub fn get_print_options() -> PrintOptions {
    PRINT_OPTIONS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

/// Replace the process-global print options.
pub fn set_print_options(opts: PrintOptions) {
    *PRINT_OPTIONS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = opts;
}

/// Tensor elements in row-major (C) order, contiguous, for one shape.
/// A 0-d tensor (empty shape) has exactly one value.
#[derive(Clone, Copy, Debug)]
pub enum Values<'a> {
    /// Any floating dtype, widened to `f64`.
    Float(&'a [f64]),
    /// Any integer dtype, widened to `i64`.
    Int(&'a [i64]),
    /// `torch.bool`.
    Bool(&'a [bool]),
}

impl Values<'_> {
    fn len(&self) -> usize {
        match self {
            Values::Float(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Bool(v) => v.len(),
        }
    }
}

/// Whether PyTorch shows a `dtype=` suffix for this tensor.
///
/// * non-empty tensors: only when the dtype is none of the default float
///   dtype (`torch.get_default_dtype()`), `int64` and `bool`;
/// * empty tensors: whenever the dtype is not the default float dtype
///   (there is no element to tell an `int64` tensor from a float one).
pub fn dtype_suffix_needed(
    is_default_float_dtype: bool,
    is_int64_or_bool: bool,
    numel: usize,
) -> bool {
    if numel == 0 {
        !is_default_float_dtype
    } else {
        !(is_default_float_dtype || is_int64_or_bool)
    }
}

/// The full repr as PyTorch prints it: `"tensor(" + body + suffixes + ")"`.
///
/// `values.len()` must equal the product of `shape` (1 for a 0-d tensor).
/// For an empty tensor the body is `[]`, and when `shape.len() != 1` a
/// `size=(...)` suffix is put before `suffixes` (also for any tensor when
/// `opts.edgeitems == 0`, whose body is just `[...]`). Suffixes move to a new line,
/// indented under the body, when the current last line would pass
/// `opts.linewidth`.
pub fn format_tensor(
    values: Values,
    shape: &[usize],
    suffixes: &[String],
    opts: &PrintOptions,
) -> String {
    format_tensor_as("tensor(", values, shape, suffixes, opts)
}

/// As [`format_tensor`], with another opening (`MyTensor(` for a subclass, as PyTorch names
/// tensors of subclasses by their class); continuation lines are indented under it.
pub fn format_tensor_as(
    prefix: &str,
    values: Values,
    shape: &[usize],
    suffixes: &[String],
    opts: &PrintOptions,
) -> String {
    let indent = prefix.chars().count();
    let numel: usize = shape.iter().product();
    assert_eq!(
        values.len(),
        numel,
        "format_tensor: {} values for shape {:?}",
        values.len(),
        shape
    );

    let mut all_suffixes: Vec<String> = Vec::with_capacity(suffixes.len() + 1);
    // PyTorch states the shape when the body cannot: an empty tensor that is
    // not 1-D, or any non-empty tensor printed with `edgeitems == 0`.
    let body = if numel == 0 {
        "[]".to_string()
    } else {
        tensor_body(values, shape, indent, opts)
    };
    let size_suffix_needed = if numel == 0 {
        shape.len() != 1
    } else {
        opts.edgeitems == 0
    };
    if size_suffix_needed {
        all_suffixes.push(format!("size={}", python_tuple(shape)));
    }
    all_suffixes.extend(suffixes.iter().cloned());

    let mut out = String::with_capacity(prefix.len() + body.len() + 2);
    out.push_str(prefix);
    out.push_str(&body);
    add_suffixes(out, &all_suffixes, indent, opts.linewidth)
}

/// The bracketed body only (PyTorch's `_tensor_str`), for a non-empty
/// tensor whose first line starts `indent` characters from the left margin.
pub fn tensor_body(values: Values, shape: &[usize], indent: usize, opts: &PrintOptions) -> String {
    let numel: usize = shape.iter().product();
    if numel == 0 {
        return "[]".to_string();
    }
    let summarize = numel > opts.threshold;
    match values {
        Values::Float(v) => {
            let f = Formatter::for_floats(
                &summarized_or_all(v, shape, summarize, opts.edgeitems),
                opts,
            );
            nested_str(v, shape, indent, summarize, opts, f.max_width, &|x: f64| {
                f.format_float(x)
            })
        }
        Values::Int(v) => {
            let f = Formatter::for_display(&summarized_or_all(v, shape, summarize, opts.edgeitems));
            nested_str(v, shape, indent, summarize, opts, f.max_width, &|x: i64| {
                f.pad(x.to_string())
            })
        }
        Values::Bool(v) => {
            let f = Formatter::for_display(&summarized_or_all(v, shape, summarize, opts.edgeitems));
            nested_str(
                v,
                shape,
                indent,
                summarize,
                opts,
                f.max_width,
                &|x: bool| f.pad(python_bool(x).to_string()),
            )
        }
    }
}

/// How one element is written; PyTorch's `_Formatter`.
struct Formatter {
    /// Every element is left-padded to this many characters.
    max_width: usize,
    /// Float tensors whose finite values are all integral: `1.`, `-2.`.
    int_mode: bool,
    /// Scientific notation `1.0000e+05`; takes precedence over `int_mode`.
    sci_mode: bool,
    precision: usize,
}

impl Formatter {
    /// Integer and bool tensors: width of the widest `str(value)`.
    fn for_display<T: ToDisplayString>(vals: &[T]) -> Formatter {
        let max_width = vals.iter().map(|v| v.display().len()).fold(1, usize::max);
        Formatter {
            max_width,
            int_mode: true,
            sci_mode: false,
            precision: 0,
        }
    }

    /// Float tensors: pick int/fixed/scientific from the nonzero finite
    /// values (of the summarised data when summarising), then the width.
    fn for_floats(vals: &[f64], opts: &PrintOptions) -> Formatter {
        let p = opts.precision;
        let mut f = Formatter {
            max_width: 1,
            int_mode: true,
            sci_mode: false,
            precision: p,
        };
        let nonzero_finite: Vec<f64> = vals
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v != 0.0)
            .collect();
        if nonzero_finite.is_empty() {
            // PyTorch returns here, before applying a forced `sci_mode`.
            return f;
        }
        let min = nonzero_finite
            .iter()
            .map(|v| v.abs())
            .fold(f64::INFINITY, f64::min);
        let max = nonzero_finite.iter().map(|v| v.abs()).fold(0.0, f64::max);
        f.int_mode = nonzero_finite.iter().all(|v| *v == v.ceil());
        let widest = |fmt: &dyn Fn(f64) -> String, extra: usize| {
            nonzero_finite
                .iter()
                .map(|v| fmt(*v).len() + extra)
                .fold(1, usize::max)
        };
        // A forced mode applies before the width is measured; only the
        // all-zero/non-finite early return above escapes it.
        f.sci_mode = opts
            .sci_mode
            .unwrap_or(max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4);
        f.max_width = match (f.sci_mode, f.int_mode) {
            (true, _) => widest(&|v| python_sci(v, p), 0),
            // `+ 1` for the trailing '.' that marks a float tensor.
            (false, true) => widest(&|v| python_fixed(v, 0), 1),
            (false, false) => widest(&|v| python_fixed(v, p), 0),
        };
        f
    }

    fn format_float(&self, v: f64) -> String {
        let s = if self.sci_mode {
            python_sci(v, self.precision)
        } else if self.int_mode {
            let mut s = python_fixed(v, 0);
            if v.is_finite() {
                s.push('.');
            }
            s
        } else {
            python_fixed(v, self.precision)
        };
        self.pad(s)
    }

    /// Right-align to `max_width`; longer strings are left as they are.
    fn pad(&self, s: String) -> String {
        let len = s.chars().count();
        if len >= self.max_width {
            s
        } else {
            let mut out = " ".repeat(self.max_width - len);
            out.push_str(&s);
            out
        }
    }
}

/// `str(value)` as Python writes it for integer and bool elements.
trait ToDisplayString {
    fn display(&self) -> String;
}
impl ToDisplayString for i64 {
    fn display(&self) -> String {
        self.to_string()
    }
}
impl ToDisplayString for bool {
    fn display(&self) -> String {
        python_bool(*self).to_string()
    }
}

fn python_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Python's `"{:.{p}f}".format(v)`. Rust and Python both round the exact
/// binary value half-to-even; only the non-finite spellings differ.
fn python_fixed(v: f64, precision: usize) -> String {
    if let Some(s) = python_nonfinite(v) {
        return s.to_string();
    }
    format!("{:.*}", precision, v)
}

/// Python's `"{:.{p}e}".format(v)`: `1.0000e+05`, `-2.5000e-07`, `1e+100`
/// for precision 0. Rust writes `1.0000e5`, so the exponent is rewritten
/// with a sign and at least two digits.
fn python_sci(v: f64, precision: usize) -> String {
    if let Some(s) = python_nonfinite(v) {
        return s.to_string();
    }
    let rust = format!("{:.*e}", precision, v);
    let (mantissa, exp) = rust
        .split_once('e')
        .expect("Rust `{:e}` always writes an exponent");
    let exp: i32 = exp.parse().expect("Rust `{:e}` exponent is an integer");
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{}e{}{:02}", mantissa, sign, exp.unsigned_abs())
}

/// Python spells non-finite floats `nan` (whatever the sign bit), `inf`, `-inf`.
fn python_nonfinite(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("nan")
    } else if v == f64::INFINITY {
        Some("inf")
    } else if v == f64::NEG_INFINITY {
        Some("-inf")
    } else {
        None
    }
}

/// Python's `str(tuple(shape))`: `(0, 3)`, `(0,)`, `()`.
fn python_tuple(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [d] => format!("({},)", d),
        _ => {
            let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// The values the formatter measures: all of them, or when summarising
/// only those that will be printed (PyTorch's `get_summarized_data`).
fn summarized_or_all<'a, T: Copy>(
    data: &'a [T],
    shape: &[usize],
    summarize: bool,
    edgeitems: usize,
) -> Cow<'a, [T]> {
    if summarize {
        let mut out = Vec::new();
        collect_summarized(data, shape, edgeitems, &mut out);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(data)
    }
}

/// `n > 2 * edgeitems` without overflow for absurd `edgeitems`.
fn exceeds_both_edges(n: usize, edgeitems: usize) -> bool {
    n > edgeitems.saturating_mul(2)
}

fn collect_summarized<T: Copy>(data: &[T], shape: &[usize], edgeitems: usize, out: &mut Vec<T>) {
    match shape {
        [] => out.extend_from_slice(data),
        [n] => {
            // PyTorch slices `t[:e]` and `t[-e:]`; with e == 0 the latter is
            // the whole row. Harmless: such a row prints as `[...]` anyway.
            if exceeds_both_edges(*n, edgeitems) && edgeitems > 0 {
                out.extend_from_slice(&data[..edgeitems]);
                out.extend_from_slice(&data[n - edgeitems..]);
            } else {
                out.extend_from_slice(data);
            }
        }
        [_, _, ..] if edgeitems == 0 => {} // PyTorch measures an empty tensor here.
        [n, rest @ ..] => {
            let stride: usize = rest.iter().product();
            let rows: Vec<usize> = if exceeds_both_edges(*n, edgeitems) {
                (0..edgeitems).chain(n - edgeitems..*n).collect()
            } else {
                (0..*n).collect()
            };
            for i in rows {
                collect_summarized(&data[i * stride..(i + 1) * stride], rest, edgeitems, out);
            }
        }
    }
}

/// PyTorch's `_tensor_str_with_formatter`: scalars, 1-D rows, and nested
/// blocks joined by `,` plus `dim - 1` newlines and an indent.
fn nested_str<T: Copy>(
    data: &[T],
    shape: &[usize],
    indent: usize,
    summarize: bool,
    opts: &PrintOptions,
    width: usize,
    fmt: &dyn Fn(T) -> String,
) -> String {
    match shape {
        [] => fmt(data[0]),
        [n] => vector_str(data, *n, indent, summarize, opts, width, fmt),
        [n, rest @ ..] => {
            let stride: usize = rest.iter().product();
            let edge = opts.edgeitems;
            let slice = |i: usize| {
                nested_str(
                    &data[i * stride..(i + 1) * stride],
                    rest,
                    indent + 1,
                    summarize,
                    opts,
                    width,
                    fmt,
                )
            };
            let slices: Vec<String> = if summarize && exceeds_both_edges(*n, edge) {
                (0..edge)
                    .map(slice)
                    .chain(std::iter::once("...".to_string()))
                    .chain((n - edge..*n).map(slice))
                    .collect()
            } else {
                (0..*n).map(slice).collect()
            };
            let sep = format!(
                ",{}{}",
                "\n".repeat(shape.len() - 1),
                " ".repeat(indent + 1)
            );
            format!("[{}]", slices.join(&sep))
        }
    }
}

/// PyTorch's `_vector_str`: a 1-D row, wrapped so that each line holds
/// `max(1, floor((linewidth - indent) / (width + 2)))` items.
fn vector_str<T: Copy>(
    data: &[T],
    n: usize,
    indent: usize,
    summarize: bool,
    opts: &PrintOptions,
    width: usize,
    fmt: &dyn Fn(T) -> String,
) -> String {
    let edge = opts.edgeitems;
    let items: Vec<String> = if summarize && edge == 0 {
        vec!["...".to_string()]
    } else if summarize && exceeds_both_edges(n, edge) {
        data[..edge]
            .iter()
            .map(|v| fmt(*v))
            .chain(std::iter::once(" ...".to_string()))
            .chain(data[n - edge..].iter().map(|v| fmt(*v)))
            .collect()
    } else {
        data.iter().map(|v| fmt(*v)).collect()
    };
    let element_length = width + 2;
    let per_line = elements_per_line(opts.linewidth, indent, element_length);
    let lines: Vec<String> = items.chunks(per_line).map(|c| c.join(", ")).collect();
    let sep = format!(",\n{}", " ".repeat(indent + 1));
    format!("[{}]", lines.join(&sep))
}

fn elements_per_line(linewidth: usize, indent: usize, element_length: usize) -> usize {
    if linewidth <= indent {
        1
    } else {
        ((linewidth - indent) / element_length).max(1)
    }
}

/// PyTorch's `_add_suffixes`: `, suffix` on the same line while it fits,
/// else `,\n` plus `indent` spaces.
fn add_suffixes(mut out: String, suffixes: &[String], indent: usize, linewidth: usize) -> String {
    // PyTorch computes `len(s) - s.rfind("\n") + 1`, i.e. the last line's
    // length plus 2, whether or not there is a newline.
    let last_line = out.rsplit('\n').next().unwrap_or("");
    let mut last_line_len = last_line.chars().count() + 2;
    for suffix in suffixes {
        let suffix_len = suffix.chars().count();
        if last_line_len + suffix_len + 2 > linewidth {
            out.push_str(",\n");
            out.push_str(&" ".repeat(indent));
            out.push_str(suffix);
            last_line_len = indent + suffix_len;
        } else {
            out.push_str(", ");
            out.push_str(suffix);
            last_line_len += suffix_len + 2;
        }
    }
    out.push(')');
    out
}
