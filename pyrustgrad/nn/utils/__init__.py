"""``nn.utils``: gradient clipping and parameter/vector conversion. Must stay valid Python 3.6."""

import math
import warnings

from ... import _core
from . import rnn  # noqa: F401


def _grads(parameters):
    if isinstance(parameters, _core._TensorBase):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    import pyrustgrad
    tensors = [tensors] if isinstance(tensors, _core._TensorBase) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return pyrustgrad.tensor(0.0)
    if norm_type == math.inf:
        norms = [t.detach().abs().max() for t in tensors]
        total = norms[0] if len(norms) == 1 else pyrustgrad.stack(norms).max()
    else:
        norms = [_vector_norm(t.detach(), norm_type) for t in tensors]
        total = _vector_norm(pyrustgrad.stack(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(float(total)):
        raise RuntimeError(
            "The total norm of order %s for gradients from `parameters` is non-finite, so it cannot be clipped. To "
            "disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`" % norm_type)
    return total


def _vector_norm(t, p):
    import pyrustgrad
    a = t.reshape(-1).abs()
    if p == math.inf:
        return a.max()
    if p == -math.inf:
        return a.min()
    if p == 0:
        return (a != 0).to(t.dtype).sum()
    if p == 1:
        return a.sum()
    if p == 2:
        return (a * a).sum().sqrt()
    return (a ** p).sum() ** (1.0 / p)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    grads = _grads(parameters)
    if not grads:
        return
    clip_coef = float(max_norm) / (float(total_norm) + 1e-6)
    clip_coef = min(clip_coef, 1.0)
    for g in grads:
        g.mul_(clip_coef)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scales the gradients in place so that their total norm is at most max_norm (PyTorch's
    coefficient max_norm / (total + 1e-6), clamped to 1). Returns the total norm."""
    import pyrustgrad
    if isinstance(parameters, _core._TensorBase):
        parameters = [parameters]
    parameters = list(parameters)
    grads = _grads(parameters)
    if not grads:
        return pyrustgrad.tensor(0.0)
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    with pyrustgrad.no_grad():
        clip_coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(clip_coef.to(g.dtype))
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    import pyrustgrad
    clip_value = float(clip_value)
    with pyrustgrad.no_grad():
        for g in _grads(parameters):
            g.clamp_(min=-clip_value, max=clip_value)


def parameters_to_vector(parameters):
    import pyrustgrad
    return pyrustgrad.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    if not isinstance(vec, _core._TensorBase):
        raise TypeError("expected torch.Tensor, but got: %s" % type(vec).__name__)
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec[pointer:pointer + n].reshape(param.shape).clone()
        pointer += n
