"""``F.fractional_max_pool2d`` / ``fractional_max_pool3d`` (and their ``_with_indices``
forms), Graham's fractional max pooling, as PyTorch's.

Each (sample, channel) plane has its own random numbers u (``_random_samples``, drawn by
``torch.rand(N, C, 2 or 3, dtype=input.dtype)`` when not given, so ``manual_seed`` gives
PyTorch's pools). Along a dim of input size n, output size m and pool size k the windows
start at int((i + u) * a) - int(u * a), a = (n - k) / (m - 1), for i < m - 1, and the last
at n - k; the arithmetic is done in the input's dtype (float32 rounding emulated for float32
input), as PyTorch's kernel does, so the starts are PyTorch's to the last bit. The 2-D pool
reads u[..., 0] for the width and u[..., 1] for the height; the 3-D pool u[..., 0], [1],
[2] for time, height, width. In each window the first largest value wins, a NaN always
(the last NaN of the window). The windows' starts are integer constants; the value is a
gather of the input at the winners' indices: one ``FractionalMaxPool2DBackward0`` node whose
backward (a scatter of the gradient, ``FractionalMaxPool2DBackwardBackward0`` under
create_graph) is linear, so gradients of every order hold. Must stay valid Python 3.6.
"""

import struct

from .. import _core
from . import _fused


def _pt():
    import pyrustgrad
    return pyrustgrad


def _f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


def _starts(u, n, m, k, single):
    """The window starts along one dim (PyTorch's interval formula, in the input's dtype)."""
    r = _f32 if single else float
    seq = [0] * m
    if m > 1:
        alpha = r(r(n - k) / r(m - 1))
        base = int(r(u * alpha))
        for i in range(m - 1):
            seq[i] = int(r(r(i + u) * alpha)) - base
    if m > 0:
        seq[m - 1] = n - k
    return seq


def _tuple(v, n):
    if isinstance(v, (list, tuple)):
        return tuple(v)
    return (v,) * n


_NAMES = {2: ("fractional_max_pool2d", "fractional_max_pool2d()", ("height", "width"), (1, 0), "Ints"),
          3: ("fractional_max_pool3d", "fractional_max_pool3d_out()", ("time", "height", "width"), (0, 1, 2),
              "three Ints")}


def _pool(input, kernel_size, output_size, output_ratio, _random_samples, nd):
    pt = _pt()
    fname, cname, dim_names, sample_of, ints = _NAMES[nd]
    if output_size is None and output_ratio is None:
        raise ValueError("%s requires specifying either an output_size or an output_ratio" % fname)
    if output_size is None:
        if nd == 2 and len(output_ratio) > 2:
            raise ValueError("fractional_max_pool2d requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = _tuple(output_ratio, nd)
        output_size = [int(input.size(d - nd) * ratio[d]) for d in range(nd)]
    if _random_samples is None:
        n_batch = 1 if input.dim() == nd + 1 else input.size(0)
        _random_samples = pt.rand(n_batch, input.size(-nd - 1), nd, dtype=input.dtype)
    kernel = _tuple(kernel_size, nd)
    if len(kernel) != nd:
        raise RuntimeError("%s: kernel_size must either be a single Int or tuple of %s" % (fname, ints))
    out = _tuple(output_size, nd)
    if len(out) != nd:
        raise RuntimeError("%s: output_size must either be a single Int or tuple of %s" % (fname, ints))
    kernel, out = [int(k) for k in kernel], [int(o) for o in out]
    if any(k <= 0 for k in kernel):
        raise RuntimeError("%s(): kernel size should be greater than zero, but got %s"
                           % (fname, "x".join(str(k) for k in kernel)))
    sizes = list(input.shape)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError("%s: Expected %dD or %dD tensor, but got: %s" % (cname, nd + 1, nd + 2, sizes))
    for d in range(1, input.dim()):
        if sizes[d] == 0:
            raise RuntimeError("%s: Expected input to have non-zero size for non-batch dimensions, but got%s with "
                               "dimension %d being empty." % (cname, sizes, d))
    spatial = sizes[-nd:]
    for d in range(nd):
        too_large = out[d] + kernel[d] - 1 >= spatial[d] if nd == 3 else out[d] + kernel[d] - 1 > spatial[d]
        if too_large:
            raise RuntimeError("%s: pool %s %d too large relative to input %s %d"
                               % (cname, dim_names[d], kernel[d], dim_names[d], spatial[d]))
    batched = input.dim() == nd + 2
    n, c = (sizes[0], sizes[1]) if batched else (1, sizes[0])
    if any(o < 0 for o in out):
        neg = [o for o in out if o < 0][0]
        raise RuntimeError("Trying to create tensor with negative dimension %d: %s"
                           % (neg, sizes[:-nd] + out))
    s = _random_samples
    if s.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if s.dim() != 3:
        raise RuntimeError("Expect _random_samples to have 3 dimensions, got %d" % s.dim())
    if s.shape[0] < n:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if s.shape[1] != c:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if s.shape[2] != nd:
        raise RuntimeError("Expect _random_samples.size(2) equals to %d; got %d." % (nd, s.shape[2]))
    x = input if batched else input.unsqueeze(0)
    index = _winners(x.detach(), s.detach()[:n].tolist(), kernel, out, spatial, sample_of, n, c)
    if not batched:
        index = index.squeeze(0)
    value = _gather(input, index, n, c, spatial, out, nd)
    return value, index


def _winners(x, samples, kernel, out, spatial, sample_of, n, c):
    """The flat (per plane) index of each window's winner, shape (N, C, *out)."""
    pt = _pt()
    nd = len(kernel)
    single = x.dtype != _core.float64
    strides = [1] * nd
    for d in range(nd - 2, -1, -1):
        strides[d] = strides[d + 1] * spatial[d + 1]
    flat = None
    for d in range(nd):
        starts = [[_starts(samples[i][j][sample_of[d]], spatial[d], out[d], kernel[d], single) for j in range(c)]
                  for i in range(n)]
        st = pt.tensor(starts, dtype=_core.int64).reshape([n, c] + [1] * d + [out[d]] + [1] * (nd - 1 - d) + [1] * nd)
        off = pt.arange(kernel[d]).reshape([1] * (2 + nd) + [1] * d + [kernel[d]] + [1] * (nd - 1 - d))
        term = (st + off) * strides[d]
        flat = term if flat is None else flat + term
    window = 1
    for k in kernel:
        window *= k
    flat = flat.expand([n, c] + out + kernel).reshape([n, c] + out + [window])
    plane = 1
    for v in spatial:
        plane *= v
    if flat.numel() == 0:
        return pt.zeros([n, c] + out, dtype=_core.int64)
    vals = x.reshape(n, c, plane).gather(2, flat.reshape(n, c, -1)).reshape(flat.shape)
    nan = vals.isnan()
    pick = vals.argmax(-1)
    if bool(nan.any()):
        last_nan = (nan.to(_core.int64) * pt.arange(1, window + 1)).argmax(-1)
        pick = pt.where(nan.any(-1), last_nan, pick)
    return flat.gather(-1, pick.unsqueeze(-1)).squeeze(-1)


def _gather(input, index, n, c, spatial, out, nd):
    """The input's values at the winners (one named node; its backward scatters the
    gradient), the input batched or not."""
    pt = _pt()
    plane = 1
    for v in spatial:
        plane *= v
    cells = 1
    for v in out:
        cells *= v
    shape = list(input.shape)
    flat_index = index.reshape(n, c, cells)

    def take(t):
        return t.reshape(n, c, plane).gather(2, flat_index).reshape(index.shape)

    def scatter(g):
        # the gradient of the pool: g added at the winners (the same index may win twice)
        def fwd():
            return pt.zeros([n, c, plane], dtype=g.dtype).scatter_add(2, flat_index, g.reshape(n, c, cells)) \
                .reshape(shape)
        # edges to the gradient and to the input, as PyTorch's node (the input's part is zero)
        return _fused.fused("FractionalMaxPool%dDBackwardBackward0" % nd, [g, input], [], fwd,
                            lambda gg, needs: (take(gg) if needs[0] else None,
                                               pt.zeros_like(input) if needs[1] else None))

    return _fused.fused("FractionalMaxPool%dDBackward0" % nd, [input], [], lambda: take(input),
                        lambda g, needs: (scatter(g),))


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                                       _random_samples=None):
    return _pool(input, kernel_size, output_size, output_ratio, _random_samples, 2)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                                       _random_samples=None):
    return _pool(input, kernel_size, output_size, output_ratio, _random_samples, 3)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    res = _pool(input, kernel_size, output_size, output_ratio, _random_samples, 2)
    return res if return_indices else res[0]


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    res = _pool(input, kernel_size, output_size, output_ratio, _random_samples, 3)
    return res if return_indices else res[0]
