"""Weight penalties: none, L2 (weight decay) and L1.

Biases are never regularized: the engine hands over only the weights.
The book scales the penalty by λ/n, where n is the size of the training set,
so the decay per step does not change with the size of a mini-batch.
"""

import numpy as np

from ._base import Regularizer
from ._registry import register


@register("regularizer", "none")
class NoRegularizer(Regularizer):
    """No penalty."""

    kernel = "none"

    def penalty(self, weights, lmbda, n):
        return 0.0

    def gradient(self, weights, lmbda, n, out):
        return None

    def decay_factor(self, eta, lmbda, n):
        return 1.0


@register("regularizer", "l2")
class L2(Regularizer):
    """L2 penalty (λ/2n) Σ w².

    With plain SGD its gradient step is the book's weight decay
    w ← (1 − ηλ/n) w − η ∂C₀/∂w.
    """

    kernel = "l2"

    def penalty(self, weights, lmbda, n):
        if not lmbda:  # 0 × an overflowed Σw² would be NaN
            return 0.0
        # einsum, not BLAS's dot: no thread start-up for a vector this small.
        return 0.5 * (lmbda / n) * float(np.einsum("i,i->", weights, weights))

    def gradient(self, weights, lmbda, n, out):
        if not lmbda:
            return None
        return np.multiply(weights, lmbda / n, out=out)

    def decay_factor(self, eta, lmbda, n):
        return 1.0 - eta * lmbda / n


@register("regularizer", "l1")
class L1(Regularizer):
    """L1 penalty ``(λ/n) Σ |w|``, whose gradient is (λ/n) sgn(w), with sgn(0) = 0.

    It shrinks every weight by a constant amount per step, so it drives
    unimportant weights to zero while leaving large ones almost intact.
    """

    kernel = "l1"

    def penalty(self, weights, lmbda, n):
        if not lmbda:
            return 0.0
        return (lmbda / n) * float(np.abs(weights).sum())

    def gradient(self, weights, lmbda, n, out):
        if not lmbda:
            return None
        np.sign(weights, out=out)
        out *= lmbda / n
        return out
