"""``Optimizer``: the base class of every optimizer in ``pyrustgrad.optim``, as
``torch.optim.Optimizer``: parameter groups with defaults filled in, per-parameter ``state``
keyed by the tensor object, ``zero_grad``, ``state_dict``/``load_state_dict`` in PyTorch's
layout and PyTorch's ``repr``.

Also the switch and counter of the fused steps (``_FUSED``, ``_fused_steps``) and the few
small update helpers the optimizers share (``_addcmul_``, ``_addcdiv_``,
``_lerp_``): the tensor type has no such methods, and they stay private to optim.
Everything here is plain Python over existing tensor ops; nothing here builds graphs (an
update runs under ``no_grad``). Must stay valid Python 3.6.
"""

import copy
import functools
from collections import defaultdict
from itertools import chain

import pyrustgrad as _torch

__all__ = ["Optimizer", "required"]


class _RequiredParameter(object):
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj):
    """What ``torch.typename`` gives: ``pyrustgrad.DoubleTensor`` for a tensor, else the
    qualified class or object name (``int``, ``list``)."""
    if isinstance(obj, _torch.Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    return "%s.%s" % (module, qualname)


def _to_scalar(x):
    """A one-element tensor as a Python number; anything else unchanged."""
    if isinstance(x, _torch.Tensor):
        if x.numel() != 1:
            raise ValueError("expected a one-element tensor, got shape %s" % (list(x.shape),))
        return x.item()
    return x


def _get_value(x):
    return x.item() if isinstance(x, _torch.Tensor) else x


def _scalar_dtype():
    """The dtype PyTorch gives ``state['step']``: the default dtype."""
    return _torch.get_default_dtype()


# ---------------------------------------------------------------- update helpers
# PyTorch's CPU kernels evaluate ``self + value * t1 * t2`` and ``self + value * t1 / t2``
# in that order; these keep it, so float64 results agree to the last bits or nearly.

def _addcmul_(t, t1, t2, value=1.0):
    """``t.addcmul_(t1, t2, value=value)``: t += value * t1 * t2, in place."""
    return t.add_((t1 * value) * t2)


def _addcdiv_(t, t1, t2, value=1.0):
    """``t.addcdiv_(t1, t2, value=value)``: t += value * t1 / t2, in place."""
    return t.add_((t1 * value) / t2)


def _lerp_(t, end, weight):
    """``t.lerp_(end, weight)``: t + weight * (end - t), in place, with PyTorch's two forms
    (from the nearer end) for a scalar weight."""
    if abs(weight) < 0.5:
        return t.add_((end - t) * weight)
    return t.copy_(end - (end - t) * (1.0 - weight))


# ---------------------------------------------------------------- fused steps
# SGD, Adam and AdamW run each group's step as one fused Rust call (``_core._sgd_step``,
# ``_core._adam_step``: in place, no temporaries, the same arithmetic as the op-by-op step, so
# bit-identical results) where it applies: number options, no ``capturable``, float32/float64
# parameters with gradients and state of their dtype and shape, nothing aliased. Elsewhere
# (a tensor ``lr``, mixed dtypes, ...) the op-by-op step below runs.

#: Set to False to run every step op by op (the tests compare the two paths).
_FUSED = True
#: How many group steps ran fused (the tests check that the fused path is taken).
_fused_steps = 0


def _fused_applies(group, numbers):
    """Whether a fused step may be tried for ``group`` whose options ``numbers`` it reads."""
    return (_FUSED and not group.get("differentiable") and not group.get("capturable")
            and all(isinstance(x, (int, float)) for x in numbers))


def _count_fused():
    global _fused_steps
    _fused_steps += 1


def _use_grad_for_differentiable(func):
    """Runs ``step`` with grad mode off (PyTorch: on only for ``differentiable=True``,
    which pyrustgrad.optim does not support)."""

    @functools.wraps(func)
    def _use_grad(self, *args, **kwargs):
        prev = _torch.is_grad_enabled()
        try:
            _torch._core._set_grad_enabled(bool(self.defaults.get("differentiable", False)))
            return func(self, *args, **kwargs)
        finally:
            _torch._core._set_grad_enabled(prev)

    return _use_grad


def _check_flags(defaults):
    """The constructor flags pyrustgrad accepts (so code written for PyTorch runs, and the
    repr prints them) but runs on its one CPU path."""
    if defaults.get("differentiable"):
        raise ValueError("pyrustgrad.optim does not support differentiable=True (the update "
                         "runs in place under no_grad)")
    if defaults.get("fused") and defaults.get("foreach"):
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


class Optimizer(object):
    """Base class for all optimizers (``torch.optim.Optimizer``).

    ``params`` is an iterable of tensors, or of dicts each holding ``params`` and options
    for that group. ``defaults`` holds the options used where a group gives none.

    Differences from PyTorch 2.15: no step/state-dict hooks, no ``param_names`` (named
    parameters); ``foreach``, ``fused`` and ``capturable`` are accepted and printed but do not
    choose the path: SGD, Adam and AdamW run each group's step as one fused Rust call where it
    applies (see ``_FUSED`` below), with the single-tensor path's exact results, the other
    optimizers op by op; ``differentiable=True`` is refused. A tensor
    ``lr`` is read as its Python value at each step, where PyTorch computes some step sizes in
    the tensor's own dtype (float32 for ``torch.tensor(0.1)``): results then agree to about
    float32 rounding (1e-8 relative), not to float64's.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, _torch.Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        if isinstance(params, set):
            import warnings
            warnings.warn("optimizer parameters need to be organized in ordered collections, but "
                          "the ordering of tensors in sets will change between runs. Please use a "
                          "list instead. This will be an error in a future release.",
                          FutureWarning, stacklevel=2)
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\n"
            s += "Parameter Group %d\n" % i
            for key in sorted(group.keys()):
                if key != "params":
                    # format() as PyTorch's f-string: a 0-d tensor lr prints as its value
                    s += "    %s: %s\n" % (key, format(group[key], ""))
        s += ")"
        return s

    # ---------------------------------------------------------------- groups

    def add_param_group(self, param_group):
        """Adds a group (a dict with ``params`` and options) to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError("param_group must be a dict, but got %s" % type(param_group))
        params = param_group["params"]
        if isinstance(params, _torch.Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a "
                            "list instead.")
        else:
            param_group["params"] = list(params)

        for param in param_group["params"]:
            if not isinstance(param, _torch.Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required optimization "
                                 "parameter %s" % name)
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len(set(params)):
            import warnings
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; "
                          "see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)

        param_set = set()
        for group in self.param_groups:
            param_set.update(set(group["params"]))
        if not param_set.isdisjoint(set(param_group["params"])):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---------------------------------------------------------------- grads and steps

    def zero_grad(self, set_to_none=True):
        """Resets the gradients: to ``None`` (default) or, with ``set_to_none=False``, to
        zeros in place (detached)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        g = p.grad
                        if g.grad_fn is not None:
                            g.detach_()
                        else:
                            g.requires_grad_(False)
                        g.zero_()

    def step(self, closure=None):
        """Performs a single optimization step; ``closure`` re-evaluates the loss."""
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with _torch.enable_grad():
            return closure()

    # ---------------------------------------------------------------- state dicts

    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``: the
        parameters replaced by their position across the groups. The state tensors are the
        optimizer's own (not copies), as in PyTorch."""
        param_mappings = {}
        start_index = [0]

        def pack_group(group):
            packed = dict((k, v) for k, v in group.items() if k != "params")
            for i, p in enumerate(group["params"], start_index[0]):
                if id(p) not in param_mappings:
                    param_mappings[id(p)] = i
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index[0] += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = dict(((param_mappings[id(k)] if isinstance(k, _torch.Tensor) else k), v)
                            for k, v in self.state.items())
        return {"state": packed_state, "param_groups": param_groups}

    @staticmethod
    def _process_value(param, value, param_groups, param_id, key):
        if key == "step":
            fused = capturable = False
            for pg in param_groups:
                if param_id in pg["params"]:
                    fused = pg.get("fused", False)
                    capturable = pg.get("capturable", False)
                    break
            if capturable or fused:
                return value.to(dtype=_torch.float32)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype)
        return value

    def load_state_dict(self, state_dict):
        """Loads a ``state_dict()``: parameters matched by position, state tensors cast to
        the parameter's dtype (``step`` kept as saved)."""
        state_dict = state_dict.copy()
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def _cast(param, value, param_id, key=None):
            if isinstance(value, _torch.Tensor):
                return Optimizer._process_value(param, value, state_dict["param_groups"], param_id, key)
            if isinstance(value, dict):
                return dict((k, _cast(param, v, param_id, key=k)) for k, v in value.items())
            if isinstance(value, (list, tuple)):
                return type(value)(_cast(param, v, param_id) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v, k)
            else:
                state[k] = v

        param_groups = []
        for g, ng in zip(groups, saved_groups):
            ng["params"] = g["params"]
            param_groups.append(ng)
        self.__setstate__({"state": state, "param_groups": param_groups})
