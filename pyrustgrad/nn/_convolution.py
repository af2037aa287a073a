"""Convolutions, transposed convolutions, pooling, unfold/fold, interpolation and the
non-constant padding modes of ``nn.functional``, with PyTorch's arguments and messages.

Everything is built on two core ops, ``im2col`` (PyTorch's ``F.unfold``) and ``col2im``
(``F.fold``), which are each other's adjoint, plus the GEMM: a convolution is the weight
times the unfolded input, a transposed convolution folds the weight's transpose times the
input. Gradients of every order therefore come from the ops' own formulas. float32 and
float64 convolutions and transposed convolutions run fused (``_core._convolution``,
``_core._conv_transpose``: one ``ConvolutionBackward0`` node as PyTorch's, per-sample blocks
kept in cache); the 16-bit float and the integer dtypes are composites over the same two ops
(their node names are the composite's, not ``ConvolutionBackward0``; col2im sums half types in
float32 and integers in int64), with PyTorch's NotImplementedError where its CPU has no kernel
(integer transposed convolutions but int64, bool).
Pooling has its own window kernels (``_core._max_pool``, ``_core._avg_pool``).
Must stay valid Python 3.6."""

import math

from .. import _core


def _pt():
    import pyrustgrad
    return pyrustgrad


def _tuple(v, n, name="argument"):
    if isinstance(v, (list, tuple)):
        if len(v) == 1 and n > 1:
            return tuple(int(v[0]) for _ in range(n))
        if len(v) != n:
            raise RuntimeError("expected %s to be a single integer value or a list of %d values to match the "
                               "convolution dimensions, but got %s=%s" % (name, n, name, list(v)))
        return tuple(int(x) for x in v)
    return (int(v),) * n


def _shape(t):
    return list(t.shape)


def _join_x(v):
    return "(" + " x ".join(str(x) for x in v) + ")"


def _batched(input, n, unbatched_ok=True):
    """(input with a batch dim, whether one was added)."""
    if unbatched_ok and input.dim() == n + 1:
        return input.unsqueeze(0), True
    return input, False


# ---------------------------------------------------------------------------------- unfold/fold
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    if input.dim() not in (3, 4):
        raise NotImplementedError("Input Error: Only 3D or 4D input Tensors are supported (got %dD)" % input.dim())
    k, d, p, s = (_tuple(v, 2) for v in (kernel_size, dilation, padding, stride))
    _check_blocks(k, d, p, s)
    x, added = _batched(input, 2)
    if x.shape[1] == 0 or x.shape[2] == 0 or x.shape[3] == 0:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           "dimensions for input, but got: %s" % _shape(input))
    out = _core._im2col(x, list(k), list(d), list(p), list(s), 0.0)
    return out.squeeze(0) if added else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    if input.dim() not in (2, 3):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           "dimensions for input, but got: %s" % _shape(input))
    o, k, d, p, s = (_tuple(v, 2) for v in (output_size, kernel_size, dilation, padding, stride))
    _check_blocks(k, d, p, s)
    x, added = _batched(input, 1)
    out = _core._col2im(x, list(o), list(k), list(d), list(p), list(s))
    return out.squeeze(0) if added else out


def _check_blocks(k, d, p, s):
    if min(k) <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got kernel_height: %d kernel_width: %d" % k)
    if min(s) <= 0:
        raise RuntimeError("stride should be greater than zero, but got stride_height: %d stride_width: %d" % s)
    if min(p) < 0:
        raise RuntimeError("padding should be non-negative, but got pad_height: %d pad_width: %d" % p)
    if min(d) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got dilation_height: %d dilation_width: %d" % d)


# ---------------------------------------------------------------------------------- padding modes
def _pad_index(n, lo, hi, mode):
    """The source index along a dim of size n for each output position of a pad (lo, hi)."""
    out = []
    for j in range(-lo, n + hi):
        if mode == "reflect":
            period = 2 * (n - 1)
            m = j % period if period else 0
            out.append(m if m < n else period - m)
        elif mode == "replicate":
            out.append(min(max(j, 0), n - 1))
        else:  # circular
            out.append(j % n)
    return out


def pad_nonconstant(input, pad, mode):
    """``F.pad`` for mode reflect / replicate / circular: an index_select per padded dim."""
    pt = _pt()
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError("Unrecognised padding mode %s" % mode)
    n = len(pad) // 2
    if not 1 <= n <= 3 or input.dim() not in (n + 1, n + 2):
        raise NotImplementedError("Padding size %d is not supported for %dD input tensor.\nSupported combinations for "
                                  "non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: "
                                  "padding size = 6 (pads last 3 dimensions)" % (len(pad), input.dim()))
    out = input
    for k in range(n):
        dim = input.dim() - 1 - k
        lo, hi = int(pad[2 * k]), int(pad[2 * k + 1])
        size = input.shape[dim]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError("Argument #4: Padding size should be less than the corresponding input dimension, "
                               "but got: padding (%d, %d) at dimension %d of input %s" % (lo, hi, dim, _shape(input)))
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and size == 0:
            raise RuntimeError("Expected %dD or %dD (batch mode) tensor with possibly 0 batch size and other non-zero "
                               "dimensions for input, but got: %s" % (n + 1, n + 2, _shape(input)))
        if lo < 0 or hi < 0:
            # Negative padding crops (PyTorch allows it for circular): take the cropped range.
            start, stop = max(-lo, 0), size - max(-hi, 0)
            out = out.narrow(dim, start, stop - start)
            size, lo, hi = stop - start, max(lo, 0), max(hi, 0)
        if lo or hi:
            out = out.index_select(dim, pt.tensor(_pad_index(size, lo, hi, mode)))
    return out


# ---------------------------------------------------------------------------------- convolution
def _conv_checks(name, input, weight, bias, stride, padding, dilation, groups, transposed):
    n = weight.dim() - 2
    if input.dim() not in (n + 1, n + 2) or n < 1:
        raise RuntimeError("Expected %dD (unbatched) or %dD (batched) input to %s, but got input of size: %s"
                           % (n + 1, n + 2, name, _shape(input)))
    s = _tuple(stride, n, "stride")
    d = _tuple(dilation, n, "dilation")
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError("Invalid padding string: '%s'" % padding)
        if padding == "same" and any(x != 1 for x in s):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        p = padding
    else:
        p = _tuple(padding, n, "padding")
        if min(p) < 0:
            raise RuntimeError("negative padding is not supported")
    if min(s) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(d) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got %s" % list(d))
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    x = input if input.dim() == n + 2 else input.unsqueeze(0)
    if weight.dtype != input.dtype:
        raise RuntimeError("expected scalar type %s but found %s" % (_scalar_name(input), _scalar_name(weight)))
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError("Input type (%s) and bias type (%s) should be the same" % (_c_type(input), _c_type(bias)))
    w = _shape(weight)
    if weight.shape[0] < groups:
        raise RuntimeError("Given groups=%d, expected weight to be at least %d at dimension 0, but got weight of size %s "
                           "instead" % (groups, groups, w))
    if not transposed:
        if w[0] % groups:
            raise RuntimeError("Given groups=%d, expected weight to be divisible by %d at dimension 0, but got weight "
                               "of size [%s] instead" % (groups, groups, w))
        if x.shape[1] != w[1] * groups:
            raise RuntimeError("Given groups=%d, weight of size %s, expected input%s to have %d channels, but got %d "
                               "channels instead" % (groups, w, _shape(x), w[1] * groups, x.shape[1]))
        out_channels = w[0]
    else:
        if x.shape[1] != w[0]:
            raise RuntimeError("Given transposed=1, weight of size %s, expected input%s to have %d channels, but got "
                               "%d channels instead" % (w, _shape(x), w[0], x.shape[1]))
        if w[0] % groups:
            raise RuntimeError("Given groups=%d, expected weight to be divisible by %d at dimension 0, but got weight "
                               "of size [%s] instead" % (groups, groups, w))
        out_channels = w[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_channels):
        raise RuntimeError("Given %sweight of size %s, expected bias to be 1-dimensional with %d elements, but got "
                           "bias of size %s instead" % ("transposed=1, " if transposed else "", w, out_channels,
                                                        _shape(bias)))
    return n, s, p, d


_C_TYPES = {"Float": "float", "Double": "double", "Half": "c10::Half", "BFloat16": "c10::BFloat16", "Long": "long int",
            "Int": "int", "Short": "short int", "Char": "signed char", "Byte": "unsigned char", "Bool": "bool"}


def _c_type(t):
    """The C++ element type PyTorch's messages name (``float``, ``long int``, ``c10::Half``...)."""
    name = _scalar_name(t)
    return _C_TYPES.get(name, name)


def _scalar_name(t):
    from .._dtypes import _SCALAR_NAME
    return _SCALAR_NAME[t.dtype]


def _same_padding(input, k, d, n):
    """(input padded on the right where the total is odd, the symmetric padding)."""
    from . import functional as F
    extra, sym = [], []
    for i in range(n):
        total = d[i] * (k[i] - 1)
        sym.append(total // 2)
        extra.append(total - 2 * (total // 2))
    if any(extra):
        pads = []
        for i in reversed(range(n)):
            pads += [0, extra[i]]
        input = F.pad(input, pads)
    return input, tuple(sym)


def _convnd(name, input, weight, bias, stride, padding, dilation, groups):
    n, s, p, d = _conv_checks(name, input, weight, bias, stride, padding, dilation, groups, False)
    if input.dtype == _core.bool:
        raise NotImplementedError("\"%s\" not implemented for 'Bool'" % ("compute_columns3d" if n == 3 else "slow_conv2d_cpu"))
    x, added = _batched(input, n)
    k = tuple(weight.shape[2:])
    if p == "valid":
        p = (0,) * n
    elif p == "same":
        x, p = _same_padding(x, k, d, n)
    spatial = list(x.shape[2:])
    padded = [spatial[i] + 2 * p[i] for i in range(n)]
    span = [d[i] * (k[i] - 1) + 1 for i in range(n)]
    if any(padded[i] < span[i] for i in range(n)):
        raise RuntimeError("Calculated padded input size per channel: %s. Kernel size: %s. Kernel size can't be "
                           "greater than actual input size" % (_join_x(padded), _join_x(span)))
    out_spatial = [(padded[i] - span[i]) // s[i] + 1 for i in range(n)]
    batch, out_channels = x.shape[0], weight.shape[0]
    if batch == 0:
        out = _pt().zeros([0, out_channels] + out_spatial, dtype=x.dtype)
        return out.squeeze(0) if added else out
    if x.dtype == _core.float32 or x.dtype == _core.float64:
        out = _core._convolution(x, weight, bias, list(s), list(p), list(d), groups)
        return out.squeeze(0) if added else out
    cols = _core._im2col(x, list(k), list(d), list(p), list(s), 0.0)  # (N, C*K, L)
    if groups == 1:
        out = weight.reshape(out_channels, -1).matmul(cols)  # (N, O, L)
    else:
        ck = cols.shape[1] // groups
        cols = cols.reshape(batch, groups, ck, cols.shape[2])
        out = weight.reshape(groups, out_channels // groups, ck).matmul(cols)  # (N, g, O/g, L)
    out = out.reshape([batch, out_channels] + out_spatial)
    if bias is not None:
        out = out + bias.reshape([out_channels] + [1] * n)
    return out.squeeze(0) if added else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd("conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd("conv2d", input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convnd("conv3d", input, weight, bias, stride, padding, dilation, groups)


def _conv_transposend(name, input, weight, bias, stride, padding, output_padding, groups, dilation):
    if isinstance(padding, str):
        raise RuntimeError("%s: padding must be an int or a tuple of ints, not '%s'" % (name, padding))
    n, s, p, d = _conv_checks(name, input, weight, bias, stride, padding, dilation, groups, True)
    if not input.dtype.is_floating_point and input.dtype != _core.int64:
        raise NotImplementedError("\"slow_conv_transpose%dd_out_cpu\" not implemented for '%s'"
                                  % (3 if n == 3 else 2, _scalar_name(input)))
    op = _tuple(output_padding, n, "output_padding")
    for i in range(n):
        if op[i] >= s[i] and op[i] >= d[i]:
            if n == 2:
                raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                                   "output_padding_height: %d output_padding_width: %d stride_height: %d "
                                   "stride_width: %d dilation_height: %d dilation_width: %d"
                                   % (op + s + d))
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               "output_padding=%s, stride=%s, dilation=%s" % (op, s, d))
    x, added = _batched(input, n)
    k = tuple(weight.shape[2:])
    batch, in_channels = x.shape[0], x.shape[1]
    out_channels = weight.shape[1] * groups
    spatial = list(x.shape[2:])
    out_spatial = [(spatial[i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1 for i in range(n)]
    if min(out_spatial) <= 0:
        raise RuntimeError("Given input size per channel: %s. Calculated output size per channel: %s. Output size "
                           "is too small" % (_join_x(spatial), _join_x(out_spatial)))
    if batch == 0:
        out = _pt().zeros([0, out_channels] + out_spatial, dtype=x.dtype)
        return out.squeeze(0) if added else out
    if (x.dtype == _core.float32 or x.dtype == _core.float64) and all(
            (out_spatial[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 == spatial[i] for i in range(n)):
        # The input gradient of the convolution from out_spatial to spatial (always, but
        # where an output padding of at least the stride leaves rows no block reads).
        out = _core._conv_transpose(x, weight, bias, list(s), list(p), out_spatial, list(d), groups)
        return out.squeeze(0) if added else out
    blocks = 1
    for v in spatial:
        blocks *= v
    ck = weight.shape[1]
    for v in k:
        ck *= v
    xg = x.reshape(batch, groups, in_channels // groups, blocks)
    wg = weight.reshape(groups, in_channels // groups, ck).transpose(1, 2)  # (g, O/g*K, C/g)
    cols = wg.matmul(xg).reshape(batch, groups * ck, blocks)
    # Fold without padding into everything the blocks cover, then take the output's window:
    # the padding crops both ends, the output padding reaches that many rows further (zeros
    # where no block reaches).
    full = [(spatial[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 for i in range(n)]
    out = _core._col2im(cols, full, list(k), list(d), [0] * n, list(s))
    pads = []
    for i in reversed(range(n)):
        keep = min(out_spatial[i], full[i] - p[i])
        out = out.narrow(2 + i, p[i], keep)
        pads += [0, out_spatial[i] - keep]
    if any(pads):
        from . import functional as F
        out = F.pad(out, pads)
    if bias is not None:
        out = out + bias.reshape([out_channels] + [1] * n)
    return out.squeeze(0) if added else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transposend("conv_transpose1d", input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transposend("conv_transpose2d", input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transposend("conv_transpose3d", input, weight, bias, stride, padding, output_padding, groups, dilation)


# ---------------------------------------------------------------------------------- pooling
def _pool_geometry(input, n, kernel_size, stride, padding, dilation, ceil_mode, name):
    if input.dim() not in (n + 1, n + 2) or any(v == 0 for v in input.shape[-n:]):
        if n == 2:
            raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
        raise RuntimeError("%s: Expected %dD or %dD (batch mode) tensor with optional 0 dim batch size for input, "
                           "but got:%s" % (name, n + 1, n + 2, _shape(input)))
    k = _tuple(kernel_size, n, "kernel_size")
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else _tuple(stride, n, "stride")
    p = _tuple(padding, n, "padding")
    d = _tuple(dilation, n, "dilation")
    if min(k) <= 0:
        raise RuntimeError("kernel_size must be greater than zero, but got %s" % (k,))
    if min(s) <= 0:
        raise RuntimeError("stride should not be zero")
    if min(d) <= 0:
        if n == 2:
            raise RuntimeError("dilation should be greater than zero, but got dilationH: %d dilationW: %d" % d)
        raise RuntimeError("dilation should be greater than zero, but got dilation=%s" % (d,))
    for i in range(n):
        if p[i] < 0:
            raise RuntimeError("pad must be non-negative, but got pad: %d" % p[i])
        if p[i] > (d[i] * (k[i] - 1) + 1) // 2:
            raise RuntimeError("pad should be at most half of effective kernel size, but got pad=%d, kernel_size=%d "
                               "and dilation=%d" % (p[i], k[i], d[i]))
    spatial = list(input.shape[-n:])
    out = []
    for i in range(n):
        num = spatial[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1
        o = (-(-num // s[i]) if ceil_mode else num // s[i]) + 1
        if ceil_mode and (o - 1) * s[i] >= spatial[i] + p[i]:
            o -= 1  # the last window must start inside the input or its left padding
        out.append(o)
    if min(out) <= 0:
        channels = input.shape[-n - 1]
        raise RuntimeError("Given input size: (%s). Calculated output size: (%s). Output size is too small"
                           % ("x".join(str(v) for v in [channels] + spatial), "x".join(str(v) for v in [channels] + out)))
    return k, s, p, d, spatial, out


def _max_poolnd(n, name, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    k, s, p, d, spatial, out = _pool_geometry(input, n, kernel_size, stride, padding, dilation, ceil_mode, name)
    if n == 1:
        if not input.dtype.is_floating_point:
            raise NotImplementedError("\"max_pool1d_impl\" not implemented for '%s'" % _scalar_name(input))
        # PyTorch pools 1-d as 2-d over a height of one (SqueezeBackward1 over MaxPool2D...).
        values, idx = _core._max_pool(input.unsqueeze(-2), [1, k[0]], [1, s[0]], [0, p[0]], [1, d[0]], [1, out[0]])
        values, idx = values.squeeze(-2), idx.squeeze(-2)
    else:
        values, idx = _core._max_pool(input, list(k), list(s), list(p), list(d), out)
    return (values, idx) if return_indices else values


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_poolnd(1, "max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_poolnd(2, "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_poolnd(3, "max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_poolnd(n, name, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    k, s, p, d, spatial, out = _pool_geometry(input, n, kernel_size, stride, padding, 1, ceil_mode, name)
    if n == 3 and any(spatial[i] < k[i] for i in range(3)):
        raise RuntimeError("input image (T: %d H: %d W: %d) smaller than kernel size (kT: %d kH: %d kW: %d)"
                           % (tuple(spatial) + tuple(k)))
    div = None if divisor_override is None else int(divisor_override)
    if n == 1:
        # As PyTorch: 1-d pools as 2-d over a height of one (SqueezeBackward1 over AvgPool2D...).
        result = _core._avg_pool(input.unsqueeze(-2), [1, k[0]], [1, s[0]], [0, p[0]], [1, out[0]],
                                 bool(count_include_pad), div)
        return result.squeeze(-2)
    return _core._avg_pool(input, list(k), list(s), list(p), out, bool(count_include_pad), div)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return _avg_poolnd(1, "avg_pool1d", input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_poolnd(2, "avg_pool2d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_poolnd(3, "avg_pool3d", input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def _adaptive_sizes(name, input, n, output_size):
    if input.dim() not in (n + 1, n + 2):
        sep = ": " if name.startswith("adaptive_max") else " "
        raise RuntimeError("%s(): Expected %dD or %dD tensor, but got%s%s" % (name, n + 1, n + 2, sep, _shape(input)))
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != n:
            raise RuntimeError("%s: internal error: output_size.size() must be %d" % (name, n))
        sizes = [input.shape[-n + i] if v is None else int(v) for i, v in enumerate(output_size)]
    else:
        sizes = [int(output_size)] * n
    for i in range(n):
        if input.shape[-n + i] == 0 and sizes[i] != 0:
            raise RuntimeError("%s(): Expected input to have non-zero size for non-batch dimensions, but input has "
                               "sizes %s with dimension %d being empty" % (name, _shape(input), input.dim() - n + i))
    return sizes


def _adaptive_windows(size, out):
    """PyTorch's adaptive windows along one dim: [floor(i*size/out), ceil((i+1)*size/out))."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def _along(x, dim, matrix):
    """Applies `matrix` (out, in) along `dim` of x."""
    return x.transpose(dim, -1).matmul(matrix.t()).transpose(dim, -1)


def _adaptive_avg_poolnd(n, name, input, output_size):
    pt = _pt()
    sizes = _adaptive_sizes(name, input, n, output_size)
    out = input
    for i in range(n):
        dim = input.dim() - n + i
        size = input.shape[dim]
        if sizes[i] == size:
            continue
        rows = []
        for lo, hi in _adaptive_windows(size, sizes[i]):
            rows.append([1.0 / (hi - lo) if lo <= j < hi else 0.0 for j in range(size)])
        matrix = pt.tensor(rows, dtype=input.dtype) if rows else pt.zeros(0, size, dtype=input.dtype)
        out = _along(out, dim, matrix)
    return out if out is not input else input.clone()


def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg_poolnd(1, "adaptive_avg_pool1d", input, output_size)


def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg_poolnd(2, "adaptive_avg_pool2d", input, output_size)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg_poolnd(3, "adaptive_avg_pool3d", input, output_size)


def _adaptive_max_poolnd(n, name, input, output_size, return_indices):
    pt = _pt()
    sizes = _adaptive_sizes(name, input, n, output_size)
    x, added = _batched(input, n)
    spatial = list(x.shape[2:])
    # Gather each dim's windows, padded to the longest by repeating a window's last index
    # (a repeat never changes a max, nor which index comes first).
    tables = []
    g = x
    for i in range(n):
        wins = _adaptive_windows(spatial[i], sizes[i])
        width = max([hi - lo for lo, hi in wins] or [1])
        table = [[min(lo + j, hi - 1) for j in range(width)] for lo, hi in wins]
        tables.append(table)
        g = g.index_select(2 + i, pt.tensor([v for row in table for v in row], dtype=pt.int64))
    batch, channels = x.shape[0], x.shape[1]
    widths = [len(t[0]) if t else 1 for t in tables]
    shape = [batch, channels]
    for i in range(n):
        shape += [sizes[i], widths[i]]
    g = g.reshape(shape)
    perm = [0, 1] + [2 + 2 * i for i in range(n)] + [3 + 2 * i for i in range(n)]
    K = 1
    for w in widths:
        K *= w
    g = g.permute(perm).reshape([batch, channels] + sizes + [K])
    values, where = g.max(-1)
    values = values.squeeze(0) if added else values
    if not return_indices:
        return values
    flat = None
    for i in range(n):
        stride = 1
        for v in spatial[i + 1:]:
            stride *= v
        shape = [1] * (2 * n)
        shape[i], shape[n + i] = sizes[i], widths[i]
        t = (pt.tensor(tables[i], dtype=pt.int64) * stride).reshape(shape)
        flat = t if flat is None else flat + t
    L = 1
    for v in sizes:
        L *= v
    table = flat.reshape([1, 1] + sizes + [K]).expand([batch, channels] + sizes + [K])
    idx = table.gather(-1, where.unsqueeze(-1)).squeeze(-1)
    return values, (idx.squeeze(0) if added else idx)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max_poolnd(1, "adaptive_max_pool1d", input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max_poolnd(2, "adaptive_max_pool2d", input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max_poolnd(3, "adaptive_max_pool3d", input, output_size, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_poolnd(1, "max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_poolnd(2, "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_poolnd(3, "max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max_poolnd(1, "adaptive_max_pool1d", input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max_poolnd(2, "adaptive_max_pool2d", input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max_poolnd(3, "adaptive_max_pool3d", input, output_size, True)


# ---------------------------------------------------------------------------------- max_unpool
def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    n = len(kernel_size)
    default = [(input.shape[-n + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d] for d in range(n)]
    if output_size is None:
        ret = default
    else:
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError("output_size should be a sequence containing %d or %d elements, but it has a length of "
                             "'%d'" % (n, n + 2, len(output_size)))
        for d in range(n):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not (lo < output_size[d] < hi):
                raise ValueError('invalid output_size "%s" (dim %d must be between %d and %d)'
                                 % (output_size, d, lo, hi))
        ret = output_size
    for d in range(n):
        if ret[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             "output_size[%d]=%d" % (d, ret[d]))
    return [int(v) for v in ret]


def _max_unpool(n, input, indices, output_size, stride=None):
    """The native max_unpooling{2,3}d: ``input``'s values scattered, per channel, to the flat
    positions ``indices`` of an output of spatial size ``output_size`` (zeros elsewhere);
    MaxUnpool2DBackward0 / MaxUnpool3DBackward0, whose gradient gathers at ``indices``."""
    if indices.dtype != _core.int64:
        raise RuntimeError("elements in indices should be type int64 but got: %s" % _scalar_name(indices))
    if n == 2 and input.dim() not in (3, 4):
        raise RuntimeError("Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with %d dimensions."
                           % input.dim())
    if n == 3 and input.dim() not in (4, 5):
        raise RuntimeError("Input to max_unpooling3d should be a 4d or 5d Tensor, but got a tensor with %d dimensions."
                           % input.dim())
    if list(input.shape) != list(indices.shape):
        raise RuntimeError("Expected shape of indices to be same as that of the input tensor (%s) but got indices "
                           "tensor with shape: %s" % (_shape(input), _shape(indices)))
    for i in range(1, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError("max_unpooling%dd_forward_out_cpu(): Expected input to have non-zero size for non-batch "
                               "dimensions, but input has sizes %s with dimension %d being empty"
                               % (n, _shape(input), i))
    if stride is not None and min(stride) <= 0:
        raise RuntimeError("strides should be greater than zero, but got stride: %s" % list(stride))
    lead = list(input.shape[:-n])  # (N, C) or (C,): the unpooled planes
    planes = 1
    for v in lead:
        planes *= v
    size = 1
    for v in output_size:
        size *= v
    flat_idx = indices.reshape([planes, indices.numel() // planes if planes else 0])
    if flat_idx.numel():
        bad = _core.where_(flat_idx < 0, True, flat_idx >= size).reshape(-1)
        if bool(bad.any()):
            # PyTorch reports the last of a plane (of several planes, whichever its threads
            # wrote last): here the last.
            wrong = flat_idx.reshape(-1)[bad.nonzero().reshape(-1)]
            raise RuntimeError("Found an invalid max index: %d (output volumes are of size %s)"
                               % (int(wrong[-1].item()), "x".join(str(v) for v in output_size)))
    out_shape = lead + list(output_size)
    in_shape = list(input.shape)

    def forward():
        out = _core.full([planes, size], 0.0, input.dtype, False)
        return out.scatter(1, flat_idx, input.reshape(flat_idx.shape)).reshape(out_shape)

    def backward(g, needs):
        return (g.reshape([planes, size]).gather(1, flat_idx).reshape(in_shape),)

    return _fused_node("MaxUnpool%dDBackward0" % n, [input], forward, backward)


def _fused_node(name, edges, forward, backward):
    from . import _fused
    return _fused.fused(name, edges, [], forward, backward)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _tuple(kernel_size, 1)
    s = _tuple(stride, 1) if stride is not None else k
    p = _tuple(padding, 1)
    size = _unpool_output_size(input, k, s, p, output_size)
    # As PyTorch: a 2-d unpooling over a width of one.
    return _max_unpool(2, input.unsqueeze(-1), indices.unsqueeze(-1), size + [1]).squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _tuple(kernel_size, 2)
    s = _tuple(stride, 2) if stride is not None else k
    p = _tuple(padding, 2)
    return _max_unpool(2, input, indices, _unpool_output_size(input, k, s, p, output_size))


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _tuple(kernel_size, 3)
    s = _tuple(stride, 3) if stride is not None else k
    p = _tuple(padding, 3)
    return _max_unpool(3, input, indices, _unpool_output_size(input, k, s, p, output_size), s)


# ---------------------------------------------------------------------------------- lp_pool
def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


def _lp_pool(n, input, norm_type, kernel_size, stride, ceil_mode):
    from . import functional as F
    if isinstance(norm_type, (int, float)):
        if norm_type == 0:
            raise ValueError("norm_type must be a non-zero value, but got %s" % (norm_type,))
        if norm_type in (float("inf"), -float("inf")):
            pool = (max_pool1d, max_pool2d, max_pool3d)[n - 1]
            if norm_type > 0:
                return pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
            return -pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    k = _tuple(kernel_size, n)
    kk = 1
    for v in k:
        kk *= v
    pooled = _avg_poolnd(n, "lp_pool%dd" % n, input.pow(norm_type), k, stride, 0, ceil_mode, True, None)
    return (pooled.sign() * F.relu(pooled.abs())).mul(kk).pow(1.0 / norm_type)


# ---------------------------------------------------------------------------------- interpolate
_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    pt = _pt()
    n = input.dim() - 2
    if mode not in _MODES:
        raise NotImplementedError("Input Error: Only 3D, 4D and 5D input Tensors supported (got %dD) for the modes: "
                                  "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
                                  "(got %s)" % (input.dim(), mode))
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if n < 1 or n > 3:
        raise NotImplementedError("Input Error: Only 3D, 4D and 5D input Tensors supported (got %dD) for the modes: "
                                  "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
                                  "(got %s)" % (input.dim(), mode))
    if mode in _LINEAR and _LINEAR[mode] != n:
        raise NotImplementedError("Got %dD input, but %s mode needs %dD input" % (input.dim(), mode, _LINEAR[mode] + 2))
    if mode == "bicubic" or antialias:
        raise NotImplementedError("interpolate: mode='bicubic' and antialias=True are not implemented in pyrustgrad yet")
    spatial = list(input.shape[2:])
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != n:
                raise ValueError("Input and output must have the same number of spatial dimensions, but got input "
                                 "with spatial dimensions of %s and output size of %s. Please provide input tensor in "
                                 "(N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."
                                 % (spatial, list(size)))
            out = [int(v) for v in size]
        else:
            out = [int(size)] * n
        scales = [None] * n
    else:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != n:
                raise ValueError("Input and scale_factor must have the same number of spatial dimensions, but got "
                                 "input with spatial dimensions of %s and scale_factor of shape %s. Please provide "
                                 "input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) "
                                 "format." % (spatial, list(scale_factor)))
            factors = [float(v) for v in scale_factor]
        else:
            factors = [float(scale_factor)] * n
        out = [int(math.floor(spatial[i] * factors[i])) for i in range(n)]
        scales = [None] * n if recompute_scale_factor else factors
    if mode == "area":
        return _adaptive_avg_poolnd(n, "adaptive_avg_pool%dd" % n, input, out)
    result = input
    for i in range(n):
        dim = 2 + i
        src, dst = spatial[i], out[i]
        # PyTorch's scale: 1/scale_factor where one was given (and not recomputed), else in/out.
        scale = (1.0 / scales[i]) if scales[i] else (src / dst if dst else 0.0)
        if mode in ("nearest", "nearest-exact"):
            off = 0.5 if mode == "nearest-exact" else 0.0
            index = [min(int(math.floor((j + off) * scale)), src - 1) for j in range(dst)]
            result = result.index_select(dim, pt.tensor(index, dtype=pt.int64))
            continue
        rows = []
        for j in range(dst):
            if align_corners:
                pos = j * (src - 1) / (dst - 1) if dst > 1 else 0.0
            else:
                pos = max((j + 0.5) * scale - 0.5, 0.0)
            i0 = min(int(math.floor(pos)), src - 1)
            i1 = min(i0 + 1, src - 1)
            lam = pos - i0
            row = [0.0] * src
            row[i0] += 1.0 - lam
            row[i1] += lam
            rows.append(row)
        matrix = pt.tensor(rows, dtype=input.dtype) if rows else pt.zeros(0, src, dtype=input.dtype)
        result = _along(result, dim, matrix)
    return result


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor):
    r = int(upscale_factor)
    c, h, w = input.shape[-3:]
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           "upscale_factor, but input.size(-3)=%d is not divisible by %d" % (c, r * r))
    lead = list(input.shape[:-3])
    x = input.reshape(lead + [c // (r * r), r, r, h, w])
    k = len(lead)
    x = x.permute(list(range(k)) + [k, k + 3, k + 1, k + 4, k + 2])
    return x.reshape(lead + [c // (r * r), h * r, w * r])


def pixel_unshuffle(input, downscale_factor):
    r = int(downscale_factor)
    c, h, w = input.shape[-3:]
    if h % r or w % r:
        raise RuntimeError("pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=%d "
                           "is not divisible by %d" % (h, r) if h % r else
                           "pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=%d "
                           "is not divisible by %d" % (w, r))
    lead = list(input.shape[:-3])
    x = input.reshape(lead + [c, h // r, r, w // r, r])
    k = len(lead)
    x = x.permute(list(range(k)) + [k, k + 2, k + 4, k + 1, k + 3])
    return x.reshape(lead + [c * r * r, h // r, w // r])
