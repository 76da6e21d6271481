"""Layer 3, training: one resolution of the parameters, the loop, the fitted state.

It turns a network, plugins and data into trained weights, and knows
nothing of the estimators that call it. Two of its values are public:
:class:`RunConfig`, what :func:`sknielsen.utils.check_params` returns, and
:class:`FittedState`, what the estimators' ``get_fitted_state`` returns.
"""

from ._config import RunConfig
from ._state import FittedState

__all__ = ["FittedState", "RunConfig"]
