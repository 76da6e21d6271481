"""Weight initializers: the book's ``default`` and ``large``."""

from ._base import Initializer
from ._registry import register


@register("initializer", "default")
class DefaultInitializer(Initializer):
    """Weights from N(0, 1/n_in), biases from N(0, 1) (the book's default).

    Scaling by 1/√n_in keeps the weighted input z of a neuron near 1 in
    size, so sigmoid neurons do not start out saturated.
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
    """

    def __call__(self, fan_in, fan_out, rng, dtype):
        weights = rng.standard_normal((fan_in, fan_out))
        biases = rng.standard_normal(fan_out)
        return weights.astype(dtype, copy=False), biases.astype(dtype, copy=False)
