"""``pyrustgrad.distributions``: PyTorch's ``torch.distributions`` (issue 8) in plain Python
over pyrustgrad's tensor ops: parametrisable probability distributions with PyTorch 2.15's
arguments, validation messages, shapes (``batch_shape``, ``event_shape``), ``sample`` and
reparameterised ``rsample``, ``log_prob``, ``entropy``, ``cdf``/``icdf``, moments, ``expand``,
``support``/``arg_constraints`` (``constraints``), ``repr`` and ``kl_divergence``.

Samples equal PyTorch's after ``manual_seed`` wherever PyTorch samples through ops pyrustgrad
has (normal, rand, uniform_, exponential_, cauchy_, bernoulli, multinomial): Normal, LogNormal,
Uniform, Exponential, Laplace, Cauchy, MultivariateNormal, Bernoulli, Categorical,
OneHotCategorical. Gamma, Chi2, Beta, Dirichlet, StudentT, Binomial and Poisson sample with
pyrustgrad's own samplers (``_samplers``): right distribution, different numbers. The
distributions PyTorch has and this package does not raise a NotImplementedError naming them.
Must stay valid Python 3.6.
"""

from . import constraints, kl, transforms
from .continuous import Beta, Cauchy, Chi2, Dirichlet, Exponential, Gamma, Laplace, Normal, StudentT, Uniform
from .discrete import Bernoulli, Binomial, Categorical, OneHotCategorical, OneHotCategoricalStraightThrough, Poisson
from .distribution import Distribution, ExponentialFamily
from .independent import Independent, LogNormal, TransformedDistribution
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .transforms import AffineTransform, ComposeTransform, ExpTransform, Transform, identity_transform

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "Dirichlet", "Distribution",
           "Exponential", "ExponentialFamily", "Gamma", "Independent", "Laplace", "LogNormal", "MultivariateNormal",
           "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough", "StudentT", "Poisson", "Uniform",
           "TransformedDistribution", "kl_divergence", "register_kl", "AffineTransform", "ComposeTransform",
           "ExpTransform", "Transform", "identity_transform"]


def __getattr__(name):
    # PyTorch's names that pyrustgrad does not build: NotImplementedError naming them.
    from .._not_built import missing
    raise missing('torch.distributions', 'pyrustgrad.distributions', name)
