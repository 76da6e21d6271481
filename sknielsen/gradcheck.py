"""Check backpropagation against central finite differences.

For any combination of plugins, :func:`check_gradients` builds a small
network, computes the gradient of the regularized cost with the engine's
backprop, and compares it with the central difference
(C(w + ε) − C(w − ε)) / 2ε taken for every weight and bias in turn.
"""

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, InvalidParameterError

from ._core.params import validate_arguments
from ._core.warn import warn
from ._core.weights import check_sample_weight
from .engine._network import Backprop, Network
from .plugins._returns import returned_array
from .training._config import check_pairing, checked_plugin
from .training._loop import Penalty, sample_scales
from .training._run import seeded_generator

__all__ = ["GradientCheck", "check_gradients"]


@dataclass(eq=False)  # arrays answer == with arrays, not one truth value
class GradientCheck:
    """Result of :func:`check_gradients`.

    Attributes
    ----------
    relative_error : float
        ‖g_backprop − g_numeric‖ / (‖g_backprop‖ + ‖g_numeric‖), or the
        ``decay_error`` when that is larger; infinite when either gradient
        holds a value that is not finite (a warning says which).
    backprop, numeric : ndarray of shape (n_params,)
        The two gradients, in the engine's flat layout (weights, then biases).
    decay_error : float or None
        For a regularizer with a ``decay_factor`` (plain SGD's one-pass step,
        which training uses instead of the penalty's gradient): the relative
        difference between the weights that factor leaves and those a step
        of the penalty's gradient leaves; None when it has none.

    Examples
    --------
    >>> from sknielsen.gradcheck import check_gradients
    >>> result = check_gradients(sizes=(4, 3, 2), activation="tanh")
    >>> result.backprop.shape  # 4*3 + 3*2 weights, then 3 + 2 biases
    (23,)
    >>> result.numeric.shape == result.backprop.shape
    True
    >>> bool(result.relative_error < 1e-6)
    True

    Printed, it shows the verdict, not the arrays:

    >>> print(repr(result).split("=")[0])
    GradientCheck(relative_error
    """

    relative_error: float
    # Left out of the repr: a printed result would be thousands of numbers.
    backprop: np.ndarray = field(repr=False)
    numeric: np.ndarray = field(repr=False)
    decay_error: float | None = None


def _targets(n_samples, n_outputs, rng):
    """Random one-hot targets."""
    labels = rng.integers(n_outputs, size=n_samples)
    Y = np.zeros((n_samples, n_outputs))
    Y[np.arange(n_samples), labels] = 1.0
    return Y


@validate_arguments(
    {
        "sizes": [list, tuple, np.ndarray],
        "cost": "no_validation",  # the plugins are resolved by _plugin, naming the parameter
        "activation": "no_validation",
        "output_activation": "no_validation",
        "regularizer": "no_validation",
        "lmbda": [Interval(Real, 0, None, closed="left")],
        "initializer": "no_validation",
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "sample_weight": ["array-like", None],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }
)
def check_gradients(
    sizes=(5, 4, 3, 3),
    *,
    cost="cross_entropy",
    activation="sigmoid",
    output_activation=None,
    regularizer="l2",
    lmbda=0.5,
    initializer="default",
    n_samples=7,
    sample_weight=None,
    epsilon=1e-6,
    random_state=0,
):
    """Compare the backprop gradient with central finite differences (float64).

    Parameters
    ----------
    sizes : sequence of int, default=(5, 4, 3, 3)
        Layer sizes, input first; the default has two hidden layers.
    cost, activation, output_activation, regularizer : str or Plugin
        The plugins, as given to the estimator; ``output_activation=None``
        uses the cost's natural one.
    lmbda : float, default=0.5
        Regularization parameter, with n = ``n_samples``; finite, at least 0.
    initializer : str or Plugin, default='default'
        Draws the weights at which the gradients are compared.
    n_samples : int, default=7
        Rows of random inputs in the batch, at least 1.
    sample_weight : array-like of shape (n_samples,), optional
        Per-sample weights of the cost (a weighted mean): finite, at least 0,
        not all 0, as the estimator's ``fit`` takes them.
    epsilon : float, default=1e-6
        Step of the finite differences, positive, and large enough to move
        every weight and bias in float64 (``1e-17`` moves some not at all:
        refused).
    random_state : int, RandomState instance or None, default=0
        Seeds the weights, the inputs and the targets.

    Returns
    -------
    result : GradientCheck
        The two gradients and their relative error.

    Raises
    ------
    InvalidParameterError
        For an invalid parameter, a plugin the estimator refuses (a class
        against its kind's contract, an invalid hyper-parameter), or a cost
        paired with output neurons it does not work with (the estimator
        refuses the pair too).
    ValueError
        For sample weights of another length than ``n_samples``, not 1-D,
        negative, not finite or all zero; and for an ``epsilon`` too small
        to move every weight and bias in float64.
    TypeError
        For a plugin returning arrays narrower than float64 (float32),
        naming it; and for sample weights that are a single number or
        complex numbers.

    Warns
    -----
    UserWarning
        When a gradient holds NaN or infinity; when the relative error
        is large and the values of an activation (hidden or output) or of
        the cost are all float32 numbers (a plugin computing in float32,
        then returning float64), naming that plugin; and when the relative
        error exceeds 1e-6 where the central differences cannot tell the
        gradient: they change with their step as much as they disagree
        with backprop (the cost computed in float64 moves by its rounding,
        as where neurons nearly saturate), or the whole disagreement is in
        samples whose cost is flat in an output neuron's bias while
        backprop's δ is not 0 (a saturated output, a clipped cost). It
        gives the relative error at a step 100 times wider, or of the
        other samples (of the penalty alone, if none is left). A wrong
        derivative, which disagrees alike at every step, gets no warning.

    Notes
    -----
    The central differences compute the cost twice for each parameter, each
    time over the whole batch and every parameter's penalty, so the time
    grows faster than the number of parameters: on this project's 2-core
    machine, ``sizes=(196, 30, 10)`` (6,220 parameters) took 1.0 s and
    ``(784, 30, 10)`` (23,860) 5.6 s, and ``(784, 100, 10)`` minutes.
    Whether backprop is right does not depend on the layers' widths: check
    a narrow network of the same plugins and depth, as the default does.
    A relative error above 1e-6 takes up to twice as long again, to tell
    whether the differences or backprop are to blame.

    Finite differences cannot check the derivatives of saturated neurons:
    check at weights that do not saturate them, as the initializers draw.

    Examples
    --------
    >>> from sknielsen.gradcheck import check_gradients
    >>> check_gradients(cost="quadratic", activation="tanh").relative_error < 1e-6
    True
    """
    sizes = _check_sizes(sizes)
    # As Python floats: a float32 lmbda made the penalty float32, which the check of the
    # plugins' returns blamed on the regularizer.
    lmbda, epsilon = float(lmbda), float(epsilon)
    rng = seeded_generator(random_state)
    cost = _plugin("cost", cost)
    network = _network(sizes, cost, activation, output_activation, initializer, rng)
    _check_step(network.params, epsilon)
    X = rng.uniform(-1.0, 1.0, size=(n_samples, sizes[0]))
    Y = _targets(n_samples, sizes[-1], rng)
    penalty = Penalty(
        _plugin("regularizer", regularizer), lmbda, n_samples, network.n_weights, np.float64
    )
    batch = _Batch(network, cost, penalty, X, Y, _checked_weights(sample_weight, X))

    # Values that overflow are the verdict's to report (below), not NumPy's to warn of.
    with np.errstate(all="ignore"):
        analytic, numeric = batch.gradients(epsilon)
        error = _relative_difference(analytic, numeric)
        decay_error = _decay_error(penalty, network)
    if _warned_of_non_finite(analytic, numeric):
        error = np.inf
    elif error > _PASSING_ERROR and not (
        error > _SUSPECT_ERROR and _warned_of_float32(cost, network, X, Y)
    ):
        _warn_of_unresolved(batch, epsilon, analytic, numeric)
    worst = max(error, decay_error) if decay_error is not None else error
    return GradientCheck(float(worst), analytic, numeric, decay_error)


def _network(sizes, cost, activation, output_activation, initializer, rng):
    """The float64 network of ``sizes`` and the plugins named, its weights drawn."""
    hidden = _plugin("activation", activation)
    output = cost.output_activation if output_activation is None else output_activation
    output = _plugin("output_activation", output)
    check_pairing(cost, output)  # as the estimator: a wrong pair is no backprop bug
    network = Network(sizes, [hidden] * (len(sizes) - 2) + [output], dtype=np.float64)
    network.initialize(_plugin("initializer", initializer), rng)
    return network


def _checked_weights(sample_weight, X):
    """The checked sample weights, as fit's scales w / mean(w), or None for none."""
    n_samples = len(X)
    if sample_weight is None:
        return None
    try:
        # As the estimator's fit checks them: otherwise a wrong length fails deep in
        # NumPy, and weights summing to zero give a relative error of NaN.
        sample_weight = check_sample_weight(sample_weight, X)
    except (TypeError, ValueError) as exc:  # TypeError: a single number, complex numbers
        raise type(exc)(
            f"The 'sample_weight' of check_gradients (one per sample of n_samples="
            f"{n_samples}): {exc}"
        ) from None
    # fit's own scales, w / mean(w): only the ratios matter, and they keep weights near
    # float64's ends finite, where w / sum(w) gave a NaN relative error.
    return sample_scales(sample_weight, np.float64)


@dataclass(frozen=True)
class _Batch:
    """The network, its cost and penalty, and the samples at which the gradients are taken."""

    network: Network
    cost: object
    penalty: Penalty
    X: np.ndarray
    Y: np.ndarray
    sample_weight: np.ndarray | None  # fit's scales, w / mean(w)

    def total_cost(self):
        """The regularized cost of the batch at the network's current parameters."""
        penalty = self.penalty.value(self.network.params)
        if not len(self.X):  # every sample left out (see without): the penalty alone
            return penalty
        costs = self.cost.fn(self.network.feedforward(self.X), self.Y)
        meaning = "one cost per sample"
        costs = returned_array(self.cost, "fn", costs, (len(self.X),), meaning, np.float64)
        return np.average(costs, weights=self.sample_weight) + penalty

    def gradients(self, epsilon):
        """Backprop's gradient of the total cost, and the central differences of ``epsilon``."""
        n_samples, params = len(self.X), self.network.params
        analytic = np.zeros_like(params)
        if n_samples:
            scale = 1.0 / n_samples
            if self.sample_weight is not None:
                scale = (self.sample_weight / n_samples)[:, None]
            backprop = Backprop(self.network, self.cost, n_samples)
            analytic += backprop.gradient(self.X, self.Y, scale)
        self.penalty.add_gradient(analytic, params)
        return analytic, _central_differences(self.total_cost, self.network.params, epsilon)

    def without(self, rows):
        """The batch without the samples ``rows``, nor those of weight 0: maybe none at all."""
        keep = np.ones(len(self.X), dtype=bool)
        keep[rows] = False
        weights = None
        if self.sample_weight is not None:
            keep &= self.sample_weight > 0
            weights = sample_scales(self.sample_weight[keep], np.float64) if keep.any() else None
        return _Batch(self.network, self.cost, self.penalty, self.X[keep], self.Y[keep], weights)


def _warned_of_non_finite(backprop, numeric):
    """Whether a gradient holds NaN or infinity, after warning of the first that does."""
    for name, gradient in (("backprop", backprop), ("numeric", numeric)):
        if not np.isfinite(gradient).all():
            warn(
                f"The {name} gradient holds NaN or infinity at "
                f"{np.count_nonzero(~np.isfinite(gradient))} of {gradient.size} parameters: a "
                "plugin returned them, or lmbda or the weights overflow; relative_error is inf."
            )
            return True
    return False


#: A relative error beyond which a cost computing in float32 is looked for: a right
#: gradient of one gives about 0.1 to 1 against float64 differences of step 1e-6.
_SUSPECT_ERROR = 1e-4
#: The relative error of a right gradient, 1e-10 to 1e-7 where the cost is resolved in
#: float64: beyond it, parameters whose differences measure rounding are looked for.
_PASSING_ERROR = 1e-6


def _warned_of_float32(cost, network, X, Y):
    """Warn when a plugin's values are all float32 numbers: computed in float32.

    Returned as float64 (cast back), they pass the dtype check of the returns,
    while the central differences, of steps far below float32's precision,
    measure its rounding. Float64 values of random weights are float32 numbers
    with a chance of about 2⁻²⁹ each. The hidden activation is tried on the
    random inputs themselves, which are no float32 numbers either. Whole
    numbers are no evidence: saturated neurons give 0, 1 or −1 in any dtype.
    Returns whether it warned.
    """
    with np.errstate(all="ignore"):
        output = network.feedforward(X)
        costs = cost.fn(output, Y)
        hidden = network.activations[:-1]
        hidden_values = hidden[0].fn(X.copy()) if hidden else None
    suspects = [(f"{type(network.activations[-1]).__name__}.fn", output)]
    suspects.append((f"{type(cost).__name__}.fn", costs))
    if hidden:
        suspects.append((f"{type(hidden[0]).__name__}.fn", hidden_values))
    for method, values in suspects:
        values = np.asarray(values, dtype=np.float64)
        values = values[values != np.round(values)]
        if values.size and np.array_equal(values.astype(np.float32), values):
            warn(
                f"The values {method} returned are all float32 numbers: it likely computes "
                "in float32, whose rounding the central differences (float64) measure, not "
                "its gradient. Compute in the dtype of the arrays it is given."
            )
            return True
    return False


#: How many times larger the step of the second differences is: their rounding error is
#: that many times smaller, their truncation error still far below a wrong derivative's.
_WIDER_STEP = 100.0

_SATURATION_ADVICE = (
    "Check at weights that do not saturate (the initializer's default scale, inputs near "
    "1); a derivative that is not 0 where its function is flat would read the same."
)


def _warn_of_unresolved(batch, epsilon, analytic, numeric):
    """Warn when the gradients disagree where the central differences cannot tell the gradient.

    Where neurons nearly saturate, the cost computed in float64 moves by its
    rounding: differences of a wider step change by about as much as they
    disagree with backprop (a wrong derivative disagrees alike at both
    steps). Where they saturate, a sample's cost is flat, exactly: its
    differences read 0 whatever the gradient; the samples whose cost is flat
    in an output's bias, though backprop's δ there is not 0, are left out,
    and the others are checked again. The alarm stands otherwise.
    """
    error = _relative_difference(analytic, numeric)
    with np.errstate(all="ignore"):
        wider = _central_differences(batch.total_cost, batch.network.params, epsilon * _WIDER_STEP)
    if _relative_difference(numeric, wider) >= 0.1 * error:
        warn(
            "The central differences change with their step, by about as much as they "
            "disagree with backprop: the cost computed in float64 moves by its rounding, not "
            f"its gradient, as where neurons nearly saturate. A step of {epsilon:g} gives a "
            f"relative error of {error:.1e}, one of {epsilon * _WIDER_STEP:g} "
            f"{_relative_difference(analytic, wider):.1e}. {_SATURATION_ADVICE}"
        )
        return
    saturated = _saturated_samples(batch, epsilon)
    if not saturated.size:
        return
    rest = batch.without(saturated)
    with np.errstate(all="ignore"):
        rest_error = _relative_difference(*rest.gradients(epsilon))
    if rest_error > _PASSING_ERROR:
        return
    what = (
        f"the other {len(rest.X)} samples'"
        if len(rest.X)
        else "the penalty's alone (no sample left)"
    )
    warn(
        f"The cost of {saturated.size} of the {len(batch.X)} samples (rows "
        f"{', '.join(map(str, saturated))}) does not change with an output neuron's bias, "
        "though backprop's δ there is not 0: the neuron saturates (a sigmoid output of "
        "exactly 1, say) or the cost is clipped there, and the central differences read 0 "
        f"whatever the gradient. The gradient of {what} has a relative error of "
        f"{rest_error:.1e}. {_SATURATION_ADVICE}"
    )


def _saturated_samples(batch, epsilon):
    """The rows whose cost is flat in an output neuron's bias, though backprop's δ is not 0.

    A sample's δ is backprop's gradient of its cost alone with respect to the
    output biases, the last parameters of the engine's layout.
    """
    network, cost, n_outputs = batch.network, batch.cost, batch.Y.shape[1]
    params, backprop = network.params, Backprop(network, cost, 1)
    with np.errstate(all="ignore"):
        deltas = np.array(
            [
                backprop.gradient(x, y, 1.0)[-n_outputs:]
                for x, y in zip(batch.X[:, None], batch.Y[:, None])
            ]
        )
        flat = np.empty_like(deltas, dtype=bool)
        for output, index in enumerate(range(params.size - n_outputs, params.size)):
            costs = []
            for step in (epsilon, -epsilon):
                original = params[index]
                params[index] = original + step
                costs.append(np.asarray(cost.fn(network.feedforward(batch.X), batch.Y)))
                params[index] = original
            flat[:, output] = costs[0] == costs[1]
    return np.flatnonzero((flat & (deltas != 0)).any(axis=1))


def _relative_difference(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖), 0 for two zeros, inf where either is not finite.

    On the scale of the largest entry, whose squares cannot overflow (the
    ratio does not depend on the scale).
    """
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return np.inf
    largest = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    if not largest:
        return 0.0
    a, b = a / largest, b / largest
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


#: The learning rate at which a regularizer's decay factor is compared with its gradient.
_DECAY_ETA = 0.25


def _decay_error(penalty, network):
    """How far the regularizer's one-pass decay is from a step of its gradient, or None.

    Plain SGD scales the weights by ``decay_factor`` instead of adding the
    penalty's gradient: a factor that disagrees with the gradient trains
    another penalty than the one the gradients were checked for. Compared
    as the two steps each takes from the weights.
    """
    factor = penalty.decay_factor(_DECAY_ETA)
    if factor is None:
        return None
    weights = penalty.weights(network.params)
    gradient = np.zeros_like(network.params)
    penalty.add_gradient(gradient, network.params)
    by_factor = (factor - 1.0) * weights
    by_gradient = -_DECAY_ETA * penalty.weights(gradient)
    return _relative_difference(by_factor, by_gradient)


def _plugin(parameter, value):
    """The plugin ``value`` names, checked as a fit checks it, or the parameter's error.

    The error names the parameter, as the estimator's does: otherwise
    ``activation`` and ``output_activation`` would be refused alike. An
    instance against its kind's contract failed inside backprop, and one of
    an invalid hyper-parameter was checked as if valid. A derivative that
    does not match its function is what the check measures, not refuses.
    """
    return checked_plugin(parameter, value, "check_gradients", training=False)


def _check_sizes(sizes):
    """``sizes`` as a tuple of at least two positive ints, or the parameter's error."""
    # An array of other than one dimension: a 0-d one cannot be iterated, a 2-d one
    # would be read as one layer.
    flat = not isinstance(sizes, np.ndarray) or sizes.ndim == 1
    sizes = tuple(sizes) if flat else sizes
    layers = flat and all(
        isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in sizes
    )
    if not layers or len(sizes) < 2:
        raise InvalidParameterError(
            "The 'sizes' parameter of check_gradients must be a sequence of at least two "
            f"positive ints (input first, output last). Got {sizes!r} instead."
        )
    return tuple(int(s) for s in sizes)


def _check_step(params, epsilon):
    """Refuse an ``epsilon`` that leaves some parameter where it is, rounded back in float64.

    Such a parameter's difference is 0 whatever its gradient: 1e-300 gave a
    relative error of 1.0 for a right gradient, blaming backprop.
    """
    unmoved = np.count_nonzero((params + epsilon == params) | (params - epsilon == params))
    if unmoved:
        raise ValueError(
            f"epsilon={epsilon:g} moves {unmoved} of the {params.size} parameters not at all: "
            "w ± epsilon rounds back to w in float64, and their differences would be 0 "
            "whatever their gradient. Take a step near 1e-6, the default."
        )


def _central_differences(cost, params, epsilon):
    """∂cost/∂params[i] by (cost(p + εeᵢ) − cost(p − εeᵢ)) / 2ε, changing ``params`` in place."""
    numeric = np.empty_like(params)
    for i in range(params.size):
        original = params[i]
        params[i] = original + epsilon
        plus = cost()
        params[i] = original - epsilon
        minus = cost()
        params[i] = original
        numeric[i] = (plus - minus) / (2.0 * epsilon)
    return numeric
