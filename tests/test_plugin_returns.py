"""What third-party plugins return is checked where it is used.

A plugin returning a list, a number or an array of another shape used to
fail deep in NumPy or, worse, train on wrong numbers (NumPy broadcasts); an
activation that ignored its ``out`` buffer left the engine reading a buffer
it never wrote (24 % accuracy on the digits, silently). Each case here
trains through the estimator and expects an error naming the plugin's class
and method, or, for results the contract allows (a new array instead of
``out``), the same model as a plugin that writes in place.
"""

import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sknielsen import NielsenMLPClassifier
from sknielsen.gradcheck import check_gradients
from sknielsen.plugins import (
    L2,
    SGD,
    Activation,
    CrossEntropyCost,
    DefaultInitializer,
    Momentum,
    Regularizer,
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16, y[:300]


def fit(digits, **params):
    X, y = digits
    return NielsenMLPClassifier((10,), epochs=2, random_state=0, **params).fit(X, y)


class Tanh(Activation):
    """Writes into ``out``, as the built-in activations do."""

    output_range = (-1.0, 1.0)

    def fn(self, z, out=None):
        return np.tanh(z, out=out)

    def derivative(self, z, a):
        return 1 - a * a


class TanhIgnoringOut(Tanh):
    def fn(self, z, out=None):
        return np.tanh(z)


class TanhNewBackward(Tanh):
    def backward(self, delta, z, a):
        return delta * (1 - a * a)


@pytest.mark.parametrize("activation", [TanhIgnoringOut(), TanhNewBackward()])
def test_new_arrays_train_as_writing_in_place(digits, activation):
    expected = fit(digits, activation=Tanh())
    model = fit(digits, activation=activation)
    assert model.engine_ == "numpy"
    np.testing.assert_array_equal(model.predict_proba(digits[0]), expected.predict_proba(digits[0]))
    assert model.loss_curve_ == expected.loss_curve_


class TanhList(Tanh):
    def fn(self, z, out=None):
        return np.tanh(z).tolist()


class TanhNarrow(Tanh):
    def fn(self, z, out=None):
        return np.tanh(z)[:, :1]


class TanhScalarDerivative(Tanh):
    def derivative(self, z, a):
        return 1.0


class TanhIntegerBackward(Tanh):
    def backward(self, delta, z, a):
        return np.ones(delta.shape, dtype=int)


class CostOfFloat(CrossEntropyCost):
    def fn(self, a, y):
        return float(super().fn(a, y).mean())


class CostOfColumn(CrossEntropyCost):
    def fn(self, a, y):
        return super().fn(a, y)[:, None]


class NarrowDelta(CrossEntropyCost):
    def delta(self, z, a, y, activation, out=None):
        return (a - y)[:, :3]


class QuadraticOfGradient(CrossEntropyCost):
    """A cost given by its gradient only (the default delta), whose gradient is wrong."""

    def delta(self, z, a, y, activation, out=None):
        return super(CrossEntropyCost, self).delta(z, a, y, activation, out)


class GradientColumn(QuadraticOfGradient):
    def gradient(self, a, y):
        return (a - y).sum(axis=1, keepdims=True)  # broadcast over the outputs, silently


class GradientNarrow(QuadraticOfGradient):
    def gradient(self, a, y):
        return (a - y)[:, :-1]


class GradientList(QuadraticOfGradient):
    def gradient(self, a, y):
        return (a - y).tolist()


class TransposedInitializer(DefaultInitializer):
    def __call__(self, fan_in, fan_out, rng, dtype):
        weights, biases = super().__call__(fan_in, fan_out, rng, dtype)
        return weights.T, biases


class NaNInitializer(DefaultInitializer):
    def __call__(self, fan_in, fan_out, rng, dtype):
        weights, biases = super().__call__(fan_in, fan_out, rng, dtype)
        weights[0, 0] = np.nan
        return weights, biases


class OneArrayInitializer(DefaultInitializer):
    def __call__(self, fan_in, fan_out, rng, dtype):
        return super().__call__(fan_in, fan_out, rng, dtype)[0]


class NoUpdate(SGD):
    def update(self, grads, state, params):
        grads *= -state["eta"]  # forgets to return (updates, state)


class ShortUpdate(SGD):
    def update(self, grads, state, params):
        return -state["eta"] * grads[:5], state


class ListState(Momentum):
    def init(self, params):
        return [np.zeros_like(params)]


class MatrixState(Momentum):
    def init(self, params):
        return {"history": np.zeros((3, params.size))}


class WordState(Momentum):
    def init(self, params):
        return {"velocity": np.zeros_like(params), "mode": "fast"}


class NumberKeyState(Momentum):
    def init(self, params):
        return {1: np.zeros_like(params)}


class FlagState(Momentum):
    def init(self, params):
        return {"velocity": np.zeros_like(params), "seen": np.zeros(params.size, dtype=bool)}


class EtaState(Momentum):
    def init(self, params):
        return {"velocity": np.zeros_like(params), "eta": 99.0}


class GrowingState(Momentum):
    def init(self, params):
        return {"velocity": np.zeros_like(params), "t": np.zeros(1)}

    def update(self, grads, state, params):
        steps, state = super().update(grads, state, params)
        state["t"] = np.append(state["t"], 1.0)  # in place, in the dict it was given
        return steps, state


class NaNState(Momentum):
    def init(self, params):
        return {"velocity": np.full_like(params, np.nan)}


class CountingUpdate(Momentum):
    def update(self, grads, state, params):
        steps, state = super().update(grads, state, params)
        return steps, {**state, "count": 3}


class SquareSum(Regularizer):
    """L2 without a decay form: its gradient is added to the cost's."""

    def penalty(self, weights, lmbda, n):
        return lmbda / (2 * n) * float(weights @ weights)

    def gradient(self, weights, lmbda, n, out):
        np.multiply(weights, lmbda / n, out=out)
        return out


class NumberGradient(SquareSum):
    def gradient(self, weights, lmbda, n, out):
        return 3.0


class ArrayPenalty(SquareSum):
    def penalty(self, weights, lmbda, n):
        return lmbda / (2 * n) * weights**2


class WordDecay(L2):
    def decay_factor(self, eta, lmbda, n):
        return "0.99"


REFUSED = {
    "activation list": (
        {"activation": TanhList()},
        TypeError,
        r"TanhList\.fn returned a list; expected a floating",
    ),
    "activation shape": (
        {"activation": TanhNarrow()},
        ValueError,
        r"TanhNarrow\.fn returned an ndarray of shape \(\d+, 1\)",
    ),
    "derivative number": (
        {"activation": TanhScalarDerivative()},
        TypeError,
        r"TanhScalarDerivative\.derivative returned a float",
    ),
    "backward integers": (
        {"activation": TanhIntegerBackward()},
        TypeError,
        r"TanhIntegerBackward\.backward returned .*int",
    ),
    "cost number": (
        {"cost": CostOfFloat()},
        TypeError,
        r"CostOfFloat\.fn returned a float; .*one cost per sample",
    ),
    "cost column": (
        {"cost": CostOfColumn()},
        ValueError,
        r"CostOfColumn\.fn returned an ndarray of shape \(\d+, 1\)",
    ),
    "delta shape": (
        {"cost": NarrowDelta()},
        ValueError,
        r"NarrowDelta\.delta returned an ndarray of shape \(10, 3\)",
    ),
    "cost gradient column": (
        {"cost": GradientColumn(), "engine": "numpy"},
        ValueError,
        r"GradientColumn\.gradient returned an ndarray of shape \(10, 1\).*\(10, 10\)",
    ),
    "cost gradient narrow": (
        {"cost": GradientNarrow(), "engine": "numpy"},
        ValueError,
        r"GradientNarrow\.gradient returned an ndarray of shape \(10, 9\)",
    ),
    "cost gradient list": (
        {"cost": GradientList(), "engine": "numpy"},
        TypeError,
        r"GradientList\.gradient returned a list",
    ),
    "weights transposed": (
        {"initializer": TransposedInitializer()},
        ValueError,
        r"shape \(10, 64\).*\(64, 10\), \(fan_in, fan_out\)",
    ),
    "weights not finite": (
        {"initializer": NaNInitializer()},
        ValueError,
        r"NaNInitializer\.__call__ returned weights or biases that are not finite",
    ),
    "weights alone": (
        {"initializer": OneArrayInitializer()},
        TypeError,
        r"expected the pair \(weights, biases\)",
    ),
    "update none": (
        {"optimizer": NoUpdate()},
        TypeError,
        r"NoUpdate\.update returned None; expected the pair \(updates, state\)",
    ),
    "update shape": (
        {"optimizer": ShortUpdate()},
        ValueError,
        r"ShortUpdate\.update returned an ndarray of shape \(5,\)",
    ),
    "state list": (
        {"optimizer": ListState()},
        TypeError,
        r"ListState\.init returned a list; expected the state as a dict",
    ),
    # Trained, then refused by save ("should have 1 dimensions"), or a TypeError of
    # NumPy's isfinite deep in the fit; an 'eta' overrode the estimator's eta silently.
    "state matrix": (
        {"optimizer": MatrixState()},
        TypeError,
        r"MatrixState\.init returned state\['history'\] as an ndarray of shape \(3, 760\) "
        r"and dtype float64; an optimizer's state holds 1-D arrays of numbers",
    ),
    "state word": (
        {"optimizer": WordState()},
        TypeError,
        r"WordState\.init returned state\['mode'\] as a str",
    ),
    "state number key": (
        {"optimizer": NumberKeyState()},
        TypeError,
        r"NumberKeyState\.init returned a state named by 1: name each array by a string",
    ),
    "state flags": (
        {"optimizer": FlagState()},
        TypeError,
        r"FlagState\.init returned state\['seen'\] as an ndarray of shape \(760,\) and dtype bool",
    ),
    "state eta": (
        {"optimizer": EtaState()},
        ValueError,
        r"EtaState\.init returned a state holding 'eta', which the training loop keeps",
    ),
    # Both were blamed on the built-in Monitor, the first callback after them.
    "state growing": (
        {"optimizer": GrowingState()},
        ValueError,
        r"GrowingState\.update returned state\['t'\] as an ndarray of shape \(2,\) and dtype "
        r"float64, where it was of shape \(1,\)",
    ),
    "state nan": (
        {"optimizer": NaNState()},
        ValueError,
        r"NaNState\.init returned state\['velocity'\] holding NaN or infinite values",
    ),
    "update count": (
        {"optimizer": CountingUpdate()},
        TypeError,
        r"CountingUpdate\.update returned state\['count'\] as an int",
    ),
    "gradient number": (
        {"regularizer": NumberGradient(), "optimizer": "momentum"},
        TypeError,
        r"NumberGradient\.gradient returned a float",
    ),
    "penalty array": (
        {"regularizer": ArrayPenalty(), "optimizer": "momentum"},
        TypeError,
        r"ArrayPenalty\.penalty returned an ndarray",
    ),
    "decay word": (
        {"regularizer": WordDecay()},
        TypeError,
        r"WordDecay\.decay_factor returned a str; expected a real number or None",
    ),
}


@pytest.mark.parametrize(("params", "error", "message"), REFUSED.values(), ids=REFUSED)
def test_wrong_returns_are_refused_by_name(digits, params, error, message):
    with pytest.raises(error, match=message):
        fit(digits, lmbda=1.0, **params)


class MomentumOfNewState(Momentum):
    """Returns a new state dict of its own keys only, as optax's update does."""

    def update(self, grads, state, params):
        velocity = self.mu * state["velocity"] - state["eta"] * grads
        return velocity, {"velocity": velocity}


def test_an_optimizer_returning_a_new_state_keeps_the_loops_eta(digits):
    # It lost "eta", which the loop adds: a bare KeyError at the next step.
    ours = fit(digits, optimizer=MomentumOfNewState(), eta=0.1, engine="numpy")
    momentum = fit(digits, optimizer="momentum", eta=0.1, engine="numpy")
    np.testing.assert_array_equal(ours.coefs_[0], momentum.coefs_[0])
    assert ours.eta_ == 0.1


def test_a_regularizer_returning_its_gradient_trains(digits):
    model = fit(digits, regularizer=SquareSum(), optimizer="momentum", lmbda=1.0)
    assert model.loss_curve_[1] < model.loss_curve_[0]


def test_gradient_check_refuses_a_cost_of_one_number():
    with pytest.raises(TypeError, match=r"CostOfFloat\.fn returned a float"):
        check_gradients(cost=CostOfFloat())


class NaNCost(CrossEntropyCost):
    def fn(self, a, y):
        return np.full(len(a), np.nan)


class LogActivation(Tanh):
    def fn(self, z, out=None):
        with np.errstate(invalid="ignore"):
            return np.log(z - 100.0, out=out)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"cost": NaNCost()}, r"cost=NaNCost, activation='sigmoid', output_activation='sigmoid',"),
        ({"activation": LogActivation()}, r"cost='cross_entropy', activation=LogActivation, "),
    ],
)
def test_a_cost_not_finite_before_any_step_is_not_blamed_on_eta(digits, params, named):
    # The plugins are named as the parameters give them: a registered one by its name, an
    # unregistered one (a subclass of Tanh, say) by its class. "the cost (QuadraticCost),
    # the activations (Sigmoid, Identity)" named classes the user never typed.
    with pytest.warns(ConvergenceWarning, match="learning rate is not the cause") as caught:
        model = fit(digits, **params)
    message = next(str(w.message) for w in caught if w.category is ConvergenceWarning)
    assert "nan at the weights this fit started from" in message
    assert re.search(named, message) and "ten times smaller" not in message
    assert model.n_iter_ == 0


# Plugins that compute in float32 whatever the model's dtype: a float64 model took their
# results silently and trained on float32's seven digits, mixed with its own sixteen.
class Float32Tanh(Tanh):
    def fn(self, z, out=None):
        return np.tanh(z.astype(np.float32))


class Float32Derivative(Tanh):
    def derivative(self, z, a):
        return (1 - a * a).astype(np.float32)


class Float32Delta(CrossEntropyCost):
    def delta(self, z, a, y, activation, out=None):
        return (a - y).astype(np.float32)


class Float32CostValues(CrossEntropyCost):
    def fn(self, a, y):
        return super().fn(a, y).astype(np.float32)


class Float32Initializer(DefaultInitializer):
    def __call__(self, fan_in, fan_out, rng, dtype):
        weights, biases = super().__call__(fan_in, fan_out, rng, dtype)
        return weights.astype(np.float32), biases.astype(np.float32)


class Float32Update(SGD):
    def update(self, grads, state, params):
        return (-state["eta"] * grads).astype(np.float32), state


class Float32Velocity(Momentum):
    def init(self, params):
        return {"velocity": np.zeros(params.size, dtype=np.float32)}


class Float32Gradient(SquareSum):
    def gradient(self, weights, lmbda, n, out):
        return (lmbda / n * weights).astype(np.float32)


class Float32Penalty(SquareSum):
    def penalty(self, weights, lmbda, n):
        return np.float32(super().penalty(weights, lmbda, n))


NARROWER = {
    "activation fn": ({"activation": Float32Tanh()}, r"Float32Tanh\.fn"),
    "derivative": ({"activation": Float32Derivative()}, r"Float32Derivative\.derivative"),
    "delta": ({"cost": Float32Delta()}, r"Float32Delta\.delta"),
    "cost fn": ({"cost": Float32CostValues()}, r"Float32CostValues\.fn"),
    "initializer": ({"initializer": Float32Initializer()}, r"Float32Initializer\.__call__"),
    "update": ({"optimizer": Float32Update()}, r"Float32Update\.update"),
    "state": ({"optimizer": Float32Velocity()}, r"Float32Velocity\.init"),
    "gradient": (
        {"regularizer": Float32Gradient(), "optimizer": "momentum"},
        r"Float32Gradient\.gradient",
    ),
    "penalty": (
        {"regularizer": Float32Penalty(), "optimizer": "momentum"},
        r"Float32Penalty\.penalty",
    ),
}


@pytest.mark.parametrize(("params", "named"), NARROWER.values(), ids=NARROWER)
def test_float32_returns_in_a_float64_model_are_refused_by_name(digits, params, named):
    with pytest.raises(TypeError, match=rf"{named} returned .*float32 in a float64 network"):
        fit(digits, lmbda=1.0, monitor=("training_cost",), **params)


class Float64Tanh(Tanh):
    """Computes in float64 whatever it is given (np.where with Python floats does)."""

    def fn(self, z, out=None):
        return np.tanh(z.astype(np.float64))

    def derivative(self, z, a):
        return (1 - a * a).astype(np.float64)


def test_float64_returns_in_a_float32_model_train_as_float32(digits):
    # Nothing is lost rounding them to the model's dtype, which the engines work in.
    expected = fit(digits, activation=Tanh(), dtype="float32", engine="numpy")
    model = fit(digits, activation=Float64Tanh(), dtype="float32", engine="numpy")
    assert model.coefs_[0].dtype == np.float32
    np.testing.assert_allclose(model.coefs_[0], expected.coefs_[0], rtol=1e-5, atol=1e-6)


def test_gradient_check_names_a_cost_computing_in_float32():
    # Its relative error was 0.34 for a right gradient, with nothing naming the cause.
    with pytest.raises(TypeError, match=r"Float32CostValues\.fn returned .*float32"):
        check_gradients(cost=Float32CostValues())


class Float32InsideCost(CrossEntropyCost):
    """Computes in float32, then returns float64: the returned dtype cannot tell."""

    def fn(self, a, y):
        return super().fn(a.astype(np.float32), y.astype(np.float32)).astype(np.float64)

    def delta(self, z, a, y, activation, out=None):
        return a - y


def test_gradient_check_suspects_a_cost_computing_in_float32_inside():
    # Its relative error was 0.34 for a right gradient, with nothing naming the cause.
    with pytest.warns(UserWarning, match=r"Float32InsideCost\.fn.* float32 numbers") as caught:
        result = check_gradients(cost=Float32InsideCost())
    assert result.relative_error > 1e-3
    assert len(caught) == 1


def test_gradient_check_of_no_hidden_layer_suspects_the_cost_alone():
    with pytest.warns(UserWarning, match=r"Float32InsideCost\.fn.* float32 numbers") as caught:
        check_gradients((5, 3), cost=Float32InsideCost())
    assert len(caught) == 1


def test_gradient_check_of_a_float64_cost_does_not_suspect_float32():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_gradients(cost=CrossEntropyCost())


class Float32InsideTanh(Tanh):
    """A hidden activation computing in float32, then returning float64."""

    def fn(self, z, out=None):
        return np.tanh(z.astype(np.float32)).astype(np.float64)


def test_gradient_check_suspects_a_hidden_activation_computing_in_float32_inside():
    # Its relative error was 0.0095 for a right derivative, with nothing naming the cause:
    # only the output activation and the cost were suspected.
    with pytest.warns(UserWarning, match=r"Float32InsideTanh\.fn.* float32 numbers") as caught:
        result = check_gradients(activation=Float32InsideTanh())
    assert result.relative_error > 1e-3
    assert len(caught) == 1
