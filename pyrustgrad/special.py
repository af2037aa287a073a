"""``torch.special``: the special functions pyrustgrad has, under their torch.special names.
Must stay valid Python 3.6."""

import math

from . import _core
from ._gamma import digamma, lgamma as gammaln, mvlgamma as multigammaln, polygamma
from ._ops import erfinv, logit, logsumexp, sinc, _float
from ._more_ops import i0, i1, igamma as gammainc, igammac as gammaincc

erf = _core.erf
erfc = _core.erfc
expm1 = _core.expm1
exp2 = _core.exp2
log1p = _core.log1p
xlogy = _core.xlogy
expit = _core.sigmoid
round = _core.round
psi = digamma


def erfcx(input):
    x = _float(input)
    return (x * x).exp() * x.erfc()


def ndtr(input):
    return 0.5 * (1 + (_float(input) * (1 / math.sqrt(2.0))).erf())


def ndtri(input):
    return erfinv(2 * _float(input) - 1) * math.sqrt(2.0)


def log_ndtr(input):
    return ndtr(input).log()


def entr(input):
    x = _float(input)
    zero = _core.full([], 0.0, x.dtype, False)
    pos = _core.where_(x > 0, x, _core.full([], 1.0, x.dtype, False))
    out = _core.where_(x > 0, -x * pos.log(), zero)
    return _core.where_(x < 0, _core.full([], -float("inf"), x.dtype, False), out)


def xlog1py(input, other):
    return _core.where_(input == 0, _core.full([], 0.0, _float(input).dtype, False), input * other.log1p())


def softmax(input, dim, dtype=None):
    return (input if dtype is None else input.to(dtype)).softmax(dim)


def log_softmax(input, dim, dtype=None):
    return (input if dtype is None else input.to(dtype)).log_softmax(dim)


__all__ = ["erf", "erfc", "erfinv", "erfcx", "expm1", "exp2", "log1p", "xlogy", "xlog1py", "expit", "logit",
           "logsumexp", "sinc", "round", "ndtr", "ndtri", "log_ndtr", "entr", "softmax", "log_softmax",
           "gammaln", "digamma", "psi", "polygamma", "multigammaln", "i0", "i1", "gammainc", "gammaincc"]
