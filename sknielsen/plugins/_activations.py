"""Activation functions: sigmoid, tanh, relu, identity and softmax."""

import numpy as np
from scipy.special import expit

from ._base import Activation
from ._registry import register


@register("activation", "sigmoid")
class Sigmoid(Activation):
    """The logistic sigmoid σ(z) = 1 / (1 + e⁻ᶻ), the book's neuron.

    Computed with :func:`scipy.special.expit`, which never overflows.

    Examples
    --------
    >>> import numpy as np
    >>> from sknielsen.plugins import Sigmoid
    >>> sigmoid = Sigmoid()
    >>> z = np.array([[-5.0, 0.0, 5.0]])
    >>> a = sigmoid.fn(z)
    >>> print(np.round(a, 4))
    [[0.0067 0.5    0.9933]]

    σ'(z) = a(1 − a) is at most 1/4, and nearly 0 once the neuron saturates:
    the learning slowdown of chapter 3.

    >>> print(np.round(sigmoid.derivative(z, a), 4))
    [[0.0066 0.25   0.0066]]
    >>> print(sigmoid.fn(np.array([[-1000.0, 1000.0]])))  # no overflow
    [[0. 1.]]

    It is the estimator's default, ``activation="sigmoid"``.
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
    """The hyperbolic tangent, a rescaled sigmoid with outputs in (−1, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from sknielsen.plugins import Sigmoid, Tanh
    >>> z = np.array([[-1.0, 0.0, 2.0]])
    >>> print(np.round(Tanh().fn(z), 4))
    [[-0.7616  0.      0.964 ]]
    >>> print(np.round(2 * Sigmoid().fn(2 * z) - 1, 4))  # tanh(z) = 2σ(2z) − 1
    [[-0.7616  0.      0.964 ]]

    By name, for the hidden neurons; the outputs stay the ones the cost is
    made for:

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen import NielsenMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> tanh_net = NielsenMLPClassifier((10,), activation="tanh", epochs=1, random_state=0)
    >>> fitted = tanh_net.fit(X / 16, y)
    >>> fitted.activation_, fitted.output_activation_
    (Tanh(), Sigmoid())
    """

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
    """The rectified linear unit max(0, z); its derivative at 0 is taken as 0.

    Examples
    --------
    >>> import numpy as np
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.plugins import ReLU
    >>> relu = ReLU()
    >>> z = np.array([[-2.0, 0.0, 3.0]])
    >>> relu.fn(z)
    array([[0., 0., 3.]])
    >>> relu.derivative(z, relu.fn(z))  # 1 where z > 0: it never saturates there
    array([[0., 0., 1.]])
    >>> NielsenMLPClassifier(activation="relu", eta=0.1)
    NielsenMLPClassifier(activation='relu', eta=0.1)
    """

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
    """The linear neuron σ(z) = z.

    Examples
    --------
    >>> import numpy as np
    >>> from sknielsen.plugins import Identity
    >>> identity = Identity()
    >>> z = np.array([[-2.0, 3.0]])
    >>> identity.fn(z), identity.derivative(z, z)
    (array([[-2.,  3.]]), array([[1., 1.]]))

    The regressor's outputs are linear by default; ``output_activation``
    names it explicitly:

    >>> from sknielsen import NielsenMLPRegressor
    >>> X, y = np.array([[0.0], [1.0], [2.0]]), np.array([0.0, 1.0, 2.0])
    >>> NielsenMLPRegressor((3,), epochs=1, random_state=0).fit(X, y).output_activation_
    Identity()
    >>> NielsenMLPRegressor(output_activation="identity")
    NielsenMLPRegressor(output_activation='identity')
    """

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

    Examples
    --------
    Each row is a probability distribution; adding a constant to a row of
    ``z`` changes nothing, which keeps large inputs from overflowing:

    >>> import numpy as np
    >>> from sknielsen.plugins import Softmax
    >>> a = Softmax().fn(np.array([[1.0, 2.0, 3.0], [1001.0, 1002.0, 1003.0]]))
    >>> print(np.round(a, 4))
    [[0.09   0.2447 0.6652]
     [0.09   0.2447 0.6652]]
    >>> print(np.round(a.sum(axis=1), 12))
    [1. 1.]

    The log-likelihood cost picks it for the outputs; other costs take it by
    name:

    >>> from sknielsen import NielsenMLPClassifier
    >>> NielsenMLPClassifier(cost="quadratic", output_activation="softmax")
    NielsenMLPClassifier(cost='quadratic', output_activation='softmax')
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
