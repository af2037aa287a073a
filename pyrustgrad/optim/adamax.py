"""``Adamax`` (Adam over the infinity norm) with PyTorch 2.15's update (single-tensor path).
Must stay valid Python 3.6."""

import pyrustgrad as _torch

from .adam import _check_adam_args
from .optimizer import (Optimizer, _addcdiv_, _check_flags, _lerp_, _scalar_dtype, _to_scalar,
                        _use_grad_for_differentiable)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Implements Adamax, as ``torch.optim.Adamax``:

    m = lerp(m, g, 1 - beta1); u = max(beta2 * u, |g| + eps); p -= lr / (1 - beta1^t) * m / u.
    State: ``step`` (float32 0-d tensor), ``exp_avg`` (m), ``exp_inf`` (u).
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        _check_flags(defaults)
        Optimizer.__init__(self, params, defaults)

    def __setstate__(self, state):
        Optimizer.__setstate__(self, state)
        for group in self.param_groups:
            for k, v in (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False)):
                group.setdefault(k, v)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _torch.tensor(0.0, dtype=_scalar_dtype())
                    state["exp_avg"] = _torch.zeros_like(p)
                    state["exp_inf"] = _torch.zeros_like(p)
                grad = p.grad if not group["maximize"] else -p.grad
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                state["step"] += 1
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_inf.copy_(_torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(group["eps"])))
                bias_correction = 1 - beta1 ** state["step"].item()
                clr = lr / bias_correction
                _addcdiv_(p, exp_avg, exp_inf, value=-clr)
        return loss
