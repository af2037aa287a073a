"""The gamma family: ``lgamma``, ``digamma``, ``polygamma``, ``mvlgamma`` (and their
torch.special names).

Values are computed in float64 with tensor ops (no per-element Python): the recurrence
f(x) = f(x + 1) - step(x) moves every element to x >= 10 (+ n for polygamma), where the
Stirling / asymptotic series with Bernoulli numbers is accurate to a few ulps; negative
arguments of lgamma and digamma go through the reflection formulas. Each function is an
autograd Function whose backward is the next function of the family (d lgamma = digamma,
d digamma = polygamma(1), d polygamma(n) = polygamma(n + 1)), so gradients of every order
compose. Must stay valid Python 3.6.
"""

import math

from . import _core
from ._ops import _NoGrad, _float, _scalar
from .autograd.function import Function

# B_2, B_4, ..., B_20
_BERNOULLI = (1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510,
              43867.0 / 798, -174611.0 / 330)


def _zeta(k):
    """Riemann zeta(k), k >= 2, by Euler-Maclaurin summation from N = 12."""
    N = 12
    head = math.fsum(n ** -float(k) for n in range(1, N))
    tail = N ** (1.0 - k) / (k - 1) + 0.5 * N ** -float(k)
    rising = float(k)
    for j, b in enumerate(_BERNOULLI[:8]):
        tail += b / math.factorial(2 * j + 2) * rising * N ** (-float(k) - 2 * j - 1)
        rising *= (k + 2 * j + 1) * (k + 2 * j + 2)
    return head + tail


# lgamma(1 + t) = sum_k c_k t^k: c_1 = -Euler's gamma, c_k = (-1)^k zeta(k) / k.
_LGAMMA1P = [-0.5772156649015329] + [(-1.0) ** k * _zeta(k) / k for k in range(2, 36)]
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_INF = float("inf")


def _c(v):
    return _scalar(v, _core.float64)


def _shift_up(x, threshold, step):
    """Moves z = x up by ones until z >= threshold (elementwise), combining step(z) of each
    z passed with ``step`` returning (combine, value)."""
    z = x
    acc = None
    while True:
        mask = (z < threshold) & (z == z) & (z > -_INF)
        if not bool(mask.any()):
            return z, acc
        acc = step(acc, z, mask)
        z = _core.where_(mask, z + 1, z)


def _lgamma64(x):
    # x >= 0 (and NaN/inf): lgamma(x) = stirling(x + k) - log(x (x + 1) ... (x + k - 1)).
    pos = _core.where_(x < 0, 1 - x, x)

    def step(acc, z, mask):
        f = _core.where_(mask, z, _c(1.0))
        return f if acc is None else acc * f

    z, prod = _shift_up(pos, 10.0, step)
    inv = 1 / z
    inv2 = inv * inv
    series = _c(0.0)
    power = inv
    for k, b in enumerate(_BERNOULLI[:8]):
        series = series + power * (b / ((2 * k + 2) * (2 * k + 1)))
        power = power * inv2
    big = (z - 0.5) * z.log() - z + _HALF_LOG_2PI + series
    val = big if prod is None else big - prod.log()
    val = _core.where_(pos == _INF, _c(_INF), val)
    # Near the zeros at 1 and 2, the Taylor series of lgamma(1 + t) keeps full relative accuracy.
    for centre, extra in ((1.0, False), (2.0, True)):
        t = x - centre
        near = t.abs() < 0.3
        if bool(near.any()):
            t = _core.where_(near, t, _c(0.0))
            acc = _c(0.0)
            for coef in reversed(_LGAMMA1P):
                acc = (acc + coef) * t
            if extra:
                acc = acc + t.log1p()
            acc = acc + 0.0  # lgamma(1) = lgamma(2) = +0.0, not -0.0
            val = _core.where_(near, acc, val)
    # x < 0: lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x); |sin| has period 1, so the
    # reduction x - round(x) is exact and the poles give sin = 0 exactly.
    r = x - x.round()
    refl = math.log(math.pi) - (math.pi * r).sin().abs().log() - val
    out = _core.where_(x < 0, refl, val)
    return _core.where_(x == -_INF, _c(_INF), out)


def _digamma64(x):
    pos = _core.where_(x < 0, 1 - x, x)

    def step(acc, z, mask):
        f = _core.where_(mask, 1 / z, _c(0.0))
        return f if acc is None else acc + f

    z, acc = _shift_up(pos, 10.0, step)
    inv2 = 1 / (z * z)
    series = _c(0.0)
    power = inv2
    for k, b in enumerate(_BERNOULLI[:8]):
        series = series + power * (b / (2 * k + 2))
        power = power * inv2
    val = z.log() - 0.5 / z - series
    if acc is not None:
        val = val - acc
    val = _core.where_(pos == _INF, _c(_INF), val)
    # x < 0: digamma(x) = digamma(1 - x) - pi / tan(pi x); NaN at the poles.
    r = x - x.round()
    refl = val - math.pi / (math.pi * r).tan()
    out = _core.where_(x < 0, refl, val)
    return _core.where_((x < 0) & ((x == x.floor()) | (x == -_INF)), _c(float("nan")), out)


def _polygamma64(n, x):
    """psi^(n)(x) = (-1)^(n+1) n! sum_k 1/(x + k)^(n+1), n >= 1."""
    sign = 1.0 if n % 2 == 1 else -1.0
    if n > 170:
        # n! is beyond float64 (the error the series below gives), raised before computing
        # a factorial of a huge n, which never ends
        raise OverflowError("int too large to convert to float")
    fact = math.factorial(n)

    def step(acc, z, mask):
        f = _core.where_(mask, z.pow(-(n + 1.0)), _c(0.0))
        return f if acc is None else acc + f

    z, acc = _shift_up(x, 10.0 + n, step)
    inv = 1 / z
    inv2 = inv * inv
    zn = inv.pow(float(n))
    # (n-1)!/z^n + n!/(2 z^(n+1)) + sum_k B_2k (2k+n-1)!/(2k)! / z^(2k+n)
    series = zn * (math.factorial(n - 1) + fact * 0.5 * inv)
    power = zn * inv2
    for k, b in enumerate(_BERNOULLI):
        kk = 2 * k + 2
        series = series + power * (b * math.exp(math.lgamma(kk + n) - math.lgamma(kk + 1)))
        power = power * inv2
    val = series if acc is None else series + acc * fact
    return val * sign


def _compute(fn, x, *args):
    xf = _float(x)
    with _NoGrad():
        y = fn(*(args + (xf.detach().to(_core.float64),)))
    return y if xf.dtype == _core.float64 else y.to(xf.dtype)


class _Lgamma(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _compute(_lgamma64, x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * digamma(x)


class _Digamma(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _compute(_digamma64, x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * polygamma(1, x)


class _Polygamma(Function):
    @staticmethod
    def forward(ctx, n, x):
        ctx.n = n
        ctx.save_for_backward(x)
        return _compute(_polygamma64, x, n)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return None, g * polygamma(ctx.n + 1, x)


class _Mvlgamma(Function):
    @staticmethod
    def forward(ctx, x, p):
        ctx.p = p
        ctx.save_for_backward(x)
        xf = _float(x)
        out = _compute(_lgamma64, xf)
        for i in range(1, p):
            out = out + _compute(_lgamma64, xf - 0.5 * i)
        return out + p * (p - 1) / 4.0 * math.log(math.pi)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        d = digamma(x)
        for i in range(1, ctx.p):
            d = d + digamma(x - 0.5 * i)
        return g * d, None


_Lgamma._backward_name = "LgammaBackward0"
_Digamma._backward_name = "DigammaBackward0"
_Polygamma._backward_name = "PolygammaBackward0"
_Mvlgamma._backward_name = "MvlgammaBackward0"


def lgamma(input):
    return _Lgamma.apply(input)


def digamma(input):
    return _Digamma.apply(input)


def polygamma(n, input):
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("polygamma(): argument 'n' (position 1) must be int, not %s" % type(n).__name__)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if n == 0:
        return digamma(input)
    return _Polygamma.apply(n, input)


def mvlgamma(input, p):
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if p * input.element_size() >= 1 << 63:
        # PyTorch builds arange(p) in input's dtype: its storage size overflows.
        raise RuntimeError("Storage size calculation overflowed with sizes=[%d]" % p)
    return _Mvlgamma.apply(input, p)


def _inplace(fn):
    def method(self, *args):
        if not self.is_floating_point():
            raise RuntimeError("result type Float can't be cast to the desired output type %s"
                               % __import__("pyrustgrad._dtypes", fromlist=["_SCALAR_NAME"])._SCALAR_NAME[self.dtype])
        return self.copy_(fn(self.clone(), *args))

    return method


def _polygamma_method(self, n):
    return polygamma(n, self)


def _install(Tensor):
    """Tensor methods: x.lgamma(), x.digamma(), x.polygamma(n), x.mvlgamma(p) and in-place forms."""
    Tensor.lgamma = lgamma
    Tensor.digamma = digamma
    Tensor.polygamma = _polygamma_method
    Tensor.mvlgamma = mvlgamma
    Tensor.lgamma_ = _inplace(lgamma)
    Tensor.digamma_ = _inplace(digamma)
    Tensor.polygamma_ = _inplace(lambda x, n: polygamma(n, x))
    Tensor.mvlgamma_ = _inplace(mvlgamma)
