"""``F.ctc_loss``: the connectionist temporal classification loss, as PyTorch's.

The forward is the alpha recursion over the blank-extended targets in log space, batched
over sequences (a Python loop over time steps, tensor ops over the batch); its node is
PyTorch's ``CtcLossBackward0`` and its gradient PyTorch's alpha-beta formula,
``exp(lp) - exp(log(sum alpha beta) + nll - lp)`` (the gradient with respect to the logits
when ``log_probs`` come from ``log_softmax``, which is how PyTorch defines it). As in
PyTorch the gradient cannot be differentiated again. Must stay valid Python 3.6.
"""

from .. import _core
from . import _fused
from .._ops import _NoGrad

_NEG_INF = float("-inf")


def _pt():
    import pyrustgrad
    return pyrustgrad


def _lengths(v, name, n):
    """input_lengths / target_lengths as a list of ints (a tensor, a tuple or a list)."""
    if isinstance(v, _core._TensorBase):
        if v.is_floating_point():
            raise RuntimeError("%s must be integral" % name)
        vals = v.reshape(-1).tolist()
    elif isinstance(v, int):
        vals = [v]
    else:
        vals = [int(e) for e in v]
    if len(vals) != n:
        raise RuntimeError("Expected tensor to have size at least %d at dimension 0, but got size %d for argument "
                           "#%d '%s' (while checking arguments for ctc_loss_allocate_outputs)"
                           % (n, len(vals), 3 if name == "input_lengths" else 4, name))
    return vals


def _lse(*xs):
    """Elementwise log(sum(exp(x))) of same-shape tensors, -inf where all are -inf."""
    pt = _pt()
    m = xs[0]
    for x in xs[1:]:
        m = pt.maximum(m, x)
    safe = pt.where(m == _NEG_INF, pt.zeros_like(m), m)
    s = (xs[0] - safe).exp()
    for x in xs[1:]:
        s = s + (x - safe).exp()
    return s.log() + safe


def _shift(x, k):
    """x shifted right by k along the last dim, -inf filled (alpha from s - k)."""
    pt = _pt()
    pad = pt.full(list(x.shape[:-1]) + [k], _NEG_INF, dtype=x.dtype)
    return pt.cat([pad, x[..., :x.shape[-1] - k]], -1)


def _shift_left(x, k):
    pt = _pt()
    pad = pt.full(list(x.shape[:-1]) + [k], _NEG_INF, dtype=x.dtype)
    return pt.cat([x[..., k:], pad], -1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    pt = _pt()
    if reduction not in ("none", "mean", "sum"):
        raise ValueError("%s is not a valid value for reduction" % reduction)
    unbatched = log_probs.dim() == 2
    if log_probs.dim() not in (2, 3):
        raise RuntimeError("ctc_loss expects log_probs to be a 2-D (unbatched) or 3-D tensor, got %d-D"
                           % log_probs.dim())
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    T, N, C = lp.shape
    if unbatched and targets.dim() == 1:
        targets = targets.unsqueeze(0)
    if blank < 0 or blank >= C:
        raise RuntimeError("blank must be in label range")
    il = _lengths(input_lengths, "input_lengths", N)
    tl = _lengths(target_lengths, "target_lengths", N)
    if targets.is_floating_point():
        raise RuntimeError("ctc_loss(): targets must be integral")
    S = max(tl) if tl else 0
    # The targets as an (N, S) padded tensor, from either layout.
    if targets.dim() == 2:
        if targets.shape[1] < S:
            raise RuntimeError("Expected tensor to have size at least %d at dimension 1, but got size %d for "
                               "argument #2 'targets' (while checking arguments for ctc_loss_allocate_outputs)"
                               % (S, targets.shape[1]))
        padded = targets[:, :S].to(_core.int64)
    else:
        flat = targets.reshape(-1).to(_core.int64).tolist()
        if len(flat) < sum(tl):
            raise RuntimeError("Expected tensor to have size %d at dimension 0, but got size %d for argument #2 "
                               "'targets' (while checking arguments for ctc_loss_allocate_outputs)" % (sum(tl), len(flat)))
        rows, pos = [], 0
        for k in tl:
            rows.append(flat[pos:pos + k] + [blank] * (S - k))
            pos += k
        padded = pt.tensor(rows, dtype=_core.int64).reshape(N, S)
    for n in range(N):
        if il[n] < 0 or il[n] > T:
            raise RuntimeError("Expected input_lengths to have value at most %d, but got value %d (while checking "
                               "arguments for ctc_loss_allocate_outputs)" % (T, il[n]))
        if tl[n] < 0:
            raise RuntimeError("Expected target_lengths to have value at least 0, but got value %d" % tl[n])
    il_t = pt.tensor(il, dtype=_core.int64)
    tl_t = pt.tensor(tl, dtype=_core.int64)

    def forward():
        return _alpha(lp, padded, il_t, tl_t, blank)[0]

    def backward(g, needs, lp):
        with _NoGrad():
            grad = _grad(lp, padded, il_t, tl_t, blank, zero_infinity) * g.reshape(1, N, 1)
        if _core.is_grad_enabled():
            # PyTorch's formula has no derivative: using one is an error, not a silent zero.
            grad = _fused.fused("CtcLossBackwardBackward0", [g, lp], [], lambda: grad, _no_double_backward)
        return (grad,)

    loss = _fused.fused("CtcLossBackward0", [lp], [lp], forward, backward)
    if zero_infinity:
        loss = pt.where(loss == float("inf"), pt.zeros_like(loss), loss)
    if unbatched:
        loss = loss.squeeze(0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return (loss / tl_t.clamp(min=1).to(loss.dtype).reshape(loss.shape)).mean()
    return loss


def _no_double_backward(g, needs):
    raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


def _extended(padded, tl_t, blank, L):
    """The blank-extended targets (N, 2S+1), the mask of the positions inside each one, and
    the mask of positions that may be reached by skipping a blank."""
    pt = _pt()
    N, S = padded.shape
    ext = pt.full([N, L], blank, dtype=_core.int64)
    if S:
        ext[:, 1::2] = padded
    pos = pt.arange(L).unsqueeze(0)
    inside = pos < (2 * tl_t + 1).unsqueeze(1)
    prev2 = pt.cat([pt.full([N, 2], blank, dtype=_core.int64), ext[:, :L - 2]], 1) if L > 2 else \
        pt.full([N, L], blank, dtype=_core.int64)
    skip = (ext != blank) & (ext != prev2) & (pos >= 2)
    return ext, inside, skip


def _alpha(lp, padded, il_t, tl_t, blank):
    """The negative log likelihood per sequence and the log alphas (T, N, L)."""
    pt = _pt()
    T, N, C = lp.shape
    L = 2 * padded.shape[1] + 1
    ext, inside, skip = _extended(padded, tl_t, blank, L)
    lpe = lp.gather(2, ext.unsqueeze(0).expand(T, N, L)) if T else lp.new_zeros(0, N, L)
    ninf = pt.full([N, L], _NEG_INF, dtype=lp.dtype)
    pos = pt.arange(L).unsqueeze(0)
    alphas = []
    if T:
        a = pt.where((pos < 2) & inside, lpe[0], ninf)
        alphas.append(a)
        for t in range(1, T):
            stay = _lse(a, _shift(a, 1), pt.where(skip, _shift(a, 2), ninf))
            a = pt.where(inside, lpe[t] + stay, ninf)
            alphas.append(a)
    alpha = pt.stack(alphas) if alphas else pt.full([0, N, L], _NEG_INF, dtype=lp.dtype)
    # The likelihood at each sequence's last frame, over its last two extended positions.
    last = (il_t - 1).clamp(min=0)
    a_end = alpha.gather(0, last.reshape(1, N, 1).expand(1, N, L)).squeeze(0) if T else ninf
    end = 2 * tl_t
    at_end = a_end.gather(1, end.unsqueeze(1)).squeeze(1)
    before = a_end.gather(1, (end - 1).clamp(min=0).unsqueeze(1)).squeeze(1)
    before = pt.where(tl_t > 0, before, pt.full([N], _NEG_INF, dtype=lp.dtype))
    ll = _lse(at_end, before)
    # An empty input: the empty target has probability 1, any other 0.
    empty = il_t == 0
    ll = pt.where(empty, pt.where(tl_t == 0, pt.zeros_like(ll), pt.full_like(ll, _NEG_INF)), ll)
    return -ll, alpha


def _grad(lp, padded, il_t, tl_t, blank, zero_infinity):
    """PyTorch's gradient of the per-sequence losses with respect to ``lp`` (T, N, C)."""
    pt = _pt()
    T, N, C = lp.shape
    L = 2 * padded.shape[1] + 1
    nll, alpha = _alpha(lp, padded, il_t, tl_t, blank)
    ext, inside, skip = _extended(padded, tl_t, blank, L)
    lpe = lp.gather(2, ext.unsqueeze(0).expand(T, N, L))
    ninf = pt.full([N, L], _NEG_INF, dtype=lp.dtype)
    pos = pt.arange(L).unsqueeze(0)
    end = (2 * tl_t).unsqueeze(1)
    start_mask = ((pos == end) | ((pos == end - 1) & (tl_t > 0).unsqueeze(1))) & inside
    skip_next = _shift_left(skip.to(lp.dtype), 2) > 0  # s + 2 reachable from s by a skip
    betas = [None] * T
    b = ninf
    for t in range(T - 1, -1, -1):
        rec = lpe[t] + _lse(b, _shift_left(b, 1), pt.where(skip_next, _shift_left(b, 2), ninf))
        init = pt.where(start_mask, lpe[t], ninf)
        last = (il_t - 1).unsqueeze(1) == t
        live = (il_t - 1).unsqueeze(1) > t
        b = pt.where(last, init, pt.where(live & inside, rec, ninf))
        betas[t] = b
    beta = pt.stack(betas)
    ab = alpha + beta
    m = ab.amax(2, keepdim=True)
    m = pt.where(m == _NEG_INF, pt.zeros_like(m), m)
    summed = pt.zeros(T, N, C, dtype=lp.dtype).scatter_add(2, ext.unsqueeze(0).expand(T, N, L), (ab - m).exp())
    lcab = summed.log() + m
    grad = lp.exp() - (lcab + nll.reshape(1, N, 1) - lp).exp()
    valid = pt.arange(T).reshape(T, 1, 1) < il_t.reshape(1, N, 1)
    if zero_infinity:
        valid = valid & (nll != float("inf")).reshape(1, N, 1)
    return pt.where(valid, grad, pt.zeros_like(grad))
