"""BatchNorm1d/2d/3d, LayerNorm, GroupNorm, InstanceNorm1d/2d/3d, RMSNorm, LocalResponseNorm, CrossMapLRN2d.
Must stay valid Python 3.6."""

import numbers
import warnings

from ... import _core
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..._dtypes import get_default_dtype as _default_dtype
from .module import Module


def _dt(dtype):
    return _default_dtype() if dtype is None else dtype


class _NormBase(Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None):
        super(_NormBase, self).__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dt = _dt(dtype)
        if affine:
            self.weight = Parameter(_core.full([num_features], 1.0, dt, False))
            self.bias = Parameter(_core.full([num_features], 0.0, dt, False))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _core.full([num_features], 0.0, dt, False))
            self.register_buffer("running_var", _core.full([num_features], 1.0, dt, False))
            self.register_buffer("num_batches_tracked", _core.full([], 0.0, _core.int64, False))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return ("{num_features}, eps={eps}, momentum={momentum}, affine={affine}, bias={bias}, "
                "track_running_stats={track_running_stats}".format(bias=self.bias is not None, **self.__dict__))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs, assign=False):
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats:
            key = prefix + "num_batches_tracked"
            if key not in state_dict:
                state_dict[key] = _core.full([], 0.0, _core.int64, False)
        super(_NormBase, self)._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                                     unexpected_keys, error_msgs, assign)


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        eaf = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                eaf = 1.0 / float(self.num_batches_tracked)
            else:
                eaf = self.momentum
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                            self.weight, self.bias, bn_training, eaf, self.eps)


class BatchNorm1d(_BatchNorm):
    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError("expected 2D or 3D input (got %dD input)" % input.dim())


class BatchNorm2d(_BatchNorm):
    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError("expected 4D input (got %dD input)" % input.dim())


class BatchNorm3d(_BatchNorm):
    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError("expected 5D input (got %dD input)" % input.dim())


class _InstanceNorm(_NormBase):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None):
        super(_InstanceNorm, self).__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    _batched = 3

    def forward(self, input):
        if input.dim() not in (self._batched - 1, self._batched):
            raise ValueError("expected %dD or %dD input (got %dD input)"
                             % (self._batched - 1, self._batched, input.dim()))
        feature_dim = input.dim() - (self._batched - 1)
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError("expected input's size at dim=%d to match num_features (%d), but got: %d."
                                 % (feature_dim, self.num_features, input.shape[feature_dim]))
            warnings.warn("input's size at dim=%d does not match num_features. You can silence this warning by not "
                          "passing in num_features, which is not used because affine=False" % feature_dim,
                          stacklevel=2)
        unbatched = input.dim() == self._batched - 1
        if unbatched:
            input = input.unsqueeze(0)
        out = F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training or not self.track_running_stats, self.momentum or 0.0, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    _batched = 3


class InstanceNorm2d(_InstanceNorm):
    _batched = 4


class InstanceNorm3d(_InstanceNorm):
    _batched = 5


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super(LayerNorm, self).__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = _dt(dtype)
        if elementwise_affine:
            self.weight = Parameter(_core.full(list(self.normalized_shape), 1.0, dt, False))
            if bias:
                self.bias = Parameter(_core.full(list(self.normalized_shape), 0.0, dt, False))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}, bias={bias}".format(
            bias=self.bias is not None, **self.__dict__)


class GroupNorm(Module):
    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None):
        super(GroupNorm, self).__init__()
        if num_channels % num_groups != 0:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        dt = _dt(dtype)
        if affine:
            self.weight = Parameter(_core.full([num_channels], 1.0, dt, False))
            self.bias = Parameter(_core.full([num_channels], 0.0, dt, False))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return "{num_groups}, {num_channels}, eps={eps}, affine={affine}, bias={bias}".format(
            bias=self.bias is not None, **self.__dict__)


class RMSNorm(Module):
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super(RMSNorm, self).__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(_core.full(list(self.normalized_shape), 1.0, _dt(dtype), False))
        else:
            self.register_parameter("weight", None)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}".format(**self.__dict__)


class LocalResponseNorm(Module):
    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super(LocalResponseNorm, self).__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)


def _over_channels(m, t):
    # sum_j m[c, j] * t[n, j, h, w]
    n, c, h, w = t.shape
    return m.matmul(t.reshape(n, c, h * w)).reshape(n, c, h, w)


def _cross_map_scale(x, size, alpha, k):
    """PyTorch's CrossMapLRN2d normaliser, its running-sum recurrence written out: channel c
    sums the squares of channels 0 .. min(c + pre_pad - 1, C - 1), less channels
    1 .. c - pre_pad (channel 0 is never taken out, as in PyTorch), pre_pad =
    int((size - 1) / 2 + 1); times alpha / size, plus k."""
    from ... import tensor
    channels = x.shape[1]
    pre_pad = int((size - 1) / 2 + 1)
    m = tensor(_window_rows(channels, lambda c: 0, lambda c: min(c + pre_pad - 1, channels - 1), 1,
                            lambda c: c - pre_pad), dtype=x.dtype)
    return _over_channels(m, x * x) * (alpha / size) + k


def _window_rows(channels, lo, hi, skip_from=None, skip_to=None):
    return [[1.0 if lo(c) <= j <= hi(c) and not (skip_to is not None and skip_from <= j <= skip_to(c)) else 0.0
             for j in range(channels)] for c in range(channels)]


def _cross_map_grad(x, gy, size, alpha, beta, k):
    """PyTorch's CrossMapLRN2d backward formula (not the derivative of its forward: the
    window it sums, c - ipp .. c + size - 1 - ipp with ipp = int(size - (size - 1) / 2), is
    shifted), written in differentiable ops of x and gy, so its own gradients exist."""
    from ... import tensor
    channels = x.shape[1]
    ipp = int(size - (size - 1) / 2)
    if ipp + channels > channels + size - 1:
        raise RuntimeError("start (%d) + length (%d) exceeds dimension size (%d)." % (ipp, channels, channels + size - 1))
    scale = _cross_map_scale(x, size, alpha, k)
    y = x * scale.pow(-beta)
    r = tensor(_window_rows(channels, lambda c: c - ipp, lambda c: c + size - 1 - ipp), dtype=x.dtype)
    acc = _over_channels(r, gy * y / scale)
    return scale.pow(-beta) * gy - x * acc * (2 * alpha * beta / size)


def _cross_map_function():
    from ...autograd import Function

    class CrossMapLRN2d(Function):
        @staticmethod
        def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
            if input.dim() != 4:
                raise ValueError("CrossMapLRN2d: Expected input to be 4D, got %dD instead." % input.dim())
            ctx.size, ctx.alpha, ctx.beta, ctx.k = size, alpha, beta, k
            ctx.save_for_backward(input)
            return input * _cross_map_scale(input, size, alpha, k).pow(-beta)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return _cross_map_grad(input, grad_output, ctx.size, ctx.alpha, ctx.beta, ctx.k), None, None, None, None

    return CrossMapLRN2d


_CROSS_MAP = []


class CrossMapLRN2d(Module):
    """PyTorch's legacy cross-channel LRN over 4-D input (size, alpha, beta, k): its forward
    and its first-order gradient are PyTorch's (``_cross_map_scale``, ``_cross_map_grad``),
    one ``CrossMapLRN2dBackward`` node; the gradient formula is differentiable again (PyTorch's
    refuses create_graph)."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super(CrossMapLRN2d, self).__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        if not _CROSS_MAP:
            _CROSS_MAP.append(_cross_map_function())
        return _CROSS_MAP[0].apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)
