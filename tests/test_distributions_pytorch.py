"""``pyrustgrad.distributions`` compared with PyTorch 2.15's ``torch.distributions`` (issue 8):
log_prob, entropy, cdf/icdf, moments, shapes, expand, repr and support; samples after
``manual_seed`` for the distributions that sample through ops pyrustgrad shares with PyTorch;
rsample gradients of the first and second order in float64; KL divergences; PyTorch's
ValueError texts for invalid parameters and values outside the support. The gamma family,
Binomial and Poisson sample with pyrustgrad's own samplers: their samples are checked for
shape and statistics only (not recorded), their rsample gradient with respect to the
concentration is refused.

tests/data/distributions_pytorch215.json is written by running this file under PyTorch:

    /opt/torch-venv/bin/python tests/test_distributions_pytorch.py --record

Must stay valid Python 3.6.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _pytorch_cases import DATA_DIR, GRADS, SETUP, case_tests, record  # noqa: E402

try:
    import pytest
except ImportError:  # recording under PyTorch needs no pytest
    pytest = None

DATA = os.path.join(DATA_DIR, "distributions_pytorch215.json")

MORE = GRADS + """
dist = torch.distributions

def t(*v):
    return torch.tensor(v, dtype=D)

def err(fn):
    try:
        fn()
    except Exception as e:
        return [type(e).__name__, str(e)]
    return 'no error'

def look(d, value, icdf=None):
    # everything a distribution answers without drawing, each item or its error
    out = [repr(d), d.batch_shape, d.event_shape]
    for name in ('mean', 'mode', 'variance', 'stddev'):
        try:
            out.append(getattr(d, name))
        except NotImplementedError:
            out.append('NotImplementedError')
    out.append(d.log_prob(value))
    out.append(d.entropy())
    for f in ('cdf', 'icdf'):
        arg = value if f == 'cdf' else icdf
        if arg is None:
            continue
        try:
            out.append(getattr(d, f)(arg))
        except NotImplementedError:
            out.append('NotImplementedError')
    out.append(repr(d.support))
    out.append([d.has_rsample, d.has_enumerate_support])
    e = d.expand((3,) + tuple(d.batch_shape))
    out.append([repr(e), e.batch_shape, e.event_shape, e.log_prob(value)])
    return out

def draws(make, shapes=((), (2, 3))):
    # samples after manual_seed: sample then rsample (where there is one), for each shape
    torch.manual_seed(7)
    d = make()
    out = []
    for s in shapes:
        out.append(d.sample(s))
        if d.has_rsample:
            out.append(d.rsample(s))
    return out

def rgrad(make, *params):
    # rsample's first- and second-order gradients with respect to float64 parameters
    ps = [p.detach().clone().requires_grad_() for p in params]
    torch.manual_seed(11)
    s = make(*ps).rsample((3,))
    w = torch.arange(1.0, s.numel() + 1.0, dtype=D).reshape(s.shape) * 0.1
    g1 = torch.autograd.grad((s * w).sum(), ps, create_graph=True)
    sum(((q * q).sum() for q in g1), torch.zeros((), dtype=D)).backward()
    torch.manual_seed(11)
    s2 = make(*ps).rsample((3,))
    return [s, list(g1), [p.grad for p in ps], s2]

def lpgrad(make, value, *params):
    # log_prob and entropy gradients (first and second order) with respect to the parameters
    ps = [p.detach().clone().requires_grad_() for p in params]
    d = make(*ps)
    y = d.log_prob(value).sum() + d.entropy().sum()
    g1 = torch.autograd.grad(y, ps, create_graph=True)
    sum(((q * q).sum() for q in g1), torch.zeros((), dtype=D)).backward()
    return [y, list(g1), [p.grad for p in ps]]

LOC = t(-1.0, 0.5, 2.0)
SCALE = t(0.5, 1.0, 3.0)
V = t(-0.3, 0.7, 4.0)
P = t(0.2, 0.5, 0.9)
C = t(0.5, 1.5, 3.0)
COV = torch.tensor([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 1.5]], dtype=D)
"""

CASES = {
    # ---------------------------------------------------------------- values, shapes, repr
    "normal_values": "out = look(dist.Normal(LOC, SCALE), V, icdf=P)",
    "normal_scalar_values": "out = look(dist.Normal(0.0, 2.0), torch.tensor(0.5), icdf=torch.tensor(0.3))",
    "normal_broadcast": "d = dist.Normal(LOC, 2.0); out = [d.batch_shape, d.scale, d.log_prob(torch.zeros(2, 1, dtype=D))]",
    "normal_float32": "out = look(dist.Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 0.5])), torch.tensor([0.2, -1.0]), icdf=torch.tensor([0.1, 0.99]))",
    "lognormal_values": "out = look(dist.LogNormal(LOC, SCALE), t(0.5, 1.0, 6.0), icdf=P)",
    "uniform_values": "out = look(dist.Uniform(LOC, LOC + SCALE), t(-0.8, 1.0, 3.0), icdf=P)",
    "uniform_scalar_values": "out = look(dist.Uniform(0.0, 2.0), torch.tensor(0.5), icdf=torch.tensor(0.25))",
    "exponential_values": "out = look(dist.Exponential(SCALE), t(0.1, 1.0, 2.5), icdf=P)",
    "laplace_values": "out = look(dist.Laplace(LOC, SCALE), V, icdf=P)",
    "cauchy_values": "out = look(dist.Cauchy(LOC, SCALE), V, icdf=P)",
    "gamma_values": "out = look(dist.Gamma(t(0.5, 2.0, 7.5), SCALE), t(0.3, 1.0, 2.5))",
    "gamma_cdf_grad": "x = t(0.3, 1.0, 2.5).requires_grad_(); y = dist.Gamma(t(0.5, 2.0, 7.5), SCALE).cdf(x); y.sum().backward(); out = [y, x.grad]",
    "gamma_int_value": "d = dist.Gamma(t(0.5, 2.0, 7.5), SCALE); out = d.log_prob(1.0)",
    "chi2_values": "d = dist.Chi2(t(1.0, 3.0, 10.0)); out = [look(d, t(0.3, 1.0, 8.0)), d.df]",
    "beta_values": "out = look(dist.Beta(t(0.5, 2.0, 3.0), t(0.7, 2.0, 9.0)), t(0.1, 0.5, 0.25))",
    # (float64 default: pyrustgrad's float32 digamma is closer to exact than PyTorch's, 2e-6 apart here)
    "beta_scalar_values": "torch.set_default_dtype(D)\ntry:\n    d = dist.Beta(2.0, 3.0); out = [look(d, torch.tensor(0.3)), d.concentration1, d.concentration0]\nfinally:\n    torch.set_default_dtype(torch.float32)",
    "dirichlet_values": "out = look(dist.Dirichlet(torch.tensor([[0.5, 2.0, 3.0], [1.0, 1.0, 1.0]], dtype=D)), t(0.2, 0.3, 0.5))",
    "dirichlet_mode_small": "out = dist.Dirichlet(torch.tensor([[0.5, 0.2, 0.3], [2.0, 3.0, 4.0]], dtype=D)).mode",
    "studentt_values": "out = look(dist.StudentT(t(0.8, 1.5, 5.0), LOC, SCALE), V)",
    "studentt_default": "d = dist.StudentT(3.0); out = [repr(d), d.log_prob(torch.tensor(0.5)), d.entropy(), d.mean, d.variance]",
    "bernoulli_probs_values": "out = look(dist.Bernoulli(probs=P), t(0.0, 1.0, 1.0))",
    "bernoulli_logits_values": "d = dist.Bernoulli(logits=t(-2.0, 0.0, 3.0)); out = [look(d, t(1.0, 0.0, 1.0)), d.probs, d.logits, d.param_shape]",
    "bernoulli_scalar": "d = dist.Bernoulli(0.3); out = [repr(d), d.batch_shape, d.log_prob(torch.tensor(1.0)), d.enumerate_support(), d.enumerate_support(False)]",
    "bernoulli_enumerate": "out = [dist.Bernoulli(P).enumerate_support(), dist.Bernoulli(P).enumerate_support(False)]",
    "categorical_probs_values": "d = dist.Categorical(probs=torch.tensor([[1.0, 2.0, 3.0], [0.5, 0.5, 0.0]], dtype=D)); out = [look(d, torch.tensor([2, 1])), d.probs, d.logits, d.param_shape, d.enumerate_support()]",
    "categorical_logits_values": "d = dist.Categorical(logits=t(0.1, -1.0, 2.0, 0.5)); out = [look(d, torch.tensor(3)), d.probs, d.logits, d.enumerate_support(False)]",
    "categorical_float_value": "out = dist.Categorical(logits=t(0.1, -1.0, 2.0)).log_prob(t(2.0, 0.0))",
    "onehot_values": "d = dist.OneHotCategorical(probs=torch.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], dtype=D)); out = [look(d, torch.tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], dtype=D)), d.enumerate_support(), d.probs, d.logits]",
    "binomial_values": "d = dist.Binomial(10, t(0.2, 0.5, 0.9)); out = [look(d, t(0.0, 5.0, 9.0)), d.enumerate_support(False).shape, d.total_count]",
    "binomial_logits": "d = dist.Binomial(t(3.0, 5.0, 8.0), logits=t(-1.0, 0.0, 2.0)); out = [repr(d), d.log_prob(t(1.0, 5.0, 2.0)), d.mean, d.variance, d.mode, err(d.entropy)]",
    "poisson_values": "out = look(dist.Poisson(t(0.5, 2.0, 10.0)), t(0.0, 3.0, 12.0))",
    "mvn_cov_values": "out = look(dist.MultivariateNormal(LOC, covariance_matrix=COV), V)",
    "mvn_matrices": "d = dist.MultivariateNormal(LOC, covariance_matrix=COV); out = [d.scale_tril, d.covariance_matrix, d.precision_matrix]",
    "mvn_precision": "d = dist.MultivariateNormal(LOC, precision_matrix=COV); out = [repr(d), d.log_prob(V), d.entropy(), d.covariance_matrix, d.scale_tril, d.variance]",
    "mvn_scale_tril": "d = dist.MultivariateNormal(LOC, scale_tril=torch.linalg.cholesky(COV)); out = [repr(d), d.log_prob(V), d.entropy(), d.covariance_matrix, d.precision_matrix]",
    "mvn_batched": "d = dist.MultivariateNormal(torch.zeros(2, 3, dtype=D), covariance_matrix=COV); out = [d.batch_shape, d.event_shape, d.log_prob(torch.stack([V, LOC])), d.log_prob(torch.ones(4, 1, 3, dtype=D)), d.entropy(), repr(d)]",
    "mvn_batched_cov": "c = torch.stack([COV, 2.0 * COV]); d = dist.MultivariateNormal(LOC, covariance_matrix=c); out = [d.batch_shape, d.loc, d.log_prob(V), d.entropy(), d.expand((4, 2)).log_prob(V)]",
    "independent_values": "d = dist.Independent(dist.Normal(torch.stack([LOC, V]), torch.stack([SCALE, SCALE])), 1); out = look(d, V)",
    "independent_2": "d = dist.Independent(dist.Normal(torch.stack([LOC, V]), 1.0), 2); out = [repr(d), d.batch_shape, d.event_shape, d.log_prob(torch.zeros(2, 3, dtype=D)), d.entropy(), repr(d.support), d.has_enumerate_support]",
    "independent_bernoulli": "d = dist.Independent(dist.Bernoulli(P), 0); out = [repr(d), d.enumerate_support(), d.has_enumerate_support]",
    "perplexity": "out = [dist.Normal(LOC, SCALE).perplexity(), dist.Categorical(P).perplexity()]",
    "expfamily_entropy": "out = [dist.ExponentialFamily.entropy(dist.Normal(LOC, SCALE)), dist.ExponentialFamily.entropy(dist.Exponential(SCALE)), dist.ExponentialFamily.entropy(dist.Gamma(SCALE, P)), dist.ExponentialFamily.entropy(dist.Bernoulli(P))]",
    "arg_constraints": "out = [[(k, repr(v)) for k, v in c.arg_constraints.items()] for c in (dist.Normal, dist.Bernoulli, dist.Categorical, dist.Gamma, dist.Beta, dist.Dirichlet, dist.MultivariateNormal, dist.Binomial, dist.Poisson, dist.StudentT, dist.Exponential, dist.Laplace, dist.Cauchy, dist.LogNormal, dist.Chi2)] + [[(k, repr(v)) for k, v in dist.Uniform(0.0, 1.0).arg_constraints.items()]]",
    "supports": "out = [repr(c.support) for c in (dist.Normal, dist.Bernoulli, dist.Gamma, dist.Beta, dist.Dirichlet, dist.MultivariateNormal, dist.Poisson, dist.OneHotCategorical, dist.Exponential, dist.LogNormal)] + [repr(dist.Categorical(P).support), repr(dist.Binomial(4, P).support), repr(dist.Uniform(0.0, 1.0).support)]",
    "constraints_check": (
        "c = dist.constraints; x = t(-1.0, 0.0, 0.5, 1.0, float('nan'))\n"
        "out = [c.real.check(x), c.positive.check(x), c.nonnegative.check(x), c.unit_interval.check(x), c.boolean.check(x), c.nonnegative_integer.check(x), c.greater_than(0.2).check(x), c.less_than(0.7).check(x), c.interval(-1.0, 0.5).check(x), c.half_open_interval(-1.0, 0.5).check(x), c.integer_interval(0, 1).check(x),"
        " c.simplex.check(torch.tensor([[0.2, 0.8], [0.5, 0.6]], dtype=D)), c.one_hot.check(torch.tensor([[0.0, 1.0], [1.0, 1.0]])), c.lower_cholesky.check(torch.linalg.cholesky(COV)), c.lower_cholesky.check(COV), c.positive_definite.check(COV), c.positive_definite.check(-COV), c.symmetric.check(COV), c.real_vector.check(torch.zeros(2, 3)),"
        " c.independent(c.positive, 1).check(torch.tensor([[1.0, 2.0], [1.0, -2.0]])), repr(c.independent(c.positive, 1)), repr(c.interval(0.0, 2.5)), repr(c.real_vector), c.is_dependent(c.dependent), c.positive.event_dim, c.simplex.event_dim, c.boolean.is_discrete,"
        " c.cat([c.positive, c.real], lengths=[1, 2]).check(t(1.0, -1.0, 2.0)), c.stack([c.positive, c.real]).check(t(-1.0, -1.0))]"),
    "lazy_logits_not_in_repr": "d = dist.Bernoulli(probs=P); _ = d.logits; out = [repr(d), repr(dist.Categorical(logits=t(0.1, 0.2)))]",
    # ---------------------------------------------------------------- samples after manual_seed
    "normal_samples": "out = draws(lambda: dist.Normal(LOC, SCALE))",
    "normal_samples_float32": "out = draws(lambda: dist.Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0])))",
    "normal_scalar_samples": "out = draws(lambda: dist.Normal(0.0, 1.0), shapes=((), (4,), torch.Size([2, 2])))",
    "lognormal_samples": "out = draws(lambda: dist.LogNormal(LOC, SCALE))",
    "uniform_samples": "out = draws(lambda: dist.Uniform(LOC, LOC + SCALE))",
    "exponential_samples": "out = draws(lambda: dist.Exponential(SCALE))",
    "laplace_samples": "out = draws(lambda: dist.Laplace(LOC, SCALE))",
    "cauchy_samples": "out = draws(lambda: dist.Cauchy(LOC, SCALE))",
    "mvn_samples": "out = draws(lambda: dist.MultivariateNormal(LOC, covariance_matrix=COV))",
    "mvn_batched_samples": "out = draws(lambda: dist.MultivariateNormal(torch.zeros(2, 3, dtype=D), scale_tril=torch.linalg.cholesky(COV)), shapes=((), (4,)))",
    "independent_samples": "out = draws(lambda: dist.Independent(dist.Normal(LOC, SCALE), 1))",
    "bernoulli_samples": "out = draws(lambda: dist.Bernoulli(P))",
    "bernoulli_logits_samples": "out = draws(lambda: dist.Bernoulli(logits=t(-2.0, 0.0, 3.0)), shapes=((5,),))",
    "categorical_samples": "out = draws(lambda: dist.Categorical(probs=torch.tensor([[1.0, 2.0, 3.0], [0.5, 0.5, 0.0]], dtype=D)), shapes=((), (4,), (2, 3)))",
    "categorical_unbatched_samples": "out = draws(lambda: dist.Categorical(logits=t(0.1, -1.0, 2.0, 0.5)), shapes=((), (6,)))",
    "onehot_samples": "out = draws(lambda: dist.OneHotCategorical(probs=torch.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], dtype=D)), shapes=((), (3,)))",
    "sample_n": "torch.manual_seed(1); out = dist.Normal(LOC, SCALE).sample_n(2)",
    # ---------------------------------------------------------------- gradients
    "normal_rsample_grad": "out = rgrad(lambda a, b: dist.Normal(a, b), LOC, SCALE)",
    "lognormal_rsample_grad": "out = rgrad(lambda a, b: dist.LogNormal(a, b), LOC, SCALE)",
    "uniform_rsample_grad": "out = rgrad(lambda a, b: dist.Uniform(a, b), LOC, LOC + SCALE)",
    "exponential_rsample_grad": "out = rgrad(lambda a: dist.Exponential(a), SCALE)",
    "laplace_rsample_grad": "out = rgrad(lambda a, b: dist.Laplace(a, b), LOC, SCALE)",
    "cauchy_rsample_grad": "out = rgrad(lambda a, b: dist.Cauchy(a, b), LOC, SCALE)",
    "mvn_rsample_grad": "out = rgrad(lambda a, c: dist.MultivariateNormal(a, covariance_matrix=c), LOC, COV)",
    "mvn_tril_rsample_grad": "out = rgrad(lambda a, c: dist.MultivariateNormal(a, scale_tril=c), LOC, torch.linalg.cholesky(COV))",
    "onehot_straight_through_grad": "out = rgrad(lambda p: dist.OneHotCategoricalStraightThrough(probs=p), P)",
    "normal_logprob_grad": "out = lpgrad(lambda a, b: dist.Normal(a, b), V, LOC, SCALE)",
    "gamma_logprob_grad": "out = lpgrad(lambda a, b: dist.Gamma(a, b), t(0.3, 1.0, 2.5), C, P)",
    "beta_logprob_grad": "out = lpgrad(lambda a, b: dist.Beta(a, b), P, C, t(0.7, 2.0, 9.0))",
    "dirichlet_logprob_grad": "out = lpgrad(lambda a: dist.Dirichlet(a), t(0.2, 0.3, 0.5), C)",
    "studentt_logprob_grad": "out = lpgrad(lambda a, b, c: dist.StudentT(a, b, c), V, t(0.8, 1.5, 5.0), LOC, SCALE)",
    "bernoulli_logprob_grad": "out = lpgrad(lambda p: dist.Bernoulli(probs=p), t(1.0, 0.0, 1.0), P)",
    "bernoulli_logits_logprob_grad": "out = lpgrad(lambda p: dist.Bernoulli(logits=p), t(1.0, 0.0, 1.0), LOC)",
    "categorical_logprob_grad": "out = lpgrad(lambda p: dist.Categorical(logits=p), torch.tensor(1), V)",
    "mvn_logprob_grad": "out = lpgrad(lambda a, c: dist.MultivariateNormal(a, covariance_matrix=c), V, LOC, COV)",
    "mvn_precision_logprob_grad": "out = lpgrad(lambda a, c: dist.MultivariateNormal(a, precision_matrix=c), V, LOC, COV)",
    "binomial_logprob_grad": "out = lpgrad(lambda p: dist.Binomial(6, probs=p), t(1.0, 3.0, 6.0), P)",
    "poisson_logprob_grad": "out = lpgrad(lambda r: dist.Poisson(r), t(1.0, 3.0, 6.0), SCALE)",
    # ---------------------------------------------------------------- KL
    "kl_same_family": (
        "k = dist.kl_divergence\n"
        "out = [k(dist.Normal(LOC, SCALE), dist.Normal(V, P)), k(dist.Bernoulli(P), dist.Bernoulli(t(0.5, 0.1, 0.9))), k(dist.Bernoulli(t(0.0, 1.0, 0.5)), dist.Bernoulli(t(0.0, 0.5, 1.0))),"
        " k(dist.Categorical(torch.tensor([[0.2, 0.8, 0.0], [0.3, 0.3, 0.4]], dtype=D)), dist.Categorical(logits=V)), k(dist.Categorical(torch.tensor([0.5, 0.5], dtype=D)), dist.Categorical(torch.tensor([1.0, 0.0], dtype=D))),"
        " k(dist.Uniform(LOC, LOC + SCALE), dist.Uniform(LOC - 1.0, LOC + SCALE + 0.5)), k(dist.Uniform(LOC, LOC + SCALE), dist.Uniform(LOC + 0.1, LOC + SCALE)),"
        " k(dist.Exponential(SCALE), dist.Exponential(P)), k(dist.Laplace(LOC, SCALE), dist.Laplace(V, P)), k(dist.Beta(SCALE, P), dist.Beta(P, SCALE)), k(dist.Gamma(SCALE, P), dist.Gamma(P, SCALE)),"
        " k(dist.Dirichlet(torch.stack([SCALE, P])), dist.Dirichlet(torch.stack([P, SCALE]))), k(dist.Poisson(SCALE), dist.Poisson(P)), k(dist.Cauchy(LOC, SCALE), dist.Cauchy(V, P)),"
        " k(dist.OneHotCategorical(P), dist.OneHotCategorical(SCALE)), k(dist.Binomial(5, P), dist.Binomial(5, SCALE / 4)), k(dist.Binomial(7, P), dist.Binomial(5, SCALE / 4)), k(dist.LogNormal(LOC, SCALE), dist.LogNormal(V, P)), k(dist.Chi2(SCALE), dist.Chi2(P))]"),
    "kl_mvn": (
        "k = dist.kl_divergence; c2 = torch.tensor([[1.0, 0.2, 0.0], [0.2, 2.0, 0.3], [0.0, 0.3, 1.0]], dtype=D)\n"
        "out = [k(dist.MultivariateNormal(LOC, covariance_matrix=COV), dist.MultivariateNormal(V, covariance_matrix=c2)), k(dist.MultivariateNormal(LOC, precision_matrix=COV), dist.MultivariateNormal(V, scale_tril=torch.linalg.cholesky(c2))),"
        " k(dist.MultivariateNormal(torch.zeros(2, 3, dtype=D), covariance_matrix=COV), dist.MultivariateNormal(V, covariance_matrix=torch.stack([c2, COV]))),"
        " err(lambda: k(dist.MultivariateNormal(LOC, covariance_matrix=COV), dist.MultivariateNormal(LOC[:2], covariance_matrix=COV[:2, :2])))]"),
    "kl_independent": "k = dist.kl_divergence; out = [k(dist.Independent(dist.Normal(LOC, SCALE), 1), dist.Independent(dist.Normal(V, P), 1)), err(lambda: k(dist.Independent(dist.Normal(LOC.reshape(1, 3), SCALE), 1), dist.Independent(dist.Normal(LOC.reshape(1, 3), SCALE), 2)))]",
    "kl_cross_family": (
        "k = dist.kl_divergence; n = dist.Normal(LOC, SCALE); ga = dist.Gamma(SCALE, P); be = dist.Beta(SCALE, P); ex = dist.Exponential(SCALE); un = dist.Uniform(P / 2, P); la = dist.Laplace(LOC, SCALE); po = dist.Poisson(SCALE)\n"
        "out = [k(dist.Bernoulli(P), po), k(be, ex), k(be, ga), k(be, n), k(be, dist.Uniform(0.0, 1.0)), k(be, un), k(ex, be), k(ex, ga), k(ex, n), k(ex, un), k(ga, be), k(ga, ex), k(ga, n), k(ga, un),"
        " k(la, be), k(la, ex), k(la, ga), k(la, un), k(la, n), k(n, be), k(n, ex), k(n, ga), k(n, un), k(n, la), k(po, dist.Bernoulli(P)), k(po, dist.Binomial(3, P)),"
        " k(un, be), k(un, ex), k(dist.Uniform(LOC, LOC + 1.0), ex), k(un, ga), k(un, n)]"),
    "kl_not_implemented": "out = [err(lambda: dist.kl_divergence(dist.Normal(0.0, 1.0), dist.Cauchy(0.0, 1.0))), err(lambda: dist.kl_divergence(dist.Poisson(1.0), dist.Normal(0.0, 1.0))), err(lambda: dist.kl_divergence(dist.Binomial(3, P), dist.Binomial(5, P)))]",
    "kl_grad": "a = LOC.clone().requires_grad_(); b = SCALE.clone().requires_grad_(); y = dist.kl_divergence(dist.Normal(a, b), dist.Normal(V, P)).sum() + dist.kl_divergence(dist.Gamma(b, P), dist.Gamma(P, b)).sum(); y.backward(); out = [y, a.grad, b.grad]",
    "register_kl": (
        "class MyNormal(dist.Normal):\n    pass\n"
        "@dist.register_kl(MyNormal, dist.Normal)\n"
        "def _k(p, q):\n    return p.loc * 0 + 42.0\n"
        "out = [dist.kl_divergence(MyNormal(LOC, SCALE), dist.Normal(V, P)), dist.kl_divergence(dist.Normal(LOC, SCALE), MyNormal(V, P)), dist.kl_divergence(MyNormal(LOC, SCALE), MyNormal(V, P))]"),
    # ---------------------------------------------------------------- errors
    "normal_bad_scale": "dist.Normal(0.0, -1.0)",
    "normal_bad_scale_tensor": "dist.Normal(LOC, t(1.0, 0.0, 2.0))",
    "normal_nan_loc": "dist.Normal(t(float('nan'), 1.0), 1.0)",
    "normal_bad_value_shape": "dist.Normal(LOC, SCALE).log_prob(t(1.0, 2.0))",
    "normal_value_not_tensor": "dist.Normal(LOC, SCALE).log_prob(1.0)",
    "normal_bad_value_event": "dist.MultivariateNormal(LOC, COV).log_prob(t(1.0, 2.0))",
    "normal_validate_off": "out = [dist.Normal(0.0, -1.0, validate_args=False).scale, dist.Normal(0.0, -1.0, validate_args=False).log_prob(torch.tensor(0.0))]",
    "set_default_validate_args": "dist.Distribution.set_default_validate_args(False)\ntry:\n    out = [repr(dist.Normal(0.0, -1.0)), err(lambda: dist.Distribution.set_default_validate_args(2))]\nfinally:\n    dist.Distribution.set_default_validate_args(True)",
    "uniform_bad_bounds": "dist.Uniform(LOC, LOC - 1.0)",
    "uniform_value_outside": "dist.Uniform(0.0, 1.0).log_prob(torch.tensor(1.5))",
    "exponential_value_outside": "dist.Exponential(SCALE).log_prob(t(1.0, -1.0, 2.0))",
    "bernoulli_both": "dist.Bernoulli(probs=P, logits=P)",
    "bernoulli_none": "dist.Bernoulli()",
    "bernoulli_bad_probs": "dist.Bernoulli(probs=t(0.5, 1.5))",
    "bernoulli_value_outside": "dist.Bernoulli(P).log_prob(t(0.5, 1.0, 0.0))",
    "categorical_0d": "dist.Categorical(torch.tensor(0.5))",
    "categorical_0d_logits": "dist.Categorical(logits=torch.tensor(0.5))",
    "categorical_bad_probs": "dist.Categorical(t(0.5, -0.5))",
    "categorical_value_outside": "dist.Categorical(P).log_prob(torch.tensor(3))",
    "categorical_value_shape": "dist.Categorical(torch.ones(2, 3)).log_prob(torch.tensor([0, 1, 2]))",
    "onehot_value_outside": "dist.OneHotCategorical(P).log_prob(t(1.0, 1.0, 0.0))",
    "gamma_bad": "dist.Gamma(t(1.0, -1.0), 1.0)",
    "beta_bad": "dist.Beta(t(1.0, 2.0), t(0.0, 1.0))",
    "dirichlet_0d": "dist.Dirichlet(torch.tensor(1.0))",
    "dirichlet_bad": "dist.Dirichlet(t(1.0, -1.0))",
    "dirichlet_value_outside": "dist.Dirichlet(t(1.0, 2.0)).log_prob(t(0.5, 0.6))",
    "binomial_bad_count": "dist.Binomial(t(2.5, 3.0), t(0.5, 0.5))",
    "binomial_value_outside": "dist.Binomial(3, t(0.5, 0.5)).log_prob(t(1.0, 4.0))",
    "poisson_bad": "dist.Poisson(t(-1.0))",
    "poisson_value_outside": "dist.Poisson(t(1.0)).log_prob(t(0.5))",
    "mvn_none": "dist.MultivariateNormal(LOC)",
    "mvn_two": "dist.MultivariateNormal(LOC, covariance_matrix=COV, scale_tril=COV)",
    "mvn_0d_loc": "dist.MultivariateNormal(torch.tensor(0.0), COV)",
    "mvn_1d_cov": "dist.MultivariateNormal(LOC, covariance_matrix=LOC)",
    "mvn_1d_tril": "dist.MultivariateNormal(LOC, scale_tril=LOC)",
    "mvn_1d_precision": "dist.MultivariateNormal(LOC, precision_matrix=LOC)",
    "mvn_not_pd": "dist.MultivariateNormal(LOC, covariance_matrix=-COV)",
    "mvn_not_tril": "dist.MultivariateNormal(LOC, scale_tril=COV)",
    "independent_too_many": "dist.Independent(dist.Normal(LOC, SCALE), 2)",
    "studentt_bad": "dist.StudentT(t(1.0, -1.0))",
    "laplace_bad": "dist.Laplace(0.0, 0.0)",
    "cauchy_bad": "dist.Cauchy(t(0.0), t(-2.0))",
    "lognormal_bad": "dist.LogNormal(0.0, -1.0)",
    "lognormal_value_outside": "dist.LogNormal(0.0, 1.0).log_prob(torch.tensor(-1.0))",
    "broadcast_all_bad": "dist.Normal('a', 1.0)",
    "binomial_inhomogeneous_entropy": "dist.Binomial(t(2.0, 3.0), t(0.5, 0.5)).entropy()",
    "independent_enumerate": "dist.Independent(dist.Bernoulli(P), 1).enumerate_support()",
    "mode_not_implemented": "out = err(lambda: dist.Distribution().mode)",
    "expand_custom_init": "class N2(dist.Normal):\n    def __init__(self, a):\n        dist.Normal.__init__(self, a, 1.0)\nN2(LOC).expand((2, 3))",
}


def _pyrustgrad():
    import pyrustgrad
    return pyrustgrad


test_case_matches_pytorch, test_recording_is_current = case_tests(CASES, DATA, SETUP + MORE)


# ---------------------------------------------------------------- pyrustgrad's own samplers
# (not PyTorch's streams): shapes, dtypes, support and the first two moments over many draws.

def _moments(x):
    m = x.mean(0)
    return m, ((x - m) ** 2).mean(0)


def _close_moments(sample, mean, var, tol=0.05):
    m, v = _moments(sample.double())
    for got, want, what in ((m, mean, "mean"), (v, var, "variance")):
        for g, w in zip(got.reshape(-1).tolist(), want.reshape(-1).tolist()):
            assert abs(g - w) <= tol * max(1.0, abs(w)), (what, got, want)


def _own_sampler_cases():
    torch = _pyrustgrad()
    D = torch.float64
    t = lambda *v: torch.tensor(v, dtype=D)  # noqa: E731
    dist = torch.distributions
    return {
        "gamma": dist.Gamma(t(0.3, 1.0, 4.5), t(1.0, 2.0, 0.5)),
        "gamma_float32": dist.Gamma(torch.tensor([0.3, 2.0]), torch.tensor([1.0, 3.0])),
        "chi2": dist.Chi2(t(1.0, 4.0)),
        "beta": dist.Beta(t(0.5, 2.0, 5.0), t(0.5, 3.0, 1.0)),
        "dirichlet": dist.Dirichlet(torch.tensor([[0.5, 1.0, 2.0], [3.0, 3.0, 3.0]], dtype=D)),
        "studentt": dist.StudentT(t(5.0, 9.0), t(0.0, 1.0), t(1.0, 2.0)),
        "poisson": dist.Poisson(t(0.0, 0.7, 4.0, 30.0)),
        "binomial": dist.Binomial(t(0.0, 5.0, 40.0), t(0.3, 0.5, 0.9)),
    }


def _parametrize_own(f):
    return pytest.mark.parametrize("name", sorted(_own_sampler_cases()))(f) if pytest else f


@_parametrize_own
def test_own_sampler_shape_support_and_moments(name):
    torch = _pyrustgrad()
    d = _own_sampler_cases()[name]
    torch.manual_seed(0)
    one = d.sample()
    assert one.shape == d.batch_shape + d.event_shape and one.dtype == d.mean.dtype
    assert d.sample((2, 3)).shape == torch.Size((2, 3)) + d.batch_shape + d.event_shape
    x = d.sample((20000,))
    assert bool(d.support.check(x).all())
    _close_moments(x, d.mean, d.variance)


def test_gamma_samples_are_reproducible_and_positive():
    torch = _pyrustgrad()
    d = torch.distributions.Gamma(torch.tensor([1e-3, 0.5, 50.0]), 1.0)
    torch.manual_seed(5)
    a = d.sample((100,))
    torch.manual_seed(5)
    b = d.sample((100,))
    assert torch.equal(a, b)
    assert bool((a >= torch.finfo(a.dtype).tiny).all())


def test_gamma_rsample_gradient_flows_to_rate_and_refuses_concentration():
    torch = _pyrustgrad()
    rate = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch.manual_seed(2)
    s = torch.distributions.Gamma(torch.tensor([2.0, 3.0], dtype=torch.float64), rate).rsample()
    s.sum().backward()
    # x = g / rate: dx/drate = -x / rate
    assert torch.allclose(rate.grad, -s.detach() / rate.detach())
    conc = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    for d in (torch.distributions.Gamma(conc, 1.0), torch.distributions.Beta(conc, 1.0),
              torch.distributions.Dirichlet(torch.cat([conc, conc]))):
        with pytest.raises(NotImplementedError, match="not implemented by pyrustgrad"):
            d.rsample().sum().backward()


def test_gamma_cdf_refuses_the_concentration_gradient():
    torch = _pyrustgrad()
    a = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    with pytest.raises(NotImplementedError, match="first argument is not implemented"):
        torch.distributions.Gamma(a, 1.0).cdf(torch.tensor(1.0, dtype=torch.float64)).backward()


def test_log_prob_gradients_match_finite_differences():
    torch = _pyrustgrad()
    from pyrustgrad.autograd import gradcheck, gradgradcheck
    dist = torch.distributions
    D = torch.float64
    v = torch.tensor([0.3, -0.2, 1.1], dtype=D)
    cov = torch.tensor([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 1.5]], dtype=D)
    fns = [
        lambda loc, c: dist.MultivariateNormal(loc, covariance_matrix=c @ c.mT).log_prob(v),
        lambda loc, c: dist.kl_divergence(dist.MultivariateNormal(loc, scale_tril=c.tril()),
                                          dist.MultivariateNormal(v, covariance_matrix=cov)),
        lambda loc, c: dist.StudentT(c[0] ** 2 + 1.0, loc, c[1] ** 2 + 0.5).log_prob(v),
        lambda loc, c: dist.Beta(c[0] ** 2 + 0.5, c[1] ** 2 + 0.7).log_prob(loc.sigmoid()),
        lambda loc, c: dist.Gamma(2.5, c[2] ** 2 + 0.5).cdf(loc.exp()),
    ]
    loc = torch.tensor([0.1, 0.4, -0.3], dtype=D, requires_grad=True)
    c = (torch.linalg.cholesky(cov) + 0.0).requires_grad_()
    for f in fns:
        assert gradcheck(f, (loc, c))
        assert gradgradcheck(f, (loc, c))


def test_not_built_distributions_raise_naming_them():
    torch = _pyrustgrad()
    if sys.version_info < (3, 7):
        return  # module __getattr__
    with pytest.raises(NotImplementedError, match=r"^torch\.distributions\.Wishart is not implemented by pyrustgrad"):
        torch.distributions.Wishart
    assert not hasattr(torch.distributions, "no_such_distribution")


if __name__ == "__main__":
    record(CASES, DATA, SETUP + MORE, __file__)
