"""``pyrustgrad.optim``: PyTorch's optimizers and learning-rate schedulers, in plain Python
over pyrustgrad's tensor ops (``import pyrustgrad as torch``; ``torch.optim.Adam(...)``).

The update formulas are PyTorch 2.15's (its single-tensor path); names, defaults, error
messages, ``repr`` and ``state_dict`` layout follow it. ``ProximalSGD`` (L1 by proximal
steps, ISTA/FISTA) is pyrustgrad's own. Must stay valid Python 3.6.
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .proximal import ProximalSGD, soft_threshold_
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam", "Optimizer", "ProximalSGD",
           "RAdam", "RMSprop", "SGD", "lr_scheduler", "soft_threshold_"]
