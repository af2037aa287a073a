"""``F.embedding_bag``, as PyTorch's: sums, means or maxima of bags of embedding rows.

The bags are found once from the indices and offsets (or the rows of a 2-D input): the kept
elements (inside a bag, not ``padding_idx``), their bag and their position in the input. The
value is computed without recording (index_add for sum/mean, a padded (bags, longest, dim)
buffer for max) and shown as PyTorch's one ``EmbeddingBagBackward0`` node with edges to the
weight and ``per_sample_weights``; its backward is written with differentiable tensor ops
over the saved weight and per-sample weights, so gradients of every order exist. Only the
integer bookkeeping (bags, positions, the arg-max rows, the counts) is constant.
It must never accept sparse=True silently: pyrustgrad has no sparse tensors.
Must stay valid Python 3.6.
"""

import warnings

from .. import _core
from . import _fused

_MODES = {"sum": 0, "mean": 1, "max": 2}
_INDEX_TYPES = (_core.int64, _core.int32)


def _pt():
    import pyrustgrad
    return pyrustgrad


def _check_indices(t):
    if t.dtype not in _INDEX_TYPES:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           "Long, Int; but got %s instead (while checking arguments for embedding_bag)" % t.type())


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    pt = _pt()
    if weight.dtype == _core.int64 and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and list(input.shape) != list(per_sample_weights.shape):
        raise ValueError("embedding_bag: If per_sample_weights (%s) is not None, then it must have the same shape "
                         "as the input (%s)" % (per_sample_weights.shape, input.shape))
    if weight.dim() != 2:
        raise ValueError("weight has to be a 2D Tensor, but got Tensor of dimension %d" % weight.dim())
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             "fixed length sequences. However, found offsets of type %s" % str(type(offsets)))
        if input.shape[1] == 0:
            raise RuntimeError("step must be nonzero")
        starts = list(range(0, input.numel(), input.shape[1]))
        offsets_dtype = input.dtype
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = None
    else:
        raise ValueError("input has to be 1D or 2D Tensor, but got Tensor of dimension %d" % input.dim())
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        from .functional import _embedding_renorm_
        _check_indices(input)
        with pt.no_grad():
            _embedding_renorm_(weight.detach(), input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  "supported for mode='sum' (got mode='%s'). Please open a feature request on "
                                  "GitHub." % mode)
    # What PyTorch's kernel checks.
    _check_indices(input)
    if starts is None:
        _check_indices(offsets)
        offsets_dtype = offsets.dtype
        starts = [int(o) for o in offsets.tolist()]
    if not weight.is_floating_point():
        raise RuntimeError("Expected tensor for argument #1 'weight' to have one of the following scalar types: "
                           "Half, BFloat16, Float, Double; but got %s instead (while checking arguments for "
                           "embedding_bag)" % weight.type())
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as tensor for argument "
                           "#1 'per_sample_weights'; but type %s does not equal %s (while checking arguments for "
                           "embedding_bag)" % (weight.type(), per_sample_weights.type()))
    if sparse:
        raise NotImplementedError("nn.functional.embedding_bag(sparse=True) is not implemented in pyrustgrad: it "
                                  "has no sparse tensors (use sparse=False)")
    num, dim = weight.shape
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise RuntimeError("padding_idx must be within the number of embeddings, %d through %d, but got %d"
                               % (-num, num - 1, padding_idx))
        if padding_idx < 0:
            padding_idx += num
    length = input.shape[0]
    if include_last_offset and len(starts) < 1:
        raise RuntimeError("include_last_offset: number of offset should be at least 1")
    if starts and starts[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           "position 0. However, got %d\n[ %s{} ]"
                           % (starts[0], "torch.IntTensor" if offsets_dtype == _core.int32 else "torch.LongTensor"))
    if starts and starts[-1] > length:
        raise RuntimeError("offsets[-1] can not be greater than input's length %d but got offsets[-1] of %d"
                           % (length, starts[-1]))
    idx = input.to(_core.int64)
    if length:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= num:
            raise RuntimeError("embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be %d"
                               % (lo if lo < 0 else hi))
    bags = len(starts) - 1 if include_last_offset else len(starts)
    # Bag of every element of the input (bags: past the last bag, or no bag at all).
    if length and starts:
        seg = pt.searchsorted(pt.tensor(starts, dtype=_core.int64), pt.arange(length), right=True) - 1
        seg = pt.where(seg < 0, pt.full([], bags, dtype=_core.int64), seg)
    else:
        seg = pt.full([length], bags, dtype=_core.int64)
    keep = seg < bags
    if padding_idx is not None:
        keep = keep & (idx != padding_idx)
    pos_k = pt.arange(length)[keep]
    seg_k = seg[keep]
    idx_k = idx[keep]
    k = pos_k.shape[0]
    count = pt.zeros(bags, dtype=_core.int64).index_add(0, seg_k, pt.ones(k, dtype=_core.int64))
    psw_shape = None if per_sample_weights is None else list(per_sample_weights.shape)
    scale = None  # the constant factor of each kept element's gradient (mean, scale_grad_by_freq)
    if mode == "mean":
        scale = 1.0 / count.clamp(min=1).to(weight.dtype)[seg_k]
    if scale_grad_by_freq:
        freq = pt.zeros(num, dtype=_core.int64).index_add(0, idx_k, pt.ones(k, dtype=_core.int64))
        f = 1.0 / freq.clamp(min=1).to(weight.dtype)[idx_k]
        scale = f if scale is None else scale * f
    argrow = None
    if mode == "max":
        longest = int(count.max()) if bags else 0
        with pt.no_grad():
            first = count.cumsum(0) - count
            slot = seg_k * longest + (pt.arange(k) - first[seg_k])
            table = pt.zeros(bags * longest, dtype=_core.int64)
            table[slot] = idx_k
            filled = pt.zeros(bags * longest, dtype=_core.bool)
            filled[slot] = True
            buf = weight.detach()[table].reshape(bags, longest, dim)
            buf = pt.where(filled.reshape(bags, longest, 1), buf,
                           pt.full([], float("-inf"), dtype=weight.dtype))
            if longest:
                arg = buf.max(1).indices  # first maximum, as PyTorch's kernel
                argrow = table.reshape(bags, longest).gather(1, arg)
            else:
                argrow = pt.zeros(bags, dim, dtype=_core.int64)
            nonempty = (count > 0).unsqueeze(1).expand(bags, dim).reshape(-1)
            target = (argrow * dim + pt.arange(dim)).reshape(-1)[nonempty]

    psw = per_sample_weights

    def forward():
        if mode == "max":
            return _gather_max(weight)
        rows = weight[idx_k]
        if psw is not None:
            rows = rows * psw.reshape(-1)[pos_k].unsqueeze(1)
        out = pt.zeros(bags, dim, dtype=weight.dtype).index_add(0, seg_k, rows)
        if mode == "mean":
            out = out / count.clamp(min=1).to(weight.dtype).unsqueeze(1)
        return out

    def _gather_max(w):
        vals = w.reshape(-1)[target]
        return pt.zeros(bags * dim, dtype=w.dtype).index_add(0, pt.arange(bags * dim)[nonempty], vals) \
            .reshape(bags, dim)

    def backward(g, needs, w, p):
        gw = gp = None
        if needs[0]:
            if mode == "max":
                gw = pt.zeros(num * dim, dtype=g.dtype).index_add(0, target, g.reshape(-1)[nonempty]) \
                    .reshape(num, dim)
            else:
                c = g[seg_k]
                if p is not None:
                    c = c * p.reshape(-1)[pos_k].unsqueeze(1)
                if scale is not None:
                    c = c * scale.unsqueeze(1)
                gw = pt.zeros(num, dim, dtype=g.dtype).index_add(0, idx_k, c)
        if p is not None and needs[1]:
            v = (g[seg_k] * w[idx_k]).sum(1)
            gp = pt.zeros(length, dtype=g.dtype).index_add(0, pos_k, v).reshape(psw_shape)
        return (gw, gp)

    edges = [weight, psw if psw is not None else pt.zeros([], dtype=weight.dtype)]
    return _fused.fused("EmbeddingBagBackward0", edges, [weight, psw], forward, backward)
