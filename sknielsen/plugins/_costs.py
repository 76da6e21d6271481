"""Costs: quadratic, cross-entropy and log-likelihood.

Each cost owns its output error δᴸ (equation BP1). Where the book derives
a simpler exact form (cross-entropy with sigmoid outputs, log-likelihood
with softmax outputs: δᴸ = a − y) the cost uses it; otherwise ∂C/∂a is
chained through the output activation, so the quadratic cost with sigmoid
outputs keeps its σ'(z) factor and the learning slowdown the book studies.
"""

import numpy as np

from ._activations import Sigmoid, Softmax
from ._base import Cost, computes_as
from ._registry import register


def _clip_probabilities(a):
    # Keeps log terms finite at outputs of exactly 0 or 1, and moves no other output:
    # a lower bound of eps capped the cost of every output below it (e^-40 cost 36.04,
    # not 40; 15.94 in float32) and cut its gradient, where tiny, the smallest normal
    # number, moves only 0 and subnormals. Just below 1, 1 - a is eps/2 exactly.
    info = np.finfo(a.dtype)
    return np.clip(a, info.tiny, np.nextafter(a.dtype.type(1), a.dtype.type(0)))


@register("cost", "quadratic")
class QuadraticCost(Cost):
    """The quadratic (mean squared error) cost C = ½‖a − y‖².

    δᴸ = (a − y) ⊙ σ'(zᴸ): with sigmoid outputs the σ' factor slows learning
    down when a neuron saturates (chapter 3 of the book).

    Examples
    --------
    A badly wrong output neuron, saturated at σ(5) ≈ 1 where it should say 0:

    >>> import numpy as np
    >>> from sknielsen.plugins import QuadraticCost, Sigmoid
    >>> quadratic, sigmoid = QuadraticCost(), Sigmoid()
    >>> z, y = np.array([[5.0]]), np.array([[0.0]])
    >>> a = sigmoid.fn(z)
    >>> print(np.round(quadratic.fn(a, y), 4))  # ½(a − y)²
    [0.4933]

    Yet its error δ = (a − y) σ'(z) is tiny, so it learns slowly (``delta``
    leaves ``z`` as scratch space):

    >>> print(np.round(quadratic.delta(z, a, y, sigmoid), 4))
    [[0.0066]]
    >>> from sknielsen import NielsenMLPClassifier
    >>> NielsenMLPClassifier(cost="quadratic")
    NielsenMLPClassifier(cost='quadratic')
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

    Examples
    --------
    The error of a sigmoid output is a − y, however saturated the neuron:

    >>> import numpy as np
    >>> from sknielsen.plugins import CrossEntropyCost, Sigmoid
    >>> cross_entropy = CrossEntropyCost()
    >>> z = np.array([[5.0, -1.0]])
    >>> outputs, targets = Sigmoid().fn(z), np.array([[0.0, 1.0]])
    >>> delta = cross_entropy.delta(z, outputs, targets, Sigmoid())
    >>> np.array_equal(delta, outputs - targets)
    True
    >>> print(np.round(delta, 4))
    [[ 0.9933 -0.7311]]
    >>> print(np.round(cross_entropy.fn(np.array([[1.0]]), np.array([[0.0]])), 2))  # not inf
    [36.74]

    It is the classifier's default cost:

    >>> from sknielsen import NielsenMLPClassifier
    >>> NielsenMLPClassifier().cost
    'cross_entropy'
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
        if computes_as(activation, Sigmoid):
            return np.subtract(a, y, out=out)
        return super().delta(z, a, y, activation, out=out)


@register("cost", "log_likelihood")
class LogLikelihoodCost(Cost):
    """The log-likelihood C = −Σⱼ yⱼ ln aⱼ (= −ln a_y for one-hot y).

    Made for softmax outputs, with which δᴸ = a − y.

    Examples
    --------
    Softmax outputs (0.7, 0.2, 0.1) for a sample of the second class:

    >>> import numpy as np
    >>> from sknielsen.plugins import LogLikelihoodCost, Softmax
    >>> log_likelihood, softmax = LogLikelihoodCost(), Softmax()
    >>> z = np.log([[0.7, 0.2, 0.1]])
    >>> a, y = softmax.fn(z), np.array([[0.0, 1.0, 0.0]])
    >>> print(np.round(log_likelihood.fn(a, y), 4))  # −ln 0.2
    [1.6094]
    >>> print(np.round(log_likelihood.delta(z, a, y, softmax), 4))  # a − y
    [[ 0.7 -0.8  0.1]]

    By name, it brings softmax outputs, whose probabilities sum to one:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> model = NielsenMLPClassifier((10,), cost="log_likelihood", epochs=1, random_state=0)
    >>> model.fit(X, y).output_activation_
    Softmax()
    >>> print(model.predict_proba(X[:2]).sum(axis=1).round(6))
    [1. 1.]
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
        if computes_as(activation, Softmax):
            return np.subtract(a, y, out=out)
        return super().delta(z, a, y, activation, out=out)
