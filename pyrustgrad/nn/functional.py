"""``pyrustgrad.nn.functional``: activations, linear maps, dropout, normalisation and losses,
built from the library's differentiable ops, with PyTorch's signatures, formulas and messages.

Where PyTorch computes an activation or a loss in one fused kernel, the result carries that
kernel's node (``EluBackward0``, ``MseLossBackward0``: see ``_fused``), and its backward,
under create_graph, PyTorch's ``...BackwardBackward0`` node; other composites record their
parts, as PyTorch's do.
Must stay valid Python 3.6.
"""

import math
import warnings

from .. import _core
from . import _convolution
from . import _fused

__all__ = []


def _pt():
    import pyrustgrad
    return pyrustgrad


def _scalar(v, like):
    return _core.full([], float(v), like.dtype, False)


def _inplace_result(input, out, inplace):
    """``inplace=True``: the result is written into ``input`` (a differentiable copy_)."""
    if inplace:
        return input.copy_(out)
    return out


# ---------------------------------------------------------------- activations
def relu(input, inplace=False):
    if inplace:
        return input.relu_()
    return input.relu()


def relu_(input):
    return input.relu_()


# Each activation PyTorch computes in one kernel is one node with its name (``EluBackward0``),
# whose backward, under create_graph, is one node too (``EluBackwardBackward0``, edges to
# grad_output and the input: see _fused.pointwise); the formulas are PyTorch's, kinks included
# (hardtanh's gradient at its bounds is 0, elu's second derivative at 0 is 0 ...).
def _where(cond, a, b):
    return _core.where_(cond, a, b)


def _between(x, lo, hi, a, b):
    """``a`` where lo < x < hi, else ``b``."""
    return _where(_fused.mask_and(x > lo, x < hi), a, b)


def _act(name, name2, input, inplace, value, grad, grad_self=None, inplace_name=None, from_result=None,
         check=None):
    """``input`` through an elementwise activation, out of place or (``inplace``) in place:
    see _fused.pointwise and pointwise_."""
    if not inplace:
        return _fused.pointwise(name, name2, input, value, grad, grad_self)
    return _fused.pointwise_(name, name2, input, value, grad, grad_self, inplace_name, from_result, check)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")

    def grad(g, x):
        return _where(_fused.mask_or(x <= min_val, x >= max_val), 0.0, g)

    # The result is at a bound exactly where the input is at or past it: in place, the
    # formula reads the result.
    return _act("HardtanhBackward0", "HardtanhBackwardBackward0", input, inplace,
                lambda t: t.clamp(min_val, max_val), grad, None, None, (grad, None))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def threshold(input, threshold, value, inplace=False):
    def grad(g, x):
        return _where(x <= threshold, 0.0, g)

    return _act("ThresholdBackward0", "ThresholdBackwardBackward0", input, inplace,
                lambda t: _where(t <= threshold, float(value), t), grad, None, "ThresholdBackward1")


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    def grad(g, x):
        return _where(x > 0, g, g * negative_slope)

    def check():
        if negative_slope < 0:
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. "
                "This is caused by calling in-place forward function with a negative slope, please call out-of-place "
                "version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting "
                "in-place leakRelu backward calculation with negative slope")

    return _act("LeakyReluBackward0", "LeakyReluBackwardBackward0", input, inplace,
                lambda t: _where(t > 0, t, t * negative_slope), grad, None, "LeakyReluBackward1", (grad, None), check)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    return _rrelu(input, lower, upper, training, inplace, None)


def _rrelu(input, lower, upper, training, inplace, generator):
    """PyTorch's rrelu_with_noise: in training each element at or below 0 is scaled by a
    slope drawn from U(lower, upper) (PyTorch's stream, in row-major order), in evaluation by
    (lower + upper) / 2 (RreluWithNoiseBackward0, in place RreluWithNoiseBackward1; the
    backward is RreluWithNoiseBackwardBackward0)."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if training:
        from .._random import _gid
        slopes = _core._rrelu_noise(input.detach(), float(lower), float(upper), _gid(generator, "rrelu"))
        # bfloat16: the product in float32, rounded once (the saved noise is rounded)
        noise = slopes.to(input.dtype)

        def value(t):
            return t * noise if slopes.dtype == t.dtype else (t.float() * slopes).to(t.dtype)

        def grad(g, x):
            return g * noise
    else:
        slope = (lower + upper) / 2.0
        if not input.is_floating_point():
            from .._dtypes import _SCALAR_NAME
            raise NotImplementedError("\"leaky_relu_cpu\" not implemented for '%s'" % _SCALAR_NAME[input.dtype])

        def value(t):
            return _where(t > 0, t, t * slope)

        def grad(g, x):
            return _where(x > 0, g, g * slope)
    return _act("RreluWithNoiseBackward0", "RreluWithNoiseBackwardBackward0", input, inplace, value, grad, None,
                "RreluWithNoiseBackward1", (grad, None))


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def _elu(input, alpha, scale, input_scale, inplace, name):
    """PyTorch's elu(x; alpha, scale, input_scale), the kernel of elu, selu and celu:
    scale * x above 0, scale * alpha * (exp(x * input_scale) - 1) at or below it."""
    neg, ins = alpha * scale, input_scale

    def value(t):
        lo = (t * ins if ins != 1.0 else t).expm1()
        return _where(t > 0, t * scale if scale != 1.0 else t, lo * neg if neg != 1.0 else lo)

    def grad(g, x):
        return _where(x <= 0, g * ((x * ins).exp() * (ins * neg)), g * scale)

    def grad_self(gg, g, x):
        # PyTorch's second derivative is 0 at x == 0 (it masks x < 0).
        return _where(x < 0, gg * g * ((x * ins).exp() * (ins * ins * neg)), 0.0)

    def grad_r(g, r):
        return _where(r <= 0, g * ((r + neg) * ins), g * scale)

    def grad_self_r(gg, g, r):
        return _where(r < 0, gg * g * ins, 0.0)

    def check():
        if alpha < 0:
            raise RuntimeError(
                "In-place elu backward calculation is triggered with a negative slope which is not supported. This is "
                "caused by calling in-place forward function with a negative slope, please call out-of-place version "
                "instead.")

    return _act(name + "0", "EluBackwardBackward0", input, inplace, value, grad, grad_self, name + "1",
                (grad_r, grad_self_r), check)


def elu(input, alpha=1.0, inplace=False):
    return _elu(input, alpha, 1.0, 1.0, inplace, "EluBackward")


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _elu(input, alpha, 1.0, 1.0 / alpha, inplace, "CeluBackward")


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace, "EluBackward")


def selu_(input):
    return selu(input, True)


_SQRT1_2 = math.sqrt(0.5)
_GELU_PDF = 2.0 / math.sqrt(math.pi) * _SQRT1_2 * 0.5  # 1 / sqrt(2 pi)
_GELU_TANH_BETA = math.sqrt(2.0) * 2.0 / math.sqrt(math.pi) * 0.5  # sqrt(2 / pi)
_GELU_TANH_KAPPA = 0.044715


def _gelu_none_grad(g, x):
    cdf = ((x * _SQRT1_2).erf() + 1.0) * 0.5
    pdf = (x * x * -0.5).exp() * _GELU_PDF
    return g * (cdf + x * pdf)


def _gelu_none_grad_self(gg, g, x):
    x2 = x * x
    pdf = (x2 * -0.5).exp() * _GELU_PDF
    return gg * g * (pdf * 2.0 - x2 * pdf)


def _gelu_tanh_parts(x):
    x2 = x * x
    t = ((x + x2 * x * _GELU_TANH_KAPPA) * _GELU_TANH_BETA).tanh()
    du = (x2 * (3.0 * _GELU_TANH_KAPPA) + 1.0) * _GELU_TANH_BETA  # d inner / dx
    return x2, t, 1.0 - t * t, du


def _gelu_tanh_grad(g, x):
    _, t, dt, du = _gelu_tanh_parts(x)
    return g * ((t + 1.0) * 0.5 + x * 0.5 * dt * du)


def _gelu_tanh_grad_self(gg, g, x):
    _, t, dt, du = _gelu_tanh_parts(x)
    ddu = x * (6.0 * _GELU_TANH_KAPPA * _GELU_TANH_BETA)
    return gg * g * (dt * du + x * 0.5 * dt * (ddu - t * du * du * 2.0))


def gelu(input, approximate="none"):
    """PyTorch's gelu: the values and the first-order gradient each one vectorised pass
    (``_core._gelu``, ``_core._gelu_backward``), recorded as GeluBackward0, whose backward
    under create_graph is GeluBackwardBackward0 (formulas in tensor ops, every order)."""
    if approximate == "none":
        grad, grad_self = _gelu_none_grad, _gelu_none_grad_self
    elif approximate == "tanh":
        grad, grad_self = _gelu_tanh_grad, _gelu_tanh_grad_self
    else:
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _fused.pointwise("GeluBackward0", "GeluBackwardBackward0", input, lambda t: _core._gelu(t, approximate),
                            grad, grad_self, lambda g, x: _core._gelu_backward(g, x, approximate))


def _silu_grad(g, x):
    # PyTorch's backward in grad mode: ops, no node of its own.
    s = x.sigmoid()
    return g * s * _fused.add_scalar(x * (1.0 - s), 1.0)


def silu(input, inplace=False):
    return _act("SiluBackward0", None, input, inplace, lambda t: t * t.sigmoid(), _silu_grad)


def _mish_grad(g, x):
    s = x.sigmoid()
    tsp = softplus(x).tanh()
    return g * (tsp + x * s * (1.0 - tsp * tsp))


def mish(input, inplace=False):
    return _act("MishBackward0", None, input, inplace, lambda t: t * t.exp().log1p().tanh(), _mish_grad)


def softplus(input, beta=1.0, threshold=20.0):
    def value(t):
        bx = t * beta
        return _where(bx > threshold, t, bx.exp().log1p() / beta)

    def grad(g, x):
        bx = x * beta
        z = bx.clamp(max=threshold).exp()  # finite where it is not used
        return _where(bx > threshold, g, g * z / (z + 1.0))

    def grad_self(gg, g, x):
        bx = x * beta
        s = bx.sigmoid()
        # PyTorch's second derivative is 0 at beta * x == threshold too.
        return _where(bx < threshold, gg * g * s * (1.0 - s) * beta, 0.0)

    return _fused.pointwise("SoftplusBackward0", "SoftplusBackwardBackward0", input, value, grad, grad_self)


def _logsigmoid_grad(g, x):
    z = (-x.abs()).exp()
    q = z / (z + 1.0)
    return g * _where(x < 0, 1.0 - q, q)


def _logsigmoid_grad_self(gg, g, x):
    s = x.sigmoid()
    return gg * g * (s - 1.0) * s


def logsigmoid(input):
    return _fused.pointwise("LogSigmoidBackward0", "LogSigmoidBackwardBackward0", input,
                            lambda t: t.clamp(max=0.0) - (-t.abs()).exp().log1p(), _logsigmoid_grad,
                            _logsigmoid_grad_self)


def softsign(input):
    return input / (input.abs() + 1.0)


def tanhshrink(input):
    return input - input.tanh()


def _hardsigmoid_grad(g, x):
    return _between(x, -3.0, 3.0, g * (1.0 / 6.0), 0.0)


def hardsigmoid(input, inplace=False):
    # PyTorch has no double backward for it (NotImplemented): the backward is recorded as ops.
    return _act("HardsigmoidBackward0", None, input, inplace, lambda t: (t + 3.0).clamp(0.0, 6.0) / 6.0,
                _hardsigmoid_grad)


def _hardswish_grad(g, x):
    return _where(x <= -3.0, 0.0, _where(x < 3.0, g * (x / 3.0 + 0.5), g))


def _hardswish_grad_self(gg, g, x):
    return _between(x, -3.0, 3.0, gg * g / 3.0, 0.0)


def hardswish(input, inplace=False):
    return _act("HardswishBackward0", "HardswishBackwardBackward0", input, inplace,
                lambda t: t * (t + 3.0).clamp(0.0, 6.0) / 6.0, _hardswish_grad, _hardswish_grad_self)


def hardshrink(input, lambd=0.5):
    def zero_inside(t, a):
        return _where(_fused.mask_and(t >= -lambd, t <= lambd), 0.0, a)

    return _fused.pointwise("HardshrinkBackward0", "HardshrinkBackwardBackward0", input,
                            lambda t: zero_inside(t, t), lambda g, x: zero_inside(x, g))


_DTYPE_MAX = {"Float": 3.4028234663852886e+38, "Double": 1.7976931348623157e+308, "Half": 65504.0,
              "BFloat16": 3.3895313892515355e+38}


def softshrink(input, lambd=0.5):
    if lambd < 0:
        kind = _type_label(input)
        raise RuntimeError("lambda must be in range [0, %g] for input dtype %s, but found %g"
                           % (_DTYPE_MAX.get(kind, _DTYPE_MAX["Float"]), kind, lambd))
    def value(t):
        return _where(t > lambd, t - lambd, _where(t < -lambd, t + lambd, t * 0.0))

    return _fused.pointwise("SoftshrinkBackward0", "SoftshrinkBackwardBackward0", input, value,
                            lambda g, x: _where(_fused.mask_and(x >= -lambd, x <= lambd), 0.0, g))


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def _softmax_dim(name, ndim):
    warnings.warn("Implicit dimension choice for %s has been deprecated. Change the call to include dim=X as an "
                  "argument." % name, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return (-input).softmax(dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim())
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)


def glu(input, dim=-1):
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError("Halving dimension must be even, but dimension %d is size %d" % (dim % input.dim(), n))
    h = n // 2

    def halves(t):
        return t.narrow(dim, 0, h), t.narrow(dim, h, h)

    def value():
        a, b = halves(input)
        return a * b.sigmoid()

    def grad(g, x):
        a, b = halves(x)
        s = b.sigmoid()
        return _core.cat([s * g, (1.0 - s) * s * a * g], dim)

    def grad_grad_output(gg, x):
        a, b = halves(x)
        gga, ggb = halves(gg)
        s = b.sigmoid()
        return gga * s + ggb * a * s * (1.0 - s)

    def grad_self(gg, g, x):
        a, b = halves(x)
        gga, ggb = halves(gg)
        s = b.sigmoid()
        ds = s * (1.0 - s) * g
        return _core.cat([ggb * ds, gga * ds + ggb * a * ds * (1.0 - s * 2.0)], dim)

    def backward2(gg, needs, g, x):
        return (grad_grad_output(gg, x) if needs[0] else None, grad_self(gg, g, x) if needs[1] else None)

    def backward(g, needs, x):
        return (_fused.fused("GluBackwardBackward0", [g, x], [g, x], lambda: grad(g, x), backward2),)

    return _fused.fused("GluBackward0", [input], [input], value, backward)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    norm = _pnorm(input, p, dim, True).clamp(min=eps)
    return input / norm.expand_as(input)


def _pnorm(x, p, dim, keepdim):
    if p == 2:
        return (x * x).sum(dim, keepdim=keepdim).sqrt()
    if p == 1:
        return x.abs().sum(dim, keepdim=keepdim)
    if p == float("inf"):
        return x.abs().amax(dim, keepdim=keepdim)
    return (x.abs() ** p).sum(dim, keepdim=keepdim) ** (1.0 / p)


# ---------------------------------------------------------------- linear maps
def linear(input, weight, bias=None):
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are %dD and %dD"
                           % (input.dim(), weight.dim()))
    w = weight.t() if weight.dim() == 2 else weight
    if input.shape[-1] != weight.shape[-1]:
        raise RuntimeError("%smat1 and mat2 shapes cannot be multiplied (%s and %s)"
                           % ("addmm: " if bias is not None and input.dim() == 2 else "", "x".join(str(d) for d in _as_2d(input.shape)), "x".join(str(d) for d in w.shape)))
    if weight.dim() == 2 and (input.dim() == 2 and bias is not None or input.dim() > 2 and input.is_contiguous()
                              or input.dim() == 1 and bias is not None and bias.dim() == 1):
        if input.dim() == 2:
            return _addmm(bias, input, w)
        # PyTorch folds the leading dims into one matrix product and views the result back.
        flat = input.reshape(-1, input.shape[-1])
        out = flat.mm(w) if bias is None else _addmm(bias, flat, w)
        return _fused.unsafe_view(out, list(input.shape[:-1]) + [w.shape[1]])
    out = input.matmul(w)
    if bias is not None:
        out = out + bias
    return out


def _addmm(bias, x, w):
    """``bias + x @ w`` for matrices: PyTorch's one ``AddmmBackward0`` node (edges to the bias,
    ``x`` and ``w``)."""
    if x.dtype != w.dtype:
        raise RuntimeError("mat1 and mat2 must have the same dtype, but got %s and %s" % (_type_label(x), _type_label(w)))
    if bias.dtype != w.dtype:
        raise RuntimeError("self and mat2 must have the same dtype, but got %s and %s"
                           % (_type_label(bias), _type_label(w)))
    if bias.dim() == 1 and bias.shape[0] not in (1, w.shape[1]):
        raise RuntimeError("The expanded size of the tensor (%d) must match the existing size (%d) at non-singleton "
                           "dimension 1.  Target sizes: [%d, %d].  Tensor sizes: [%d]"
                           % (w.shape[1], bias.shape[0], x.shape[0], w.shape[1], bias.shape[0]))

    def backward(g, needs, x, w):
        gb = None
        if needs[0]:
            gb = g.sum(0) if bias.dim() == 1 else g.sum_to_size(*bias.shape)
        return (gb, g.mm(w.t()) if needs[1] else None, x.t().mm(g) if needs[2] else None)

    return _fused.fused("AddmmBackward0", [bias, x, w], [x, w], lambda: x.mm(w) + bias, backward)


def _as_2d(shape):
    if len(shape) == 1:
        return [1, shape[0]]
    n = 1
    for d in shape[:-1]:
        n *= d
    return [n, shape[-1]]


def bilinear(input1, input2, weight, bias=None):
    # y_k = x1^T W_k x2 + b_k, batched over leading dims.
    out = (input1.unsqueeze(-2).unsqueeze(-2).matmul(weight.unsqueeze(0) if input1.dim() > 1 else weight)
           .squeeze(-2) * input2.unsqueeze(-2)).sum(-1)
    if bias is not None:
        out = out + bias
    return out


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    pt = _pt()
    if input.dtype not in (_core.int64, _core.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           "Long, Int; but got %s instead (while checking arguments for embedding)"
                           % ("CPUBoolType" if input.dtype == _core.bool else input.type()))
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    if max_norm is not None:
        with pt.no_grad():
            _embedding_renorm_(weight, input, max_norm, norm_type)
    n = weight.size(0)
    flat = input.reshape(-1)
    if flat.numel() and (int(flat.max()) >= n or int(flat.min()) < 0):
        raise IndexError("index out of range in self")
    out = weight[flat]
    if padding_idx is not None:
        keep = (flat != padding_idx).unsqueeze(-1)
        out = pt.where(keep, out, out.detach())
    return out.reshape(list(input.shape) + [weight.size(1)])


def _embedding_renorm_(weight, input, max_norm, norm_type):
    idx = sorted(set(int(i) for i in input.reshape(-1).tolist()))
    for i in idx:
        row = weight[i]
        norm = float(_pnorm(row, norm_type, 0, False))
        if norm > max_norm:
            weight[i] = row * (max_norm / (norm + 1e-7))


def one_hot(tensor, num_classes=-1):
    pt = _pt()
    if tensor.dtype != _core.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(tensor.max()) + 1 if tensor.numel() else 0
    if tensor.numel() and int(tensor.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    if tensor.numel() and int(tensor.max()) >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return (tensor.unsqueeze(-1) == pt.arange(num_classes)).long()


def pad(input, pad, mode="constant", value=None):
    pt = _pt()
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           "padding length %d and input of dimension %d" % (len(pad), input.dim()))
    if mode != "constant":
        return _convolution.pad_nonconstant(input, pad, mode)
    shape = list(input.shape)
    slices = [slice(None)] * len(shape)
    out_shape = list(shape)
    crop = [slice(None)] * len(shape)
    for k in range(len(pad) // 2):
        d = len(shape) - 1 - k
        lo, hi = int(pad[2 * k]), int(pad[2 * k + 1])
        out_shape[d] = shape[d] + lo + hi
        if out_shape[d] < 0:
            raise RuntimeError("The input size %d, plus negative padding %d and %d resulted in a negative output size, "
                               "which is invalid. Check dimension %d of your input." % (shape[d], lo, hi, d))
        src_lo, src_hi = max(-lo, 0), shape[d] - max(-hi, 0)
        crop[d] = slice(src_lo, src_hi)
        slices[d] = slice(max(lo, 0), max(lo, 0) + (src_hi - src_lo))
    out = pt.full(out_shape, 0.0 if value is None else value, dtype=input.dtype)
    out[tuple(slices)] = input[tuple(crop)]
    return out


def _dropout_noise(input, shape, p):
    """PyTorch's dropout mask: bernoulli_(1 - p) on a new tensor of ``shape`` (the input's
    dtype), divided by 1 - p (a float of the input's dtype)."""
    pt = _pt()
    noise = pt.empty(shape, dtype=input.dtype).bernoulli_(1.0 - p)
    return noise / pt.tensor(1.0 - p, dtype=input.dtype)


def dropout(input, p=0.5, training=True, inplace=False):
    if p < 0.0 or p > 1.0:
        raise ValueError("dropout probability has to be between 0 and 1, but got %s" % p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    pt = _pt()
    if p == 1.0:
        return _inplace_result(input, input * pt.zeros((), dtype=input.dtype), inplace)
    return _inplace_result(input, input * _dropout_noise(input, list(input.shape), p), inplace)


def _feature_dropout(input, p, training, inplace, batched_dim):
    if p < 0.0 or p > 1.0:
        raise ValueError("dropout probability has to be between 0 and 1, but got %s" % p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    pt = _pt()
    shape = list(input.shape)
    lead = 2 if input.dim() == batched_dim else 1
    mshape = shape[:lead] + [1] * (len(shape) - lead)
    if p == 1.0:
        return _inplace_result(input, input * pt.zeros((), dtype=input.dtype), inplace)
    return _inplace_result(input, input * _dropout_noise(input, mshape, p), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 4)


def dropout3d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 5)


_ALPHA_DROPOUT_ALPHA = 1.7580993408473766


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha_dropout(input, p, training, inplace, list(input.shape))


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels: one noise value per (sample, channel)."""
    if p < 0.0 or p > 1.0:
        raise ValueError("dropout probability has to be between 0 and 1, but got %s" % p)
    if training and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = list(input.shape)
    return _alpha_dropout(input, p, training, inplace, shape[:2] + [1] * (len(shape) - 2))


def _alpha_dropout(input, p, training, inplace, noise_shape):
    """PyTorch's alpha dropout: noise = bernoulli_(1 - p) of ``noise_shape``; out = input *
    (noise * a) + b with b = (noise - 1) * (alpha * a) + alpha * a * p."""
    if p < 0.0 or p > 1.0:
        raise ValueError("dropout probability has to be between 0 and 1, but got %s" % p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    pt = _pt()
    if p == 1.0:
        return _inplace_result(input, input * pt.zeros((), dtype=input.dtype), inplace)
    alpha = _ALPHA_DROPOUT_ALPHA
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    noise = pt.empty(noise_shape, dtype=input.dtype).bernoulli_(1.0 - p)
    b = (noise - 1) * (alpha * a) + alpha * a * p
    noise = noise * a
    return _inplace_result(input, input * noise + b, inplace)


# ---------------------------------------------------------------- normalisation
def _reduce_dims_var(x, dims):
    mean = x.mean(dims, keepdim=True)
    d = x - mean
    return mean, (d * d).mean(dims, keepdim=True)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """PyTorch's native_layer_norm: one fused Rust kernel each way (NativeLayerNormBackward0)."""
    normalized_shape = tuple(normalized_shape) if not isinstance(normalized_shape, int) else (normalized_shape,)
    k = len(normalized_shape)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           "element, but got normalized_shape = []")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError("Expected %s to be of same shape as normalized_shape, but got %s of shape %s and "
                               "normalized_shape = %s" % (name, name, list(t.shape), list(normalized_shape)))
    if input.dim() < k or tuple(input.shape[input.dim() - k:]) != normalized_shape:
        raise RuntimeError("Given normalized_shape=%s, expected input with shape [*, %s], but got input of size%s"
                           % (list(normalized_shape), ", ".join(str(d) for d in normalized_shape),
                              list(input.shape)))
    return _core._native_layer_norm(input, k, weight, bias, float(eps))


def rms_norm(input, normalized_shape, weight=None, eps=None):
    normalized_shape = tuple(normalized_shape) if not isinstance(normalized_shape, int) else (normalized_shape,)
    k = len(normalized_shape)
    dims = list(range(input.dim() - k, input.dim()))
    if eps is None:
        eps = 1.1920928955078125e-07 if input.dtype == _core.float32 else 2.220446049250313e-16
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out


def _bn_stats_shape(input):
    return [1, input.shape[1]] + [1] * (input.dim() - 2)


def _verify_batch_size(size, shown):
    n = size[0]
    for d in size[2:]:
        n *= d
    if n == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input size %s" % (shown,))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """PyTorch's native_batch_norm: one fused Rust kernel each way (NativeBatchNormBackward0, in
    training and in evaluation); in training the running statistics are updated in place with
    ``momentum`` (the variance unbiased)."""
    pt = _pt()
    if training:
        _verify_batch_size(list(input.shape), repr(input.shape))
    if input.numel() == 0:
        # As PyTorch's _batch_norm_impl_index: an empty input skips the kernel and every check
        # and leaves the running statistics alone; the result stays connected to weight and
        # bias (their gradients are zeros).
        out = input.clone()
        if weight is not None:
            out = out * weight.select(0, 0)
        if bias is not None:
            out = out + bias.select(0, 0)
        return out
    c = input.shape[1] if input.dim() > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError("%s should contain %d elements not %d" % (name, c, t.numel()))
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if training:
        out, mean, var = _core._native_batch_norm(input, weight, bias, None, None, True, float(eps))
        if running_mean is not None or running_var is not None:
            n = input.numel() // c
            with pt.no_grad():
                if running_mean is not None:
                    running_mean.mul_(1.0 - momentum).add_(mean * momentum)
                if running_var is not None:
                    running_var.mul_(1.0 - momentum).add_(var * (momentum * n / (n - 1.0)))
        return out
    return _core._native_batch_norm(input, weight, bias, running_mean, running_var, False, float(eps))[0]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """PyTorch's at::instance_norm: batch norm over the input viewed as one sample of N*C
    channels (weight, bias and running statistics repeated per sample), viewed back
    (ViewBackward0 over NativeBatchNormBackward0); the running statistics, when given and
    the input's statistics are used, become the mean over the samples of the updated ones."""
    pt = _pt()
    if use_input_stats:
        spatial = 1
        for d in input.shape[2:]:
            spatial *= d
        if spatial <= 1:
            raise ValueError("Expected more than 1 spatial element when training, got input size %s"
                             % (repr(input.shape),))
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if input.dim() < 2:
        raise RuntimeError("Expected at least 2 dimensions for input tensor but received %d" % input.dim())
    n, c = input.shape[0], input.shape[1]
    shape = [1, n * c] + list(input.shape[2:])

    def rep(t):
        return None if t is None else t.repeat(n)

    rm, rv = rep(running_mean), rep(running_var)
    out = batch_norm(input.contiguous().view(shape), rm, rv, rep(weight), rep(bias), use_input_stats, momentum, eps)
    if use_input_stats:
        with pt.no_grad():
            if running_mean is not None:
                running_mean.copy_(rm.view(n, c).mean(0))
            if running_var is not None:
                running_var.copy_(rv.view(n, c).mean(0))
    return out.view(input.shape)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """PyTorch's native_group_norm: one fused Rust kernel each way (NativeGroupNormBackward0)."""
    if input.dim() < 2:
        raise RuntimeError("Expected at least 2 dimensions for input tensor but received %d" % input.dim())
    n, c = input.shape[0], input.shape[1]
    size = [n * c // num_groups, num_groups] + list(input.shape[2:])
    _verify_batch_size(size, size)
    if c % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, but got input of "
                           "shape %s and num_groups=%d" % (list(input.shape), num_groups))
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError("Expected %s to be a vector of size equal to the number of channels in input, but got "
                               "%s of shape %s and input of shape %s" % (name, name, list(t.shape), list(input.shape)))
    return _core._native_group_norm(input, num_groups, weight, bias, float(eps))


# ---------------------------------------------------------------- distances
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    pt = _pt()
    # PyTorch 2.x: x1/max(||x1||, eps) . x2/max(||x2||, eps)
    n1 = (x1 * x1).sum(dim, keepdim=True).sqrt().clamp(min=eps)
    n2 = (x2 * x2).sum(dim, keepdim=True).sqrt().clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pdist(input, p=2):
    """The p-norm distance between every pair of rows of the 2-D ``input``, in row-major
    order of the upper triangle (PdistBackward0)."""
    return _core._pdist(input, float(p))


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    d = x1 - x2 + eps
    dim = -1 if max(x1.dim(), x2.dim()) > 0 else 0
    return _pnorm(d, p, dim, keepdim)


# ---------------------------------------------------------------- losses
_REDUCTIONS = ("none", "mean", "sum")


def _reduction(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='%s' instead." % ret,
                  stacklevel=3)
    return ret


def _reduce(x, reduction):
    if reduction == "mean":
        return x.mean()
    if reduction == "sum":
        return x.sum()
    if reduction == "none":
        return x
    raise ValueError("%s is not a valid value for reduction" % reduction)


def _check_sizes(input, target):
    """Warns, as PyTorch does, when the shapes differ; says whether they agree."""
    same = tuple(target.shape) == tuple(input.shape)
    if not same:
        warnings.warn("Using a target size (%r) that is different to the input size (%r). This will likely lead "
                      "to incorrect results due to broadcasting. Please ensure they have the same size."
                      % (target.shape, input.shape), stacklevel=3)
    return same


def _broadcast_pair(a, b, same):
    """``torch.broadcast_tensors(a, b)``: the same tensors when the shapes agree (no node)."""
    if same:
        return a, b
    sa, sb = tuple(a.shape), tuple(b.shape)
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    shape = []
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            raise RuntimeError("The size of tensor a (%d) must match the size of tensor b (%d) at non-singleton "
                               "dimension %d" % (pa[i], pb[i], i))
    shape = [pb[i] if pa[i] == 1 else pa[i] for i in range(n)]
    return (a if list(sa) == shape else a.expand(shape)), (b if list(sb) == shape else b.expand(shape))


def _grad_scale(g, reduction, n):
    """The incoming gradient per element of a fused loss: ``g`` (elementwise for 'none',
    a 0-d tensor for 'sum'), divided by the element count for 'mean'."""
    return g / float(n) if reduction == "mean" else g


def _weighted_reduce(loss, weight, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum()
    raise ValueError("Invalid reduction mode: %s. Expected one of 'none', 'mean', 'sum'." % reduction)


def _check_weight(weight, input):
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError("%s is not a valid value for reduction" % reduction)


def _loss_pair(name, name2, x, y, reduction, value, grad, grad_self):
    """A pointwise loss of ``x`` and ``y`` as PyTorch's one node ``name`` (edges to both);
    ``grad(g, a, b, n)`` is its gradient with respect to ``a`` (``n`` the element count), the
    target's being ``grad(g, b, a, n)``, as PyTorch computes it. Under create_graph each is
    the node ``name2`` (edges to grad_output, self and target), with ``grad_self(gg, g, a, b,
    n)`` its gradient with respect to ``a`` (minus that for ``b``)."""

    def node(g, a, b):
        n = a.numel()

        def backward2(gg, needs, g, a, b):
            ggo = gs = None
            if needs[0]:
                ggo = grad(gg if reduction == "none" else _core.full([], 1.0, gg.dtype, False), a, b, n)
                if reduction != "none":
                    ggo = (ggo * gg).sum()
            if needs[1] or needs[2]:
                gs = grad_self(gg, g, a, b, n)
            return (ggo, gs if needs[1] else None, -gs if needs[2] else None)

        return _fused.fused(name2, [g, a, b], [g, a, b], lambda: grad(g, a, b, n), backward2)

    def backward(g, needs, x, y):
        return (node(g, x, y) if needs[0] else None, node(g, y, x) if needs[1] else None)

    return _fused.fused(name, [x, y], [x, y], lambda: _reduce(value(x, y), reduction), backward)


def _mean_scale(reduction, n):
    return 1.0 / n if reduction == "mean" else 1.0


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _broadcast_pair(input, target, _check_sizes(input, target))
    if weight is not None:
        _check_weight(weight, input)
        return _weighted_reduce((x - y).pow(2) * weight, weight, reduction)
    _check_reduction(reduction)

    def value(x, y):
        d = x - y
        return d * d

    def grad(g, a, b, n):
        return (a - b) * (2.0 * _mean_scale(reduction, n)) * g

    def grad_self(gg, g, a, b, n):
        return gg * g * (2.0 * _mean_scale(reduction, n))

    return _loss_pair("MseLossBackward0", "MseLossBackwardBackward0", x, y, reduction, value, grad, grad_self)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _broadcast_pair(input, target, _check_sizes(input, target))
    loss = (x - y).abs()
    if weight is not None:
        _check_weight(weight, input)
        return _weighted_reduce(loss * weight, weight, reduction)
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    reduction = _reduction(size_average, reduce, reduction)
    same = _check_sizes(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    x, y = _broadcast_pair(input, target, same)
    if beta == 0.0:
        return l1_loss(x, y, reduction=reduction)

    def value(x, y):
        d = (x - y).abs()
        return _where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta)

    def grad(g, a, b, n):
        d = a - b
        s = g * _mean_scale(reduction, n)
        return _where(d < -beta, -s, _where(d > beta, s, d * s / beta))

    def grad_self(gg, g, a, b, n):
        return _where((a - b).abs() < beta, gg * g * (_mean_scale(reduction, n) / beta), 0.0)

    return _loss_pair("SmoothL1LossBackward0", "SmoothL1LossBackwardBackward0", x, y, reduction, value, grad,
                      grad_self)


def _huber(x, y, reduction, delta):
    def value(x, y):
        d = (x - y).abs()
        return _where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta)

    def grad(g, a, b, n):
        d = a - b
        s = g * _mean_scale(reduction, n)
        return _where(d < -delta, -s * delta, _where(d > delta, s * delta, d * s))

    def grad_self(gg, g, a, b, n):
        return _where((a - b).abs() < delta, gg * g * _mean_scale(reduction, n), 0.0)

    return _loss_pair("HuberLossBackward0", "HuberLossBackwardBackward0", x, y, reduction, value, grad, grad_self)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    same = _check_sizes(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    x, y = _broadcast_pair(input, target, same)
    if weight is None:
            return _huber(x, y, reduction, delta)
    _check_weight(weight, input)
    loss = _huber(x, y, "none", delta) * weight
    if reduction == "mean":
        return loss.mean()
    return _weighted_reduce(loss, weight, reduction)


def _type_label(t):
    return __import__("pyrustgrad._dtypes", fromlist=["_SCALAR_NAME"])._SCALAR_NAME[t.dtype]


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    pt = _pt()
    reduction = _reduction(size_average, reduce, reduction)
    if input.dim() < 1:
        raise ValueError("Expected 1 or more dimensions (got %d)" % input.dim())
    # PyTorch's kernels take Long or Byte targets; the spatial (3-D and up) ones only Long.
    if target.dtype not in (_core.int64, _core.uint8):
        raise RuntimeError("expected target dtype to be Long or Byte, but got %s" % _type_label(target))
    if input.dim() == 1:
        if target.dim() != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    else:
        target_batch = target.shape[0] if target.dim() > 0 else 0
        if input.shape[0] != target_batch:
            raise ValueError("Expected input batch_size (%d) to match target batch_size (%d)."
                             % (input.shape[0], target_batch))
        if input.dim() > 2:
            if tuple(target.shape[1:]) != tuple(input.shape[2:]):
                raise RuntimeError("size mismatch (got input: %s , target: %s)"
                                   % ("x".join(str(d) for d in input.shape), "x".join(str(d) for d in target.shape)))
        elif target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    c = input.shape[0 if input.dim() == 1 else 1]
    if weight is not None and (weight.dim() != 1 or weight.numel() != c):
        raise RuntimeError("weight tensor should be defined either for all %d classes or no classes but got weight "
                           "tensor of shape: %s" % (c, list(weight.shape)))
    _check_reduction(reduction)
    if target.dtype == _core.uint8:
        if input.dim() > 2:
            raise RuntimeError("expected scalar type Long but found Byte")
        target = target.long()
    valid = target != ignore_index
    safe_t = pt.where(valid, target, pt.zeros_like(target))
    if safe_t.numel():
        bad = (safe_t < 0) | (safe_t >= c)
        if bool(bad.any()):
            raise IndexError("Target %d is out of bounds." % int(safe_t[bad].reshape(-1)[0]))
    if input.dim() in (1, 2, 4):
        return _nll(input, safe_t, valid, weight, reduction, "NllLoss2DBackward0" if input.dim() == 4
                    else "NllLossBackward0")
    # 3-D and 5-D+ inputs go through the 2-d kernel as (N, C, 1, rest), as PyTorch does.
    n, rest = input.shape[0], list(input.shape[2:])
    k = 1
    for d in rest:
        k *= d
    out = _nll(input.reshape(n, c, 1, k), safe_t.reshape(n, 1, k), valid.reshape(n, 1, k), weight, reduction,
               "NllLoss2DBackward0")
    return out.view([n] + rest) if reduction == "none" else out


def _nll(x, safe_t, valid, weight, reduction, name):
    """The negative log likelihood node over ``x`` (C,) or (N, C, ...): ``safe_t`` holds the
    target classes (0 where ignored), ``valid`` marks the targets not ignored."""
    pt = _pt()
    cdim = 0 if x.dim() == 1 else 1
    vw = valid.to(x.dtype)
    w_t = vw if weight is None else weight[safe_t.reshape(-1)].reshape(safe_t.shape) * vw
    total = w_t.sum() if reduction == "mean" else None

    def forward():
        picked = x.gather(cdim, safe_t.unsqueeze(cdim)).squeeze(cdim)
        loss = pt.where(valid, -picked * w_t, _scalar(0.0, x))
        if reduction == "none":
            return loss
        return loss.sum() / total if reduction == "mean" else loss.sum()

    def grad(g, like):
        scale = g / total if reduction == "mean" else g
        coef = pt.where(valid, -w_t * scale, _scalar(0.0, g))
        return pt.zeros_like(like).scatter(cdim, safe_t.unsqueeze(cdim), coef.unsqueeze(cdim))

    def backward2(gg, needs, g, x):
        # Linear in grad_output (the loss of gg), constant in self (zeros).
        ggo = None
        if needs[0]:
            picked = pt.where(valid, -gg.gather(cdim, safe_t.unsqueeze(cdim)).squeeze(cdim) * w_t, _scalar(0.0, gg))
            ggo = picked if reduction == "none" else (picked.sum() / total if reduction == "mean" else picked.sum())
        return (ggo, pt.zeros_like(gg) if needs[1] else None)

    def backward(g, needs, x):
        return (_fused.fused(name[:-1] + "Backward0", [g, x], [g, x], lambda: grad(g, x), backward2),)

    return _fused.fused(name, [x], [x], forward, backward)


def _log_softmax(x, dim):
    """``x.log_softmax(dim)`` (the native kernel) as PyTorch's LogSoftmaxBackward0 node whose
    backward, under create_graph, is PyTorch's LogSoftmaxBackwardDataBackward0 node (edges to
    grad_output and the result); the native node's backward is made of ops (SubBackward0).
    The first-order backward is the native one's formula: g - exp(y) * sum(g)."""
    if not (_core.is_grad_enabled() and x.requires_grad):
        return x.log_softmax(dim)
    _core._set_grad_enabled(False)
    try:
        out = x.log_softmax(dim)
    finally:
        _core._set_grad_enabled(True)

    def grad(g, y):
        return g - y.exp() * g.sum(dim, keepdim=True)

    def backward2(gg, needs, g, y):
        return (gg - (gg * y.exp()).sum(dim, keepdim=True) if needs[0] else None,
                -g.sum(dim, keepdim=True) * y.exp() * gg if needs[1] else None)

    def backward(grads, saved):
        g, y = grads[0], saved[0]
        return (_fused.fused("LogSoftmaxBackwardDataBackward0", [g, y], [g, y], lambda: grad(g, y), backward2),)

    _core._record_function("LogSoftmaxBackward0", [x], [out], [out], backward)
    return out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    pt = _pt()
    reduction = _reduction(size_average, reduce, reduction)
    if label_smoothing < 0.0 or label_smoothing > 1.0:
        raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: %s" % label_smoothing)
    class_dim = 0 if input.dim() == 1 else 1
    logp = _log_softmax(input, class_dim)
    c = input.shape[class_dim]
    wshape = [1] * input.dim()
    wshape[class_dim] = c
    if target.is_floating_point():
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError("Expected target size %s, got %s" % (list(input.shape), list(target.shape)))
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / c
        prod = logp * target
        if weight is not None:
            prod = prod * weight.reshape(wshape)
        if reduction == "none":
            return -prod.sum(class_dim)
        if reduction == "sum":
            return -prod.sum()
        if reduction == "mean":
            return _fused.div_scalar(-prod.sum(), input.numel() / c if c else 0.0)
        raise ValueError("%s is not a valid value for reduction" % reduction)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if target.dtype == _core.uint8:  # nll_loss took it as Long
        target = target.long()
    if label_smoothing == 0.0:
        return nll
    ignore = target == ignore_index
    if weight is not None:
        smooth = -(logp * weight.reshape(wshape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = pt.where(ignore, pt.zeros_like(smooth), smooth)
    if reduction == "mean":
        if weight is not None:
            safe_t = pt.where(ignore, pt.zeros_like(target), target)
            wsum = (weight[safe_t.reshape(-1)] * (~ignore).reshape(-1).to(weight.dtype)).sum()
            ret = smooth.sum() / wsum
        else:
            ret = smooth.sum() / (~ignore).sum()
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return _fused.mul_scalar(nll, 1 - label_smoothing) + _fused.mul_scalar(ret, label_smoothing / c)


_BCE_EPS = 1e-12


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError("Using a target size (%r) that is different to the input size (%r) is deprecated. "
                         "Please ensure they have the same size." % (target.shape, input.shape))
    if input.numel():
        if bool(((input < 0) | (input > 1)).any()):
            raise RuntimeError("all elements of input should be between 0 and 1")
    if weight is not None and weight.requires_grad and _core.is_grad_enabled():
        raise RuntimeError("The function 'binary_cross_entropy' is not differentiable with respect to argument "
                           "'weight'. This input cannot have requires_grad True.")

    def forward():
        log_x = input.log().clamp(min=-100.0)
        log_1mx = (1.0 - input).log().clamp(min=-100.0)
        loss = -(target * log_x + (1.0 - target) * log_1mx)
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    n = input.numel()

    def weighted(t, w):
        t = t if w is None else t * w
        return _fused.div_scalar(t, n) if reduction == "mean" else t

    def grad(g, x, y, w):
        gx = g * (x - y) / ((1.0 - x) * x).clamp(min=_BCE_EPS)
        if w is not None:
            gx = gx * w
        return gx / n if reduction == "mean" else gx

    def backward2(gg, needs, g, x, y, w):
        # PyTorch's binary_cross_entropy_double_backward{,_grad_output,_target}.
        ggo = gx = gy = None
        if needs[0]:
            ggo = (x - y) / ((x + _BCE_EPS) * (1.0 - x + _BCE_EPS)) * gg
            ggo = ggo if w is None else ggo * w
            if reduction != "none":
                ggo = ggo.sum() / n if reduction == "mean" else ggo.sum()
        if needs[1]:
            gx = weighted((x * x - x * y * 2.0 + y) / ((x + _BCE_EPS) ** 2 * (1.0 - x + _BCE_EPS) ** 2) * (gg * g), w)
        if needs[2]:
            gy = weighted(-gg * g / ((1.0 - x) * x).clamp(min=_BCE_EPS), w)
        return (ggo, gx, gy)

    def backward(g, needs, x, y, w):
        gx = gy = None
        if needs[0]:
            gx = _fused.fused("BinaryCrossEntropyBackwardBackward0", [g, x, y], [g, x, y, w], lambda: grad(g, x, y, w),
                              backward2)
        if needs[1]:
            gy = weighted(-_pt().logit(x) * g, w)
        return (gx, gy)

    return _fused.fused("BinaryCrossEntropyBackward0", [input, target], [input, target, weight], forward, backward)


def _softplus_neg(x):
    """log(1 + exp(-x)), stable: max(-x, 0) + log1p(exp(-|x|))."""
    return (-x).clamp(min=0.0) + (-x.abs()).exp().log1p()


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError("Target size (%r) must be the same as input size (%r)" % (target.shape, input.shape))

    def forward():
        neg_log_sig = _softplus_neg(input)
        if pos_weight is not None:
            loss = (1.0 - target) * input + ((pos_weight - 1.0) * target + 1.0) * neg_log_sig
        else:
            loss = (1.0 - target) * input + neg_log_sig
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    n = input.numel()

    def scaled(t, g, w):
        # PyTorch's composite backward: times grad_output, the weight, then / numel for 'mean'.
        t = t * g
        if w is not None:
            t = t * w
        return _fused.div_scalar(t, n) if reduction == "mean" else t

    def backward(g, needs, x, y, w, pw):
        gx = gy = None
        if needs[0]:
            if pw is not None:
                t = pw * y
                gx = scaled((t + 1.0 - y) * x.sigmoid() - t, g, w)
            else:
                gx = scaled(x.sigmoid() - y, g, w)
        if needs[1]:
            gy = scaled((pw - 1.0) * _softplus_neg(x) - x if pw is not None else -x, g, w)
        return (gx, gy)

    return _fused.fused("BinaryCrossEntropyWithLogitsBackward0", [input, target], [input, target, weight, pos_weight],
                        forward, backward)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    reduction = _reduction(size_average, reduce, reduction)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    if reduction == "batchmean":
        if input.dim() == 0:
            return loss.sum()
        return loss.sum() / input.shape[0]
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    pt = _pt()
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + pt.where(target > 1, stirling, pt.zeros_like(stirling))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    pt = _pt()
    if isinstance(var, (int, float)):
        var = pt.full_like(input, float(var))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    with pt.no_grad():
        clamped = var.clamp(min=eps)
    var = var + (clamped - var).detach()
    d = input - target
    loss = (var.log() + d * d / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    loss = _fused.clamp_min(_fused.add_scalar(-target * (input1 - input2), margin), 0.0)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    pt = _pt()
    reduction = _reduction(size_average, reduce, reduction)
    zeros = pt.zeros_like(input)
    margin_clamp = (margin - input).clamp(min=0.0)
    out_margin = pt.where(target != 1, margin_clamp, zeros)
    out_self = pt.where(target != -1, input, zeros)
    return _reduce(out_margin + out_self, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)

    def backward(g, needs, x, y):
        z = (-y * x).exp()
        return (-y * z / (z + 1.0) * _grad_scale(g, reduction, x.numel()),)

    return _fused.fused("SoftMarginLossBackward0", [input], [input, target],
                        lambda: _reduce((-target * input).exp().log1p(), reduction), backward)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=input.dim() - 1) / input.size(-1) if input.dim() else loss
    return _reduce(loss, reduction)


def _per_sample_scale(g, reduction, n):
    """The incoming gradient of a loss over ``n`` samples as an (n, 1) column."""
    if reduction == "none":
        return g.reshape(n, 1)
    return g / float(n) if reduction == "mean" else g


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
    pt = _pt()
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if target.dtype != _core.int64:
        raise RuntimeError("expected scalar type Long but found %s" % _type_label(target))
    t = target.reshape(-1)
    x2 = input if input.dim() > 1 else input.unsqueeze(0)
    c = x2.shape[1]
    notself = pt.arange(c).unsqueeze(0) != t.unsqueeze(1)
    w_t = None if weight is None else weight[t].unsqueeze(1)

    def margins(x):
        x = x if x.dim() > 1 else x.unsqueeze(0)
        return x, x - x.gather(1, t.unsqueeze(1)) + margin

    def forward():
        _, z = margins(input)
        z = z.clamp(min=0.0)
        if p == 2:
            z = z * z
        if w_t is not None:
            z = z * w_t
        loss = pt.where(notself, z, pt.zeros_like(z)).sum(1) / c
        if input.dim() <= 1:
            loss = loss.squeeze(0) if input.dim() == 1 else loss
        return _reduce(loss, reduction)

    def backward(g, needs, x):
        xx, z = margins(x)
        on = notself & (z > 0)
        coef = pt.where(on, z * 2.0 if p == 2 else _scalar(1.0, z), _scalar(0.0, z))
        if w_t is not None:
            coef = coef * w_t
        coef = coef * (_per_sample_scale(g, reduction, xx.shape[0]) / c)
        gx = pt.where(notself, coef, -coef.sum(1, keepdim=True))
        return (gx.reshape(x.shape),)

    return _fused.fused("MultiMarginLossBackward0", [input], [input], forward, backward)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    pt = _pt()
    reduction = _reduction(size_average, reduce, reduction)
    if input.dim() > 2 or tuple(target.shape) != tuple(input.shape) or (input.dim() == 2 and input.shape[1] == 0):
        raise RuntimeError("inconsistent target size: %s for input of size: %s"
                           % (list(target.shape), list(input.shape)))
    if target.dtype != _core.int64:
        raise RuntimeError("expected scalar type Long but found %s" % _type_label(target))
    _check_reduction(reduction)
    t2 = target.reshape(1, -1) if input.dim() < 2 else target
    n, c = t2.shape
    # The targets of a sample are its entries before the first negative one.
    listed = (t2 < 0).to(_core.int64).cumsum(1) == 0
    safe = pt.where(listed, t2, pt.zeros_like(t2))
    if safe.numel() and bool(((safe >= c) & listed).any()):
        raise RuntimeError("target index out of bounds")
    is_target = ((safe.unsqueeze(2) == pt.arange(c)) & listed.unsqueeze(2)).sum(1) > 0
    pairs = listed.unsqueeze(2) & ~is_target.unsqueeze(1)  # (n, target slot, class)

    def margins(x):
        x = x.reshape(n, c)
        return 1.0 - x.gather(1, safe).unsqueeze(2) + x.unsqueeze(1)

    def forward():
        z = margins(input)
        loss = pt.where(pairs, z.clamp(min=0.0), pt.zeros_like(z)).sum((1, 2)) / c
        loss = loss.reshape(input.shape[:-1]) if input.dim() else loss.reshape([])
        return _reduce(loss, reduction)

    def backward(g, needs, x):
        h = (pairs & (margins(x) > 0)).to(x.dtype)
        s = _per_sample_scale(g, reduction, n) / c
        gx = h.sum(1) * s - pt.zeros_like(safe, dtype=x.dtype).scatter_add(1, safe, h.sum(2)) * s
        return (gx.reshape(x.shape),)

    return _fused.fused("MultilabelMarginLossBackward0", [input], [input], forward, backward)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    pt = _pt()
    reduction = _reduction(size_average, reduce, reduction)
    eps = 1e-12
    dim = input1.dim() - 1
    prod = (input1 * input2).sum(dim)
    m1 = (input1 * input1).sum(dim) + eps
    m2 = (input2 * input2).sum(dim) + eps
    cos = prod / (m1 * m2).sqrt()
    zeros = pt.zeros_like(cos)
    pos = pt.where(target == 1, 1 - cos, zeros)
    neg = pt.where(target == -1, (cos - margin).clamp(min=0.0), zeros)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    pt = _pt()
    reduction = _reduction(size_average, reduce, reduction)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_s = pairwise_distance(positive, negative, p, eps)
        d_neg = pt.minimum(d_neg, d_s)
    loss = _fused.clamp_min(_fused.add_scalar(d_pos, margin) - d_neg, 0.0)
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    pt = _pt()
    if reduction not in ("mean", "sum", "none"):
        raise ValueError("%s is not a valid value for reduction" % reduction)
    if margin <= 0:
        raise ValueError("margin must be greater than 0, got %s" % margin)
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the same number of "
                           "dimensions, but got: anchor %dD, positive %dD, and negative %dD inputs"
                           % (a_dim, p_dim, n_dim))
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = pt.minimum(dist_neg, distance_function(positive, negative))
    loss = _fused.clamp_min(_fused.add_scalar(dist_pos, margin) - dist_neg, 0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss


# ---------------------------------------------------------------- prelu, channel shuffle, LRN, gumbel
def prelu(input, weight):
    """max(0, x) + weight * min(0, x), ``weight`` one slope or one per channel (dim 1), as
    PyTorch's ``PreluKernelBackward0`` (edges to the input and the weight viewed to broadcast)."""
    if input.dtype != weight.dtype:
        raise RuntimeError("prelu: Type promoting not supported. Got %s and %s" % (_type_label(input), _type_label(weight)))
    ndim = input.dim()
    if weight.numel() != 1:
        if ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if ndim > 1 else 1
        if channels != weight.numel():
            raise RuntimeError("Mismatch of parameter numbers and input channel size. Found parameter numbers = %d "
                               "and channel size = %d." % (weight.numel(), channels))
    if weight.dim() > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = %d" % weight.dim())
    if not input.is_floating_point():
        raise NotImplementedError("\"prelu_cpu\" not implemented for '%s'" % _type_label(input))
    w = weight
    if ndim != weight.dim():
        shape = [1] * ndim
        if ndim > 1:
            shape[1] = weight.numel()
        w = weight.reshape(shape)

    def value(x, w):
        return _where(x > 0, x, w * x)

    def backward(g, needs, x, w):
        pos = x > 0
        gx = _where(pos, g, w * g) if needs[0] else None
        gw = None
        if needs[1]:
            gw = _where(pos, _scalar(0, g), x * g)
            if list(gw.shape) != list(w.shape):
                gw = gw.sum_to_size(*w.shape)
        return gx, gw

    return _fused.fused("PreluKernelBackward0", [input, w], [input, w], lambda: value(input, w), backward)


def _shuffle(x, groups):
    shape = list(x.shape)
    n, c, rest = shape[0], shape[1], shape[2:]
    return x.reshape([n, groups, c // groups] + rest).transpose(1, 2).reshape(shape)


def channel_shuffle(input, groups):
    """Splits the channels (dim 1) into ``groups`` groups and interleaves them
    (``ChannelShuffleBackward0``; its gradient is the inverse shuffle)."""
    if input.dim() <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with sizes %s"
                           % list(input.shape))
    groups = int(groups)
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of groups:%d" % groups)
    c = input.shape[1]
    if c % groups:
        raise RuntimeError("Number of channels must be divisible by groups. Got %d channels and %d groups."
                           % (c, groups))
    if input.numel() == 0:
        return input.clone()
    return _fused.fused("ChannelShuffleBackward0", [input], [], lambda: _shuffle(input, groups),
                        lambda g, needs: (_shuffle(g, c // groups),))


native_channel_shuffle = channel_shuffle


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Each element divided by (k + alpha * mean of the squares of ``size`` neighbouring
    channels) ** beta, as PyTorch's composite (pad, then an average pool over channels)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError("Expected 3D or higher dimensionality                          input (got %d dimensions)" % dim)
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = list(input.shape)
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """A sample of the Gumbel-softmax distribution over ``dim`` (noise from the global
    generator's exponential_ stream, as PyTorch's); ``hard``: one-hot, with the soft sample's
    gradient (straight through)."""
    pt = _pt()
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -pt.empty_like(logits).exponential_().log()
    gumbels = (logits + gumbels) / tau
    y_soft = gumbels.softmax(dim)
    if hard:
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = pt.zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft


# PyTorch functions pyrustgrad does not have yet: calling one raises NotImplementedError
# naming it.
from ._convolution import (  # noqa: E402
    adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d, adaptive_max_pool1d, adaptive_max_pool2d,
    adaptive_max_pool3d, avg_pool1d, avg_pool2d, avg_pool3d, conv1d, conv2d, conv3d, conv_transpose1d,
    conv_transpose2d, conv_transpose3d, fold, interpolate, lp_pool1d, lp_pool2d, lp_pool3d, max_pool1d, max_pool2d,
    max_pool3d, pixel_shuffle, pixel_unshuffle, unfold, upsample, upsample_bilinear, upsample_nearest,
    max_pool1d_with_indices, max_pool2d_with_indices, max_pool3d_with_indices, adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices, adaptive_max_pool3d_with_indices, max_unpool1d, max_unpool2d, max_unpool3d)

from ._ctc import ctc_loss  # noqa: E402,F401
from ._grid import affine_grid, grid_sample  # noqa: E402,F401
from ._bag import embedding_bag  # noqa: E402,F401
from ._fractional import (  # noqa: E402,F401
    fractional_max_pool2d, fractional_max_pool2d_with_indices, fractional_max_pool3d, fractional_max_pool3d_with_indices)

from ._attention import (  # noqa: E402,F401
    scaled_dot_product_attention, multi_head_attention_forward, _canonical_mask, _none_or_dtype)

_MISSING = []


def _missing(name):
    def fn(*args, **kwargs):
        raise NotImplementedError("nn.functional.%s is not implemented in pyrustgrad yet" % name)
    fn.__name__ = name
    return fn


for _name in _MISSING:
    assert _name not in globals(), _name  # an implemented function must leave this list
    globals()[_name] = _missing(_name)


def __getattr__(name):
    # PyTorch's names that pyrustgrad does not build: NotImplementedError naming them.
    from .._not_built import missing
    raise missing('torch.nn.functional', 'pyrustgrad.nn.functional', name)
