"""``nn.init``: PyTorch's weight initialisations (same distributions, fan rules and gains;
the random numbers come from pyrustgrad's generator, not PyTorch's stream).
Must stay valid Python 3.6."""

import math
import warnings

from .. import no_grad as _no_grad


def calculate_gain(nonlinearity, param=None):
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError("negative_slope %s not a valid number" % param)
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError("Unsupported nonlinearity %s" % nonlinearity)


def _calculate_fan_in_and_fan_out(tensor):
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    num_input_fmaps = tensor.size(1)
    num_output_fmaps = tensor.size(0)
    receptive_field_size = 1
    for s in tensor.shape[2:]:
        receptive_field_size *= s
    return num_input_fmaps * receptive_field_size, num_output_fmaps * receptive_field_size


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid = ["fan_in", "fan_out"]
    if mode not in valid:
        raise ValueError("Mode %s not supported, please use one of %s" % (mode, valid))
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    with _no_grad():
        return tensor.uniform_(a, b)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    with _no_grad():
        return tensor.normal_(mean, std)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """N(mean, std^2) restricted to [a, b] (by rejection; PyTorch uses the inverse CDF)."""
    import pyrustgrad
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may "
                      "be incorrect.", stacklevel=2)
    with _no_grad():
        n = tensor.numel()
        flat = pyrustgrad.empty(0, dtype=tensor.dtype)
        got = []
        count = 0
        while count < n:
            draw = pyrustgrad.randn(max(2 * (n - count), 16), dtype=tensor.dtype) * std + mean
            keep = draw[(draw >= a) & (draw <= b)]
            got.append(keep)
            count += keep.numel()
        flat = pyrustgrad.cat(got)[:n] if got else flat
        tensor.copy_(flat.reshape(tensor.shape))
    return tensor


def constant_(tensor, val):
    with _no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    with _no_grad():
        return tensor.zero_()


def eye_(tensor):
    import pyrustgrad
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with _no_grad():
        tensor.copy_(pyrustgrad.eye(tensor.size(0), tensor.size(1), dtype=tensor.dtype))
    return tensor


def dirac_(tensor, groups=1):
    dimensions = tensor.dim()
    if dimensions not in [3, 4, 5]:
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.size()
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_grp = sizes[0] // groups
    min_dim = min(out_chans_per_grp, sizes[1])
    with _no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min_dim):
                idx = (g * out_chans_per_grp + d, d) + tuple(s // 2 for s in sizes[2:])
                tensor[idx] = 1
    return tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    return normal_(tensor, 0.0, std)


def _householder_q(rows, cols, data):
    """Q (rows x cols, orthonormal columns) and the signs of R's diagonal from a Householder
    QR of the rows x cols matrix ``data`` (lists, rows >= cols)."""
    a = [list(r) for r in data]
    m, n = rows, cols
    vs = []
    for k in range(n):
        x = [a[i][k] for i in range(k, m)]
        norm = math.sqrt(sum(v * v for v in x))
        if norm == 0.0:
            vs.append(None)
            continue
        alpha = -norm if x[0] >= 0 else norm
        v = list(x)
        v[0] -= alpha
        vn = math.sqrt(sum(t * t for t in v))
        v = [t / vn for t in v]
        vs.append(v)
        for j in range(k, n):
            dot = sum(v[i - k] * a[i][j] for i in range(k, m))
            for i in range(k, m):
                a[i][j] -= 2 * v[i - k] * dot
    diag_sign = [1.0 if a[k][k] >= 0 else -1.0 for k in range(n)]
    q = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(m)]
    for k in reversed(range(n)):
        v = vs[k]
        if v is None:
            continue
        for j in range(n):
            dot = sum(v[i - k] * q[i][j] for i in range(k, m))
            for i in range(k, m):
                q[i][j] -= 2 * v[i - k] * dot
    return q, diag_sign


def orthogonal_(tensor, gain=1, generator=None):
    import pyrustgrad
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flat = pyrustgrad.randn(rows, cols, dtype=pyrustgrad.float64)
    if rows < cols:
        flat = flat.t()
    m, n = flat.shape
    q, d = _householder_q(m, n, flat.tolist())
    q = pyrustgrad.tensor(q, dtype=pyrustgrad.float64) * pyrustgrad.tensor(d, dtype=pyrustgrad.float64)
    if rows < cols:
        q = q.t()
    with _no_grad():
        tensor.copy_((q * gain).reshape(tensor.shape).to(tensor.dtype))
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    import pyrustgrad
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(sparsity * rows))
    with _no_grad():
        tensor.normal_(0, std)
        for col_idx in range(cols):
            perm = pyrustgrad.randperm(rows) if hasattr(pyrustgrad, "randperm") else pyrustgrad.rand(rows).argsort()
            for r in perm[:num_zeros].tolist():
                tensor[r, col_idx] = 0
    return tensor


# PyTorch's deprecated names without the trailing underscore.
def _deprecated(new):
    def old(*args, **kwargs):
        warnings.warn("nn.init.%s is now deprecated in favor of nn.init.%s." % (new.__name__[:-1], new.__name__),
                      FutureWarning, stacklevel=2)
        return new(*args, **kwargs)
    old.__name__ = new.__name__[:-1]
    return old


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
