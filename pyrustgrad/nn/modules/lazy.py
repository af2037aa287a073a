"""Lazy modules (``nn.LazyLinear``, ``nn.LazyConv1d/2d/3d``), as PyTorch's: the parameters
are ``UninitializedParameter`` until the first call, whose input gives the missing size
(``in_features``, ``in_channels``); the parameters are then materialised and initialised as
the plain module's, and the module becomes that module (``cls_to_become``: its class, repr
and behaviour afterwards are ``Linear``'s / ``ConvNd``'s). Must stay valid Python 3.6.
"""

from ... import _core
from ..._ops import _NoGrad
from ..parameter import UninitializedParameter
from .conv import Conv1d, Conv2d, Conv3d
from .linear import Linear


class LazyModuleMixin(object):
    """Runs ``initialize_parameters`` on the first call (a forward pre-hook, as PyTorch's),
    then turns the module into ``cls_to_become``."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super(LazyModuleMixin, self).__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters, with_kwargs=True)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs, assign=False):
        # A checkpoint gives the shapes: the lazy parameters are materialised before loading.
        for name, param in list(self._parameters.items()) + list(self._buffers.items()):
            key = prefix + name
            if key in state_dict and isinstance(param, UninitializedParameter):
                given = state_dict[key]
                if isinstance(given, _core._TensorBase) and not isinstance(given, UninitializedParameter):
                    with _NoGrad():
                        param.materialize(given.shape)
        super(LazyModuleMixin, self)._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                                           unexpected_keys, error_msgs, assign)

    def has_uninitialized_params(self):
        params = list(self._parameters.values()) + list(self._buffers.values())
        return any(isinstance(p, UninitializedParameter) for p in params)

    def initialize_parameters(self, *args, **kwargs):
        raise NotImplementedError("initialize_parameters is not implemented for {}".format(self.__class__.__name__))

    def _infer_parameters(self, module, args, kwargs=None):
        kwargs = kwargs if kwargs else {}
        module.initialize_parameters(*args, **kwargs)
        if module.has_uninitialized_params():
            raise RuntimeError("module {} has not been fully initialized".format(self._get_name()))
        module._initialize_hook.remove()
        delattr(module, "_initialize_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become


class LazyLinear(LazyModuleMixin, Linear):
    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        super(LazyLinear, self).__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super(LazyLinear, self).reset_parameters()

    def initialize_parameters(self, input):
        if self.has_uninitialized_params():
            with _NoGrad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:
            # Parameters loaded from a checkpoint: in_features is read from the input.
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError("The in_features inferred from input: %d is not equal to in_features from "
                                     "self.weight: %d" % (input.shape[-1], self.weight.shape[-1]))
            self.in_features = input.shape[-1]


class _LazyConvMixin(LazyModuleMixin):
    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super(_LazyConvMixin, self).reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if self.has_uninitialized_params():
            self.in_channels = self._get_in_channels(input)
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            with _NoGrad():
                self.weight.materialize((self.out_channels, self.in_channels // self.groups) + tuple(self.kernel_size))
                if self.bias is not None:
                    self.bias.materialize((self.out_channels,))
                self.reset_parameters()

    def _get_in_channels(self, input):
        no_batch = self._n + 1
        if input.dim() not in (no_batch, no_batch + 1):
            raise RuntimeError("Expected %dD (unbatched) or %dD (batched) input to %s, but got input of size: %s"
                               % (no_batch, no_batch + 1, self.__class__.__name__, input.shape))
        return input.shape[1] if input.dim() == no_batch + 1 else input.shape[0]


def _lazy_conv(name, base):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        base.__init__(self, 0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters, with_kwargs=True)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    return type(name, (_LazyConvMixin, base), {"__init__": __init__, "cls_to_become": base, "__module__": __name__})


LazyConv1d = _lazy_conv("LazyConv1d", Conv1d)
LazyConv2d = _lazy_conv("LazyConv2d", Conv2d)
LazyConv3d = _lazy_conv("LazyConv3d", Conv3d)
