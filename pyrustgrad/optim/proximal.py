"""``ProximalSGD``: proximal gradient descent for L1-regularised losses (ISTA, heavy-ball
ISTA, and FISTA). PyTorch has no such optimizer: this is pyrustgrad's own, built the same
way as the others (plain Python, in-place updates under ``no_grad``).
Must stay valid Python 3.6.
"""

import math

import pyrustgrad as _torch

from .optimizer import Optimizer, _to_scalar, required

__all__ = ["ProximalSGD", "soft_threshold_"]


def soft_threshold_(w, threshold):
    """In place: w <- sign(w) * max(|w| - threshold, 0), the proximal map of
    threshold * ||w||_1. Entries with |w| <= threshold become exactly 0."""
    if threshold < 0:
        raise ValueError("soft_threshold_: the threshold must be >= 0, got %s" % threshold)
    if threshold == 0:
        return w
    shrunk = (w.abs() - threshold).clamp(min=0.0)
    return w.copy_(w.sign() * shrunk)


class ProximalSGD(Optimizer):
    r"""Proximal gradient descent for ``f(w) + l1 * ||w||_1`` where the loss you backward
    through is only the smooth part ``f`` (do not add the L1 term to it).

    PyTorch has no such optimizer; it is pyrustgrad's. Each ``step`` does, per parameter
    group (so a group with ``l1=0``, e.g. the biases, gets a plain gradient step):

    * ``accelerated=False``: a gradient step on ``f``, plain (``w <- w - lr * g``) or with
      heavy-ball momentum (``b <- momentum * b + g``, ``w <- w - lr * b``), then the
      soft-thresholding ``w <- sign(w) * max(|w| - lr * l1, 0)``. Small weights become
      exactly zero (unlike a subgradient of ``|w|`` added to the loss, which makes them
      oscillate around zero). With ``momentum=0`` this is ISTA.
    * ``accelerated=True``: FISTA (Beck and Teboulle, 2009). The parameter holds the
      extrapolated point ``y_k`` where the next gradient is taken;
      ``x_k = prox(y_k - lr * grad f(y_k))``,
      ``t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2`` (``t_1 = 1``),
      ``y_{k+1} = x_k + (t_k - 1) / t_{k+1} * (x_k - x_{k-1})``.
      State per parameter: ``prox_iterate`` (``x_k``, the sparse iterate), ``t`` and
      ``step``. Coordinates that are zero in both of the last two proximal iterates are
      exactly zero in the parameter as well; read ``state[p]['prox_iterate']`` for the
      iterate itself. ``momentum`` must be 0 (FISTA brings its own).

    For a smooth part with an L-Lipschitz gradient, ``lr <= 1 / L`` converges (FISTA's
    objective gap falls as O(1/k^2), ISTA's as O(1/k)).

    Args:
        params: tensors or dicts of per-group options (``lr``, ``l1``, ``momentum``).
        lr (float): step size (required).
        l1 (float): weight of the L1 term for the group (default 0: no thresholding).
        momentum (float): heavy-ball momentum for the gradient step (default 0).
        accelerated (bool): FISTA extrapolation (default False).
    """

    def __init__(self, params, lr=required, l1=0.0, momentum=0.0, accelerated=False):
        if lr is not required and lr < 0.0:
            raise ValueError("Invalid learning rate: %s" % lr)
        if l1 < 0.0:
            raise ValueError("Invalid l1 value: %s" % l1)
        if momentum < 0.0:
            raise ValueError("Invalid momentum value: %s" % momentum)
        if accelerated and momentum != 0:
            raise ValueError("ProximalSGD: accelerated=True (FISTA) cannot be combined with momentum")
        defaults = dict(lr=lr, l1=l1, momentum=momentum, accelerated=accelerated)
        Optimizer.__init__(self, params, defaults)
        for group in self.param_groups:
            if group["l1"] < 0.0:
                raise ValueError("Invalid l1 value: %s" % group["l1"])
            if group["accelerated"] and group["momentum"] != 0:
                raise ValueError("ProximalSGD: accelerated=True (FISTA) cannot be combined with momentum")

    def step(self, closure=None):
        """Performs one proximal gradient step."""
        loss = self._closure_loss(closure)
        with _torch.no_grad():
            for group in self.param_groups:
                lr = _to_scalar(group["lr"])
                threshold = lr * group["l1"]
                momentum = group["momentum"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    grad = p.grad
                    if group["accelerated"]:
                        self._fista_step(p, grad, state, lr, threshold)
                        continue
                    if momentum != 0:
                        buf = state.get("momentum_buffer")
                        if buf is None:
                            buf = grad.detach().clone()
                            state["momentum_buffer"] = buf
                        else:
                            buf.mul_(momentum).add_(grad)
                        grad = buf
                    p.add_(grad, alpha=-lr)
                    soft_threshold_(p, threshold)
        return loss

    @staticmethod
    def _fista_step(p, grad, state, lr, threshold):
        if len(state) == 0:
            state["step"] = 0
            state["t"] = 1.0
            state["prox_iterate"] = p.detach().clone()
        x_prev = state["prox_iterate"]
        x = soft_threshold_(p.detach().clone().add_(grad, alpha=-lr), threshold)
        t = state["t"]
        t_next = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
        beta = (t - 1.0) / t_next
        # y = x + beta * (x - x_prev), written so y is exactly 0 where x and x_prev are
        p.copy_(x + (x - x_prev) * beta)
        state["prox_iterate"] = x
        state["t"] = t_next
        state["step"] += 1
