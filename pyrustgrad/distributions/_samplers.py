"""What PyTorch runs in C++ kernels that pyrustgrad does not have, written here in tensor
ops: the samplers ``torch._standard_gamma``, ``torch._sample_dirichlet``, ``torch.poisson``,
``torch.binomial`` (over pyrustgrad's generator) and ``torch.special.gammainc`` (Gamma.cdf).
The samplers draw from the right distributions but NOT PyTorch's streams: PyTorch's kernels
consume the generator element by element in their own order, which tensor ops cannot
reproduce. Every loop here is over rounds of rejection or counting (each round one
vectorised draw for all unfinished entries) or over series terms, never over elements.
Must stay valid Python 3.6.
"""

import pyrustgrad as torch
from pyrustgrad.autograd import Function

__all__ = []


def standard_gamma(concentration):
    """Gamma(concentration, 1) samples of the same shape and dtype (Marsaglia and Tsang's
    squeeze-rejection method; concentration < 1 boosted by U ** (1 / concentration)), at
    least the dtype's smallest normal number."""
    alpha = concentration.detach().to(torch.float64).reshape(-1)
    boost = alpha < 1
    a = torch.where(boost, alpha + 1, alpha)
    d = a - 1.0 / 3.0
    c = 1.0 / (9.0 * d).sqrt()
    out = torch.zeros_like(alpha)
    todo = torch.arange(alpha.numel())
    while todo.numel() > 0:
        dd, cc = d[todo], c[todo]
        x = torch.randn(todo.numel(), dtype=torch.float64)
        v = (1 + cc * x) ** 3
        u = torch.rand(todo.numel(), dtype=torch.float64)
        ok = (v > 0) & (u.log() < 0.5 * x * x + dd - dd * v + dd * v.clamp(min=1e-300).log())
        out[todo[ok]] = (dd * v)[ok]
        todo = todo[~ok]
    if bool(boost.any()):
        u = torch.rand(alpha.numel(), dtype=torch.float64)
        out = torch.where(boost, out * u ** (1.0 / alpha), out)
    out = out.to(concentration.dtype).reshape(concentration.shape)
    return out.clamp(min=torch.finfo(concentration.dtype).tiny)


class _NoParameterGradient(Function):
    """A sample whose gradient with respect to the concentration PyTorch computes by its own
    approximations (``_standard_gamma_grad``, ``_dirichlet_grad``), not built here: backward
    says so instead of returning a wrong or zero gradient."""

    @staticmethod
    def forward(ctx, concentration, sample):
        return sample

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("the gradient of a Gamma, Beta, Dirichlet or Chi2 sample with respect to its "
                                  "concentration is not implemented by pyrustgrad (PyTorch's _standard_gamma_grad)")


def reparameterised_gamma(concentration):
    s = standard_gamma(concentration)
    if concentration.requires_grad and torch.is_grad_enabled():
        return _NoParameterGradient.apply(concentration, s)
    return s


def sample_dirichlet(concentration):
    """Dirichlet samples: independent gammas over the last dim, normalised."""
    g = standard_gamma(concentration)
    x = g / g.sum(-1, True)
    tiny = torch.finfo(x.dtype).tiny
    x = x.clamp(min=tiny, max=1 - torch.finfo(x.dtype).eps / 2)
    if concentration.requires_grad and torch.is_grad_enabled():
        return _NoParameterGradient.apply(concentration, x)
    return x


def poisson(rate):
    """Poisson(rate) counts (as rate's dtype): the number of unit-rate exponential arrivals
    up to time ``rate``, counted for every entry at once (about max(rate) rounds)."""
    lam = rate.detach().to(torch.float64).reshape(-1)
    count = torch.zeros_like(lam)
    t = torch.zeros_like(lam)
    todo = torch.arange(lam.numel())[lam > 0]
    while todo.numel() > 0:
        t[todo] = t[todo] + torch.empty(todo.numel(), dtype=torch.float64).exponential_()
        arrived = t[todo] <= lam[todo]
        count[todo[arrived]] = count[todo[arrived]] + 1
        todo = todo[arrived]
    return count.to(rate.dtype).reshape(rate.shape)


def binomial(total_count, probs):
    """Binomial(total_count, probs) counts: the sum of total_count Bernoulli trials per entry,
    in rounds of up to 1024 trials for all entries at once."""
    n = total_count.detach().to(torch.float64)
    p = probs.detach().to(torch.float64)
    out = torch.zeros_like(p)
    most = int(n.max().item()) if n.numel() else 0
    done = 0
    while done < most:
        k = min(1024, most - done)
        trials = torch.bernoulli(p.expand((k,) + tuple(p.shape)))
        index = (torch.arange(k, dtype=torch.float64) + done).reshape((k,) + (1,) * p.dim())
        out = out + (trials * (index < n).to(torch.float64)).sum(0)
        done += k
    return out.to(probs.dtype)


def _gammainc_values(a, x):
    """P(a, x), the regularised lower incomplete gamma function, in float64: its power series
    where x < a + 1, otherwise 1 - Q from Q's continued fraction (modified Lentz), each with a
    fixed number of terms (relative error near 1e-15 for a and x up to about 1e4)."""
    a = a.to(torch.float64)
    x = x.to(torch.float64)
    a, x = torch.broadcast_tensors(a, x)
    xs = x.clamp(min=1e-300)
    log_front = -xs + a * xs.log()
    # series: sum x^n / ((a+1)...(a+n))
    term = torch.ones_like(a)
    total = torch.ones_like(a)
    for n in range(1, 400):
        term = term * xs / (a + n)
        total = total + term
    series = (log_front - torch.lgamma(a + 1)).exp() * total
    # continued fraction for Q
    tiny = 1e-300
    b = xs + 1 - a
    c = torch.full_like(a, 1.0 / tiny)
    d = 1.0 / torch.where(b.abs() < tiny, torch.full_like(b, tiny), b)
    h = d
    for i in range(1, 300):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = 1.0 / torch.where(d.abs() < tiny, torch.full_like(d, tiny), d)
        c = b + an / c
        c = torch.where(c.abs() < tiny, torch.full_like(c, tiny), c)
        h = h * d * c
    upper = 1 - (log_front - torch.lgamma(a)).exp() * h
    p = torch.where(xs < a + 1, series, upper)
    p = torch.where(x <= 0, torch.zeros_like(p), p)
    return torch.where(x == float("inf"), torch.ones_like(p), p)


class _Gammainc(Function):
    @staticmethod
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        dtype = x.dtype if x.is_floating_point() else a.dtype
        return _gammainc_values(a.detach(), x.detach()).to(dtype)

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative of the incomplete gamma function with respect to its "
                                      "first argument is not implemented (as in PyTorch's igamma)")
        density = (-x + (a - 1) * x.log() - torch.lgamma(a)).exp()
        return None, grad * density


def gammainc(a, x):
    """``torch.special.gammainc(a, x)`` for the Gamma distribution's cdf (differentiable in x)."""
    return _Gammainc.apply(a, x)
