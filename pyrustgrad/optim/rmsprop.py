"""``RMSprop`` with PyTorch 2.15's update (single-tensor path): ``alpha``, ``eps``,
``centered``, ``momentum``, weight decay, ``maximize``. Must stay valid Python 3.6.
"""

import pyrustgrad as _torch

from .optimizer import (Optimizer, _addcdiv_, _addcmul_, _check_flags, _lerp_, _scalar_dtype,
                        _to_scalar, _use_grad_for_differentiable)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """Implements RMSprop, as ``torch.optim.RMSprop``:

    v = alpha * v + (1 - alpha) * g^2; centered: a = lerp(a, g, 1 - alpha), d = sqrt(v - a^2)
    else d = sqrt(v); d += eps; with momentum b = momentum * b + g / d, p -= lr * b, else
    p -= lr * g / d. State: ``step`` (float32 0-d tensor), ``square_avg``, and
    ``momentum_buffer`` / ``grad_avg`` when used.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if isinstance(lr, _torch.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError("Invalid learning rate: %s" % lr)
        if not 0.0 <= eps:
            raise ValueError("Invalid epsilon value: %s" % eps)
        if not 0.0 <= momentum:
            raise ValueError("Invalid momentum value: %s" % momentum)
        if not 0.0 <= weight_decay:
            raise ValueError("Invalid weight_decay value: %s" % weight_decay)
        if not 0.0 <= alpha:
            raise ValueError("Invalid alpha value: %s" % alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        _check_flags(defaults)
        Optimizer.__init__(self, params, defaults)

    def __setstate__(self, state):
        Optimizer.__setstate__(self, state)
        for group in self.param_groups:
            for k, v in (("momentum", 0), ("centered", False), ("foreach", None), ("maximize", False),
                         ("differentiable", False), ("capturable", False)):
                group.setdefault(k, v)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            alpha, eps, momentum = group["alpha"], group["eps"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _torch.zeros((), dtype=_scalar_dtype())
                    state["square_avg"] = _torch.zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _torch.zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = _torch.zeros_like(p)
                grad = p.grad if not group["maximize"] else -p.grad
                square_avg = state["square_avg"]
                state["step"] += 1
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])
                _addcmul_(square_avg.mul_(alpha), grad, grad, value=1 - alpha)
                if group["centered"]:
                    grad_avg = state["grad_avg"]
                    _lerp_(grad_avg, grad, 1 - alpha)
                    avg = _addcmul_(square_avg.clone(), grad_avg, grad_avg, value=-1).sqrt_()
                else:
                    avg = square_avg.sqrt()
                avg = avg.add_(eps)
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    _addcdiv_(buf.mul_(momentum), grad, avg)
                    p.add_(buf, alpha=-lr)
                else:
                    _addcdiv_(p, grad, avg, value=-lr)
        return loss
