"""Weight initializers: the book's ``default`` and ``large``."""

from ._base import Initializer
from ._registry import register


@register("initializer", "default")
class DefaultInitializer(Initializer):
    """Weights from N(0, 1/n_in), biases from N(0, 1) (the book's default).

    Scaling by 1/√n_in keeps the weighted input z of a neuron near 1 in
    size, so sigmoid neurons do not start out saturated.

    Examples
    --------
    A layer of 10,000 neurons with 100 inputs, all of them on:

    >>> import numpy as np
    >>> from sknielsen.plugins import DefaultInitializer
    >>> rng = np.random.default_rng(0)
    >>> weights, biases = DefaultInitializer()(100, 10_000, rng, np.float64)
    >>> weights.shape, biases.shape
    ((100, 10000), (10000,))
    >>> round(float(weights.std()), 2)  # 1/√100
    0.1
    >>> z = np.ones(100) @ weights + biases
    >>> round(float(z.std()), 1)  # √(100 × 1/100 + 1)
    1.4

    It is the estimator's default, ``initializer="default"``.
    """

    def __call__(self, fan_in, fan_out, rng, dtype):
        weights = rng.standard_normal((fan_in, fan_out)) / fan_in**0.5
        biases = rng.standard_normal(fan_out)
        return weights.astype(dtype, copy=False), biases.astype(dtype, copy=False)


@register("initializer", "large")
class LargeInitializer(Initializer):
    """Weights and biases from N(0, 1), as in chapter 1 of the book.

    Kept for comparison: with many inputs the neurons start saturated and
    learn slowly.

    Examples
    --------
    The layer of :class:`DefaultInitializer`'s example, 100 inputs all on:
    z now spreads ten times wider, and most neurons start saturated
    (``|z| > 4``, where σ'(z) < 0.02):

    >>> import numpy as np
    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.plugins import LargeInitializer
    >>> w, b = LargeInitializer()(100, 10_000, np.random.default_rng(0), np.float64)
    >>> z = np.ones(100) @ w + b
    >>> round(float(z.std()))  # √(100 + 1)
    10
    >>> round(float(np.mean(np.abs(z) > 4)), 2)
    0.7
    >>> NielsenMLPClassifier(initializer="large")
    NielsenMLPClassifier(initializer='large')
    """

    def __call__(self, fan_in, fan_out, rng, dtype):
        weights = rng.standard_normal((fan_in, fan_out))
        biases = rng.standard_normal(fan_out)
        return weights.astype(dtype, copy=False), biases.astype(dtype, copy=False)
