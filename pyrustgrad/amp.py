"""``pyrustgrad.amp``: PyTorch's automatic-mixed-precision entry points on a machine without
CUDA.

- ``GradScaler('cuda', ...)`` (and the deprecated ``cuda.amp.GradScaler``) disables itself
  with PyTorch's warning, as a CUDA-less PyTorch does: ``scale`` gives the loss back,
  ``step`` calls ``optimizer.step()``, ``update`` does nothing.
- ``GradScaler('cpu', ...)`` is PyTorch's loss scaler: the loss times the scale (2**16 to
  start), ``unscale_`` multiplies the gradients by 1/scale (computed in float64, rounded to
  float32) and records whether any is inf or NaN, ``step`` skips the optimizer's step when
  one was, ``update`` halves the scale after an overflow and doubles it after
  ``growth_interval`` clean steps; ``state_dict``/``load_state_dict`` as PyTorch's.
- ``autocast('cuda', ...)`` disables itself with PyTorch's warning. ``autocast('cpu')`` with
  ``enabled=True`` (bfloat16 mixed precision on the CPU) is not built: a NotImplementedError
  says so; ``enabled=False`` is accepted.

Must stay valid Python 3.6.
"""

import functools
import warnings

from . import _core
from ._ops import _NoGrad

_READY, _UNSCALED, _STEPPED = 0, 1, 2
_NO_CUDA_AUTOCAST = "CUDA is not available or torch_xla is imported. Disabling autocast."


def _fresh_state():
    return {"stage": _READY, "found_inf_per_device": {}}


class GradScaler(object):
    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = {}

    def _state(self, optimizer):
        return self._per_optimizer_states.setdefault(id(optimizer), _fresh_state())

    def _check_scale_growth_tracker(self, funcname):
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration."
        if self._scale is None:
            raise AssertionError("Attempted %s but _scale is None.  %s" % (funcname, fix))
        if self._growth_tracker is None:
            raise AssertionError("Attempted %s but _growth_tracker is None.  %s" % (funcname, fix))
        return self._scale, self._growth_tracker

    def _lazy_init(self):
        if self._scale is None:
            self._scale = _core.full([], float(self._init_scale), _core.float32, False)
            self._growth_tracker = _core.full([], float(self._init_growth_tracker), _core.int32, False)

    def scale(self, outputs):
        """``outputs`` (a tensor, or nested lists/tuples/iterables of them) times the scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, _core._TensorBase):
            self._lazy_init()
            return outputs * self._scale

        def apply(val):
            if isinstance(val, _core._TensorBase):
                self._lazy_init()
                return val * self._scale
            if isinstance(val, (list, tuple)):
                return type(val)(map(apply, val))
            if hasattr(val, "__iter__"):
                return map(apply, val)  # lazily, as PyTorch's
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply(outputs)

    def _unscale_grads(self, optimizer, inv_scale, allow_fp16):
        found = False
        with _NoGrad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    g = p.grad
                    if g is None:
                        continue
                    if not allow_fp16 and g.dtype == _core.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    g.mul_(inv_scale.to(g.dtype) if g.dtype != _core.float32 else inv_scale)
                    if not found and bool((~(g == g) | (g.abs() == float("inf"))).any()):
                        found = True
        return _core.full([1], 1.0 if found else 0.0, _core.float32, False)

    def unscale_(self, optimizer):
        """Divides the optimizer's gradients by the scale (in place), once per step."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = self._scale.double().reciprocal().float()
        state["found_inf_per_device"] = {"cpu": self._unscale_grads(optimizer, inv_scale, False)}
        state["stage"] = _UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step()`` unless an unscaled gradient was inf or NaN (then skipped)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        found = state["found_inf_per_device"]
        if len(found) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not sum(v.item() for v in found.values()):
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return retval

    def update(self, new_scale=None):
        """The next scale: ``new_scale``, or backed off after an overflow, grown after
        ``growth_interval`` steps without one."""
        if not self._enabled:
            return
        scale, tracker = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale.fill_(new_scale)
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or torch.FloatTensor "
                          "with requires_grad=False.")
                if not isinstance(new_scale, _core._TensorBase) or new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(reason)
                scale.copy_(new_scale)
        else:
            found = [v for s in self._per_optimizer_states.values() for v in s["found_inf_per_device"].values()]
            if len(found) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            if sum(v.item() for v in found):
                scale.mul_(self._backoff_factor)
                tracker.fill_(0)
            else:
                grown = int(tracker.item()) + 1
                if grown == self._growth_interval:
                    scale.mul_(self._growth_factor)
                    grown = 0
                tracker.fill_(grown)
        self._per_optimizer_states = {}

    def get_scale(self):
        if not self._enabled:
            return 1.0
        return float(self._init_scale) if self._scale is None else self._scale.item()

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else int(self._growth_tracker.item())

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict["_growth_tracker"])


_FAST_DTYPES = {"cpu": "bfloat16", "cuda": "float16"}


class autocast(object):
    """``autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a context
    manager and decorator. Without CUDA, 'cuda' disables itself with PyTorch's warning; 'cpu'
    mixed precision is not built (enabled=True raises NotImplementedError)."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError("Expected `device_type` of type `str`, got: `%s`" % type(device_type))
        if device_type not in _FAST_DTYPES:
            raise RuntimeError("Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, "
                               "xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device "
                               "string: %s" % device_type)
        self.device = device_type
        self.fast_dtype = getattr(_core, _FAST_DTYPES[device_type]) if dtype is None else dtype
        self._enabled = enabled
        if device_type == "cuda" and enabled:
            warnings.warn(_NO_CUDA_AUTOCAST, stacklevel=2)
            self._enabled = False
        if device_type == "cpu" and enabled:
            raise NotImplementedError("autocast('cpu') mixed precision (%s) is not implemented by pyrustgrad: run "
                                      "without autocast, or pass enabled=False" % repr(self.fast_dtype))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return run


def is_autocast_available(device_type):
    """False: no device has autocast here (CUDA is absent; CPU mixed precision is not built)."""
    return False


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator of a custom Function's forward: autocast is never on here, so it runs as is."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type):
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd


def _deprecated_scaler(kind):
    class _Scaler(GradScaler):
        def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                     enabled=True):
            warnings.warn("`torch.%s.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler('%s', "
                          "args...)` instead." % (kind, kind), FutureWarning, stacklevel=2)
            GradScaler.__init__(self, kind, init_scale, growth_factor, backoff_factor, growth_interval, enabled)
    _Scaler.__name__ = _Scaler.__qualname__ = "GradScaler"
    return _Scaler


def _deprecated_autocast(kind, default_dtype):
    class _Autocast(autocast):
        def __init__(self, enabled=True, dtype=None, cache_enabled=True):
            warnings.warn("`torch.%s.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast('%s', "
                          "args...)` instead." % (kind, kind), FutureWarning, stacklevel=2)
            autocast.__init__(self, kind, dtype=default_dtype() if dtype is None else dtype, enabled=enabled,
                              cache_enabled=cache_enabled)
    _Autocast.__name__ = _Autocast.__qualname__ = "autocast"
    return _Autocast


class _AmpNamespace(object):
    """``torch.cuda.amp`` / ``torch.cpu.amp``."""

    def __init__(self, kind):
        self.GradScaler = _deprecated_scaler(kind)
        self.autocast = _deprecated_autocast(kind, lambda: getattr(_core, _FAST_DTYPES[kind]))
        self.custom_fwd = custom_fwd
        self.custom_bwd = custom_bwd


# ---------------------------------------------------------------- torch-level queries

def is_autocast_enabled(device_type=None):
    """Always False: pyrustgrad never runs ops under autocast."""
    return False


def get_autocast_dtype(device_type):
    if device_type not in _FAST_DTYPES:
        raise RuntimeError("unsupported scalarType")
    return getattr(_core, _FAST_DTYPES[device_type])


def get_autocast_cpu_dtype():
    return _core.bfloat16


def get_autocast_gpu_dtype():
    return _core.float16


def is_autocast_cpu_enabled():
    return False
