"""Costs: quadratic, cross-entropy and log-likelihood.

Each cost owns its output error δᴸ (equation BP1). Where the book derives
a simpler exact form (cross-entropy with sigmoid outputs, log-likelihood
with softmax outputs: δᴸ = a − y) the cost uses it; otherwise ∂C/∂a is
chained through the output activation, so the quadratic cost with sigmoid
outputs keeps its σ'(z) factor and the learning slowdown the book studies.
"""

import numpy as np

from ._activations import Sigmoid, Softmax
from ._base import Cost
from ._registry import register


def _clip_probabilities(a):
    # Keeps log terms finite at outputs of exactly 0 or 1.
    eps = np.finfo(a.dtype).eps
    return np.clip(a, eps, 1.0 - eps)


@register("cost", "quadratic")
class QuadraticCost(Cost):
    """The quadratic (mean squared error) cost C = ½‖a − y‖².

    δᴸ = (a − y) ⊙ σ'(zᴸ): with sigmoid outputs the σ' factor slows learning
    down when a neuron saturates (chapter 3 of the book).
    """

    kernel = "quadratic"

    output_activation = "sigmoid"
    output_activations = ("sigmoid", "softmax", "tanh", "identity")

    def fn(self, a, y):
        diff = a - y
        return 0.5 * np.einsum("ij,ij->i", diff, diff)

    def gradient(self, a, y):
        return a - y

    def delta(self, z, a, y, activation, out=None):
        out = np.subtract(a, y, out=out)
        return activation.backward(out, z, a)


@register("cost", "cross_entropy")
class CrossEntropyCost(Cost):
    """The cross-entropy C = −Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)].

    With sigmoid outputs δᴸ = a − y exactly: σ'(z) cancels, so there is no
    learning slowdown. Outputs of exactly 0 or 1 give a finite cost.
    """

    kernel = "cross_entropy"

    output_activation = "sigmoid"
    output_activations = ("sigmoid", "softmax")

    def fn(self, a, y):
        a = _clip_probabilities(a)
        return -(y * np.log(a) + (1.0 - y) * np.log1p(-a)).sum(axis=1)

    def gradient(self, a, y):
        a = _clip_probabilities(a)
        return (a - y) / (a * (1.0 - a))

    def delta(self, z, a, y, activation, out=None):
        if isinstance(activation, Sigmoid):
            return np.subtract(a, y, out=out)
        return super().delta(z, a, y, activation, out=out)


@register("cost", "log_likelihood")
class LogLikelihoodCost(Cost):
    """The log-likelihood C = −Σⱼ yⱼ ln aⱼ (= −ln a_y for one-hot y).

    Made for softmax outputs, with which δᴸ = a − y.
    """

    kernel = "log_likelihood"

    output_activation = "softmax"
    output_activations = ("softmax",)

    def fn(self, a, y):
        a = _clip_probabilities(a)
        return -(y * np.log(a)).sum(axis=1)

    def gradient(self, a, y):
        return -y / _clip_probabilities(a)

    def delta(self, z, a, y, activation, out=None):
        if isinstance(activation, Softmax):
            return np.subtract(a, y, out=out)
        return super().delta(z, a, y, activation, out=out)
