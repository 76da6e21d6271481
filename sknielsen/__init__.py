"""sknielsen: the networks of Nielsen's *Neural Networks and Deep Learning* for scikit-learn.

The public names are :class:`NielsenMLPClassifier`, :func:`save` and
:func:`load`; plugins live in :mod:`sknielsen.plugins` and the gradient
check in :mod:`sknielsen.gradcheck`.
"""

from . import plugins
from ._classifier import NielsenMLPClassifier
from ._regressor import NielsenMLPRegressor
from .persistence import load, save

__version__ = "0.2.0"

__all__ = ["NielsenMLPClassifier", "NielsenMLPRegressor", "__version__", "load", "plugins", "save"]
