"""Plugins found by name: costs, activations, regularizers, initializers, optimizers, augmenters.

Every technique of the book is a small class registered under a name; the
estimator takes either the name (``optimizer="momentum"``) or an instance
(``optimizer=Momentum(mu=0.5)``). Third-party plugins register themselves
with :func:`register`, or come in through the ``sknielsen.plugins``
entry-point group (entry names ``"<kind>.<name>"``), without any change to
sknielsen.
"""

from ._activations import Identity, ReLU, Sigmoid, Softmax, Tanh
from ._augmenters import Compose, Elastic, Rotate, Shift
from ._base import (
    Activation,
    Augmenter,
    Cost,
    Initializer,
    KernelSpec,
    Optimizer,
    Plugin,
    Regularizer,
    Solver,
)
from ._costs import CrossEntropyCost, LogLikelihoodCost, QuadraticCost
from ._initializers import DefaultInitializer, LargeInitializer
from ._optimizers import LBFGS, SGD, Adam, Momentum, Nesterov, Newton
from ._registry import (
    ENTRY_POINT_GROUP,
    available,
    get,
    get_class,
    ignored_entry_points,
    kinds,
    name_of,
    refresh_entry_points,
    register,
)
from ._regularizers import L1, L2, NoRegularizer

__all__ = [
    "ENTRY_POINT_GROUP",
    "L1",
    "L2",
    "LBFGS",
    "SGD",
    "Activation",
    "Adam",
    "Augmenter",
    "Compose",
    "Cost",
    "CrossEntropyCost",
    "DefaultInitializer",
    "Elastic",
    "Identity",
    "Initializer",
    "KernelSpec",
    "LargeInitializer",
    "LogLikelihoodCost",
    "Momentum",
    "Nesterov",
    "Newton",
    "NoRegularizer",
    "Optimizer",
    "Plugin",
    "QuadraticCost",
    "ReLU",
    "Regularizer",
    "Rotate",
    "Shift",
    "Sigmoid",
    "Softmax",
    "Solver",
    "Tanh",
    "available",
    "get",
    "get_class",
    "ignored_entry_points",
    "kinds",
    "name_of",
    "refresh_entry_points",
    "register",
]
