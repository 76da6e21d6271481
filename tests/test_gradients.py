"""Backprop equals central finite differences for every allowed plugin combination."""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.utils._param_validation import InvalidParameterError

from sknielsen import NielsenMLPClassifier, plugins
from sknielsen.engine._network import Backprop, Network
from sknielsen.gradcheck import check_gradients

HIDDEN = ["sigmoid", "tanh", "relu", "identity"]
COMBINATIONS = [
    (cost, output, hidden, regularizer)
    for cost in plugins.available("cost")
    for output in plugins.get_class("cost", cost).output_activations
    for hidden in HIDDEN
    for regularizer in plugins.available("regularizer")
]


def test_every_cost_output_pair_is_covered():
    pairs = {(c, o) for c, o, _, _ in COMBINATIONS}
    assert ("quadratic", "sigmoid") in pairs and ("log_likelihood", "softmax") in pairs
    assert len(COMBINATIONS) >= 3 * 4 * 3


@pytest.mark.parametrize("cost, output, hidden, regularizer", COMBINATIONS)
def test_backprop_matches_finite_differences(cost, output, hidden, regularizer):
    result = check_gradients(
        (5, 4, 3, 3),  # two hidden layers
        cost=cost,
        output_activation=output,
        activation=hidden,
        regularizer=regularizer,
        lmbda=0.7,
    )
    assert result.relative_error < 1e-6
    assert np.linalg.norm(result.backprop) > 1e-3  # not trivially zero


def test_sample_weights_enter_the_gradient_as_a_weighted_mean():
    weights = [1.0, 2.0, 0.0, 3.0, 1.0, 0.5, 4.0]
    result = check_gradients(sample_weight=weights, regularizer="l1")
    assert result.relative_error < 1e-6
    unweighted = check_gradients(regularizer="l1")
    assert not np.allclose(result.backprop, unweighted.backprop)


@pytest.mark.parametrize(
    "weights, message",
    [
        ([1.0, 2.0], r"shape == \(2,\), expected \(7,\)"),
        (np.ones((7, 1)), "1D array"),
        (np.zeros(7), "at least one non-zero"),
        (-np.ones(7), "Negative values"),
        ([np.nan] * 7, "NaN"),
    ],
)
def test_sample_weights_that_no_fit_takes_are_refused(weights, message):
    # Not a broadcast error deep in NumPy, nor a relative error of NaN.
    with pytest.raises(ValueError, match=f"'sample_weight' of check_gradients.*{message}"):
        check_gradients(sample_weight=weights)


@pytest.mark.parametrize(
    "weights, message",
    [
        (np.array(1.0), "at least 1 dimension"),
        ([1.0 + 1j] * 7, "complex"),
    ],
)
def test_sample_weights_of_no_type_a_fit_takes_are_refused_by_name(weights, message):
    # scikit-learn's TypeErrors came through as they were, naming no argument of
    # check_gradients ("float() argument must be a string or a real number, not 'complex'").
    with pytest.raises(TypeError, match=f"^The 'sample_weight' of check_gradients.*{message}"):
        check_gradients(sample_weight=weights)


@pytest.mark.parametrize("value", [np.float32(0.5), np.float16(0.1), np.int8(2)])
def test_numpy_numbers_for_lmbda_and_epsilon_check_as_python_numbers(value):
    # A float32 lmbda made the L2 penalty a float32, refused as "L2.penalty returned a
    # float32 in a float64 network", blaming a plugin that computes in the arrays' dtype.
    expected = check_gradients(lmbda=float(value))
    result = check_gradients(lmbda=value)
    np.testing.assert_array_equal(result.numeric, expected.numeric)
    step = value / 1000
    np.testing.assert_array_equal(
        check_gradients(epsilon=step).numeric, check_gradients(epsilon=float(step)).numeric
    )


def test_large_initializer_and_deeper_network():
    result = check_gradients((6, 5, 4, 3, 2), initializer="large", cost="quadratic")
    assert result.relative_error < 1e-6


def test_float32_gradient_is_close_to_float64(rng):
    sizes = (6, 5, 3)
    X = rng.uniform(size=(8, 6))
    Y = np.eye(3)[rng.integers(3, size=8)]
    grads = {}
    for dtype in (np.float64, np.float32):
        network = Network(sizes, [plugins.Sigmoid(), plugins.Sigmoid()], dtype=dtype)
        network.initialize(plugins.DefaultInitializer(), np.random.default_rng(1))
        backprop = Backprop(network, plugins.CrossEntropyCost(), 8)
        grads[dtype] = backprop.gradient(X.astype(dtype), Y.astype(dtype), 1 / 8).copy()
        assert grads[dtype].dtype == dtype
    np.testing.assert_allclose(grads[np.float32], grads[np.float64], rtol=1e-4, atol=1e-6)


def test_backprop_reuses_its_buffers_for_smaller_batches(rng):
    network = Network((4, 3, 2), [plugins.Sigmoid(), plugins.Sigmoid()])
    network.initialize(plugins.DefaultInitializer(), rng)
    backprop = Backprop(network, plugins.CrossEntropyCost(), 10)
    X, Y = rng.uniform(size=(10, 4)), np.eye(2)[rng.integers(2, size=10)]
    first = backprop.gradient(X, Y, 1 / 10)
    full = first.copy()
    partial = backprop.gradient(X[:3], Y[:3], 1 / 3)
    assert partial is first  # same buffer
    fresh = Backprop(network, plugins.CrossEntropyCost(), 3).gradient(X[:3], Y[:3], 1 / 3)
    np.testing.assert_allclose(partial, fresh)
    assert not np.allclose(full, fresh)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("to_sparse", [sp.csr_matrix, sp.csr_array])
def test_sparse_rows_give_the_gradient_of_their_dense_copy(rng, dtype, rtol, to_sparse):
    # Rows and columns without entries included: their weights' gradient must be 0, not
    # what an earlier mini-batch left in the reused buffer.
    X = rng.uniform(size=(9, 40)) * (rng.uniform(size=(9, 40)) < 0.1)
    X[3] = 0.0
    X[:, :5] = 0.0
    X, Y = X.astype(dtype), np.eye(3, dtype=dtype)[rng.integers(3, size=9)]
    network = Network((40, 6, 5, 3), [plugins.Tanh(), plugins.ReLU(), plugins.Sigmoid()], dtype)
    network.initialize(plugins.DefaultInitializer(), rng)
    backprop = Backprop(network, plugins.CrossEntropyCost(), 9)
    backprop.gradient(rng.uniform(size=(9, 40)).astype(dtype), Y, 1 / 9)  # fills every row
    scale = rng.uniform(size=(9, 1)).astype(dtype)
    of_sparse = backprop.gradient(to_sparse(X), Y, scale).copy()
    of_dense = backprop.gradient(X, Y, scale)
    assert of_sparse.dtype == dtype
    np.testing.assert_allclose(of_sparse, of_dense, rtol=rtol, atol=rtol * abs(of_dense).max())
    assert not of_sparse[: 5 * 6].any()  # the first layer's weights of the empty columns


def test_refuses_a_cost_with_outputs_the_estimator_refuses():
    from sknielsen import NielsenMLPRegressor

    # "The 'cross_entropy' cost cannot be paired with 'identity' output neurons" named
    # neither parameter: a regressor's user, who set only cost, met "output neurons".
    message = (
        r"^cost='cross_entropy' cannot be paired with output_activation='identity': the "
        r"'cross_entropy' cost works with output_activation 'sigmoid' or 'softmax'\. Give "
        r"one of those, or another cost\.$"
    )
    with pytest.raises(InvalidParameterError, match=message):
        check_gradients(cost="cross_entropy", output_activation="identity")
    with pytest.raises(InvalidParameterError, match=message):
        NielsenMLPClassifier(cost="cross_entropy", output_activation="identity").fit(
            [[0.0], [1.0]], [0, 1]
        )
    with pytest.raises(InvalidParameterError, match=message):
        NielsenMLPRegressor(cost="cross_entropy").fit([[0.0], [1.0]], [0.0, 1.0])
    one = r"the 'log_likelihood' cost works with output_activation 'softmax'\. Give"
    with pytest.raises(InvalidParameterError, match=one):
        NielsenMLPClassifier(cost="log_likelihood", output_activation="sigmoid").fit(
            [[0.0], [1.0]], [0, 1]
        )


class Softsign(plugins.Activation):
    """An output activation of one's own, registered under no name."""

    output_range = (-1.0, 1.0)

    def fn(self, z, out=None):
        return np.divide(z, 1.0 + np.abs(z), out=out)

    def derivative(self, z, a):
        return (1.0 - np.abs(a)) ** 2


def test_an_unregistered_output_activation_refused_by_a_cost_is_named_by_its_class():
    # "The 'quadratic' cost cannot be paired with None output neurons", for the estimator
    # too: the name of a plugin registered under none.
    message = (
        r"^cost='quadratic' cannot be paired with output_activation=Softsign \(an "
        r"activation registered under no name\): the 'quadratic' cost works with "
        r"output_activation 'sigmoid', 'softmax', 'tanh' or 'identity'\. A cost pairs .*register "
    )
    with pytest.raises(InvalidParameterError, match=message):
        check_gradients(cost="quadratic", output_activation=Softsign())
    with pytest.raises(InvalidParameterError, match=message):
        NielsenMLPClassifier(cost="quadratic", output_activation=Softsign()).fit(
            [[0.0], [1.0]], [0, 1]
        )


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("sizes", (3,)),
        ("sizes", (3, 0)),
        ("sizes", (3, True)),
        ("sizes", 3),
        ("n_samples", 0),
        ("epsilon", 0.0),
        ("lmbda", -1.0),
        ("lmbda", np.inf),
        ("lmbda", np.nan),
        ("random_state", -1),
        ("sizes", np.array(3)),  # iterated: "iteration over a 0-d array"
        ("sizes", np.array([[5, 3]])),
    ],
)
def test_refuses_invalid_parameters_by_name(keyword, value):
    with pytest.raises(InvalidParameterError, match=f"'{keyword}' parameter of check_gradients"):
        check_gradients(**{keyword: value})


PLUGIN_KEYWORDS = ["cost", "activation", "output_activation", "regularizer", "initializer"]


@pytest.mark.parametrize("keyword", PLUGIN_KEYWORDS)
@pytest.mark.parametrize("value", ["", 0, False, ()])
def test_refuses_a_falsy_plugin_by_name_as_the_estimator_does(keyword, value):
    # "" was once taken for None (the cost's own output); the estimator refuses it,
    # naming the parameter: "activation" and "output_activation" must not read alike.
    with pytest.raises(
        InvalidParameterError, match=f"^The '{keyword}' parameter of check_gradients is invalid"
    ):
        check_gradients(**{keyword: value})


class SigmoidWithoutOut(plugins.Activation):
    """An activation whose fn takes no ``out``, against the contract the engine calls."""

    def fn(self, z):
        return 1.0 / (1.0 + np.exp(-z))


class ScaledTanh(plugins.Tanh):
    """A tanh with a hyper-parameter that must be a float."""

    _parameter_constraints = {"scale": [float]}

    def __init__(self, scale=1.0):
        self.scale = scale


@pytest.mark.parametrize(
    "activation, refusal",
    [
        (SigmoidWithoutOut(), r"'activation' parameter of {} is invalid: SigmoidWithoutOut.fn"),
        (ScaledTanh(scale="large"), r"'activation__scale' parameter of {} must be an instance"),
    ],
)
def test_checks_a_plugin_instance_as_the_estimator_does(activation, refusal):
    # check_gradients took any instance: one against the contract failed inside backprop
    # ("fn() got an unexpected keyword argument 'out'"), one of an invalid
    # hyper-parameter was checked as if valid.
    with pytest.raises(InvalidParameterError, match=refusal.format("check_gradients")):
        check_gradients(activation=activation)
    with pytest.raises(InvalidParameterError, match=refusal.format("NielsenMLPClassifier")):
        NielsenMLPClassifier(activation=activation, epochs=1).fit([[0.0], [1.0]], [0, 1])


@pytest.mark.parametrize("epsilon", [1e-300, 1e-17])
def test_refuses_a_step_that_moves_a_parameter_not_at_all(epsilon):
    # w + epsilon rounded back to w: the differences were 0 and the verdict a relative
    # error of 1.0 for a right gradient, or nearly as bad, blaming backprop.
    with pytest.raises(ValueError, match=rf"^epsilon={epsilon:g} moves \d+ of the 51 parameters"):
        check_gradients(epsilon=epsilon)


def test_refuses_an_unknown_plugin_name_as_a_value_error():
    with pytest.raises(ValueError, match=r"'output_activation'.*Unknown activation ''"):
        check_gradients(output_activation="")


def test_takes_random_state_as_scikit_learn_does():
    first = check_gradients(random_state=np.random.RandomState(1))
    again = check_gradients(random_state=np.random.RandomState(1))
    np.testing.assert_array_equal(first.backprop, again.backprop)


def test_a_result_prints_its_verdict_not_its_arrays():
    result = check_gradients(sizes=(30, 20, 10))
    assert repr(result) == (
        f"GradientCheck(relative_error={result.relative_error!r}, "
        f"decay_error={result.decay_error!r})"
    )
    assert result == result and result != check_gradients(sizes=(30, 20, 10))


@pytest.mark.parametrize("scale", [1e-320, 1e308])
def test_sample_weights_at_the_ends_of_float64_check_as_weights_of_1(scale):
    # Only their ratios matter; summed or multiplied as given, subnormal weights lost
    # their precision (a relative error of 0.67) and huge ones overflowed to NaN.
    weights = np.array([1.0, 0.5, 0.0]) * scale
    expected = check_gradients(n_samples=3, sample_weight=weights / weights.max())
    result = check_gradients(n_samples=3, sample_weight=weights)
    assert result.relative_error < 1e-6
    np.testing.assert_allclose(result.backprop, expected.backprop, rtol=1e-12)


class DecayIgnoringLambda(plugins.L2):
    """An L2 whose gradient is right but whose one-pass decay (plain SGD's) is not."""

    def decay_factor(self, eta, lmbda, n):
        return 1.0


class DecayOfOtherLambda(plugins.L2):
    def decay_factor(self, eta, lmbda, n):
        return 1.0 - eta * 2 * lmbda / n


@pytest.mark.parametrize("regularizer", [DecayIgnoringLambda(), DecayOfOtherLambda()])
def test_a_decay_factor_that_disagrees_with_the_gradient_fails_the_check(regularizer):
    # SGD trains with the decay factor, not the gradient: the check passed at 9e-10
    # while training decayed nothing (first-layer sum |W| 40.8 against 1.30 for l2).
    result = check_gradients(regularizer=regularizer, lmbda=5.0)
    assert result.decay_error > 0.1 and result.relative_error == result.decay_error
    right = check_gradients(regularizer="l2", lmbda=5.0)
    assert right.decay_error < 1e-12 and right.relative_error < 1e-6
    assert check_gradients(regularizer="l1", lmbda=5.0).decay_error is None  # no factor


class NaNDerivative(plugins.Sigmoid):
    def derivative(self, z, a):
        return np.full_like(z, np.nan)


def test_a_check_that_meets_values_not_finite_fails_loudly():
    # A derivative of NaN gave relative_error=nan, which "error > tol" passes.
    with pytest.warns(UserWarning, match=r"backprop gradient holds NaN or infinity"):
        result = check_gradients(activation=NaNDerivative())
    assert result.relative_error == np.inf
    # A penalty near the largest float: its squares overflowed the norms (NumPy's
    # warnings, then NaN); on the gradients' own scale the check holds.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_gradients(lmbda=1e300).relative_error < 1e-6


class Softplus(plugins.Activation):
    """ln(1 + eᶻ), whose derivative is the sigmoid: smooth, and unbounded above."""

    def fn(self, z, out=None):
        return np.logaddexp(0.0, z, out=out)

    def derivative(self, z, a):
        return expit(z)


class SoftplusOnePercentOff(Softplus):
    def derivative(self, z, a):
        return 1.01 * expit(z)


class SigmoidOffByAThousandth(plugins.Sigmoid):
    def derivative(self, z, a):
        return 1.001 * a * (1.0 - a)


class ReLUOfSlopeOne(plugins.ReLU):
    """Forgets that the slope is 0 below 0."""

    def derivative(self, z, a):
        return np.ones_like(z)


class QuadraticWithoutSigmaPrime(plugins.QuadraticCost):
    """δ = a − y, the cross-entropy's, for the quadratic cost: σ'(z) forgotten."""

    def delta(self, z, a, y, activation, out=None):
        return np.subtract(a, y, out=out)


class L2OfTwiceTheGradient(plugins.L2):
    def gradient(self, weights, lmbda, n, out):
        return np.multiply(weights, 2.0 * lmbda / n, out=out)

    def decay_factor(self, eta, lmbda, n):
        return None  # the gradient alone is checked


class Scaled(plugins.Initializer):
    """The default weights and biases, ``scale`` times larger: neurons that saturate."""

    def __init__(self, scale=10.0):
        self.scale = scale

    def __call__(self, fan_in, fan_out, rng, dtype):
        weights, biases = plugins.DefaultInitializer()(fan_in, fan_out, rng, dtype)
        return self.scale * weights, self.scale * biases


@pytest.mark.parametrize(
    "settings",
    [
        {"activation": SoftplusOnePercentOff()},
        {"activation": SigmoidOffByAThousandth()},
        {"activation": ReLUOfSlopeOne()},
        {"cost": "quadratic", "output_activation": SigmoidOffByAThousandth()},
        {"cost": QuadraticWithoutSigmaPrime()},
        {"regularizer": L2OfTwiceTheGradient()},
        {"activation": SoftplusOnePercentOff(), "initializer": Scaled(3.0)},
        {"regularizer": L2OfTwiceTheGradient(), "initializer": Scaled(30.0)},
    ],
    ids=["softplus", "sigmoid", "relu", "output", "cost", "regularizer", "near", "saturated"],
)
def test_a_wrong_derivative_fails_the_check_unexcused(settings):
    # A thousandth off is caught: 1.5e-4 against the 1e-9 of a right one. None is put down
    # to the differences: the cost moves with the weights, or (the penalty's, where every
    # output saturates) the rest of the check fails too.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_gradients(**settings).relative_error > 1e-4


@pytest.mark.parametrize(
    "settings",
    [
        {"activation": Softplus()},
        {"activation": Softplus(), "initializer": "large"},
        {"initializer": Scaled(3.0)},  # sigmoids near saturation, not in it
        {"activation": "tanh", "initializer": Scaled(3.0)},
        {"cost": "log_likelihood", "initializer": Scaled(30.0)},
        {"cost": "quadratic", "initializer": Scaled(30.0)},
    ],
)
def test_a_right_derivative_of_a_steep_or_saturating_function_passes(settings):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_gradients(**settings).relative_error < 1e-6


def _check_with_one_warning(settings):
    """``check_gradients(**settings)`` and the text of the one warning it must give."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = check_gradients(**settings)
    assert len(caught) == 1, [str(warning.message) for warning in caught]
    return result, str(caught[0].message)


@pytest.mark.parametrize(
    "settings",
    [
        {"initializer": Scaled(10.0)},
        {"activation": "tanh", "initializer": Scaled(10.0)},
        {"activation": Softplus(), "initializer": Scaled(3.0)},
    ],
)
def test_nearly_saturated_neurons_are_named_as_what_the_differences_cannot_tell(settings):
    # Sigmoid outputs within rounding of 1 under the cross-entropy: the cost computed in
    # float64 moves by its rounding, while δ = a − y is right. Relative errors of 5e-5 to
    # 0.05 came with nothing naming the cause.
    result, message = _check_with_one_warning(settings)
    assert result.relative_error > 1e-6
    assert message.startswith("The central differences change with their step")
    wider = float(re.search(r"one of 0.0001 (\S+)\. ", message).group(1))
    assert wider < result.relative_error / 10


@pytest.mark.parametrize(
    "settings",
    [
        {"initializer": Scaled(30.0)},
        {"initializer": Scaled(100.0)},
        {"activation": Softplus(), "initializer": Scaled(10.0)},
        {"initializer": Scaled(30.0), "sample_weight": [1.0, 2.0, 0.0, 1.0, 1.0, 3.0, 1.0]},
    ],
)
def test_saturated_outputs_are_named_as_what_the_differences_cannot_tell(settings):
    # Sigmoid outputs of exactly 1 under the cross-entropy: the cost is clipped there, flat,
    # while δ = a − y is right. Relative errors of 0.04 to 0.9 came with nothing naming the
    # cause, or with a warning that the built-in Sigmoid, whose outputs of 0 and 1 are
    # float32 numbers, "likely computes in float32".
    result, message = _check_with_one_warning(settings)
    assert result.relative_error > 1e-2
    assert re.match(
        r"^The cost of 7 of the 7 samples \(rows 0, 1, 2, 3, 4, 5, 6\) does not change with "
        r"an output neuron's bias, though backprop's δ there is not 0: ",
        message,
    )
    rest = float(re.search(r"relative error of (\S+)\. ", message).group(1))
    assert "the penalty's alone (no sample left)" in message and rest < 1e-6
