"""Activation functions: sigmoid, tanh, relu, identity and softmax."""

import numpy as np
from scipy.special import expit

from ._base import Activation
from ._registry import register


@register("activation", "sigmoid")
class Sigmoid(Activation):
    """The logistic sigmoid σ(z) = 1 / (1 + e⁻ᶻ), the book's neuron.

    Computed with :func:`scipy.special.expit`, which never overflows.
    """

    kernel = "sigmoid"

    output_range = (0.0, 1.0)

    def fn(self, z, out=None):
        return expit(z, out=out)

    def derivative(self, z, a):
        return a * (1.0 - a)

    def backward(self, delta, z, a):
        # σ'(z) = a(1 − a), built in z's storage to avoid a temporary.
        np.subtract(1.0, a, out=z)
        z *= a
        delta *= z
        return delta


@register("activation", "tanh")
class Tanh(Activation):
    """The hyperbolic tangent, a rescaled sigmoid with outputs in (−1, 1)."""

    kernel = "tanh"

    output_range = (-1.0, 1.0)

    def fn(self, z, out=None):
        return np.tanh(z, out=out)

    def derivative(self, z, a):
        return 1.0 - a * a

    def backward(self, delta, z, a):
        np.multiply(a, a, out=z)
        np.subtract(1.0, z, out=z)
        delta *= z
        return delta


@register("activation", "relu")
class ReLU(Activation):
    """The rectified linear unit max(0, z); its derivative at 0 is taken as 0."""

    kernel = "relu"

    output_range = (0.0, np.inf)

    def fn(self, z, out=None):
        return np.maximum(z, 0.0, out=out)

    def derivative(self, z, a):
        return (z > 0).astype(z.dtype)

    def backward(self, delta, z, a):
        delta[z <= 0] = 0.0
        return delta


@register("activation", "identity")
class Identity(Activation):
    """The linear neuron σ(z) = z."""

    kernel = "identity"

    def fn(self, z, out=None):
        if out is None:
            return z.copy()
        out[...] = z
        return out

    def derivative(self, z, a):
        return np.ones_like(z)

    def backward(self, delta, z, a):
        return delta


@register("activation", "softmax")
class Softmax(Activation):
    """The softmax output layer: aⱼ = e^{zⱼ} / Σₖ e^{zₖ}, each row sums to one.

    Not element-wise: :meth:`backward` applies the Jacobian
    ∂aⱼ/∂zₖ = aⱼ(δⱼₖ − aₖ), so softmax pairs with any cost, not only the
    log-likelihood.
    """

    kernel = "softmax"

    output_range = (0.0, 1.0)

    def fn(self, z, out=None):
        if out is None:
            out = np.empty_like(z)
        # Subtracting the row maximum keeps exp from overflowing.
        np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def derivative(self, z, a):
        raise NotImplementedError(
            "softmax is not element-wise; its derivative is a Jacobian, "
            "applied by Softmax.backward."
        )

    def backward(self, delta, z, a):
        # δ ← a ⊙ (δ − ⟨δ, a⟩) is the product of δ with softmax's Jacobian.
        inner = np.einsum("ij,ij->i", delta, a)
        delta -= inner[:, None]
        delta *= a
        return delta
