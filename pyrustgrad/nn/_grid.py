"""``F.affine_grid`` and ``F.grid_sample`` (4-D input, bilinear and nearest), as PyTorch's.

``affine_grid`` is one ``AffineGridGeneratorBackward0`` node (base grid times theta, a
formula differentiable again). ``grid_sample`` is built from tensor ops: coordinates
unnormalised and padded (zeros / border / reflection) with differentiable ops, the corner
values gathered from the flattened input; its gradients to the input and to the grid come
from those ops, shown as PyTorch's one ``GridSampler2DBackward0`` node (``_fused.composite``;
nearest: a formula node whose grid gradient is zero). It must never detach what the
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


def _source_index(coord, size, padding_mode, align_corners):
    x = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        x = _clip(x, size)
    elif padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        x = _clip(x, size)
    return x


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    pt = _pt()
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but "
                         "got: '%s'" % mode)
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         "'reflection', but got: '%s'" % padding_mode)
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if mode == "bicubic":
        raise NotImplementedError("nn.functional.grid_sample with mode='bicubic' is not implemented in pyrustgrad yet")
    if input.dim() == 5:
        raise NotImplementedError("nn.functional.grid_sample on 5-D input is not implemented in pyrustgrad yet")
    if input.dim() != 4 or grid.dim() != 4:
        raise RuntimeError("grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           "got input with sizes %s and grid with sizes %s" % (list(input.shape), list(grid.shape)))
    if input.dtype != grid.dtype:
        raise RuntimeError("grid_sampler(): expected input and grid to have same dtype, but input has %s and grid "
                           "has %s" % (_dtype_name(input), _dtype_name(grid)))
    n, c, h, w = input.shape
    if grid.shape[0] != n:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input with "
                           "sizes %s and grid with sizes %s" % (list(input.shape), list(grid.shape)))
    if grid.shape[3] != 2:
        raise RuntimeError("grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes "
                           "%s" % list(grid.shape))
    ho, wo = grid.shape[1], grid.shape[2]

    def positions(xi, yi):
        """Flat indices (n, c, ho * wo) of integer positions (xi, yi) and where they are inside."""
        with _NoGrad():
            inside = (xi >= 0) & (xi <= w - 1) & (yi >= 0) & (yi <= h - 1)
            idx = (yi.clamp(0, h - 1) * w + xi.clamp(0, w - 1)).to(_core.int64)
            return idx.reshape(n, 1, ho * wo).expand(n, c, ho * wo), inside.unsqueeze(1)

    if mode == "nearest":
        return _nearest(input, grid, padding_mode, align_corners, positions)
    return _fused.composite("GridSampler2DBackward0", [input, grid],
                            lambda: _bilinear(input, grid, padding_mode, align_corners, positions))


def _bilinear(input, grid, padding_mode, align_corners, positions):
    pt = _pt()
    n, c, h, w = input.shape
    ho, wo = grid.shape[1], grid.shape[2]
    ix = _source_index(grid[..., 0], w, padding_mode, align_corners)  # (n, ho, wo)
    iy = _source_index(grid[..., 1], h, padding_mode, align_corners)
    flat = input.reshape(n, c, h * w)

    def corner(xi, yi):
        """The input values at integer positions (xi, yi) (n, c, ho, wo), and where inside."""
        idx, inside = positions(xi, yi)
        return flat.gather(2, idx).reshape(n, c, ho, wo), inside
    with _NoGrad():
        x0, y0 = ix.floor(), iy.floor()
        x1, y1 = x0 + 1, y0 + 1
    out = None
    zero = pt.zeros([], dtype=input.dtype)
    for xi, yi, wgt in ((x0, y0, (x1 - ix) * (y1 - iy)), (x1, y0, (ix - x0) * (y1 - iy)),
                        (x0, y1, (x1 - ix) * (iy - y0)), (x1, y1, (ix - x0) * (iy - y0))):
        vals, inside = corner(xi, yi)
        term = pt.where(inside, vals * wgt.unsqueeze(1), zero)
        out = term if out is None else out + term
    return out


def _nearest(input, grid, padding_mode, align_corners, positions):
    """Nearest sampling: one ``GridSampler2DBackward0`` node (as PyTorch's), whose gradient
    to the grid is zero and to the input the sampled gradients added back in place."""
    pt = _pt()
    n, c, h, w = input.shape
    with _NoGrad():
        xn = _source_index(grid[..., 0], w, padding_mode, align_corners).round()
        yn = _source_index(grid[..., 1], h, padding_mode, align_corners).round()
        idx, inside = positions(xn, yn)
    zero = pt.zeros([], dtype=input.dtype)
    grid_shape = list(grid.shape)

    def forward():
        vals = input.reshape(n, c, h * w).gather(2, idx).reshape(n, c, grid.shape[1], grid.shape[2])
        return pt.where(inside, vals, zero)

    def backward(g, needs):
        gi = None
        if needs[0]:
            src = pt.where(inside, g, zero).reshape(n, c, -1)
            gi = pt.zeros(n, c, h * w, dtype=g.dtype).scatter_add(2, idx, src).reshape(n, c, h, w)
        return (gi, pt.zeros(grid_shape, dtype=g.dtype) if needs[1] else None)

    return _fused.fused("GridSampler2DBackward0", [input, grid], [], forward, backward)


def _dtype_name(t):
    return {_core.float32: "Float", _core.float64: "Double"}.get(t.dtype, str(t.dtype))
