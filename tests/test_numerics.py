"""The failure checks use the cost that training minimizes and give advice that fits."""

import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor, load, plugins, save
from sknielsen.callbacks import Callback
from sknielsen.engine import _cengine
from sknielsen.training._loop import Penalty

needs_c = pytest.mark.skipif(not _cengine.available(), reason="the C engine is not built here")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(60, 3))
    return X, np.arange(60) % 3


def warnings_of(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]


def test_cost_probe_weighs_the_samples_as_training_does(data):
    X, y = data
    # Training minimizes the cost of class 0; the cost of the almost weightless rest rises.
    weights = np.where(y == 0, 1.0, 1e-6)
    net = NielsenMLPClassifier(hidden_layer_sizes=(4,), eta=3, epochs=20, random_state=0)
    assert warnings_of(lambda: net.fit(X, y, sample_weight=weights)) == []


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "lbfgs"])
def test_huge_uniform_sample_weights_train_like_none(data, optimizer, tmp_path):
    X, y = data  # 60 weights of 1e308 sum to more than the largest float
    params = {
        "hidden_layer_sizes": (4,),
        "optimizer": optimizer,
        "eta": 0.01 if optimizer == "adam" else 0.5,  # 0.5 is far too large for Adam: it warns
        "epochs": 3,
        "random_state": 0,
    }
    plain = NielsenMLPClassifier(**params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow, not even in the cost probe
        heavy = NielsenMLPClassifier(**params).fit(X, y, sample_weight=np.full(len(y), 1e308))
    np.testing.assert_allclose(heavy.loss_curve_, plain.loss_curve_, rtol=1e-12)
    np.testing.assert_allclose(heavy.predict_proba(X), plain.predict_proba(X), rtol=1e-12)
    save(heavy, tmp_path / "heavy.json")  # a NaN in the history would make save refuse
    assert load(tmp_path / "heavy.json").loss_curve_ == heavy.loss_curve_


@pytest.mark.parametrize("name", ["l2", "l1"])
def test_penalty_at_lambda_zero_is_zero_even_for_overflowing_weights(name):
    regularizer = plugins.get("regularizer", name)
    weights = np.array([1e200, -1e300, 3.0])
    assert regularizer.penalty(weights, 0.0, 10) == 0.0
    penalty = Penalty(regularizer, 0.0, 10, n_weights=3, dtype=np.float64)
    assert penalty.value(np.concatenate([weights, [1.0]])) == 0.0
    grads = np.zeros(4)
    penalty.add_gradient(grads, np.concatenate([weights, [1.0]]))
    assert np.all(grads == 0.0)


def test_adam_at_a_far_too_large_eta_diverges_like_sgd(data, tmp_path):
    X, _ = data
    # Adam's steps are bounded by eta, so the weights stay finite while the cost overflows.
    net = NielsenMLPRegressor(
        hidden_layer_sizes=(4,),
        activation="relu",
        optimizer="adam",
        eta=1e100,
        epochs=5,
        random_state=0,
    )
    messages = warnings_of(lambda: net.fit(X, X[:, 0]))
    assert len(messages) == 1
    assert "diverged in epoch 1: the cost or the weights overflowed" in messages[0]
    assert "Adam moves each weight by about eta" in messages[0]
    assert net.n_iter_ == 0 and np.isfinite(net.predict(X)).all()
    save(net, tmp_path / "net.json")


class _Shake(Callback):
    """Moves every weight when training ends, so the cost rises whatever the optimizer did."""

    def on_train_end(self, trainer):
        trainer.network.params += 5.0


def test_advice_for_lbfgs_never_blames_eta(data):
    X, y = data
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(4,), optimizer="lbfgs", epochs=2, callbacks=[_Shake()], random_state=0
    )
    (message,) = warnings_of(lambda: net.fit(X, y))
    assert "did not decrease" in message and "L-BFGS chooses its own step sizes" in message
    assert "eta" not in message.replace("ignores eta", "")
    # Nor the targets' scale, which a regressor's large targets needed too.
    assert "a regressor's targets to a standard deviation of about 1" in message


def test_advice_for_sgd_names_eta(data):
    X, y = data
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(4,), epochs=2, callbacks=[_Shake()], random_state=0
    )
    (message,) = warnings_of(lambda: net.fit(X, y))
    assert "eta=0.5 is probably too large: try eta ten times smaller" in message


class ScaledQuadratic(plugins.QuadraticCost):
    """k times the quadratic cost, and its output error: a cost with a setting."""

    def __init__(self, k=1.0):
        self.k = k

    def fn(self, a, y):
        return self.k * super().fn(a, y)

    def delta(self, z, a, y, activation, out=None):
        return self.k * super().delta(z, a, y, activation, out=out)


class SetsInLastEpoch(Callback):
    """Sets the cost's ``k`` or the penalty's ``lmbda`` to ``value`` as the last epoch begins."""

    def __init__(self, setting="cost.k", value=100.0):
        self.setting = setting
        self.value = value

    def on_epoch_begin(self, trainer):
        if trainer.epochs_run == trainer.epochs_to_run - 1:
            owner, name = self.setting.split(".")
            setattr(getattr(trainer, owner), name, self.value)


def test_a_cost_a_callback_raised_is_not_taken_for_a_rise_of_the_cost(data):
    # The cost before the fit (k = 1) was compared with the cost after it (k = 10):
    # "did not decrease (0.38 before this fit, 3.5 after): eta is probably too large".
    X, y = data
    callbacks = [SetsInLastEpoch("cost.k", 10.0)]
    net = NielsenMLPClassifier((4,), cost=ScaledQuadratic(), eta=0.05, epochs=3)
    net.set_params(callbacks=callbacks)
    assert warnings_of(lambda: net.set_params(random_state=0).fit(X, y)) == []


@pytest.mark.parametrize(
    "params, setting, value",
    [
        ({"cost": ScaledQuadratic()}, "cost.k", 0.01),
        ({"lmbda": 5.0}, "penalty.lmbda", 0.0),
        ({"lmbda": 5.0, "engine": "c"}, "penalty.lmbda", 0.0),
    ],
    ids=["cost", "lmbda", "lmbda-c"],
)
def test_a_cost_a_callback_lowered_does_not_hide_a_fit_that_never_moved(
    data, params, setting, value
):
    # The weights never moved (steps of 1e-20), but the cost after the fit, with the
    # callback's lower setting, was below the cost before it: no word was said.
    X, y = data
    callbacks = [SetsInLastEpoch(setting, value)]
    net = NielsenMLPClassifier((4,), eta=1e-20, epochs=2, callbacks=callbacks)
    (message,) = warnings_of(lambda: net.set_params(random_state=0, **params).fit(X, y))
    assert "The training cost did not decrease: it stayed" in message


@pytest.mark.parametrize("engine", ["numpy", "c"])
def test_a_cost_that_never_moved_is_not_blamed_on_too_large_an_eta(data, engine):
    X, y = data
    # float32 weights of ~0.5 cannot take steps of 1e-12: the cost stays the same to the bit.
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(4,), eta=1e-12, epochs=2, dtype="float32", engine=engine
    )
    (message,) = warnings_of(lambda: net.set_params(random_state=0).fit(X, y))
    assert "did not decrease: it stayed" in message and "too large" not in message
    assert "eta=1e-12 may be too small for float32" in message
    # A network an earlier fit saturated stays where it is at any eta.
    net = NielsenMLPClassifier(hidden_layer_sizes=(4,), eta=1e300, epochs=2, warm_start=True)
    with pytest.warns(ConvergenceWarning, match="eta=1e\\+300 is probably too large"):
        net.set_params(random_state=0, engine=engine).fit(X, y)
    (message,) = warnings_of(lambda: net.set_params(eta=0.1).fit(X, y))
    assert "the gradients may vanish (saturated units" in message and "too large" not in message


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize("epsilon, becomes", [(1e-50, "0"), (1e50, "inf")])
def test_an_adam_epsilon_the_dtype_cannot_hold_is_refused_by_name(data, engine, epsilon, becomes):
    X, y = data
    # Rounded to 0 in float32, ε made 0/0 = NaN steps: a "divergence" blamed on eta.
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(4,),
        optimizer=plugins.Adam(epsilon=epsilon),
        eta=0.001,
        epochs=1,
        dtype="float32",
        engine=engine,
    )
    with pytest.raises(ValueError, match=rf"optimizer__epsilon\) is {becomes} in float32"):
        net.fit(X, y)
    warnings_of(lambda: net.set_params(dtype="float64").fit(X, y))  # float64 holds it
    assert np.isfinite(net.predict_proba(X)).all()


class StartsAdamAt(Callback):
    """Sets Adam's step count before the first epoch: a long run's, without running it."""

    def __init__(self, step=0.0):
        self.step = step

    def on_train_begin(self, trainer):
        trainer.state["step"][...] = self.step


@pytest.mark.parametrize("engine", ["numpy", pytest.param("c", marks=needs_c)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_adam_counts_its_steps_past_2_to_the_24_in_float32(data, engine, dtype, tmp_path):
    # Kept in the network's dtype, the count stopped at 2**24 = 16,777,216 in float32
    # (2**24 + 1 rounds back to it), on both engines: the bias correction then used
    # that t forever: with a β₂ near 1 (0.9999999), steps 8% too small at twice the count.
    X, y = data
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(4,),
        optimizer="adam",
        eta=0.001,
        epochs=1,
        mini_batch_size=10,  # 6 steps an epoch
        dtype=dtype,
        engine=engine,
        random_state=0,
        callbacks=[StartsAdamAt(2**24 - 3)],
    )
    warnings_of(lambda: net.fit(X, y))
    step = net.get_fitted_state().optimizer_state["step"]
    assert step.dtype == np.float64 and step.tolist() == [2**24 + 3]
    # The model file keeps the count as it is: an odd count above 2**24, read back in the
    # model's dtype, came back one step off (2**24 + 4) in float32.
    with pytest.warns(UserWarning, match=r"callbacks \['StartsAdamAt'\] are not saved"):
        save(net, tmp_path / "net.json")
    loaded = load(tmp_path / "net.json")
    step = loaded.get_fitted_state().optimizer_state["step"]
    assert step.dtype == np.float64 and step.tolist() == [2**24 + 3]
    warnings_of(lambda: loaded.partial_fit(X, y))
    step = loaded.get_fitted_state().optimizer_state["step"]
    assert step.dtype == np.float64 and step.tolist() == [2**24 + 9]


# L-BFGS (scipy's) stopped before its first iteration, at a cost of inf, without a word:
# n_iter_ was 0 and the model held its starting weights.
@pytest.mark.parametrize("optimizer", ["sgd", "lbfgs", "newton"])
def test_targets_too_large_for_the_cost_are_named_as_a_cause(data, optimizer):
    X, _ = data
    net = NielsenMLPRegressor(
        hidden_layer_sizes=(2,), epochs=1, random_state=0, optimizer=optimizer
    )
    # Recorded, not two nested pytest.warns: before pytest 8 (the test extra allows 7.2)
    # the inner one swallowed the outer one's warning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.fit(X, np.full(len(X), 1e200))  # its square overflows the quadratic cost
    said = [(w.category, str(w.message)) for w in caught]
    assert any(
        category is ConvergenceWarning and re.search(r"the targets \(\|y\| up to 1e\+200", text)
        for category, text in said
    ), said
    assert any(
        issubclass(category, UserWarning)
        and re.match(r"y lies on a large scale: .* is 1e\+200", text)
        for category, text in said
    ), said


@pytest.mark.parametrize("engine", ["numpy", "c"])
def test_weights_that_overflow_the_outputs_are_named_without_numpys_warning(engine):
    # The cost probe's forward pass on the NumPy engine let NumPy's "overflow encountered
    # in matmul" out before the fit named the cause; the C engine said nothing of it.
    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0, engine=engine)
    net.fit(X, y)
    net.coefs_[0][:] = 1e307
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.partial_fit(X, y)
    said = [(w.category, str(w.message)) for w in caught]
    assert not [text for category, text in said if issubclass(category, RuntimeWarning)], said
    assert any("overflowed" in text for category, text in said), said


@pytest.mark.parametrize("engine", ["numpy", pytest.param("c", marks=needs_c)])
def test_float32_costs_whose_sum_overflows_are_averaged_not_called_infinite(engine):
    # Each cost is finite in float32 (about 1e38, below its 3.4e38), their float32 sum
    # is not: the mean was inf, NumPy's "overflow encountered in reduce" leaked, and the
    # fit said the cost "was already inf at the weights this fit started from".
    rng = np.random.default_rng(0)
    X, y = rng.uniform(size=(40, 3)), np.where(np.arange(40) % 2, 1.4e19, -1.4e19)
    net = NielsenMLPRegressor((3,), epochs=2, dtype="float32", engine=engine, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.fit(X, y)
    said = [f"{w.category.__name__}: {w.message}" for w in caught]
    assert not any(w.category is RuntimeWarning for w in caught), said
    assert not any("already inf" in text for text in said), said
    assert net.n_iter_ == 2 and np.all(np.isfinite(net.history_["loss"]))
    assert 5e37 < net.history_["loss"][0] < 3.4e38


@pytest.mark.parametrize("engine", ["numpy", pytest.param("c", marks=needs_c)])
def test_a_penalty_beyond_float32_at_the_start_is_blamed_on_lmbda_not_the_data(engine):
    # lmbda=1e300 in a float32 network: the penalty was inf before any step and the fit
    # blamed "the targets, the cost, the activations, the initializer or the starting
    # weights", never lmbda, though the data's cost was finite. The C engine, averaging
    # float32 costs in float64, called it a divergence by too large an eta.
    X, y = load_digits(return_X_y=True)
    net = NielsenMLPClassifier(
        (10,), epochs=2, lmbda=1e300, dtype="float32", engine=engine, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match=r"already inf") as record:
        net.fit(X[:200] / 16, y[:200])
    [message] = [str(w.message) for w in record]
    # The plugins are named as the parameters give them, not by class ("penalty (L2, ...").
    assert "its penalty (regularizer='l2', lmbda=1e+300) is not finite in float32" in message
    assert re.search(r"the data's cost is [0-9.]+\)", message)
    assert "lower lmbda" in message and "targets" not in message


def _near_largest(values, dtype):
    """``values`` scaled so that the largest magnitude is 90 % of the dtype's largest number."""
    return values / np.abs(values).max() * (0.9 * float(np.finfo(dtype).max))


def _runtime_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [f"{w.filename}:{w.lineno}: {w.message}" for w in caught if w.category is RuntimeWarning]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("engine", ["numpy", pytest.param("c", marks=needs_c)])
@pytest.mark.parametrize("estimator", [NielsenMLPClassifier, NielsenMLPRegressor])
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_inputs_near_the_dtypes_largest_number_train_without_numpy_warnings(
    dtype, engine, estimator, layout
):
    # Finite inputs of both signs near the largest float: the saturation check's sums
    # overflowed ("overflow encountered in matmul", "... in subtract") before it said,
    # rightly, that the inputs saturate the first layer.
    from scipy import sparse

    rng = np.random.default_rng(0)
    X, y = _near_largest(rng.standard_normal((40, 3)), dtype), np.arange(40) % 2
    X = sparse.csr_matrix(X) if layout == "csr" else X
    net = estimator((3,), epochs=1, dtype=dtype, engine=engine, random_state=0)
    assert _runtime_warnings(lambda: net.fit(X, y)) == []
    with pytest.warns(UserWarning, match="saturate the first layer"):
        net.fit(X, y)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("targets", ["constant", "both signs"])
def test_targets_near_the_dtypes_largest_number_fit_and_score_without_numpy_warnings(
    dtype, targets
):
    # The scale warning's mean, the check that y varies and the cost probe's guess
    # overflowed; the regressor's score (scikit-learn's R²) was NaN, with a warning.
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(40, 3))
    shape = np.ones(40) if targets == "constant" else rng.standard_normal(40)
    y = _near_largest(shape, dtype)
    net = NielsenMLPRegressor((3,), epochs=1, dtype=dtype, random_state=0)
    assert _runtime_warnings(lambda: net.fit(X, y)) == []
    fitted = NielsenMLPRegressor((3,), epochs=1, dtype=dtype, random_state=0).fit(X, shape)
    assert _runtime_warnings(lambda: fitted.score(X, y)) == []
    if targets == "constant":  # refused as any constant y_val: R² cannot rank epochs
        with pytest.raises(ValueError, match="targets are all equal"):
            fitted.fit(X, shape, X_val=X, y_val=y)
        return
    assert _runtime_warnings(lambda: fitted.fit(X, shape, X_val=X, y_val=y)) == []
    if targets == "both signs":  # R² does not depend on the targets' scale
        scale = 2.0 ** np.floor(np.log2(np.abs(y).max()))
        relative, predicted = y / scale, fitted.predict(X) / scale
        by_hand = 1 - np.sum((relative - predicted) ** 2) / np.sum(
            (relative - relative.mean()) ** 2
        )
        assert fitted.score(X, y) == pytest.approx(by_hand, rel=1e-9)


@pytest.mark.parametrize(("regularizer", "lmbda"), [("l1", 1e30), ("l2", 1e300)])
def test_a_float32_penalty_beyond_float32_is_no_numpy_warning(data, regularizer, lmbda):
    # The epoch's cost, float32 mean plus a penalty of 1e35, warned "overflow encountered
    # in cast" on the NumPy engine; the fit's own words say the cost overflowed.
    X, y = data
    net = NielsenMLPClassifier(
        (3,), regularizer=regularizer, lmbda=lmbda, dtype="float32", engine="numpy", epochs=2
    )
    assert _runtime_warnings(lambda: net.set_params(random_state=0).fit(X, y)) == []
