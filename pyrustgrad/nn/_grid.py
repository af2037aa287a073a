"""``F.affine_grid`` and ``F.grid_sample`` (4-D input: bilinear, nearest, bicubic; 5-D input:
trilinear and nearest), as PyTorch's.

``affine_grid`` is one ``AffineGridGeneratorBackward0`` node (base grid times theta, a
formula differentiable again). ``grid_sample`` is built from tensor ops: coordinates
unnormalised and padded (zeros / border / reflection) with differentiable ops, the corner
values gathered from the flattened input; its gradients to the input and to the grid come
from those ops, shown as PyTorch's one ``GridSampler2DBackward0`` / ``GridSampler3DBackward0``
node (``_fused.composite``; nearest: a formula node whose grid gradient is zero). Bicubic
weighs 4 x 4 taps by Keys' cubic kernel (A = -0.75), each tap's integer position padded. It must never detach what the
gradient needs: only the integer corner positions are constants.
Must stay valid Python 3.6.
"""

import warnings

from .. import _core
from . import _fused
from .._ops import _NoGrad

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def _pt():
    import pyrustgrad
    return pyrustgrad


def _linspace(n, align_corners, dtype):
    """The normalised pixel centres along one dim: [-1, 1] (align_corners) or shrunk by
    (n - 1) / n; a single pixel sits at 0."""
    pt = _pt()
    if n <= 1:
        return pt.zeros(max(n, 0), dtype=dtype)
    base = pt.linspace(-1.0, 1.0, n, dtype=dtype)
    return base if align_corners else base * ((n - 1) / float(n))


def affine_grid(theta, size, align_corners=None):
    pt = _pt()
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError("Expected theta to have floating point type, but got %s" % theta.dtype)
    given, size = size, list(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError("Expected a batch of 2D affine matrices of shape Nx2x3 for size %s. Got %s."
                             % (given, theta.shape))
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError("Expected a batch of 3D affine matrices of shape Nx3x4 for size %s. Got %s."
                             % (given, theta.shape))
        spatial = size[-3:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  "respectively. Got size %s." % (given,))
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError("Expected non-zero, positive output size. Got %s" % (given,))
    n = size[0]
    if theta.shape[0] != n:
        raise RuntimeError("affine_grid: theta batch (%d) does not match size[0] (%d)" % (theta.shape[0], n))
    # The base grid (points, k + 1): x varies fastest, then y (then z), a 1 column last.
    axes = [_linspace(s, align_corners, theta.dtype) for s in reversed(spatial)]  # x, y(, z)
    cols = []
    for i, ax in enumerate(axes):
        shape = [1] * len(spatial)
        shape[len(spatial) - 1 - i] = ax.shape[0]
        cols.append(ax.reshape(shape).expand(spatial))
    cols.append(pt.ones(spatial, dtype=theta.dtype))
    base = pt.stack(cols, -1).reshape(-1, len(spatial) + 1)
    out_shape = [n] + spatial + [len(spatial)]

    def forward():
        return base.matmul(theta.transpose(1, 2)).reshape(out_shape)

    def backward(g, needs):
        return (g.reshape(n, -1, len(spatial)).transpose(1, 2).matmul(base),)

    return _fused.fused("AffineGridGeneratorBackward0", [theta], [], forward, backward)


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) * ((size - 1) / 2.0)
    return ((coord + 1) * size - 1) / 2.0


def _clip(coord, size):
    """Clamps to [0, size - 1]; the gradient is 0 outside and on the bounds, as PyTorch's."""
    pt = _pt()
    hi = float(size - 1)
    inside = (coord > 0) & (coord < hi)
    with _NoGrad():
        clamped = coord.clamp(0.0, hi)
    return pt.where(inside, coord, clamped)


def _reflect(coord, twice_low, twice_high):
    pt = _pt()
    if twice_low == twice_high:
        return coord * 0.0
    lo = twice_low / 2.0
    span = (twice_high - twice_low) / 2.0
    d = coord - lo
    with _NoGrad():
        sign = pt.where(d < 0, pt.full([], -1.0, dtype=d.dtype), pt.full([], 1.0, dtype=d.dtype))
    d = d * sign
    with _NoGrad():
        flips = (d / span).floor()
        even = flips.remainder(2) == 0
        base = flips * span
    extra = d - base  # fmod(d, span), differentiable in d
    return pt.where(even, extra + lo, (span + lo) - extra)


def _pad(x, size, padding_mode, align_corners):
    """An unnormalised coordinate moved inside by the padding mode (zeros: unchanged)."""
    if padding_mode == "border":
        x = _clip(x, size)
    elif padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        x = _clip(x, size)
    return x


def _source_index(coord, size, padding_mode, align_corners):
    return _pad(_unnormalize(coord, size, align_corners), size, padding_mode, align_corners)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         "got: '%s'" % mode)
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         "'reflection', but got: '%s'" % padding_mode)
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    k = input.dim() - 2
    if grid.shape[-1] != k:
        raise RuntimeError("grid_sampler(): expected grid to have size %d in last dimension, but got grid with sizes "
                           "%s" % (k, list(grid.shape)))
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input with "
                           "sizes %s and grid with sizes %s" % (list(input.shape), list(grid.shape)))
    for d in range(2, input.dim()):
        if input.shape[d] == 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               "sizes %s with dimension %d being empty" % (list(input.shape), d))
    if input.dim() not in (4, 5):
        raise RuntimeError("grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           "got input with sizes %s and grid with sizes %s" % (list(input.shape), list(grid.shape)))
    if grid.dim() != input.dim():
        raise RuntimeError("grid_sampler(): expected %dD input and grid with same number of dimensions, but got "
                           "input with sizes %s and grid with sizes %s" % (input.dim(), list(input.shape),
                                                                            list(grid.shape)))
    if input.dtype != grid.dtype:
        raise RuntimeError("expected scalar type %s but found %s" % (_dtype_name(input), _dtype_name(grid)))
    if mode == "bicubic" and k == 3:
        # PyTorch 2.15 returns unspecified values here; a clear error instead.
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    n, c = input.shape[0], input.shape[1]
    sizes = list(reversed(list(input.shape[2:])))  # W, H(, D): the order of the grid's last dim
    out_sp = list(grid.shape[1:-1])
    points = 1
    for s_ in out_sp:
        points *= s_

    def positions(ints):
        """Flat indices (n, c, points) of integer positions (x, y(, z)) and where they are inside."""
        with _NoGrad():
            inside = None
            flat = None
            for q, size in reversed(list(zip(ints, sizes))):  # z (or y) first: row-major
                ok = (q >= 0) & (q <= size - 1)
                inside = ok if inside is None else inside & ok
                q = q.clamp(0, size - 1)
                flat = q if flat is None else flat * size + q
            idx = flat.to(_core.int64).reshape(n, 1, points).expand(n, c, points)
            return idx, inside.unsqueeze(1)

    name = "GridSampler%dDBackward0" % k
    if mode == "nearest":
        return _nearest(input, grid, padding_mode, align_corners, positions, sizes, name)
    body = _bicubic if mode == "bicubic" else _linear
    return _fused.composite(name, [input, grid],
                            lambda input, grid: body(input, grid, padding_mode, align_corners, positions, sizes))


def _gatherer(input, grid, positions):
    n, c = input.shape[0], input.shape[1]
    out_shape = [n, c] + list(grid.shape[1:-1])
    flat = input.reshape(n, c, -1)

    def values(ints):
        """The input values at integer positions (n, c, *out), and where they are inside."""
        idx, inside = positions(ints)
        return flat.gather(2, idx).reshape(out_shape), inside
    return values


def _linear(input, grid, padding_mode, align_corners, positions, sizes):
    """Bilinear (4-D) or trilinear (5-D): the 2^k corners around each point."""
    pt = _pt()
    k = len(sizes)
    coords = [_source_index(grid[..., i], sizes[i], padding_mode, align_corners) for i in range(k)]
    values = _gatherer(input, grid, positions)
    with _NoGrad():
        lows = [q.floor() for q in coords]
    zero = pt.zeros([], dtype=input.dtype)
    out = None
    for corner in range(2 ** k):
        ints, wgt = [], None
        for i in range(k):
            up = (corner >> i) & 1
            ints.append(lows[i] + up)
            f = (coords[i] - lows[i]) if up else ((lows[i] + 1) - coords[i])
            wgt = f if wgt is None else wgt * f
        vals, inside = values(ints)
        term = pt.where(inside, vals * wgt.unsqueeze(1), zero)
        out = term if out is None else out + term
    return out


_A = -0.75  # PyTorch's cubic convolution constant


def _cubic_coefficients(t):
    """The weights of the four taps at -1, 0, 1, 2 for a fraction t (Keys' kernel, A = -0.75)."""
    def near(x):  # |x| <= 1
        return ((_A + 2) * x - (_A + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((_A * x - 5 * _A) * x + 8 * _A) * x - 4 * _A
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic(input, grid, padding_mode, align_corners, positions, sizes):
    """Bicubic (4-D only): 4 x 4 taps around the unnormalised point, each tap's integer
    position moved inside by the padding mode (zeros: taps outside read 0), as PyTorch's."""
    pt = _pt()
    w, h = sizes
    ix = _unnormalize(grid[..., 0], w, align_corners)
    iy = _unnormalize(grid[..., 1], h, align_corners)
    values = _gatherer(input, grid, positions)
    with _NoGrad():
        x0, y0 = ix.floor(), iy.floor()
    cx = _cubic_coefficients(ix - x0)
    cy = _cubic_coefficients(iy - y0)
    zero = pt.zeros([], dtype=input.dtype)
    out = None
    for j in range(4):
        row = None
        with _NoGrad():
            yj = _pad(y0 + (j - 1), h, padding_mode, align_corners)
        for i in range(4):
            with _NoGrad():
                xi = _pad(x0 + (i - 1), w, padding_mode, align_corners)
            vals, inside = values([xi, yj])
            term = pt.where(inside, vals * cx[i].unsqueeze(1), zero)
            row = term if row is None else row + term
        term = row * cy[j].unsqueeze(1)
        out = term if out is None else out + term
    return out


def _nearest(input, grid, padding_mode, align_corners, positions, sizes, name):
    """Nearest sampling: one ``GridSampler2DBackward0`` / ``3D`` node (as PyTorch's), whose
    gradient to the grid is zero and to the input the sampled gradients added back in place."""
    pt = _pt()
    n, c = input.shape[0], input.shape[1]
    in_shape = list(input.shape)
    spatial = 1
    for s_ in in_shape[2:]:
        spatial *= s_
    with _NoGrad():
        ints = [_source_index(grid[..., i], sizes[i], padding_mode, align_corners).round() for i in range(len(sizes))]
        idx, inside = positions(ints)
    zero = pt.zeros([], dtype=input.dtype)
    grid_shape = list(grid.shape)
    out_shape = [n, c] + grid_shape[1:-1]

    def forward():
        vals = input.reshape(n, c, -1).gather(2, idx).reshape(out_shape)
        return pt.where(inside, vals, zero)

    def backward(g, needs):
        gi = None
        if needs[0]:
            src = pt.where(inside, g, zero).reshape(n, c, -1)
            gi = pt.zeros(n, c, spatial, dtype=g.dtype) \
                .scatter_add(2, idx, src).reshape(in_shape)
        return (gi, pt.zeros(grid_shape, dtype=g.dtype) if needs[1] else None)

    return _fused.fused(name, [input, grid], [], forward, backward)


def _dtype_name(t):
    return {_core.float32: "Float", _core.float64: "Double"}.get(t.dtype, str(t.dtype))
