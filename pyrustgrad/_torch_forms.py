"""PyTorch's other spellings of what pyrustgrad already computes (issue 8):

- aliases (``torch.absolute``, ``arccos``, ``greater``, ``negative``, ``fix``, ``concatenate``,
  ``Tensor.multiply_`` ...) and the ``torch.X_(input, ...)`` function forms of in-place methods;
- the in-place methods PyTorch has for composite ops (``addcmul_``, ``addcdiv_``, ``addmv_``,
  ``addr_``, ``baddbmm_``, ``addbmm_``, ``pow_``, ``eq_`` ... ``ne_``), with PyTorch's shape and
  cast checks;
- the ``torch.X`` forms of ``nn.functional`` ops (``torch.conv2d``, ``torch.layer_norm``,
  ``torch.dropout(input, p, train)``, ``torch.kl_div(..., reduction=0)`` ...) with the
  signatures of PyTorch's native functions (integer reductions: 0 none, 1 mean, 2 sum);
- the constants (``torch.pi``, ``e``, ``inf``, ``nan``, ``newaxis``), the layouts, and the
  queries and settings of a CPU-only build (``typename``, ``get_device``,
  ``use_deterministic_algorithms`` ...);
- Tensor's flags and methods of a strided CPU tensor (``is_sparse``, ``layout``, ``real``,
  ``conj``, ``new``, ``share_memory_``, ``where`` ...).

``install(torch)`` puts them on the package and on Tensor. Must stay valid Python 3.6.
"""

import math as _math
import warnings as _warnings

from . import _core

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
               "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
# PyTorch's native losses take the reduction as an int; their Python default is 0 ("none":
# the parser cannot read the schema's default, at::Reduction::Mean).
_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _type_name(dt):
    return _TYPE_NAMES[repr(dt).split(".")[-1]]


def _reduction(r):
    if isinstance(r, str):
        return r
    if r not in _REDUCTIONS:
        raise ValueError("%s is not a valid value for reduction" % r)
    return _REDUCTIONS[r]


def _into(self, result):
    """``self`` overwritten by ``result`` as PyTorch's in-place ops do: the result must have
    self's shape (no broadcasting of the output) and a dtype that casts to self's."""
    import pyrustgrad
    if list(result.shape) != list(self.shape):
        raise RuntimeError("output with shape %s doesn't match the broadcast shape %s"
                           % (list(self.shape), list(result.shape)))
    if not pyrustgrad.can_cast(result.dtype, self.dtype):
        raise RuntimeError("result type %s can't be cast to the desired output type %s"
                           % (_type_name(result.dtype), _type_name(self.dtype)))
    return self.copy_(result)


# ---------------------------------------------------------------- layouts

class layout(object):
    """A tensor layout: every pyrustgrad tensor is ``strided``."""

    __module__ = "pyrustgrad"

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        from . import _names
        return _names.prefix + "." + self._name

    def __reduce__(self):
        return (_layout_named, (self._name,))


LAYOUTS = {n: layout(n) for n in ("strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc",
                                  "_mkldnn", "jagged")}


def _layout_named(name):
    return LAYOUTS[name]


def _check_layout(lay):
    if lay is not None and lay is not LAYOUTS["strided"]:
        raise NotImplementedError("layout %r is not implemented by pyrustgrad: its tensors are strided" % (lay,))


# ---------------------------------------------------------------- Tensor methods

def _inplace_method(name):
    """The in-place form of the Tensor method ``name``: the result written into self with
    PyTorch's checks (``_into``); the op reads a copy of self when gradients are recorded."""
    from ._ops import _inplace_of
    f = _inplace_of(lambda self, *args, **kwargs: getattr(self, name)(*args, **kwargs), True, _into)
    f.__name__ = name + "_"
    return f


def _alias_method(target):
    def f(self, *args, **kwargs):
        return getattr(self, target)(*args, **kwargs)
    f.__name__ = target
    return f


def _tensor_new(self, *args, **kwargs):
    """``Tensor.new(...)``: the legacy constructor with self's dtype (sizes give zeros)."""
    from ._device import _check_device
    from ._dtypes import _typed_data
    _check_device(kwargs.pop("device", None))
    if kwargs:
        raise TypeError("new() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
    return _typed_data(self.dtype, args)


def _imag(self):
    raise TypeError("imag is not implemented for tensors with non-complex dtypes.")


def _pin_memory(self, device=None):
    raise RuntimeError("Cannot access accelerator device when none is available.")


def _resize_(self, *sizes, **kwargs):
    """``resize_(*sizes)``: self takes the new shape (contiguous); the elements it keeps are the
    first ones in memory order, new ones are zero (PyTorch leaves them uninitialised)."""
    import pyrustgrad
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError("resize_() got an unexpected keyword argument '%s'" % next(iter(kwargs)))
    shape = [int(s) for s in (sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes)]
    if any(s < 0 for s in shape):
        raise RuntimeError("Trying to create tensor with negative dimension %d: %s" % (min(shape), shape))
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    n = 1
    for s in shape:
        n *= s
    flat = self.detach().reshape(-1)
    if flat.numel() >= n:
        new = flat[:n].clone()
    else:
        new = pyrustgrad.cat([flat, pyrustgrad.zeros(n - flat.numel(), dtype=self.dtype)])
    self.data = new.reshape(shape)
    return self


def _resize_as_(self, other, memory_format=None):
    return _resize_(self, list(other.shape))


_ROUNDING = ("trunc", "floor")


def _div_rounded(self, other, rounding_mode):
    """``div(..., rounding_mode='trunc' | 'floor')``: the rounded quotient (integers exactly),
    a DivBackward2 node whose gradients are zero, as PyTorch's."""
    if rounding_mode not in _ROUNDING:
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '%s'"
                           % rounding_mode)
    from .nn._fused import fused
    import pyrustgrad

    def forward():
        if rounding_mode == "floor":
            return self // other
        if pyrustgrad.result_type(self, other).is_floating_point:
            return (self / other).trunc()
        q = self // other  # exact integer floor; trunc differs where the quotient is negative and inexact
        b = other if isinstance(other, _core._TensorBase) else pyrustgrad.tensor(other)
        return q + ((self - q * b).ne(0) & (self.lt(0) ^ b.lt(0))).to(q.dtype)

    edges = [t for t in (self, other) if isinstance(t, _core._TensorBase)]
    return fused("DivBackward2", edges, [], forward,
                 lambda g, needs: [pyrustgrad.zeros(list(e.shape), dtype=e.dtype) if n else None
                                   for e, n in zip(edges, needs)])


def _div(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return _core._TensorBase.div(self, other)
    return _div_rounded(self, other, rounding_mode)


def _div_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        return _core._TensorBase.div_(self, other)
    return _into(self, _div_rounded(self, other, rounding_mode))


def _where(self, condition, y):
    import pyrustgrad
    return pyrustgrad.where(condition, self, y)


def _volatile(self):
    _warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning, stacklevel=2)
    return False


def _false(self):
    return False


def _tensor_members():
    strided = LAYOUTS["strided"]
    members = {
        "new": _tensor_new,
        "ndimension": lambda self: self.dim(),
        "is_nonzero": lambda self: _is_nonzero(self),
        "is_signed": lambda self: _is_signed(self),
        "is_same_size": lambda self, other: list(self.shape) == list(other.shape),
        "is_conj": _false, "is_neg": _false, "is_pinned": _false, "is_shared": lambda self: False,
        "is_coalesced": lambda self: _sparse_only("is_coalesced"),
        "is_set_to": lambda self, tensor: _is_set_to(self, tensor),
        "conj": lambda self: self, "resolve_conj": lambda self: self, "resolve_neg": lambda self: self,
        "conj_physical": lambda self: self.clone(), "conj_physical_": lambda self: self,
        "adjoint": lambda self: self.transpose(-2, -1) if self.dim() >= 2 else _adjoint_error(self),
        "to_dense": lambda self, dtype=None, masked_grad=None: self if dtype is None else self.to(dtype),
        "dim_order": lambda self, ambiguity_check=False: _dim_order(self),
        "const_data_ptr": lambda self: self.data_ptr(),
        "pin_memory": _pin_memory,
        "share_memory_": lambda self: self,
        "resize_": _resize_, "resize_as_": _resize_as_,
        "where": _where,
        "div": _div, "div_": _div_, "divide": _div, "divide_": _div_,
        "hardshrink": lambda self, lambd=0.5: _F().hardshrink(self, lambd),
        "lu": lambda self, pivot=True, get_infos=False: lu(self, pivot, get_infos),
        "lu_solve": lambda self, LU_data, LU_pivots: lu_solve(self, LU_data, LU_pivots),
        "real": property(lambda self: self),
        "imag": property(_imag),
        "layout": property(lambda self: strided),
        "volatile": property(_volatile),
    }
    for flag in ("is_sparse", "is_sparse_csr", "is_quantized", "is_meta", "is_mkldnn", "is_nested", "is_mps",
                 "is_xpu", "is_ipu", "is_xla", "is_vulkan", "is_maia", "is_mtia"):
        members[flag] = property(_false)
    for alias, target in (("absolute", "abs"), ("absolute_", "abs_"), ("arccos", "acos"), ("arccos_", "acos_"),
                          ("arccosh", "acosh"), ("arccosh_", "acosh_"), ("arcsin", "asin"), ("arcsin_", "asin_"),
                          ("arcsinh", "asinh"), ("arcsinh_", "asinh_"), ("arctan", "atan"), ("arctan_", "atan_"),
                          ("arctanh", "atanh"), ("arctanh_", "atanh_"), ("arctan2", "atan2"), ("arctan2_", "atan2_"),
                          ("negative", "neg"), ("negative_", "neg_"), ("multiply", "mul"), ("multiply_", "mul_"),
                          ("subtract", "sub"), ("subtract_", "sub_"),
                          ("true_divide", "div"), ("true_divide_", "div_"), ("greater", "gt"),
                          ("greater_equal", "ge"), ("less", "lt"), ("less_equal", "le"), ("not_equal", "ne"),
                          ("fix", "trunc"), ("fix_", "trunc_")):
        members[alias] = _alias_method(target)
    for name in ("eq", "ne", "lt", "le", "gt", "ge", "pow", "addcmul", "addcdiv", "addmv", "addr", "baddbmm", "addbmm",
                 "sinc", "greater", "greater_equal", "less", "less_equal", "not_equal"):
        members[name + "_"] = _inplace_method(name)
    return members


def _is_nonzero(self):
    n = self.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(self.item())


def _is_signed(self):
    return repr(self.dtype).split(".")[-1] not in ("uint8", "bool")


def _is_set_to(self, tensor):
    return (self.data_ptr() == tensor.data_ptr() and list(self.shape) == list(tensor.shape)
            and list(self.stride()) == list(tensor.stride()) and self.dtype == tensor.dtype)


def _sparse_only(name):
    raise RuntimeError("%s expected sparse coordinate tensor layout but got Strided" % name)


def _adjoint_error(self):
    raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D tensor."
                       if self.dim() == 1 else
                       "tensor.adjoint() is only supported on matrices or batches of matrices. Got %d-D tensor."
                       % self.dim())


def _dim_order(self):
    """The dims from outermost to innermost in memory (PyTorch's stable sort of the strides)."""
    strides = list(self.stride())
    return tuple(sorted(range(len(strides)), key=lambda d: -strides[d]))


def _F():
    from .nn import functional
    return functional


# ---------------------------------------------------------------- torch.X forms of nn.functional

def _conv(name):
    def f(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        return getattr(_F(), name)(input, weight, bias, stride, padding, dilation, groups)
    f.__name__ = name
    return f


def _conv_transpose(name):
    def f(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
        return getattr(_F(), name)(input, weight, bias, stride, padding, output_padding, groups, dilation)
    f.__name__ = name
    return f


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    d = input.dim() - 2
    if transposed:
        return getattr(_F(), "conv_transpose%dd" % d)(input, weight, bias, stride, padding, output_padding, groups,
                                                       dilation)
    return getattr(_F(), "conv%dd" % d)(input, weight, bias, stride, padding, dilation, groups)


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise RuntimeError("dropout probability has to be between 0 and 1, but got %s" % p)


def _check_feature(input):
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")


def dropout(input, p, train):
    _check_p(p)
    return _F().dropout(input, p, train)


def dropout_(input, p, train):
    _check_p(p)
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    _check_p(p)
    return _F().alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    _check_p(p)
    return _F().alpha_dropout(input, p, train, inplace=True)


def feature_dropout(input, p, train):
    _check_p(p)
    _check_feature(input)
    return _F()._feature_dropout(input, p, train, False, input.dim())


def feature_dropout_(input, p, train):
    _check_p(p)
    _check_feature(input)
    return _F()._feature_dropout(input, p, train, True, input.dim())


def feature_alpha_dropout(input, p, train):
    _check_p(p)
    _check_feature(input)
    return _F().feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p, train):
    _check_p(p)
    _check_feature(input)
    return _F().feature_alpha_dropout(input, p, train, inplace=True)


def native_dropout(input, p, train):
    """(output, mask): the mask is the kept elements (all True when not training)."""
    import pyrustgrad
    if train and not 0.0 <= 1.0 - p <= 1.0:
        raise RuntimeError("bernoulli_ expects p to be in [0, 1], but got p=%s" % (1.0 - p))
    if not train or p == 0.0:
        return input.clone(), pyrustgrad.ones(list(input.shape), dtype=pyrustgrad.bool)
    if p == 1.0:
        return input * pyrustgrad.zeros((), dtype=input.dtype), pyrustgrad.zeros(list(input.shape),
                                                                                dtype=pyrustgrad.bool)
    keep = pyrustgrad.empty(list(input.shape), dtype=input.dtype).bernoulli_(1.0 - p)
    return input * keep * (1.0 / (1.0 - p)), keep.bool()


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return _F().embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                          scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """(output, mean, rstd), mean and rstd with the normalised dims kept as size 1 (float64
    statistics of a float64 input; of float32 otherwise, as PyTorch's CPU kernel)."""
    normalized_shape = [normalized_shape] if isinstance(normalized_shape, int) else list(normalized_shape)
    out = _F().layer_norm(input, normalized_shape, weight, bias, eps)
    x = input.detach()
    dims = list(range(input.dim() - len(normalized_shape), input.dim()))
    acc = x if x.dtype in (_core.float64, _core.float32) else x.float()
    mean = acc.mean(dims, keepdim=True)
    var = ((acc - mean) ** 2).mean(dims, keepdim=True)
    return out, mean, (var + eps).rsqrt()


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    return _F().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return _F().group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _F().rms_norm(input, normalized_shape, weight, eps)


def pixel_shuffle(input, upscale_factor):
    return _F().pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    return _F().pixel_unshuffle(input, downscale_factor)


def selu(input):
    return _F().selu(input)


def selu_(input):
    return _F().selu(input, inplace=True)


def celu(input, alpha=1.0):
    return _F().celu(input, alpha)


def celu_(input, alpha=1.0):
    return _F().celu(input, alpha, inplace=True)


def threshold(input, threshold, value):
    return _F().threshold(input, threshold, value)


def threshold_(input, threshold, value):
    return _F().threshold(input, threshold, value, inplace=True)


def hardshrink(input, lambd=0.5):
    return _F().hardshrink(input, lambd)


def cosine_similarity(x1, x2, dim=1, eps=1e-08):
    return _F().cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    return _F().pairwise_distance(x1, x2, p, eps, keepdim)


def kl_div(input, target, reduction=0, *, log_target=False):
    """The native kl_div: its "mean" is the mean over all elements, without F.kl_div's warning."""
    loss = _F().kl_div(input, target, reduction="none", log_target=log_target)
    reduction = _reduction(reduction)
    return loss if reduction == "none" else loss.mean() if reduction == "mean" else loss.sum()


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    return _F().hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06, swap=False, reduction=0):
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    return _F().cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    return _F().binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                                 pos_weight=pos_weight)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False):
    return _F().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction),
                         zero_infinity)


def bilinear(input1, input2, weight, bias=None):
    return _F().bilinear(input1, input2, weight, bias)


def _pool_stride(stride):
    return None if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else stride


def _max_pool(name):
    def f(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
        return getattr(_F(), name)(input, kernel_size, _pool_stride(stride), padding, dilation, ceil_mode)
    f.__name__ = name
    return f


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _F().max_pool1d(input, kernel_size, _pool_stride(stride), padding, dilation, ceil_mode,
                           return_indices=True)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    return _F().avg_pool1d(input, kernel_size, _pool_stride(stride), padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    return _F().adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """(output, indices), as PyTorch's native function."""
    return _F().adaptive_max_pool1d(input, output_size, return_indices=True)


def constant_pad_nd(input, pad, value=0):
    return _F().pad(input, list(pad), "constant", value)


# ---------------------------------------------------------------- other torch functions

def rsub(input, other, alpha=1):
    """``other - alpha * input`` (a Python number ``other`` takes part as a wrapped number,
    so float64 tensors keep it in float64)."""
    import pyrustgrad
    if isinstance(other, bool) or (isinstance(other, _core._TensorBase) and other.dtype == _core.bool) \
            or input.dtype == _core.bool:
        raise NotImplementedError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                                  "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    if isinstance(other, _core._TensorBase):
        return pyrustgrad.sub(other, input, alpha=alpha)
    return other - (input if alpha == 1 else input * alpha)


def fill(input, value):
    return input.clone().fill_(value) if not isinstance(value, _core._TensorBase) else _fill_tensor(input, value)


def _fill_tensor(input, value):
    if value.dim() != 0:
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with %d dimensions."
                           % value.dim())
    return input.clone().fill_(value)


def masked_select(input, mask):
    return input.masked_select(mask)


def typename(obj):
    from . import _names
    if isinstance(obj, _core._TensorBase):
        return obj.type()
    module = type(obj).__module__
    name = type(obj).__qualname__
    if module in ("builtins", "__builtin__", None):
        return name
    return module + "." + name if not module.startswith("pyrustgrad") else _names.prefix + module[10:] + "." + name


def get_device(input):
    return -1


def is_same_size(input, other):
    return list(input.shape) == list(other.shape)


def is_signed(input):
    return _is_signed(input)


def is_storage(obj):
    return False


def is_conj(input):
    return False


def is_neg(input):
    return False


def conj(input):
    return input


def resolve_conj(input):
    return input


def resolve_neg(input):
    return input


def conj_physical(input):
    return input.clone()


def conj_physical_(input):
    return input


def real(input):
    return input


def imag(input):
    return _imag(input)


def adjoint(input):
    return input.adjoint()


def asarray(obj, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor: shared with it when possible (a tensor, a NumPy array) unless
    ``copy=True``; ``copy=False`` refuses where a copy would be needed."""
    import pyrustgrad
    from ._device import _check_device
    _check_device(device)
    if isinstance(obj, _core._TensorBase) or type(obj).__name__ == "ndarray":
        t = pyrustgrad.as_tensor(obj)
        shared = t
        if dtype is not None and t.dtype != dtype:
            if copy is False:
                raise ValueError("can't alias tensor with dtype '%s' into dtype '%s'."
                                 % (_type_name(t.dtype), _type_name(dtype)))
            t = t.to(dtype)
        if copy and t is shared:
            t = t.clone()
    else:
        if copy is False:
            raise ValueError("can't alias a Python sequence: a copy is needed (copy=False given)")
        t = pyrustgrad.tensor(obj, dtype=dtype)
    if requires_grad:
        t = t.detach().requires_grad_() if t.grad_fn is not None or t.requires_grad else t.requires_grad_()
    return t


def frombuffer(buffer, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the bytes of a buffer object (a copy: pyrustgrad tensors own their
    memory), ``count`` elements from byte ``offset``."""
    import pyrustgrad
    mv = memoryview(buffer).cast("B")
    size = pyrustgrad.empty((), dtype=dtype).element_size()
    total = len(mv)
    if offset < 0 or offset >= total and total > 0 or total == 0:
        if total == 0:
            raise ValueError("both buffer length (0) and count (%d) must not be 0" % count)
        raise ValueError("offset (%d bytes) must be non-negative and no greater than buffer length (%d bytes) "
                         "minus 1" % (offset, total))
    if count < 0:
        if (total - offset) % size:
            raise ValueError("buffer length (%d bytes) after offset (%d bytes) must be a multiple of element "
                             "size (%d)" % (total - offset, offset, size))
        count = (total - offset) // size
    elif count == 0:
        raise ValueError("both buffer length (%d) and count (0) must not be 0" % total)
    elif offset + count * size > total:
        raise ValueError("requested buffer length (%d * %d bytes) after offset (%d bytes) must not be greater "
                         "than actual buffer length (%d bytes)" % (count, size, offset, total))
    t = _core._from_bytes(bytes(mv[offset:offset + count * size]), dtype)
    t = pyrustgrad.Tensor._make_subclass(pyrustgrad.Tensor, t, False) if type(t) is not pyrustgrad.Tensor else t
    return t.requires_grad_() if requires_grad else t


def empty_strided(size, stride, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A zero-filled tensor with the given strides (over the smallest storage they need)."""
    import pyrustgrad
    from ._device import _check_device
    _check_device(device)
    _check_layout(layout)
    size, stride = [int(s) for s in size], [int(s) for s in stride]
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got strides: %s" % stride)
    need = 0 if any(s == 0 for s in size) else 1 + sum((n - 1) * st for n, st in zip(size, stride))
    dt = pyrustgrad.get_default_dtype() if dtype is None else dtype
    base = pyrustgrad.zeros(need, dtype=dt)
    out = _core._rebuild(pyrustgrad.Tensor, base, size, stride, 0, False)
    return out.requires_grad_() if requires_grad else out


def empty_permuted(size, physical_layout, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """A zero-filled tensor of ``size`` whose dims lie in memory in the order ``physical_layout``."""
    size, order = [int(s) for s in size], [int(d) for d in physical_layout]
    if sorted(order) != list(range(len(size))):
        raise RuntimeError("Number of dimensions in size does not match the length of the physical_layout; "
                           "or physical_layout is not a permutation")
    stride = [0] * len(size)
    acc = 1
    for d in reversed(order):
        stride[d] = acc
        acc *= max(size[d], 1)
    return empty_strided(size, stride, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def range_(start=0, end=None, step=1, dtype=None, layout=None, device=None, requires_grad=False):
    """The deprecated ``torch.range``: ``end`` included, the default float dtype."""
    import pyrustgrad
    _warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior is "
                   "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values "
                   "in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(_math.floor((end - start) / step)) + 1
    dt = pyrustgrad.get_default_dtype() if dtype is None else dtype
    out = (pyrustgrad.arange(n, dtype=pyrustgrad.float64) * step + start).to(dt)
    return out.requires_grad_() if requires_grad else out


# ---------------------------------------------------------------- deprecated LU forms, vander, channel_shuffle

_LU_WARNING = ("torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will be "
               "removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould be replaced "
               "with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\nLU, pivots, info = torch.lu(A, "
               "compute_pivots, get_infos=True)\nshould be replaced with\nLU, pivots, info = "
               "torch.linalg.lu_factor_ex(A, compute_pivots)")
_LU_SOLVE_WARNING = ("torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a future "
                     "PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\nX = "
                     "torch.lu_solve(B, LU, pivots)\nshould be replaced with\nX = torch.linalg.lu_solve(LU, pivots, B)")


def lu(A, pivot=True, get_infos=False, out=None):
    """The deprecated ``torch.lu``: (LU, pivots), or (LU, pivots, infos) with ``get_infos``."""
    from . import linalg
    _warnings.warn(_LU_WARNING, UserWarning, stacklevel=2)
    if get_infos:
        return tuple(linalg.lu_factor_ex(A, pivot=pivot))
    return tuple(linalg.lu_factor(A, pivot=pivot))


def lu_solve(b, LU_data, LU_pivots, out=None):
    """The deprecated ``torch.lu_solve(B, LU, pivots)``: ``linalg.lu_solve(LU, pivots, B)``."""
    from . import linalg
    _warnings.warn(_LU_SOLVE_WARNING, UserWarning, stacklevel=2)
    return linalg.lu_solve(LU_data, LU_pivots, b)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, out=None):
    """(P, L, U) from ``lu_factor``'s result; an unpacked part left out is an empty tensor."""
    import pyrustgrad
    from . import linalg
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    empty = pyrustgrad.zeros(0, dtype=LU_data.dtype)
    L, U = linalg._unpack(LU_data, m, n) if unpack_data else (empty, empty)
    P = linalg._pivots_to_matrix(LU_pivots, m, LU_data.dtype) if unpack_pivots else empty
    return linalg.return_types.lu_unpack(P, L, U)


def vander(x, N=None, increasing=False):
    """``torch.vander``: powers decreasing along the columns unless ``increasing`` (the
    reverse of ``linalg.vander``)."""
    from . import linalg
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is not None and N < 0:
        raise RuntimeError("N must be non-negative.")
    v = linalg.vander(x, N=N)
    return v if increasing else v.flip(-1)


def channel_shuffle(input, groups):
    return _F().channel_shuffle(input, groups)


def native_channel_shuffle(input, groups):
    return _F().native_channel_shuffle(input, groups)


# ---------------------------------------------------------------- functions PyTorch removed

_REMOVED = "This function was deprecated since version 1.9 and is now removed. "
_REMOVED_TEXT = {
    "solve": "`torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments "
             "reversed and does not return the LU factorization.\n\nTo get the LU factorization see `torch.lu`, "
             "which can be used with `torch.lu_solve` or `torch.lu_unpack`.\nX = torch.solve(B, A).solution should "
             "be replaced with:\nX = torch.linalg.solve(A, B)",
    "lstsq": "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed "
             "arguments and does not return the QR decomposition in the returned tuple (although it returns other "
             "information about the problem).\n\nTo get the QR decomposition consider using `torch.linalg.qr`.\n\n"
             "The returned solution in `torch.lstsq` stored the residuals of the solution in the last m - n columns "
             "of the returned value whenever m > n. In torch.linalg.lstsq, the residuals are in the field "
             "'residuals' of the returned named tuple.\n\nThe unpacking of the solution, as in\nX, _ = "
             "torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\nX = torch.linalg.lstsq(A, B).solution",
    "symeig": "The default behavior has changed from using the upper triangular portion of the matrix by default to "
              "using the lower triangular portion.\n\nL, _ = torch.symeig(A, upper=upper) should be replaced "
              "with:\nL = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = "
              "torch.symeig(A, eigenvectors=True) should be replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' "
              "if upper else 'L')",
    "eig": "`torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than real tensors "
           "mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\nL_complex = "
           "torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) should be replaced "
           "with:\nL_complex, V_complex = torch.linalg.eig(A)",
    "matrix_rank": "\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was "
                   "renamed in `torch.linalg.matrix_rank()` to 'hermitian'.",
    "cholesky": "`torch.cholesky` is deprecated in favor of `torch.linalg.cholesky`.\nL = torch.cholesky(A) should "
                "be replaced with:\nL = torch.linalg.cholesky(A)\nU = torch.cholesky(A, upper=True) should be "
                "replaced with:\nU = torch.linalg.cholesky(A).mH",
    "qr": "`torch.qr` is deprecated in favor of `torch.linalg.qr` and the boolean parameter `some` has been replaced "
          "with a string parameter `mode`.\n\nQ, R = torch.qr(A) should be replaced with:\nQ, R = "
          "torch.linalg.qr(A, mode='reduced')\n\nand\n\nQ, R = torch.qr(A, some=False) should be replaced "
          "with:\nQ, R = torch.linalg.qr(A, mode='complete')\n\n",
}


def _removed(name):
    def f(*args, **kwargs):
        text = _REMOVED + _REMOVED_TEXT[name]
        if name == "qr":
            some = kwargs.get("some", args[1] if len(args) > 1 else True)
            text += "Since `some` was set to %s, use mode='%s'." % (bool(some), "reduced" if some else "complete")
        raise RuntimeError(text if name != "matrix_rank" else text.replace(". \n", ".\n"))
    f.__name__ = name
    return f


# ---------------------------------------------------------------- settings of a CPU-only build

_settings = {"matmul_precision": "highest", "deterministic": False, "warn_only": False, "warn_always": False,
             "interop_threads": 1, "check_nan": True}


def get_float32_matmul_precision():
    return _settings["matmul_precision"]


def set_float32_matmul_precision(precision):
    """Remembered; pyrustgrad's float32 products are always full float32 ("highest")."""
    if precision not in ("highest", "high", "medium"):
        _warnings.warn("%s is not one of 'highest', 'high', or 'medium'; the current setFloat32MatmulPrecision "
                       "call has no effect." % precision, UserWarning, stacklevel=2)
        return
    _settings["matmul_precision"] = precision


def use_deterministic_algorithms(mode, warn_only=False):
    """Remembered; pyrustgrad's kernels are deterministic (the same bits for any thread count)."""
    _settings["deterministic"] = bool(mode)
    _settings["warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _settings["warn_only"]


def set_deterministic_debug_mode(debug_mode):
    modes = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in modes:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, `error`, but "
                               "got %s" % debug_mode)
        debug_mode = modes[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got %s" % debug_mode)
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _settings["deterministic"]:
        return 0
    return 1 if _settings["warn_only"] else 2


def set_warn_always(b):
    _settings["warn_always"] = bool(b)


def is_warn_always_enabled():
    return _settings["warn_always"]


def get_num_interop_threads():
    return _settings["interop_threads"]


def set_num_interop_threads(num):
    """Remembered (pyrustgrad runs no inter-op thread pool)."""
    if not isinstance(num, int) or num <= 0:
        raise RuntimeError("Expected positive number of threads")
    _settings["interop_threads"] = num


def init_num_threads():
    pass


def set_flush_denormal(mode):
    """False for ``True`` (pyrustgrad does not switch the CPU to flush subnormals), True for
    ``False`` (the default, which it keeps)."""
    return not mode


def compiled_with_cxx11_abi():
    return True


def is_distributed(input):
    return False


def is_vulkan_available():
    return False


def set_anomaly_enabled(enabled, check_nan=True):
    _core._set_anomaly_enabled(bool(enabled))
    _settings["check_nan"] = bool(check_nan)


def is_anomaly_check_nan_enabled():
    """The NaN-check switch of anomaly mode (on by default, as PyTorch's)."""
    return _settings["check_nan"]


# ---------------------------------------------------------------- install

_TORCH_ALIASES = (("absolute", "abs"), ("arccos", "acos"), ("arccosh", "acosh"), ("arcsin", "asin"),
                  ("arcsinh", "asinh"), ("arctan", "atan"), ("arctan2", "atan2"), ("arctanh", "atanh"),
                  ("negative", "neg"), ("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"),
                  ("less_equal", "le"), ("not_equal", "ne"), ("fix", "trunc"), ("concatenate", "cat"))

_TORCH_INPLACE = ("abs acos acosh arccos arccosh arcsin arcsinh arctan arctanh asin asinh atan atanh ceil "
                  "clamp clamp_max clamp_min clip cos cosh deg2rad detach erf erfc exp2 exp expm1 fill fix floor frac "
                  "log10 log1p log2 log logit nan_to_num neg negative rad2deg reciprocal relu round rsqrt sigmoid "
                  "sin sinc sinh sqrt square tan tanh trunc xlogy zero addmv as_strided resize_as").split()


def _torch_inplace(name):
    def f(input, *args, **kwargs):
        return getattr(input, name + "_")(*args, **kwargs)
    f.__name__ = name + "_"
    return f


def install(torch):
    g = vars(torch)
    for cls_name, obj in _tensor_members().items():
        if cls_name in ("div", "div_") or not hasattr(torch.Tensor, cls_name):
            setattr(torch.Tensor, cls_name, obj)
    for alias, target in _TORCH_ALIASES:
        g.setdefault(alias, g[target])
    for name in _TORCH_INPLACE:
        g.setdefault(name + "_", _torch_inplace(name))
    for name in ("conv1d", "conv2d", "conv3d"):
        g.setdefault(name, _conv(name))
    for name in ("conv_transpose1d", "conv_transpose2d", "conv_transpose3d"):
        g.setdefault(name, _conv_transpose(name))
    for name in ("max_pool1d", "max_pool2d", "max_pool3d"):
        g.setdefault(name, _max_pool(name))
    for name, fn in globals().items():
        if callable(fn) and not name.startswith("_") and getattr(fn, "__module__", None) == __name__ \
                and name not in ("install", "layout"):
            g.setdefault(name, fn)
    for name in _REMOVED_TEXT:
        g.setdefault(name, _removed(name))
        if name != "matrix_rank" and not hasattr(torch.Tensor, name):
            setattr(torch.Tensor, name, _removed(name))
    g["range"] = range_
    g.pop("range_", None)
    g.setdefault("layout", layout)
    for name, lay in LAYOUTS.items():
        if not name.startswith("_"):
            g.setdefault(name, lay)
    g.setdefault("pi", _math.pi)
    g.setdefault("e", _math.e)
    g.setdefault("inf", _math.inf)
    g.setdefault("nan", _math.nan)
    g.setdefault("newaxis", None)
