"""Gradient step rules: plain SGD, momentum and Nesterov momentum.

``params`` and ``grads`` are flat 1-D arrays holding every weight and bias.
``grads`` is the engine's scratch space, so the rules scale it in place and
return it as the update: one or two NumPy calls per mini-batch.
"""

import numpy as np

from ._base import Optimizer
from ._registry import register


@register("optimizer", "sgd")
class SGD(Optimizer):
    """Plain stochastic gradient descent: w ← w − η∇C."""

    linear_in_gradient = True

    def update(self, grads, state, params, eta):
        grads *= -eta
        return grads, state


def _check_mu(mu):
    if not 0.0 <= mu <= 1.0:
        raise ValueError(
            f"The momentum coefficient mu must lie in [0, 1]; got {mu!r}. "
            "mu > 1 makes the velocity grow without bound and mu < 0 "
            "reverses it at every step."
        )


@register("optimizer", "momentum")
class Momentum(Optimizer):
    """Momentum-based gradient descent (chapter 3 of the book).

    v ← μv − η∇C, then w ← w + v.

    Parameters
    ----------
    mu : float, default=0.9
        Momentum coefficient in [0, 1]; 1 − μ is the "friction". μ = 0 is
        plain SGD.
    """

    def __init__(self, mu=0.9):
        self.mu = mu

    def init(self, params):
        _check_mu(self.mu)
        return {"velocity": np.zeros_like(params)}

    def update(self, grads, state, params, eta):
        velocity = state["velocity"]
        velocity *= self.mu
        grads *= eta
        velocity -= grads
        return velocity, state


@register("optimizer", "nesterov")
class Nesterov(Momentum):
    """Nesterov's accelerated gradient, the look-ahead form of momentum.

    v ← μv − η∇C, then w ← w + μv − η∇C. This is the usual rewriting of
    "take the gradient at w + μv" (Sutskever et al. 2013; Bengio et al.
    2013) in terms of the look-ahead parameters, so the gradient is taken at
    the current parameters.

    Parameters
    ----------
    mu : float, default=0.9
        Momentum coefficient in [0, 1].
    """

    def update(self, grads, state, params, eta):
        velocity, state = super().update(grads, state, params, eta)
        # Momentum's step left η∇C in grads; the update μv − η∇C is built there.
        grads *= -1.0
        grads += self.mu * velocity
        return grads, state
