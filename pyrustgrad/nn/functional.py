"""``pyrustgrad.nn.functional``: activations, linear maps, dropout, normalisation and losses,
built from the library's differentiable ops, with PyTorch's signatures, formulas and messages.

Where PyTorch computes a loss in one fused kernel, the result carries that kernel's node
(``MseLossBackward0``, ``NllLossBackward0``: see ``_fused``); other composites record their
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


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    out = input.clamp(min_val, max_val)
    return _inplace_result(input, out, inplace)


def threshold(input, threshold, value, inplace=False):
    pt = _pt()
    out = pt.where(input > threshold, input, _scalar(value, input))
    return _inplace_result(input, out, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    pt = _pt()
    out = pt.where(input > 0, input, input * negative_slope)
    return _inplace_result(input, out, inplace)


def elu(input, alpha=1.0, inplace=False):
    pt = _pt()
    out = pt.where(input > 0, input, _nonpos(input).expm1() * alpha)
    return _inplace_result(input, out, inplace)


def _nonpos(x):
    """x where x <= 0, else 0 (the gradient at 0 goes to x, as PyTorch's ELU family)."""
    return _pt().where(x > 0, _scalar(0.0, x), x)


def celu(input, alpha=1.0, inplace=False):
    pt = _pt()
    out = pt.where(input > 0, input, (_nonpos(input) / alpha).expm1() * alpha)
    return _inplace_result(input, out, inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    return _inplace_result(input, elu(input, _SELU_ALPHA) * _SELU_SCALE, inplace)


def gelu(input, approximate="none"):
    if approximate == "none":
        return input * ((input * (1.0 / math.sqrt(2.0))).erf() + 1.0) * 0.5
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * (inner.tanh() + 1.0) * 0.5
    raise RuntimeError("approximate argument must be either none or tanh.")


def silu(input, inplace=False):
    return _inplace_result(input, input * input.sigmoid(), inplace)


def mish(input, inplace=False):
    return _inplace_result(input, input * softplus(input).tanh(), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    pt = _pt()
    bx = input * beta
    # log1p(exp(bx)) without overflow: (bx + |bx|)/2 + log1p(exp(-|bx|)), whose derivative at
    # 0 is 1/2 as PyTorch's.
    soft = ((bx + bx.abs()) * 0.5 + (-bx.abs()).exp().log1p()) / beta
    return pt.where(bx > threshold, input, soft)


def logsigmoid(input):
    return -softplus(-input)


def softsign(input):
    return input / (input.abs() + 1.0)


def tanhshrink(input):
    return input - input.tanh()


def hardsigmoid(input, inplace=False):
    return _inplace_result(input, (input / 6.0 + 0.5).clamp(0.0, 1.0), inplace)


def hardswish(input, inplace=False):
    return _inplace_result(input, input * (input + 3.0).clamp(0.0, 6.0) / 6.0, inplace)


def hardshrink(input, lambd=0.5):
    pt = _pt()
    return pt.where(input.abs() > lambd, input, _scalar(0.0, input))


def softshrink(input, lambd=0.5):
    pt = _pt()
    return pt.where(input > lambd, input - lambd, pt.where(input < -lambd, input + lambd, _scalar(0.0, input)))


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
    a = input.narrow(dim, 0, n // 2)
    b = input.narrow(dim, n // 2, n // 2)
    return a * b.sigmoid()


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
    """PyTorch's alpha dropout: noise = bernoulli_(1 - p); out = input * (noise * a) + b with
    b = (noise - 1) * (alpha * a) + alpha * a * p."""
    if p < 0.0 or p > 1.0:
        raise ValueError("dropout probability has to be between 0 and 1, but got %s" % p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    pt = _pt()
    if p == 1.0:
        return _inplace_result(input, input * pt.zeros((), dtype=input.dtype), inplace)
    alpha = _ALPHA_DROPOUT_ALPHA
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    noise = pt.empty(input.shape, dtype=input.dtype).bernoulli_(1.0 - p)
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
    dims = list(range(2, input.dim()))
    if use_input_stats:
        mean, var = _reduce_dims_var(input, dims)
    else:
        shape = _bn_stats_shape(input)
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    out = (input - mean) * (var + eps).rsqrt()
    shape = _bn_stats_shape(input)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


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


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _broadcast_pair(input, target, _check_sizes(input, target))
    if weight is not None:
        _check_weight(weight, input)
        return _weighted_reduce((x - y).pow(2) * weight, weight, reduction)

    # The difference is recorded (a native SubBackward0 node, cheap): saved, it carries the
    # graph of both inputs, so the backward below is differentiable again.
    d = x - y

    def backward(g, needs, d):
        gx = d * (g * (2.0 / d.numel()) if reduction == "mean" else g * 2.0)
        return (gx if needs[0] else None, -gx if needs[1] else None)

    return _fused.fused("MseLossBackward0", [x, y], [d], lambda: _reduce(d * d, reduction), backward)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _broadcast_pair(input, target, _check_sizes(input, target))
    loss = (x - y).abs()
    if weight is not None:
        _check_weight(weight, input)
        return _weighted_reduce(loss * weight, weight, reduction)
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    pt = _pt()
    reduction = _reduction(size_average, reduce, reduction)
    same = _check_sizes(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    x, y = _broadcast_pair(input, target, same)
    if beta == 0.0:
        return l1_loss(x, y, reduction=reduction)

    def forward():
        d = (x - y).abs()
        return _reduce(pt.where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta), reduction)

    def backward(g, needs, x, y):
        d = x - y
        gx = pt.where(d.abs() < beta, d / beta, d.sign()) * _grad_scale(g, reduction, x.numel())
        return (gx if needs[0] else None, -gx if needs[1] else None)

    return _fused.fused("SmoothL1LossBackward0", [x, y], [x, y], forward, backward)


def _huber(x, y, reduction, delta):
    pt = _pt()

    def forward():
        d = (x - y).abs()
        return _reduce(pt.where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta), reduction)

    def backward(g, needs, x, y):
        d = x - y
        gx = pt.where(d.abs() < delta, d, d.sign() * delta) * _grad_scale(g, reduction, x.numel())
        return (gx if needs[0] else None, -gx if needs[1] else None)

    return _fused.fused("HuberLossBackward0", [x, y], [x, y], forward, backward)


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

    def backward(g, needs, x):
        scale = g / total if reduction == "mean" else g
        coef = pt.where(valid, -w_t * scale, _scalar(0.0, g))
        return (pt.zeros_like(x).scatter(cdim, safe_t.unsqueeze(cdim), coef.unsqueeze(cdim)),)

    return _fused.fused(name, [x], [x], forward, backward)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    pt = _pt()
    reduction = _reduction(size_average, reduce, reduction)
    if label_smoothing < 0.0 or label_smoothing > 1.0:
        raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: %s" % label_smoothing)
    class_dim = 0 if input.dim() == 1 else 1
    logp = input.log_softmax(class_dim)
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


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError("Using a target size (%r) that is different to the input size (%r) is deprecated. "
                         "Please ensure they have the same size." % (target.shape, input.shape))
    if input.numel():
        if bool(((input < 0) | (input > 1)).any()):
            raise RuntimeError("all elements of input should be between 0 and 1")

    def forward():
        log_x = input.log().clamp(min=-100.0)
        log_1mx = (1.0 - input).log().clamp(min=-100.0)
        loss = -(target * log_x + (1.0 - target) * log_1mx)
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    def backward(g, needs, x, y, w):
        s = _grad_scale(g, reduction, x.numel())
        if w is not None:
            s = s * w
        gx = (x - y) / ((1.0 - x) * x).clamp(min=1e-12) * s if needs[0] else None
        gy = ((1.0 - x).log() - x.log()) * s if needs[1] else None
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

    def backward(g, needs, x, y, w, pw):
        s = _grad_scale(g, reduction, x.numel())
        if w is not None:
            s = s * w
        gx = gy = None
        if needs[0]:
            if pw is not None:
                gx = (((pw - 1.0) * y + 1.0) * x.sigmoid() - pw * y) * s
            else:
                gx = (x.sigmoid() - y) * s
        if needs[1]:
            gy = ((pw - 1.0) * _softplus_neg(x) - x) * s if pw is not None else -x * s
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


# PyTorch functions pyrustgrad does not have yet: calling one raises NotImplementedError
# naming it.
from ._convolution import (  # noqa: E402
    adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d, adaptive_max_pool1d, adaptive_max_pool2d,
    adaptive_max_pool3d, avg_pool1d, avg_pool2d, avg_pool3d, conv1d, conv2d, conv3d, conv_transpose1d,
    conv_transpose2d, conv_transpose3d, fold, interpolate, lp_pool1d, lp_pool2d, max_pool1d, max_pool2d, max_pool3d,
    pixel_shuffle, pixel_unshuffle, unfold, upsample, upsample_bilinear, upsample_nearest)

from ._ctc import ctc_loss  # noqa: E402,F401
from ._grid import affine_grid, grid_sample  # noqa: E402,F401
from ._bag import embedding_bag  # noqa: E402,F401

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
