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


@register("optimizer", "adam")
class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): momentum with a per-weight step size.

    Not in the book, which predates it; here because users expect it. With
    g the gradient and t the step number: m ← β₁m + (1 − β₁)g,
    v ← β₂v + (1 − β₂)g², w ← w − η m̂ / (√v̂ + ε), where m̂ = m / (1 − β₁ᵗ) and
    v̂ = v / (1 − β₂ᵗ) correct the bias of starting from zero.

    Parameters
    ----------
    beta1 : float, default=0.9
        Decay of the first-moment estimate, in [0, 1).
    beta2 : float, default=0.999
        Decay of the second-moment estimate, in [0, 1).
    epsilon : float, default=1e-8
        Added to √v̂ for numerical stability; positive.
    """

    def __init__(self, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def init(self, params):
        for name in ("beta1", "beta2"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"Adam's {name} must lie in [0, 1); got {getattr(self, name)!r}.")
        if not self.epsilon > 0:
            raise ValueError(f"Adam's epsilon must be positive; got {self.epsilon!r}.")
        zeros = np.zeros_like(params)
        return {"m": zeros, "v": zeros.copy(), "step": np.zeros(1, dtype=params.dtype)}

    def update(self, grads, state, params, eta):
        m, v, step = state["m"], state["v"], state["step"]
        step += 1
        t = float(step[0])
        m *= self.beta1
        m += (1.0 - self.beta1) * grads
        v *= self.beta2
        v += (1.0 - self.beta2) * (grads * grads)
        m_hat = m / (1.0 - self.beta1**t)
        denominator = np.sqrt(v / (1.0 - self.beta2**t))
        denominator += self.epsilon
        np.divide(m_hat, denominator, out=grads)
        grads *= -eta
        return grads, state
