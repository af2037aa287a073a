"""``Adagrad`` with PyTorch 2.15's update (single-tensor, dense path): ``lr_decay``,
``initial_accumulator_value``, weight decay, ``maximize``. Must stay valid Python 3.6.
"""

import pyrustgrad as _torch

from .optimizer import (Optimizer, _addcdiv_, _addcmul_, _check_flags, _scalar_dtype, _to_scalar,
                        _use_grad_for_differentiable)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Implements Adagrad, as ``torch.optim.Adagrad``:

    clr = lr / (1 + (t - 1) * lr_decay); s += g^2; p -= clr * g / (sqrt(s) + eps).
    State (created in the constructor, as PyTorch): ``step`` (float32 0-d tensor) and
    ``sum`` (starting at ``initial_accumulator_value``). Sparse gradients do not exist here.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        if isinstance(lr, _torch.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError("Invalid learning rate: %s" % lr)
        if not 0.0 <= lr_decay:
            raise ValueError("Invalid lr_decay value: %s" % lr_decay)
        if not 0.0 <= weight_decay:
            raise ValueError("Invalid weight_decay value: %s" % weight_decay)
        if not 0.0 <= initial_accumulator_value:
            raise ValueError("Invalid initial_accumulator_value value: %s" % initial_accumulator_value)
        if not 0.0 <= eps:
            raise ValueError("Invalid epsilon value: %s" % eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        _check_flags(defaults)
        Optimizer.__init__(self, params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _torch.tensor(0.0, dtype=_scalar_dtype())
                state["sum"] = _torch.full_like(p, initial_accumulator_value)

    def __setstate__(self, state):
        Optimizer.__setstate__(self, state)
        for group in self.param_groups:
            for k, v in (("foreach", None), ("maximize", False), ("differentiable", False), ("fused", None)):
                group.setdefault(k, v)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _torch.tensor(0.0, dtype=_scalar_dtype())
                    state["sum"] = _torch.full_like(p, self.defaults["initial_accumulator_value"])
                state["step"] += 1
                step = state["step"].item()
                grad = p.grad if not group["maximize"] else -p.grad
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])
                clr = lr / (1 + (step - 1) * group["lr_decay"])
                state_sum = state["sum"]
                _addcmul_(state_sum, grad, grad, value=1)
                std = state_sum.sqrt().add_(group["eps"])
                _addcdiv_(p, grad, std, value=-clr)
        return loss
