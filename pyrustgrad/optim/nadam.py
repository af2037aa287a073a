"""``NAdam`` (Adam with Nesterov momentum) with PyTorch 2.15's update (single-tensor path):
``momentum_decay``, weight decay (plain or decoupled), ``maximize``.
Must stay valid Python 3.6."""

import pyrustgrad as _torch

from .adam import _check_adam_args
from .optimizer import (Optimizer, _addcdiv_, _addcmul_, _check_flags, _lerp_, _scalar_dtype,
                        _to_scalar, _use_grad_for_differentiable)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """Implements NAdam, as ``torch.optim.NAdam``:

    mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)); mu_product *= mu_t;
    m = lerp(m, g, 1 - beta1); v = beta2 * v + (1 - beta2) g^2;
    d = sqrt(v / (1 - beta2^t)) + eps;
    p -= lr (1 - mu_t) / (1 - mu_product) * g / d + lr mu_{t+1} / (1 - mu_product mu_{t+1}) * m / d.
    State: ``step`` and ``mu_product`` (float32 0-d tensors, as PyTorch: ``mu_product`` is
    rounded to float32 each step there too), ``exp_avg``, ``exp_avg_sq``.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError("Invalid momentum_decay value: %s" % momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        _check_flags(defaults)
        Optimizer.__init__(self, params, defaults)

    def __setstate__(self, state):
        Optimizer.__setstate__(self, state)
        for group in self.param_groups:
            for k, v in (("maximize", False), ("foreach", None), ("capturable", False),
                         ("differentiable", False), ("decoupled_weight_decay", False)):
                group.setdefault(k, v)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _torch.tensor(0.0, dtype=_scalar_dtype())
                    state["mu_product"] = _torch.tensor(1.0, dtype=_scalar_dtype())
                    state["exp_avg"] = _torch.zeros_like(p)
                    state["exp_avg_sq"] = _torch.zeros_like(p)
                grad = p.grad if not group["maximize"] else -p.grad
                exp_avg, exp_avg_sq, mu_product = state["exp_avg"], state["exp_avg_sq"], state["mu_product"]
                state["step"] += 1
                step = state["step"].item()
                bias_correction2 = 1 - beta2 ** step
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        p.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(p, alpha=weight_decay)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_product.mul_(mu)
                _lerp_(exp_avg, grad, 1 - beta1)
                _addcmul_(exp_avg_sq.mul_(beta2), grad, grad, value=1 - beta2)
                denom = exp_avg_sq.div(bias_correction2).sqrt()
                mu_product_next = mu_product.item() * mu_next
                denom.add_(group["eps"])
                _addcdiv_(p, grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product.item())))
                _addcdiv_(p, exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))
        return loss
