"""Module full backward hooks: identity Functions on a module's tensor inputs and outputs
catch grad_output (for ``register_full_backward_pre_hook``) and grad_input (for
``register_full_backward_hook``), as PyTorch's ``torch.utils.hooks.BackwardHook`` does.
Must stay valid Python 3.6."""

from ... import _core
from ...autograd.function import Function


class BackwardHookFunction(Function):
    """Identity on its tensor arguments; its backward hands the gradients to ``callback``."""

    @staticmethod
    def forward(ctx, callback, *tensors):
        ctx.callback = callback
        return tuple(t.view_as(t) for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.callback(grads))


def _tensors(value):
    if isinstance(value, _core._TensorBase):
        return [0], [value], True
    if isinstance(value, tuple):
        idx = [i for i, v in enumerate(value) if isinstance(v, _core._TensorBase)]
        return idx, [value[i] for i in idx], False
    return [], [], False


class BackwardHook(object):
    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_index = None

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        if not _core.is_grad_enabled():
            return args
        idx = [i for i, a in enumerate(args) if isinstance(a, _core._TensorBase) and a.requires_grad]
        if not idx:
            return args
        self.input_index = idx
        wrapped = BackwardHookFunction.apply(self._on_input_grads, *[args[i] for i in idx])
        args = list(args)
        for i, w in zip(idx, wrapped):
            args[i] = w
        return tuple(args)

    def setup_output_hook(self, result):
        if not _core.is_grad_enabled():
            return result
        idx, tensors, single = _tensors(result)
        idx = [i for i, t in zip(idx, tensors) if t.requires_grad]
        if not idx:
            return result
        tensors = [result] if single else [result[i] for i in idx]
        self.n_outputs = 1 if single else len(result)
        self.output_index = idx
        wrapped = BackwardHookFunction.apply(self._on_output_grads, *tensors)
        if single:
            return wrapped[0]
        out = list(result)
        for i, w in zip(idx, wrapped):
            out[i] = w
        return tuple(out)

    def _pack(self, values, index, n):
        full = [None] * n
        for i, v in zip(index, values):
            full[i] = v
        return tuple(full)

    def _on_output_grads(self, grads):
        grad_outputs = self._pack(grads, self.output_index, self.n_outputs)
        for hook in self.pre_hooks:
            res = hook(self.module, grad_outputs)
            if res is not None:
                if not isinstance(res, tuple):
                    res = (res,)
                if len(res) != len(grad_outputs):
                    raise RuntimeError("Backward pre hook returned an invalid number of grad_output, got %d, but expected %d"
                                       % (len(res), len(grad_outputs)))
                grad_outputs = res
        self.grad_outputs = grad_outputs
        if self.input_index is None:
            for hook in self.hooks:
                res = hook(self.module, (None,) * self.n_inputs, grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
        return [grad_outputs[i] for i in self.output_index]

    def _on_input_grads(self, grads):
        grad_inputs = self._pack(grads, self.input_index, self.n_inputs)
        for hook in self.hooks:
            res = hook(self.module, grad_inputs, self.grad_outputs)
            if res is not None:
                if not isinstance(res, tuple):
                    res = (res,)
                if len(res) != len(grad_inputs):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, got %d, but expected %d"
                                       % (len(res), len(grad_inputs)))
                grad_inputs = res
        return [grad_inputs[i] for i in self.input_index]
