//! Module-level functions of `pyrustgrad._core`: factories, joining, `where`, grad mode, the
//! engine's entry points, print options, threads and the random seed. The package wraps them
//! in PyTorch's call forms.
//!
//! What it must never do: hold the GIL while the engine runs, or decide what an argument means
//! beyond converting it (rules such as the factory `requires_grad` check are the core's).

use crate::convert::{nested_walk, one_or_many, opt_tensor_list, scalar_of, tensor_list, unsigned_sizes};
use crate::dtype::{dtype_arg, PyDType};
use crate::errors::run;
use crate::tensor::{tensor_of, wrap, PyTensor};
use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyType};
use pyo3::wrap_pyfunction;
use pyrustgrad_core::ops::{self, factory_requires_grad};
use pyrustgrad_core::random::{self, Dist};
use pyrustgrad_core::{autograd, Tensor};

fn made(py: Python, t: pyrustgrad_core::Result<Tensor>, requires_grad: bool) -> PyResult<PyObject> {
    wrap(py, run(|| factory_requires_grad(t?, requires_grad))?)
}

#[pyfunction(dtype = "None", requires_grad = "false")]
fn tensor(py: Python, data: &PyAny, dtype: Option<&PyAny>, requires_grad: bool) -> PyResult<PyObject> {
    let want = dtype_arg(dtype)?;
    let walk = nested_walk(data)?;
    made(py, ops::tensor_from_nested(&walk, want), requires_grad)
}

#[pyfunction]
fn full(py: Python, size: Vec<i64>, value: f64, dtype: PyDType, requires_grad: bool) -> PyResult<PyObject> {
    let s = unsigned_sizes(&size)?;
    made(py, Tensor::full(&s, value, dtype.dt), requires_grad)
}

#[pyfunction(generator = "0", low = "0.0", high = "1.0")]
fn rand(py: Python, size: Vec<i64>, dtype: PyDType, requires_grad: bool, generator: usize, low: f64, high: f64) -> PyResult<PyObject> {
    let s = unsigned_sizes(&size)?;
    made(py, ops::random(&s, dtype.dt, generator, Dist::Uniform { from: low, to: high }), requires_grad)
}

#[pyfunction(generator = "0", mean = "0.0", std = "1.0")]
fn randn(py: Python, size: Vec<i64>, dtype: PyDType, requires_grad: bool, generator: usize, mean: f64, std: f64) -> PyResult<PyObject> {
    let s = unsigned_sizes(&size)?;
    made(py, ops::random(&s, dtype.dt, generator, Dist::Normal { mean, std, blocked: true }), requires_grad)
}

#[pyfunction(generator = "0")]
fn randint(py: Python, low: i64, high: i64, size: Vec<i64>, dtype: PyDType, requires_grad: bool, generator: usize) -> PyResult<PyObject> {
    let s = unsigned_sizes(&size)?;
    made(py, ops::randint(low, high, &s, dtype.dt, generator), requires_grad)
}

/// A new tensor of `size` drawn from the distribution `kind` with parameters `a`, `b`
/// (`blocked`: normal_ of a contiguous tensor).
#[pyfunction]
fn _random(py: Python, size: Vec<i64>, dtype: PyDType, generator: usize, kind: &str, a: f64, b: f64, blocked: bool) -> PyResult<PyObject> {
    let s = unsigned_sizes(&size)?;
    let dist = run(|| Dist::named(kind, a, b, blocked))?;
    made(py, ops::random(&s, dtype.dt, generator, dist), false)
}

/// random_(from, to): `base + draw % range`.
#[pyfunction]
fn _random_from_to(py: Python, size: Vec<i64>, dtype: PyDType, generator: usize, range: u64, base: i64) -> PyResult<PyObject> {
    let s = unsigned_sizes(&size)?;
    made(py, ops::random(&s, dtype.dt, generator, Dist::IntFromTo { range, base }), false)
}

#[pyfunction]
fn _bernoulli_tensor(py: Python, p: PyRef<PyTensor>, dtype: PyDType, generator: usize) -> PyResult<PyObject> {
    let p = p.tensor();
    made(py, ops::bernoulli_tensor(&p, dtype.dt, generator), false)
}

/// `_rrelu_noise(x, lower, upper, generator)`: rrelu's training slopes (see ops::rrelu_noise).
#[pyfunction]
fn _rrelu_noise(py: Python, x: PyRef<PyTensor>, lower: f64, upper: f64, generator: usize) -> PyResult<PyObject> {
    let x = x.tensor();
    made(py, ops::rrelu_noise(&x, lower, upper, generator), false)
}

#[pyfunction]
fn _multinomial_with_replacement(py: Python, probs: PyRef<PyTensor>, n: usize, generator: usize) -> PyResult<PyObject> {
    let p = probs.tensor();
    made(py, ops::multinomial_with_replacement(&p, n, generator), false)
}

#[pyfunction]
fn _randperm(py: Python, n: i64, dtype: PyDType, generator: usize) -> PyResult<PyObject> {
    made(py, ops::randperm(n, dtype.dt, generator), false)
}

/// A new generator's id.
#[pyfunction]
fn _generator_new() -> usize {
    random::new_generator()
}

#[pyfunction]
fn _generator_free(id: usize) {
    random::free_generator(id);
}

#[pyfunction]
fn _generator_manual_seed(id: usize, seed: u64) -> PyResult<()> {
    run(|| random::manual_seed_gen(id, seed))
}

#[pyfunction]
fn _generator_initial_seed(id: usize) -> PyResult<u64> {
    run(|| random::with_gen(id, |r| r.initial_seed()))
}

#[pyfunction]
fn _generator_get_state(id: usize) -> PyResult<Vec<u8>> {
    run(|| random::with_gen(id, |r| r.state_bytes()))
}

#[pyfunction]
fn _generator_set_state(id: usize, state: Vec<u8>) -> PyResult<()> {
    let r = random::Rng::from_state_bytes(&state).map_err(pyo3::exceptions::PyRuntimeError::new_err)?;
    run(|| random::with_gen(id, |g| *g = r))
}

#[pyfunction]
fn arange(py: Python, start: f64, end: f64, step: f64, dtype: PyDType, requires_grad: bool) -> PyResult<PyObject> {
    made(py, ops::arange(start, end, step, dtype.dt), requires_grad)
}

#[pyfunction]
fn linspace(py: Python, start: f64, end: f64, steps: i64, dtype: PyDType, requires_grad: bool) -> PyResult<PyObject> {
    made(py, ops::linspace(start, end, steps, dtype.dt), requires_grad)
}

#[pyfunction]
fn eye(py: Python, n: i64, m: i64, dtype: PyDType, requires_grad: bool) -> PyResult<PyObject> {
    made(py, ops::eye(n, m, dtype.dt), requires_grad)
}

#[pyfunction]
fn manual_seed(seed: i64) {
    random::manual_seed(seed as u64);
}

#[pyfunction(dim = "0")]
fn cat(py: Python, tensors: &PyAny, dim: i64) -> PyResult<PyObject> {
    let ts = tensor_list(tensors)?;
    wrap(py, run(|| ops::cat(&ts, dim))?)
}

#[pyfunction(dim = "0")]
fn stack(py: Python, tensors: &PyAny, dim: i64) -> PyResult<PyObject> {
    let ts = tensor_list(tensors)?;
    wrap(py, run(|| ops::stack(&ts, dim))?)
}

fn where_operand(o: &PyAny) -> PyResult<ops::WhereOperand> {
    if let Some(t) = tensor_of(o) {
        return Ok(ops::WhereOperand::Tensor(t));
    }
    match scalar_of(o)? {
        Some(s) => Ok(ops::WhereOperand::Scalar(s)),
        None => Err(crate::errors::type_error(format!("where(): argument must be Tensor or Number, not {}", o.get_type().name()?))),
    }
}

#[pyfunction]
fn where_(py: Python, cond: PyRef<PyTensor>, a: &PyAny, b: &PyAny) -> PyResult<PyObject> {
    let (a, b) = (where_operand(a)?, where_operand(b)?);
    let c = cond.tensor();
    wrap(py, run(|| ops::where_operands(&c, a, b))?)
}

#[pyfunction]
fn _pdist(py: Python, input: PyRef<PyTensor>, p: f64) -> PyResult<PyObject> {
    let x = input.tensor();
    wrap(py, run(|| ops::pdist(&x, p))?)
}

#[pyfunction]
fn is_grad_enabled() -> bool {
    autograd::is_grad_enabled()
}

#[pyfunction]
fn _set_grad_enabled(flag: bool) {
    autograd::set_grad_enabled(flag)
}

/// Anomaly mode on or off (torch.autograd.detect_anomaly / set_detect_anomaly).
#[pyfunction]
fn _set_anomaly_enabled(flag: bool) {
    autograd::set_anomaly_enabled(flag)
}

#[pyfunction]
fn _is_anomaly_enabled() -> bool {
    autograd::is_anomaly_enabled()
}

#[pyfunction]
fn _backward(py: Python, tensors: &PyAny, grad_tensors: Option<&PyAny>, retain_graph: bool, create_graph: bool) -> PyResult<()> {
    let ts = one_or_many(tensors)?;
    let gs = opt_tensor_list(grad_tensors, ts.len())?;
    py.allow_threads(|| run(|| autograd::backward(&ts, gs, retain_graph, create_graph)))
}

#[pyfunction]
fn _grad(py: Python, outputs: &PyAny, inputs: &PyAny, grad_outputs: Option<&PyAny>, retain_graph: bool, create_graph: bool, allow_unused: bool) -> PyResult<PyObject> {
    let outs = one_or_many(outputs)?;
    let ins = one_or_many(inputs)?;
    let gs = opt_tensor_list(grad_outputs, outs.len())?;
    let res = py.allow_threads(|| run(|| autograd::grad(&outs, &ins, gs, retain_graph, create_graph, allow_unused)))?;
    crate::convert::opt_tensors_to_tuple(py, &res)
}

/// What `set_default_dtype` tells the printer (no `dtype=` for the default float dtype).
#[pyfunction]
fn _set_default_float_dtype(dtype: &PyAny) -> PyResult<()> {
    pyrustgrad_core::print::set_default_float_dtype(dtype_arg(Some(dtype))?.unwrap_or(pyrustgrad_core::DType::F32));
    Ok(())
}

#[pyfunction]
fn _set_printoptions(precision: Option<usize>, threshold: Option<usize>, edgeitems: Option<usize>, linewidth: Option<usize>, sci_mode: Option<&PyTuple>, reset: bool) -> PyResult<()> {
    // sci_mode: None = leave as is; a 1-tuple (None | bool,) = set it (None meaning automatic).
    let sci_mode: Option<Option<bool>> = match sci_mode {
        None => None,
        Some(t) => Some(t.get_item(0)?.extract::<Option<bool>>()?),
    };
    use pyrustgrad_core::display::{get_print_options, set_print_options, PrintOptions};
    let mut o = if reset { PrintOptions::default() } else { get_print_options() };
    if let Some(p) = precision {
        o.precision = p;
    }
    if let Some(t) = threshold {
        o.threshold = t;
    }
    if let Some(e) = edgeitems {
        o.edgeitems = e;
    }
    if let Some(l) = linewidth {
        o.linewidth = l;
    }
    if let Some(s) = sci_mode {
        o.sci_mode = s;
    }
    set_print_options(o);
    Ok(())
}

#[pyfunction]
fn set_num_threads(n: i64) -> PyResult<()> {
    run(|| pyrustgrad_core::set_num_threads(n))
}

#[pyfunction]
fn get_num_threads() -> usize {
    pyrustgrad_core::gemm::get_num_threads()
}

/// (hits, misses, cached bytes, limit) of the allocator's block cache.
#[pyfunction]
fn _alloc_cache_info() -> (u64, u64, usize, usize) {
    let i = crate::ALLOC.info();
    (i.hits, i.misses, i.cached_bytes, i.limit)
}

/// Sets the bytes the allocator's block cache may keep (0 turns it off), freeing what it holds.
#[pyfunction]
fn _alloc_cache_set_limit(bytes: usize) {
    crate::ALLOC.set_limit(bytes)
}

/// `_rebuild(cls, storage, shape, strides, offset, requires_grad)`: unpickling's last step, a
/// `cls` object viewing the 1-D `storage` tensor.
#[pyfunction]
fn _rebuild(py: Python, cls: &PyType, storage: PyRef<PyTensor>, shape: Vec<usize>, strides: Vec<usize>, offset: usize, requires_grad: bool) -> PyResult<PyObject> {
    let s = storage.tensor();
    let t = run(|| factory_requires_grad(s.as_strided_raw(&shape, &strides, offset)?, requires_grad))?;
    crate::tensor::new_object(py, cls, t)
}

/// `_im2col(x, kernel, dilation, padding, stride, pad_value)`: `F.unfold` over 1-3 spatial dims
/// of a batched `x`; nn.functional checks the arguments and builds convolutions and pooling on it.
#[pyfunction]
fn _im2col(py: Python, x: PyRef<PyTensor>, kernel: Vec<usize>, dilation: Vec<usize>, padding: Vec<usize>, stride: Vec<usize>, pad_value: f64) -> PyResult<PyObject> {
    wrap(py, run(|| ops::im2col(&x.t, &kernel, &dilation, &padding, &stride, pad_value))?)
}

/// `_col2im(cols, output_size, kernel, dilation, padding, stride)`: `F.fold` (batched).
#[pyfunction]
fn _col2im(py: Python, cols: PyRef<PyTensor>, output_size: Vec<usize>, kernel: Vec<usize>, dilation: Vec<usize>, padding: Vec<usize>, stride: Vec<usize>) -> PyResult<PyObject> {
    wrap(py, run(|| ops::col2im(&cols.t, &output_size, &kernel, &dilation, &padding, &stride))?)
}

/// `approximate` of `F.gelu` as the kernel's flag, with PyTorch's message for anything else.
fn gelu_tanh(approximate: &str) -> PyResult<bool> {
    match approximate {
        "none" => Ok(false),
        "tanh" => Ok(true),
        _ => Err(pyo3::exceptions::PyRuntimeError::new_err("approximate argument must be either none or tanh.")),
    }
}

/// `_gelu(x, approximate)`: the GELU values in one vectorised pass (no node; nn.functional
/// records GeluBackward0).
#[pyfunction]
fn _gelu(py: Python, x: PyRef<PyTensor>, approximate: &str) -> PyResult<PyObject> {
    let tanh = gelu_tanh(approximate)?;
    let x = x.t.clone();
    wrap(py, py.allow_threads(|| run(|| ops::gelu_value(&x, tanh)))?)
}

/// `_gelu_backward(grad, x, approximate)`: `grad · gelu'(x)` in one vectorised pass (no node).
#[pyfunction]
fn _gelu_backward(py: Python, grad: PyRef<PyTensor>, x: PyRef<PyTensor>, approximate: &str) -> PyResult<PyObject> {
    let tanh = gelu_tanh(approximate)?;
    let (g, x) = (grad.t.clone(), x.t.clone());
    wrap(py, py.allow_threads(|| run(|| ops::gelu_backward_value(&g, &x, tanh)))?)
}

/// `_convolution(x, weight, bias, stride, padding, dilation, groups)`: the fused convolution
/// of a batched float32/float64 `x` (ConvolutionBackward0); nn.functional checks the arguments.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _convolution(py: Python, x: PyRef<PyTensor>, weight: PyRef<PyTensor>, bias: Option<PyRef<PyTensor>>, stride: Vec<usize>, padding: Vec<usize>, dilation: Vec<usize>, groups: usize) -> PyResult<PyObject> {
    let (x, w, b) = (x.t.clone(), weight.t.clone(), bias.as_ref().map(|t| t.t.clone()));
    wrap(py, py.allow_threads(|| run(|| ops::convolution(&x, &w, b.as_ref(), &stride, &padding, &dilation, groups)))?)
}

/// `_conv_transpose(x, weight, bias, stride, padding, output_size, dilation, groups)`: the
/// fused transposed convolution of a batched float32/float64 `x` into `output_size`
/// (ConvolutionBackward0); nn.functional checks the arguments.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _conv_transpose(py: Python, x: PyRef<PyTensor>, weight: PyRef<PyTensor>, bias: Option<PyRef<PyTensor>>, stride: Vec<usize>, padding: Vec<usize>, output_size: Vec<usize>, dilation: Vec<usize>, groups: usize) -> PyResult<PyObject> {
    let (x, w, b) = (x.t.clone(), weight.t.clone(), bias.as_ref().map(|t| t.t.clone()));
    wrap(py, py.allow_threads(|| run(|| ops::conv_transpose(&x, &w, b.as_ref(), &stride, &padding, &output_size, &dilation, groups)))?)
}

/// `_max_pool(x, kernel, stride, padding, dilation, output_size)`: (values, indices) of max
/// pooling over 1-3 spatial dims of a batched `x`; nn.functional checks the arguments.
#[pyfunction]
fn _max_pool(py: Python, x: PyRef<PyTensor>, kernel: Vec<usize>, stride: Vec<usize>, padding: Vec<usize>, dilation: Vec<usize>, output_size: Vec<usize>) -> PyResult<(PyObject, PyObject)> {
    let (v, i) = run(|| ops::max_pool(&x.t, &kernel, &stride, &padding, &dilation, &output_size))?;
    Ok((wrap(py, v)?, wrap(py, i)?))
}

/// `_avg_pool(x, kernel, stride, padding, output_size, count_include_pad, divisor_override)`:
/// average pooling over 1-3 spatial dims of a batched `x`.
#[pyfunction]
fn _avg_pool(py: Python, x: PyRef<PyTensor>, kernel: Vec<usize>, stride: Vec<usize>, padding: Vec<usize>, output_size: Vec<usize>, count_include_pad: bool, divisor_override: Option<i64>) -> PyResult<PyObject> {
    wrap(py, run(|| ops::avg_pool(&x.t, &kernel, &stride, &padding, &output_size, count_include_pad, divisor_override))?)
}

/// `_native_layer_norm(x, normalized_ndim, weight, bias, eps)`: the fused layer norm over the
/// last `normalized_ndim` dims (nn.functional checks the arguments).
#[pyfunction]
fn _native_layer_norm(py: Python, x: PyRef<PyTensor>, normalized_ndim: usize, weight: Option<PyRef<PyTensor>>, bias: Option<PyRef<PyTensor>>, eps: f64) -> PyResult<PyObject> {
    let (w, b) = (weight.as_ref().map(|t| t.t.clone()), bias.as_ref().map(|t| t.t.clone()));
    let x = x.t.clone();
    wrap(py, py.allow_threads(|| run(|| ops::native_layer_norm(&x, normalized_ndim, w.as_ref(), b.as_ref(), eps)))?)
}

/// `_native_group_norm(x, num_groups, weight, bias, eps)`: the fused group norm.
#[pyfunction]
fn _native_group_norm(py: Python, x: PyRef<PyTensor>, num_groups: usize, weight: Option<PyRef<PyTensor>>, bias: Option<PyRef<PyTensor>>, eps: f64) -> PyResult<PyObject> {
    let (w, b) = (weight.as_ref().map(|t| t.t.clone()), bias.as_ref().map(|t| t.t.clone()));
    let x = x.t.clone();
    wrap(py, py.allow_threads(|| run(|| ops::native_group_norm(&x, num_groups, w.as_ref(), b.as_ref(), eps)))?)
}

/// `_native_batch_norm(x, weight, bias, running_mean, running_var, training, eps)`: the fused
/// batch norm; returns (out, batch mean, batch biased variance) in training, else (out, None,
/// None). The running statistics are read, never written (nn.functional updates them).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _native_batch_norm(py: Python, x: PyRef<PyTensor>, weight: Option<PyRef<PyTensor>>, bias: Option<PyRef<PyTensor>>, running_mean: Option<PyRef<PyTensor>>, running_var: Option<PyRef<PyTensor>>, training: bool, eps: f64) -> PyResult<(PyObject, PyObject, PyObject)> {
    let opt = |t: &Option<PyRef<PyTensor>>| t.as_ref().map(|t| t.t.clone());
    let (w, b, rm, rv) = (opt(&weight), opt(&bias), opt(&running_mean), opt(&running_var));
    let x = x.t.clone();
    let (out, batch) = py.allow_threads(|| run(|| ops::native_batch_norm(&x, w.as_ref(), b.as_ref(), rm.as_ref(), rv.as_ref(), training, eps)))?;
    let (m, v) = match batch {
        Some((m, v)) => (wrap(py, m)?, wrap(py, v)?),
        None => (py.None(), py.None()),
    };
    Ok((wrap(py, out)?, m, v))
}

/// Printed names say `torch.` (`"torch"`, set by the torch alias) or `pyrustgrad.` (the
/// default) from now on: dtypes, `dtype=` in tensor reprs, and the core's messages.
#[pyfunction]
fn _set_module_prefix(name: &str) -> PyResult<()> {
    match name {
        "torch" => pyrustgrad_core::print::set_torch_names(true),
        "pyrustgrad" => pyrustgrad_core::print::set_torch_names(false),
        _ => return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "_set_module_prefix: expected 'torch' or 'pyrustgrad', got '{}'", name))),
    }
    Ok(())
}

/// The tensors of a sequence; `None` if an item is not a tensor (or, with `allow_none`, is
/// neither a tensor nor None): a fused optimizer step then does not apply.
fn tensors_if_all(obj: &PyAny, allow_none: bool) -> PyResult<Option<Vec<Option<Tensor>>>> {
    let seq = obj.downcast::<pyo3::types::PySequence>().map_err(|_| crate::errors::type_error("expected a sequence of Tensors"))?;
    let mut out = Vec::with_capacity(seq.len()?);
    for i in 0..seq.len()? {
        let item = seq.get_item(i)?;
        match tensor_of(item) {
            Some(t) => out.push(Some(t)),
            None if allow_none && item.is_none() => out.push(None),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

fn all_tensors(obj: &PyAny) -> PyResult<Option<Vec<Tensor>>> {
    Ok(tensors_if_all(obj, false)?.map(|v| v.into_iter().flatten().collect()))
}

/// `_sgd_step(params, grads, momentum_buffers, lr, momentum, dampening, weight_decay,
/// nesterov, maximize)`: optim.SGD's fused step over one group (buffers None before the
/// first step). Returns the momentum buffers (`[]` without momentum), or None, with nothing
/// changed, where the fused step does not apply.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _sgd_step(py: Python, params: &PyAny, grads: &PyAny, momentum_buffers: &PyAny, lr: f64, momentum: f64, dampening: f64, weight_decay: f64, nesterov: bool, maximize: bool) -> PyResult<PyObject> {
    let (ps, gs, bs) = match (all_tensors(params)?, all_tensors(grads)?, tensors_if_all(momentum_buffers, true)?) {
        (Some(p), Some(g), Some(b)) => (p, g, b),
        _ => return Ok(py.None()),
    };
    let o = ops::SgdOptions { lr, momentum, dampening, weight_decay, nesterov, maximize };
    match py.allow_threads(|| run(|| ops::sgd_step(&ps, &gs, &bs, &o)))? {
        None => Ok(py.None()),
        Some(bufs) => {
            let objs = bufs.into_iter().map(|b| wrap(py, b)).collect::<PyResult<Vec<PyObject>>>()?;
            Ok(pyo3::types::PyList::new(py, objs).into())
        }
    }
}

/// `_adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, lr, beta1,
/// beta2, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay)`: optim.Adam's (and
/// AdamW's) fused step over one group, incrementing the step counters. False, with nothing
/// changed, where the fused step does not apply.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _adam_step(
    py: Python,
    params: &PyAny,
    grads: &PyAny,
    exp_avgs: &PyAny,
    exp_avg_sqs: &PyAny,
    max_exp_avg_sqs: &PyAny,
    state_steps: &PyAny,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    amsgrad: bool,
    maximize: bool,
    decoupled_weight_decay: bool,
) -> PyResult<bool> {
    let lists = [params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps].iter().map(|o| all_tensors(o)).collect::<PyResult<Option<Vec<Vec<Tensor>>>>>()?;
    let l = match lists {
        Some(l) => l,
        None => return Ok(false),
    };
    let o = ops::AdamOptions { lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay };
    py.allow_threads(|| run(|| ops::adam_step(&l[0], &l[1], &l[2], &l[3], &l[4], &l[5], &o)))
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_set_module_prefix, m)?)?;
    m.add_function(wrap_pyfunction!(_sgd_step, m)?)?;
    m.add_function(wrap_pyfunction!(_adam_step, m)?)?;
    m.add_function(wrap_pyfunction!(_im2col, m)?)?;
    m.add_function(wrap_pyfunction!(_convolution, m)?)?;
    m.add_function(wrap_pyfunction!(_gelu, m)?)?;
    m.add_function(wrap_pyfunction!(_rrelu_noise, m)?)?;
    m.add_function(wrap_pyfunction!(_gelu_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_conv_transpose, m)?)?;
    m.add_function(wrap_pyfunction!(_col2im, m)?)?;
    m.add_function(wrap_pyfunction!(_max_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_set_anomaly_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_is_anomaly_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_avg_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_native_layer_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_native_group_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_native_batch_norm, m)?)?;
    m.add_function(wrap_pyfunction!(tensor, m)?)?;
    m.add_function(wrap_pyfunction!(full, m)?)?;
    m.add_function(wrap_pyfunction!(rand, m)?)?;
    m.add_function(wrap_pyfunction!(randn, m)?)?;
    m.add_function(wrap_pyfunction!(randint, m)?)?;
    m.add_function(wrap_pyfunction!(_random, m)?)?;
    m.add_function(wrap_pyfunction!(_random_from_to, m)?)?;
    m.add_function(wrap_pyfunction!(_bernoulli_tensor, m)?)?;
    m.add_function(wrap_pyfunction!(_multinomial_with_replacement, m)?)?;
    m.add_function(wrap_pyfunction!(_randperm, m)?)?;
    m.add_function(wrap_pyfunction!(_generator_new, m)?)?;
    m.add_function(wrap_pyfunction!(_generator_free, m)?)?;
    m.add_function(wrap_pyfunction!(_generator_manual_seed, m)?)?;
    m.add_function(wrap_pyfunction!(_generator_initial_seed, m)?)?;
    m.add_function(wrap_pyfunction!(_generator_get_state, m)?)?;
    m.add_function(wrap_pyfunction!(_generator_set_state, m)?)?;
    m.add_function(wrap_pyfunction!(arange, m)?)?;
    m.add_function(wrap_pyfunction!(linspace, m)?)?;
    m.add_function(wrap_pyfunction!(eye, m)?)?;
    m.add_function(wrap_pyfunction!(manual_seed, m)?)?;
    m.add_function(wrap_pyfunction!(cat, m)?)?;
    m.add_function(wrap_pyfunction!(stack, m)?)?;
    m.add_function(wrap_pyfunction!(where_, m)?)?;
    m.add_function(wrap_pyfunction!(_pdist, m)?)?;
    m.add_function(wrap_pyfunction!(is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_backward, m)?)?;
    m.add_function(wrap_pyfunction!(_grad, m)?)?;
    m.add_function(wrap_pyfunction!(_set_printoptions, m)?)?;
    m.add_function(wrap_pyfunction!(_set_default_float_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(_alloc_cache_info, m)?)?;
    m.add_function(wrap_pyfunction!(_alloc_cache_set_limit, m)?)?;
    m.add_function(wrap_pyfunction!(_rebuild, m)?)?;
    Ok(())
}
