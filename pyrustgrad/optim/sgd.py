"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov momentum,
weight decay and ``maximize``, with PyTorch 2.15's update (its single-tensor path).
Must stay valid Python 3.6.
"""

import pyrustgrad as _torch

from .optimizer import (Optimizer, _check_flags, _count_fused, _fused_applies, _to_scalar,
                        _use_grad_for_differentiable)

__all__ = ["SGD"]


class SGD(Optimizer):
    """Implements stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``:

    g = grad (negated if ``maximize``) + weight_decay * p;
    with momentum: b = g on the first step, else b = momentum * b + (1 - dampening) * g,
    then g = g + momentum * b (Nesterov) or g = b; finally p = p - lr * g.

    ``state[p]['momentum_buffer']`` holds b (``None`` without momentum, as PyTorch).
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if isinstance(lr, _torch.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError("Invalid learning rate: %s" % lr)
        if momentum < 0.0:
            raise ValueError("Invalid momentum value: %s" % momentum)
        if weight_decay < 0.0:
            raise ValueError("Invalid weight_decay value: %s" % weight_decay)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_flags(defaults)
        Optimizer.__init__(self, params, defaults)

    def __setstate__(self, state):
        Optimizer.__setstate__(self, state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if self._fused_step(group, params):
                continue
            lr = _to_scalar(group["lr"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            weight_decay = group["weight_decay"]
            for p in params:
                grad = p.grad if not group["maximize"] else -p.grad
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = grad.detach().clone()
                        state["momentum_buffer"] = buf
                    else:
                        buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                    if group["nesterov"]:
                        grad = grad.add(buf, alpha=momentum)
                    else:
                        grad = buf
                p.add_(grad, alpha=-lr)
        return loss

    def _fused_step(self, group, params):
        """The group's step as one fused call; False (nothing done) where it does not apply."""
        lr, momentum = group["lr"], group["momentum"]
        dampening, weight_decay = group["dampening"], group["weight_decay"]
        if not _fused_applies(group, (lr, momentum, dampening, weight_decay)):
            return False
        if momentum != 0:
            states = [self.state[p] for p in params]
            bufs = [state.get("momentum_buffer") for state in states]
        else:
            bufs = []
        out = _torch._core._sgd_step(params, [p.grad for p in params], bufs, lr, momentum, dampening,
                                     weight_decay, bool(group["nesterov"]), bool(group["maximize"]))
        if out is None:
            return False
        if momentum != 0:
            for state, buf in zip(states, out):
                state["momentum_buffer"] = buf
        _count_fused()
        return True
