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
    """No penalty.

    Examples
    --------
    >>> import numpy as np
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.plugins import NoRegularizer
    >>> none, weights = NoRegularizer(), np.array([3.0, -4.0])
    >>> none.penalty(weights, lmbda=5.0, n=100)
    0.0
    >>> print(none.gradient(weights, 5.0, 100, np.empty(2)))  # nothing to add
    None

    By name; the estimator's default is ``'l2'`` with ``lmbda=0``, which also
    adds nothing:

    >>> NielsenMLPClassifier(regularizer="none")
    NielsenMLPClassifier(regularizer='none')
    """

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

    Examples
    --------
    The book's chapter 3 settings, λ = 5 on n = 50,000 training images:

    >>> import numpy as np
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.plugins import L2
    >>> l2, weights = L2(), np.array([3.0, -4.0])
    >>> round(l2.penalty(weights, lmbda=5.0, n=50_000), 6)  # (λ/2n) Σw²
    0.00125
    >>> print(l2.gradient(weights, 5.0, 50_000, np.empty(2)))  # (λ/n) w
    [ 0.0003 -0.0004]
    >>> round(l2.decay_factor(eta=0.5, lmbda=5.0, n=50_000), 6)  # 1 − ηλ/n
    0.99995
    >>> NielsenMLPClassifier(regularizer="l2", lmbda=5.0)  # 'l2' is the default
    NielsenMLPClassifier(lmbda=5.0)
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

    Examples
    --------
    The pull on a weight is λ/n whatever its size, and none on a zero weight:

    >>> import numpy as np
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.plugins import L1
    >>> l1, weights = L1(), np.array([2.0, -0.001, 0.0])
    >>> l1.gradient(weights, lmbda=1.0, n=10, out=np.empty(3))
    array([ 0.1, -0.1,  0. ])
    >>> round(l1.penalty(weights, lmbda=1.0, n=10), 4)  # (λ/n) Σ|w|
    0.2001
    >>> NielsenMLPClassifier(regularizer="l1", lmbda=0.1)
    NielsenMLPClassifier(lmbda=0.1, regularizer='l1')
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
