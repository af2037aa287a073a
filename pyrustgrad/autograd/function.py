"""``pyrustgrad.autograd.Function``: custom ops with a Python forward and backward, as
``torch.autograd.Function``: ``forward``/``backward`` static methods (or the
``setup_context`` style), ``ctx.save_for_backward``/``ctx.saved_tensors``,
``ctx.needs_input_grad``, ``ctx.mark_non_differentiable``, ``ctx.mark_dirty``,
``ctx.set_materialize_grads`` and ``once_differentiable``. The node it records is a real
graph node (``MyFuncBackward``) of the native engine; a backward written with
differentiable ops gives higher-order gradients.
Must stay valid Python 3.6.
"""

import functools
import sys

from .. import _core

if sys.version_info < (3, 7):
    # Python 3.6 creates the GIL lazily; the native engine calls back into Python from its
    # own thread state (a Function's backward), which PyO3 0.15 refuses unless the GIL
    # exists ("Python threading is not initalized"). 3.7+ always creates it.
    try:
        import ctypes
        ctypes.pythonapi.PyEval_InitThreads()
    except Exception:  # pragma: no cover - no ctypes: Functions' backward fails on 3.6 only
        pass


class FunctionCtx(object):
    """The ``ctx`` of a custom Function."""

    def __init__(self):
        self.to_save = ()
        self.needs_input_grad = ()
        self.materialize_grads = True
        self._non_differentiable = ()
        self._dirty = ()

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, _core._TensorBase):
                raise TypeError("save_for_backward can only save variables, but argument %d is of type %s"
                                % (tensors.index(t), type(t).__name__))
        self.to_save = tensors

    @property
    def saved_tensors(self):
        return tuple(self.to_save)

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


# PyTorch's name for the ctx class.
BackwardCFunction = FunctionCtx


class _FunctionMeta(type):
    """Gives each Function subclass the name of the node it records (``NameBackward``)."""

    def __init__(cls, name, bases, attrs):
        cls._backward_name = name + "Backward"
        super(_FunctionMeta, cls).__init__(name, bases, attrs)


def _with_metaclass(meta, base):
    return meta("_FunctionBase", (base,), {})


class Function(_with_metaclass(_FunctionMeta, object)):
    """Base class of custom autograd functions; call them with ``MyFunc.apply(*args)``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn("%s should not be instantiated. Methods on autograd functions are all static, so you "
                      "should invoke them on the class itself. Instantiating an autograd function will raise an "
                      "error in a future version of PyTorch." % type(self), DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use new-style "
                           "autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @classmethod
    def apply(cls, *args, **kwargs):
        import pyrustgrad as torch

        ctx = FunctionCtx()
        tensor_args = [(i, a) for i, a in enumerate(args) if isinstance(a, _core._TensorBase)]
        ctx.needs_input_grad = tuple(isinstance(a, _core._TensorBase) and a.requires_grad for a in args)
        separate_setup = cls.setup_context is not Function.setup_context
        with torch.no_grad():
            if separate_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        is_tuple = isinstance(output, tuple)
        outputs = list(output) if is_tuple else [output]
        record = _core.is_grad_enabled() and any(a.requires_grad for _, a in tensor_args)
        if not record:
            return output
        inputs = [a for _, a in tensor_args]
        # An input returned as is (and not marked dirty) comes back as an alias, as PyTorch does.
        for k, o in enumerate(outputs):
            if isinstance(o, _core._TensorBase) and any(o is a for a in inputs) and not any(o is d for d in ctx._dirty):
                with torch.no_grad():
                    outputs[k] = o.view_as(o)
        differentiable = [isinstance(o, _core._TensorBase) and o.is_floating_point()
                          and not any(o is n for n in ctx._non_differentiable) for o in outputs]
        recorded = [o for o, d in zip(outputs, differentiable) if d]
        if recorded:
            positions = [i for i, _ in tensor_args]
            # The saved tensors go to the native node (checked for in-place edits, freed after
            # backward, no reference cycle through an output); ctx gets them back there.
            saved, ctx.to_save = tuple(ctx.to_save), ()
            metas = [(o.shape, o.dtype) if isinstance(o, _core._TensorBase) else None for o in outputs]
            _core._record_function(cls._backward_name, inputs, recorded, list(saved),
                                   _backward_callback(cls, ctx, metas, differentiable, positions, len(args)))
        return tuple(outputs) if is_tuple else outputs[0]


def _backward_callback(cls, ctx, metas, differentiable, positions, nargs):
    """The function the native node calls with one gradient (or None) per recorded output and
    the saved tensors."""

    def call(grads, saved):
        import pyrustgrad as torch

        ctx.to_save = saved
        per_output, it = [], iter(grads)
        for meta, d in zip(metas, differentiable):
            g = next(it) if d else None
            if g is None and ctx.materialize_grads and meta is not None:
                g = torch.zeros(meta[0], dtype=meta[1])
            per_output.append(g)
        try:
            result = cls.backward(ctx, *per_output)
        finally:
            ctx.to_save = ()
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) != nargs:
            raise RuntimeError("function %s returned an incorrect number of gradients (expected %d, got %d)"
                               % (cls._backward_name, nargs, len(result)))
        return tuple(result[i] for i in positions)

    return call


def once_differentiable(fn):
    """Runs a backward without recording its ops (it cannot be differentiated again)."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        import pyrustgrad as torch

        with torch.no_grad():
            return fn(ctx, *args)

    return wrapper


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


class NestedIOFunction(Function):
    pass
