"""``Adam`` and ``AdamW`` (Adam with decoupled weight decay), with PyTorch 2.15's update
(its single-tensor, non-capturable path), AMSGrad, weight decay and ``maximize``.
Must stay valid Python 3.6.
"""

import pyrustgrad as _torch

from .optimizer import (Optimizer, _addcdiv_, _addcmul_, _check_flags, _count_fused, _fused_applies,
                        _lerp_, _scalar_dtype, _to_scalar, _use_grad_for_differentiable)

__all__ = ["Adam", "AdamW"]


def _check_adam_args(lr, betas, eps, weight_decay):
    if isinstance(lr, _torch.Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError("Invalid learning rate: %s" % lr)
    if not 0.0 <= eps:
        raise ValueError("Invalid epsilon value: %s" % eps)
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError("Invalid beta parameter at index 0: %s" % betas[0])
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError("Invalid beta parameter at index 1: %s" % betas[1])
    if not 0.0 <= weight_decay:
        raise ValueError("Invalid weight_decay value: %s" % weight_decay)


class Adam(Optimizer):
    """Implements Adam, as ``torch.optim.Adam``:

    g = grad (negated if ``maximize``), plus weight_decay * p (or, with
    ``decoupled_weight_decay``, p *= 1 - lr * weight_decay); m = lerp(m, g, 1 - beta1);
    v = beta2 * v + (1 - beta2) * g^2; with ``amsgrad`` v_max = max(v_max, v) is used for v;
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).

    State per parameter: ``step`` (a float32 0-d tensor, as PyTorch), ``exp_avg``,
    ``exp_avg_sq`` and, with AMSGrad, ``max_exp_avg_sq``. ``betas`` must be floats (PyTorch
    also takes tensors).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_adam_args(lr, betas, eps, weight_decay)
        if isinstance(betas[0], _torch.Tensor) and isinstance(betas[1], _torch.Tensor):
            raise ValueError("pyrustgrad.optim.%s: betas as Tensors are not supported; give two floats"
                             % type(self).__name__)
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        _check_flags(defaults)
        Optimizer.__init__(self, params, defaults)

    def __setstate__(self, state):
        Optimizer.__setstate__(self, state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], _torch.Tensor):
                    p_state["step"] = _torch.tensor(float(p_state["step"]), dtype=_scalar_dtype())

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr = _to_scalar(group["lr"])
            weight_decay = group["weight_decay"]
            eps = group["eps"]
            amsgrad = group["amsgrad"]
            params = [p for p in group["params"] if p.grad is not None]
            for p in params:
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _torch.tensor(0.0, dtype=_scalar_dtype())
                    state["exp_avg"] = _torch.zeros_like(p)
                    state["exp_avg_sq"] = _torch.zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _torch.zeros_like(p)
            if self._fused_step(group, params):
                continue
            for p in params:
                state = self.state[p]
                grad = p.grad if not group["maximize"] else -p.grad
                exp_avg, exp_avg_sq, step_t = state["exp_avg"], state["exp_avg_sq"], state["step"]
                step_t += 1
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        p.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(p, alpha=weight_decay)
                _lerp_(exp_avg, grad, 1 - beta1)
                _addcmul_(exp_avg_sq.mul_(beta2), grad, grad, value=1 - beta2)
                step = step_t.item()
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2 ** 0.5
                if amsgrad:
                    max_sq = state["max_exp_avg_sq"]
                    max_sq.copy_(_torch.maximum(max_sq, exp_avg_sq))
                    denom = (max_sq.sqrt() / bias_correction2_sqrt).add_(eps)
                else:
                    denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
                _addcdiv_(p, exp_avg, denom, value=-step_size)
        return loss

    def _fused_step(self, group, params):
        """The group's step as one fused call; False (nothing done) where it does not apply."""
        beta1, beta2 = group["betas"]
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        if not _fused_applies(group, (lr, beta1, beta2, eps, weight_decay)):
            return False
        amsgrad = bool(group["amsgrad"])
        states = [self.state[p] for p in params]
        try:
            exp_avgs = [state["exp_avg"] for state in states]
            exp_avg_sqs = [state["exp_avg_sq"] for state in states]
            max_exp_avg_sqs = [state["max_exp_avg_sq"] for state in states] if amsgrad else []
            steps = [state["step"] for state in states]
        except KeyError:
            return False
        done = _torch._core._adam_step(params, [p.grad for p in params], exp_avgs, exp_avg_sqs,
                                       max_exp_avg_sqs, steps, lr, beta1, beta2, eps, weight_decay,
                                       amsgrad, bool(group["maximize"]),
                                       bool(group["decoupled_weight_decay"]))
        if done:
            _count_fused()
        return done


class AdamW(Adam):
    """Implements AdamW, as ``torch.optim.AdamW``: Adam whose weight decay
    (default 1e-2) shrinks the parameter directly, p *= 1 - lr * weight_decay, instead of
    entering the moments."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        Adam.__init__(self, params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                      maximize=maximize, capturable=capturable, differentiable=differentiable,
                      fused=fused, decoupled_weight_decay=True)

    def __setstate__(self, state):
        Adam.__setstate__(self, state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
