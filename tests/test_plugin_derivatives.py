"""A plugin that redefines its function keeps a derivative that differentiates it.

A subclass of a plugin that redefines ``fn`` (or a regularizer's ``penalty``) and
nothing else inherits the parent's derivative, written for the parent's function:
``Steep(Sigmoid)`` computing σ(2z) trained on a(1 − a), half its slope, without a
word. A fit now compares such an inherited derivative with central differences of
the new function before it starts, and refuses one that does not match.
"""

import re

import numpy as np
import pytest
from scipy.special import expit

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor, plugins
from sknielsen.callbacks import Callback, CallbackError
from sknielsen.plugins import (
    L1,
    L2,
    CrossEntropyCost,
    Identity,
    LogLikelihoodCost,
    NoRegularizer,
    QuadraticCost,
    Sigmoid,
    Softmax,
    Tanh,
)
from sknielsen.plugins._derivatives import derivative_problem
from sknielsen.utils import check_params


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.random((20, 3)), np.arange(20) % 3


def fit(data, **params):
    X, y = data
    params = {"epochs": 1, "random_state": 0, "lmbda": 1.0, **params}
    return NielsenMLPClassifier((4,), **params).fit(X, y)


class SteepSigmoid(Sigmoid):
    def fn(self, z, out=None):
        return super().fn(2 * z, out=out)


class SteepTanh(Tanh):
    def fn(self, z, out=None):
        return np.tanh(2 * z, out=out)


class SteepSoftmax(Softmax):
    def fn(self, z, out=None):
        return super().fn(2 * z, out=out)


class DoubledQuadratic(QuadraticCost):
    def fn(self, a, y):
        return 2 * super().fn(a, y)


class DoubledCrossEntropy(CrossEntropyCost):
    def fn(self, a, y):
        return 2 * super().fn(a, y)


class DoubledLogLikelihood(LogLikelihoodCost):
    def fn(self, a, y):
        return 2 * super().fn(a, y)


class DoubledL2(L2):
    def penalty(self, weights, lmbda, n):
        return 2 * super().penalty(weights, lmbda, n)


class DoubledL1(L1):
    def penalty(self, weights, lmbda, n):
        return 2 * super().penalty(weights, lmbda, n)


class SomePenalty(NoRegularizer):
    def penalty(self, weights, lmbda, n):
        return lmbda / n * float(weights @ weights)


STEEP = {
    "sigmoid": ({"activation": SteepSigmoid()}, "activation", "Activation SteepSigmoid"),
    "tanh": ({"activation": SteepTanh()}, "activation", "Activation SteepTanh"),
    "output sigmoid": (
        {"output_activation": SteepSigmoid()},
        "output_activation",
        "Activation SteepSigmoid",
    ),
    "output softmax": (
        {"output_activation": SteepSoftmax(), "cost": "log_likelihood"},
        "output_activation",
        "Activation SteepSoftmax",
    ),
    "quadratic": ({"cost": DoubledQuadratic()}, "cost", "Cost DoubledQuadratic"),
    "cross-entropy": ({"cost": DoubledCrossEntropy()}, "cost", "Cost DoubledCrossEntropy"),
    "log-likelihood": ({"cost": DoubledLogLikelihood()}, "cost", "Cost DoubledLogLikelihood"),
    "l2": ({"regularizer": DoubledL2()}, "regularizer", "Regularizer DoubledL2"),
    "l1": ({"regularizer": DoubledL1()}, "regularizer", "Regularizer DoubledL1"),
    "none": ({"regularizer": SomePenalty()}, "regularizer", "Regularizer SomePenalty"),
}


@pytest.mark.parametrize(("params", "parameter", "named"), STEEP.values(), ids=STEEP)
def test_a_redefined_function_with_an_inherited_derivative_is_refused(
    data, params, parameter, named
):
    with pytest.raises(ValueError, match=rf"'{parameter}' parameter .* invalid: {named} ") as info:
        fit(data, **params)
    message = str(info.value)
    cls = type(next(iter(params.values())))
    parent = cls.__mro__[1].__name__
    function = "penalty" if parameter == "regularizer" else "fn"
    assert f"{cls.__name__} redefines {function} but inherits " in message
    assert f"from {parent}:" in message
    assert f"central differences of {cls.__name__}.{function}" in message
    assert f"in {cls.__name__} too." in message


def test_the_message_says_what_is_inherited_where_and_what_to_write(data):
    with pytest.raises(ValueError) as info:
        fit(data, activation=SteepSigmoid())
    message = str(info.value)
    assert "inherits derivative and backward from Sigmoid: at z = " in message
    assert "Define derivative(z, a), or backward(delta, z, a), in SteepSigmoid too." in message
    # σ(2z)' = 2σ'(2z), and the inherited slope a(1 − a) at a = σ(2z) is half of it.
    z, inherited, numeric = _numbers(message, "z")
    a = expit(2 * z)
    assert inherited == pytest.approx(a * (1 - a), rel=1e-3)
    assert numeric == pytest.approx(2 * a * (1 - a), rel=1e-3)
    with pytest.raises(ValueError, match=r"Define gradient\(a, y\), or delta\(z, a, y"):
        fit(data, cost=DoubledQuadratic())
    with pytest.raises(
        ValueError, match=r"Define gradient\(weights, lmbda, n, out=None\) in Doubled"
    ):
        fit(data, regularizer=DoubledL2())


def test_a_softmax_subclass_is_told_to_write_backward_only(data):
    # Softmax.derivative raises: softmax is not element-wise, backward is its Jacobian.
    with pytest.raises(ValueError) as info:
        fit(data, output_activation=SteepSoftmax(), cost="log_likelihood")
    message = str(info.value)
    assert "inherits backward from Softmax: at z = " in message
    assert "Define backward(delta, z, a) in SteepSoftmax too." in message
    assert "derivative(z, a)" not in message


def _numbers(message, name):
    """The point and the two slopes the message gives."""
    found = re.search(
        rf"at {name} = (\S+), the inherited slope is (\S+) where central differences "
        r"of \S+ give (\S+);",
        message,
    )
    return tuple(float(number) for number in found.groups())


class SameSigmoid(Sigmoid):
    """The same function, with a keyword of its own: nothing to refuse."""

    def fn(self, z, out=None, *, clip=None):
        return super().fn(z, out=out)


class SameSoftmax(Softmax):
    def fn(self, z, out=None, *, clip=None):
        return super().fn(z, out=out)


class ShiftedCrossEntropy(CrossEntropyCost):
    """A constant added to the cost changes none of its derivatives."""

    def fn(self, a, y, *, clip=None):
        return super().fn(a, y) + 1.0


class SameL1(L1):
    def penalty(self, weights, lmbda, n, *, clip=None):
        return super().penalty(weights, lmbda, n)


@pytest.mark.parametrize(
    "params",
    [
        {"activation": SameSigmoid()},
        {"output_activation": SameSoftmax(), "cost": "log_likelihood"},
        {"cost": ShiftedCrossEntropy()},
        {"regularizer": SameL1()},
    ],
    ids=["sigmoid", "softmax", "cross-entropy", "l1"],
)
def test_a_redefinition_of_the_same_function_trains(data, params):
    assert fit(data, **params).n_iter_ == 1


class SteepSigmoidWithDerivative(SteepSigmoid):
    def derivative(self, z, a):
        return 2 * a * (1 - a)


class SteepSoftmaxWithBackward(SteepSoftmax):
    def backward(self, delta, z, a):
        return 2 * super().backward(delta, z, a)


class DoubledQuadraticWithGradient(DoubledQuadratic):
    def gradient(self, a, y):
        return 2 * (a - y)


class DoubledL2WithGradient(DoubledL2):
    def gradient(self, weights, lmbda, n, out):
        return np.multiply(weights, 2 * lmbda / n, out=out)


class StraightThrough(Identity):
    """A sign neuron trained on the identity's slope: a surrogate gradient, on purpose."""

    def fn(self, z, out=None):
        return np.sign(z, out=out)

    derivative = Identity.derivative


@pytest.mark.parametrize(
    "params",
    [
        {"activation": SteepSigmoidWithDerivative()},
        {"output_activation": SteepSoftmaxWithBackward(), "cost": "log_likelihood"},
        {"cost": DoubledQuadraticWithGradient()},
        {"regularizer": DoubledL2WithGradient()},
        {"activation": StraightThrough()},
    ],
    ids=["sigmoid", "softmax", "quadratic", "l2", "straight-through"],
)
def test_a_class_that_writes_its_derivative_too_trains(data, params):
    # Not evaluated at all (the straight-through sign neuron would fail): what a class
    # writes itself is its author's to check.
    assert derivative_problem(next(iter(params.values()))) is None
    assert fit(data, **params).n_iter_ == 1


class Tent(plugins.Activation):
    """A user's own activation, σ(z) = 1 − |z|/4, with its derivative."""

    def fn(self, z, out=None):
        return np.subtract(1.0, np.abs(z) / 4, out=out)

    def derivative(self, z, a):
        return -np.sign(z) / 4


class SteepTent(Tent):
    def fn(self, z, out=None):
        return super().fn(2 * z, out=out)


class AbsoluteDelta(plugins.Cost):
    """A user's cost that writes only δ, for its sigmoid outputs: C = Σ (a − y)² / 2."""

    def fn(self, a, y):
        return 0.5 * ((a - y) ** 2).sum(axis=1)

    def delta(self, z, a, y, activation, out=None):
        return (a - y) * a * (1 - a)


class DoubledAbsoluteDelta(AbsoluteDelta):
    def fn(self, a, y):
        return 2 * super().fn(a, y)


@pytest.mark.parametrize(
    ("params", "inherited"),
    [
        ({"activation": SteepTent()}, "inherits derivative from Tent:"),
        ({"cost": DoubledAbsoluteDelta()}, "inherits delta from AbsoluteDelta:"),
    ],
    ids=["activation", "cost with delta only"],
)
def test_a_derivative_inherited_from_ones_own_class_is_checked_too(data, params, inherited):
    with pytest.raises(ValueError, match=inherited):
        fit(data, **params)
    parents = {key: type(value).__mro__[1]() for key, value in params.items()}
    assert fit(data, **parents).n_iter_ == 1


class Scaled(Sigmoid):
    """σ(kz): the hyper-parameter decides whether the inherited a(1 − a) is right."""

    def __init__(self, k=1.0):
        self.k = k

    def fn(self, z, out=None):
        return super().fn(self.k * z, out=out)


def test_the_check_is_made_once_per_class_and_hyper_parameters(data, monkeypatch):
    assert fit(data, activation=Scaled(k=1.0)).n_iter_ == 1
    with pytest.raises(ValueError, match="Activation Scaled redefines fn"):
        fit(data, activation=Scaled(k=3.0))
    calls = []
    monkeypatch.setattr(Scaled, "fn", lambda self, z, out=None: calls.append(1) or expit(z))
    assert derivative_problem(Scaled(k=1.0)) is None
    assert calls  # a class changed since its check is checked again
    calls.clear()
    assert derivative_problem(Scaled(k=1.0)) is None
    assert not calls  # ...once


def test_the_checks_remembered_are_bounded_and_unhashable_settings_checked_each_time(
    monkeypatch,
):
    from sknielsen.plugins import _derivatives

    calls = []
    monkeypatch.setattr(Scaled, "fn", lambda self, z, out=None: calls.append(1) or expit(z))
    monkeypatch.setattr(_derivatives, "_PASSED", {})
    monkeypatch.setattr(_derivatives, "_PASSED_SIZE", 1)
    for k in (1.0, 2.0, 1.0):  # the second evicts the first, which is checked again
        calls.clear()
        assert derivative_problem(Scaled(k=k)) is None
        assert calls
    assert len(_derivatives._PASSED) == 1
    for _ in range(2):  # a list is no key: nothing remembered, checked each time
        calls.clear()
        assert derivative_problem(Scaled(k=[1.0])) is None
        assert calls


class ScaledQuadratic(QuadraticCost):
    """k times the quadratic cost, with the quadratic cost's derivatives: right at k = 1."""

    def __init__(self, k=1.0):
        self.k = k

    def fn(self, a, y):
        return self.k * super().fn(a, y)


class ScaledL2(L2):
    """k times the L2 penalty, with L2's gradient: right at k = 1."""

    def __init__(self, k=1.0):
        self.k = k

    def penalty(self, weights, lmbda, n):
        return self.k * super().penalty(weights, lmbda, n)


#: How a callback reaches each plugin whose hyper-parameters it may change.
PLUGIN_AT = {
    "network.activations[0]": lambda trainer: trainer.network.activations[0],
    "network.activations[-1]": lambda trainer: trainer.network.activations[-1],
    "cost": lambda trainer: trainer.cost,
    "penalty.regularizer": lambda trainer: trainer.penalty.regularizer,
}


class SetsK(Callback):
    """At the end of the first epoch, set the hyper-parameter ``k`` of the plugin at ``path``."""

    def __init__(self, path="cost", k=3.0):
        self.path = path
        self.k = k

    def on_epoch_end(self, trainer):
        if trainer.epochs_run == 1:
            PLUGIN_AT[self.path](trainer).k = self.k


@pytest.mark.parametrize(
    "params, path, kind",
    [
        ({"activation": Scaled()}, "network.activations[0]", "Activation Scaled"),
        ({"output_activation": Scaled()}, "network.activations[-1]", "Activation Scaled"),
        ({"cost": ScaledQuadratic()}, "cost", "Cost ScaledQuadratic"),
        ({"regularizer": ScaledL2()}, "penalty.regularizer", "Regularizer ScaledL2"),
    ],
    ids=["activation", "output_activation", "cost", "regularizer"],
)
def test_a_callback_making_an_inherited_derivative_wrong_is_refused(data, params, path, kind):
    # fit refuses k = 3, whose function the inherited derivative does not differentiate;
    # set by a callback, only the constraints were checked and training followed the
    # wrong gradient without a word.
    assert fit(data, callbacks=[SetsK(path, k=1.0)], epochs=2, **params).n_iter_ == 2
    message = rf"SetsK \(on_epoch_end\) set trainer\.{re.escape(path)}\.k to 3\.0: {kind} redefines"
    with pytest.raises(CallbackError, match=message):
        fit(data, callbacks=[SetsK(path)], epochs=2, **params)


class Root(plugins.Activation):
    """√z, not defined below 0."""

    def fn(self, z, out=None):
        return np.sqrt(z, out=out)

    def derivative(self, z, a):
        return 0.5 / np.sqrt(z)


class ShiftedRoot(Root):
    def fn(self, z, out=None):
        return np.sqrt(z) + 1.0


class SteepRoot(Root):
    def fn(self, z, out=None):
        return np.sqrt(2 * z)


def test_a_function_undefined_at_some_points_is_checked_where_it_is_defined():
    assert derivative_problem(ShiftedRoot()) is None
    assert "Activation SteepRoot redefines fn" in derivative_problem(SteepRoot())


def test_a_plugin_is_checked_for_training_not_for_loading():
    net = NielsenMLPRegressor(activation=SteepSigmoid())
    assert type(check_params(net, training=False).plugins.activation) is SteepSigmoid
    with pytest.raises(ValueError, match="Activation SteepSigmoid redefines fn"):
        check_params(net)
