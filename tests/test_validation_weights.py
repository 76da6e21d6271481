"""Validation held out of a weighted fit is scored with the held-out rows' weights.

scikit-learn's ``MLPClassifier`` scores its held-out set with the held-out
sample weights; here every validation quantity does (the accuracy or R²,
the cost, early stopping's choice of epoch, ``monitor_every``), on both
engines. Unweighted fits keep the numbers they had before, and routed
``X_val``/``y_val`` carry no weights.
"""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils._param_validation import InvalidParameterError

import sknielsen
from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
from sknielsen._core import split
from sknielsen._core import weights as weight_checks
from sknielsen.callbacks import Checkpoint, EarlyStopping, Monitor, MonitorEvery
from sknielsen.engine import _cengine
from sknielsen.gradcheck import check_gradients

needs_c = pytest.mark.skipif(not _cengine.available(), reason="the C engine is not built here")
ENGINES = ["numpy", pytest.param("c", marks=needs_c)]


@pytest.fixture
def held_out(monkeypatch):
    """What the estimator's validation split holds out: X, encoded Y and the weights."""
    held = {}

    def recording_split(*arrays, **options):
        parts = split.hold_out(*arrays, **options)
        held["X"], held["Y"] = parts[1], parts[3]
        held["weights"] = parts[5] if len(parts) == 6 else None
        return parts

    monkeypatch.setattr(sknielsen._base, "hold_out", recording_split)
    return held


def _weights(n_samples):
    return np.random.default_rng(0).uniform(0.1, 10.0, n_samples)


def _classifier(engine, **params):
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(10,),
        epochs=8,
        eta=3.0,
        early_stopping=2,
        monitor="all",
        random_state=0,
        engine=engine,
        validation_fraction=0.2,
    )
    return net.set_params(**params)


def _regressor(engine, **params):
    net = NielsenMLPRegressor(
        hidden_layer_sizes=(10,),
        epochs=6,
        eta=0.5,
        early_stopping=2,
        monitor="all",
        random_state=0,
        engine=engine,
        validation_fraction=0.2,
    )
    return net.set_params(**params)


def _epoch_models(folder, n_epochs):
    return [sknielsen.load(folder / f"epoch{epoch}.json") for epoch in range(1, n_epochs + 1)]


# Recorded before validation weights existed (commit a58da76), unweighted, as
# tests/test_validation_weights.py's fits: the accuracies are fractions of the 60
# held-out samples and the best epochs integers, so they must stay exactly; the costs
# and R² are floats whose last bits the C engine's kernels round by the CPU.
UNWEIGHTED = {
    "classifier": {
        "best_epoch": 6,
        "scores": [41 / 60, 57 / 60, 57 / 60, 59 / 60, 58 / 60, 1.0, 59 / 60, 59 / 60],
        "validation_cost": [
            1.2014047308723284,
            0.3326054886061219,
            0.2561114559428234,
            0.09917472816567169,
            0.1422479534543787,
            0.04196154295822005,
            0.16305200748488102,
            0.07307190119497542,
        ],
        "training_accuracy": [
            0.6833333333333333,
            0.9916666666666667,
            0.975,
            1.0,
            0.9916666666666667,
            1.0,
            0.9958333333333333,
            1.0,
        ],
    },
    "regressor": {
        "best_epoch": 6,
        "scores": [
            0.5680059553240562,
            0.708028920104456,
            0.7389949459481152,
            0.784624460135079,
            0.8543040807138629,
            0.8581784639557575,
        ],
        "validation_cost": [
            0.03508451633670252,
            0.023712512356794366,
            0.02119759796622773,
            0.017491784296668415,
            0.011832734555912315,
            0.011518075444704281,
        ],
        "training_accuracy": [
            0.5903025313323069,
            0.7444478514227219,
            0.7876201423812035,
            0.7141862746209466,
            0.8318899263785065,
            0.8285311351439045,
        ],
    },
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_unweighted_fits_keep_their_validation_numbers(small_digits, engine, kind):
    X, _, y, _ = small_digits
    net = (
        _classifier(engine).fit(X, y) if kind == "classifier" else _regressor(engine).fit(X, y / 2)
    )
    expected = UNWEIGHTED[kind]
    assert net.engine_ == engine
    assert net.best_epoch_ == expected["best_epoch"]
    if kind == "classifier":
        assert net.validation_scores_ == expected["scores"]
        assert net.history_["training_accuracy"] == expected["training_accuracy"]
    else:
        assert net.validation_scores_ == pytest.approx(expected["scores"], rel=1e-9)
        assert net.history_["training_accuracy"] == pytest.approx(
            expected["training_accuracy"], rel=1e-9
        )
    assert net.history_["validation_cost"] == pytest.approx(expected["validation_cost"], rel=1e-9)


@pytest.mark.parametrize("engine", ENGINES)
def test_held_out_accuracy_and_cost_are_weighted_at_every_epoch(
    small_digits, held_out, tmp_path, engine
):
    X, _, y, _ = small_digits
    every_epoch = Checkpoint(tmp_path / "epoch{epoch}.json")
    net = _classifier(engine, regularizer="none", callbacks=[every_epoch])
    net.fit(X, y, sample_weight=_weights(len(y)))
    X_val, Y_val, w_val = held_out["X"], held_out["Y"], held_out["weights"]
    y_val = net.classes_[Y_val.argmax(axis=1)]
    models = _epoch_models(tmp_path, net.n_iter_)
    scores = [accuracy_score(y_val, m.predict(X_val), sample_weight=w_val) for m in models]
    costs = [np.average(net.cost_.fn(m._forward(X_val), Y_val), weights=w_val) for m in models]
    assert net.validation_scores_ == pytest.approx(scores, rel=1e-12)
    assert net.history_["validation_cost"] == pytest.approx(costs, rel=1e-9)
    # Early stopping kept the epoch of the best weighted accuracy, and its weights.
    assert net.best_epoch_ == int(np.argmax(scores)) + 1
    assert net.best_validation_score_ == pytest.approx(
        accuracy_score(y_val, net.predict(X_val), sample_weight=w_val), rel=1e-12
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_held_out_weights_choose_the_epoch_early_stopping_keeps(
    small_digits, held_out, tmp_path, engine
):
    X, _, y, _ = small_digits
    # Patience beyond the epochs: every epoch runs, the lowest validation cost is kept.
    callbacks = [EarlyStopping("validation_cost", patience=10)]
    every_epoch = Checkpoint(tmp_path / "epoch{epoch}.json")
    unweighted = _classifier(engine, early_stopping=None, callbacks=[*callbacks, every_epoch])
    unweighted.fit(X, y)
    X_val, Y_val = held_out["X"], held_out["Y"]
    models = _epoch_models(tmp_path, unweighted.n_iter_)
    row_costs = np.array([unweighted.cost_.fn(m._forward(X_val), Y_val) for m in models])
    # A held-out row that another epoch fits far better than the kept one: weighed
    # heavily, it makes that epoch the best. The split holds out the same rows whatever
    # the weights, and the training rows keep a weight of 1.
    kept = unweighted.best_epoch_ - 1
    row = int(np.argmax(row_costs[kept] - row_costs.min(axis=0)))
    heavy_epoch = int(np.argmin(row_costs[:, row])) + 1
    assert heavy_epoch != unweighted.best_epoch_
    weights = np.ones(len(y))
    weights[_training_row(X, X_val[row])] = 1e6
    weighted = _classifier(engine, early_stopping=None, callbacks=callbacks)
    weighted.fit(X, y, sample_weight=weights)
    assert weighted.best_epoch_ == heavy_epoch


def _training_row(X, row):
    """The index of ``row`` in ``X`` (the digits' rows are distinct)."""
    (index,) = np.flatnonzero((row == X).all(axis=1))
    return index


@pytest.mark.parametrize("engine", ENGINES)
def test_held_out_r2_is_weighted(small_digits, held_out, tmp_path, engine):
    X, _, y, _ = small_digits
    every_epoch = Checkpoint(tmp_path / "epoch{epoch}.json")
    net = _regressor(engine, callbacks=[every_epoch]).fit(X, y / 2, sample_weight=_weights(len(y)))
    X_val, y_val, w_val = held_out["X"], held_out["Y"].ravel(), held_out["weights"]
    models = _epoch_models(tmp_path, net.n_iter_)
    scores = [r2_score(y_val, m.predict(X_val), sample_weight=w_val) for m in models]
    assert net.validation_scores_ == pytest.approx(scores, rel=1e-12)
    assert net.best_validation_score_ == pytest.approx(
        r2_score(y_val, net.predict(X_val), sample_weight=w_val), rel=1e-12
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_class_weights_weigh_the_held_out_rows(small_digits, held_out, engine):
    X, _, y, _ = small_digits
    by_class = {0: 5.0, 2: 0.2}
    net = _classifier(engine, class_weight=by_class).fit(X, y)
    X_val, Y_val = held_out["X"], held_out["Y"]
    y_val = net.classes_[Y_val.argmax(axis=1)]
    w_val = np.array([by_class.get(label, 1.0) for label in y_val])
    np.testing.assert_array_equal(held_out["weights"], w_val)
    assert net.best_validation_score_ == pytest.approx(
        accuracy_score(y_val, net.predict(X_val), sample_weight=w_val), rel=1e-12
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_monitor_every_weighs_the_held_out_rows(small_digits, held_out, engine):
    # Records at the last mini-batch of each epoch: the epoch's weights, as the history's.
    X, _, y, _ = small_digits
    net = _classifier(engine, early_stopping=None, epochs=3, mini_batch_size=12, monitor_every=240)
    net.fit(X, y, sample_weight=_weights(len(y)))
    assert net.history_every_["samples"] == [240, 480, 720]
    assert net.history_every_["validation_accuracy"] == net.validation_scores_
    y_val = net.classes_[held_out["Y"].argmax(axis=1)]
    assert net.validation_scores_[-1] == pytest.approx(
        accuracy_score(y_val, net.predict(held_out["X"]), sample_weight=held_out["weights"]),
        rel=1e-12,
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_training_accuracy_is_weighted_as_the_training_cost(small_digits, engine):
    X, _, y, _ = small_digits
    weights = _weights(len(y))
    monitor = ("training_cost", "training_accuracy")  # no validation: all of X trains
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(10,), epochs=2, random_state=0, engine=engine, monitor=monitor
    )
    net.fit(X, y, sample_weight=weights)
    assert net.history_["training_accuracy"][-1] == pytest.approx(
        accuracy_score(y, net.predict(X), sample_weight=weights), rel=1e-12
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_routed_validation_data_is_unweighted(small_digits, engine):
    X, X_val, y, y_val = small_digits
    net = _classifier(engine).fit(X, y, X_val=X_val, y_val=y_val, sample_weight=_weights(len(y)))
    assert net.best_validation_score_ == accuracy_score(y_val, net.predict(X_val))


@pytest.mark.parametrize(
    ("estimator", "positive", "needed"),
    [
        (
            NielsenMLPClassifier,
            0,
            "0 samples of positive weight, but its accuracy needs at least 1",
        ),
        (NielsenMLPRegressor, 1, "1 sample of positive weight, but its R² needs at least 2"),
    ],
)
def test_a_held_out_set_without_enough_weight_is_refused_naming_validation_fraction(
    small_digits, held_out, estimator, positive, needed
):
    X, _, y, _ = small_digits
    X, y = X[:10], y[:10]
    net = estimator(epochs=1, early_stopping=True, validation_fraction=0.3, random_state=0)
    net.fit(X, y)
    # The same 3 rows are held out whatever the weights: all but `positive` weigh 0.
    held = [_training_row(X, row) for row in held_out["X"]]
    weights = np.ones(len(y))
    weights[held[positive:]] = 0.0
    with pytest.raises(ValueError, match=rf"\(validation_fraction=0\.3\) has {needed}: "):
        net.fit(X, y, sample_weight=weights)


def test_held_out_targets_of_positive_weight_all_equal_are_refused(small_digits, held_out):
    X, _, y, _ = small_digits
    X, y = X[:10], y[:10] / 2
    net = NielsenMLPRegressor(epochs=1, early_stopping=True, validation_fraction=0.3)
    net.set_params(random_state=0).fit(X, y)
    # Held out: 3 rows, whatever the weights and targets; two of them share a target.
    first, *others = [_training_row(X, row) for row in held_out["X"]]
    y[others] = 3.0
    weights = np.ones(len(y))
    weights[first] = 0.0
    with pytest.raises(ValueError, match="has 2 samples of positive weight whose targets are all"):
        net.fit(X, y, sample_weight=weights)
    net.fit(X, y)  # the third target differs: unweighted, the R² ranks epochs


def _top_class_share(output, Y):
    return float(np.mean(output.argmax(axis=1) == Y.argmax(axis=1)))


def _weighted_top_class_share(output, Y, sample_weight=None):
    return float(np.average(output.argmax(axis=1) == Y.argmax(axis=1), weights=sample_weight))


@pytest.mark.parametrize("engine", ENGINES)
def test_monitor_callbacks_weigh_weighted_data(small_digits, engine):
    X, X_val, y, y_val = small_digits
    w_val = _weights(len(y_val))
    data = (X_val, np.eye(3)[y_val], w_val)
    record = {}
    callbacks = [
        Monitor(("validation_cost", "validation_accuracy"), validation_data=data),
        MonitorEvery(len(y), validation_data=data, record=record),
    ]
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(10,), epochs=2, mini_batch_size=10, random_state=0, engine=engine
    )
    net.set_params(callbacks=callbacks).fit(X, y)
    expected = accuracy_score(y_val, net.predict(X_val), sample_weight=w_val)
    assert net.history_["validation_accuracy"][-1] == pytest.approx(expected, rel=1e-12)
    assert net.callbacks_[1].record["validation_accuracy"][-1] == pytest.approx(expected, rel=1e-12)
    costs = net.cost_.fn(net._forward(X_val), np.eye(3)[y_val])
    expected_cost = np.average(costs, weights=w_val) + net.regularizer_.penalty(
        np.concatenate([c.ravel() for c in net.coefs_]), net.lmbda, len(y)
    )
    assert net.history_["validation_cost"][-1] == pytest.approx(expected_cost, rel=1e-9)


@pytest.mark.parametrize(
    "make",
    [
        lambda data, score: Monitor(("validation_accuracy",), validation_data=data, score=score),
        lambda data, score: MonitorEvery(10, validation_data=data, record={}, score=score),
    ],
    ids=["Monitor", "MonitorEvery"],
)
def test_a_score_that_cannot_weigh_weighted_data_is_refused(small_digits, make):
    X, X_val, y, y_val = small_digits
    weighted = (X_val, np.eye(3)[y_val], _weights(len(y_val)))
    net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=1, random_state=0)
    refused = net.set_params(callbacks=[make(weighted, _top_class_share)])
    with pytest.raises(InvalidParameterError, match=r"'callbacks\[0\]\.score' parameter, <func"):
        refused.fit(X, y)
    # A score that takes sample_weight, or data without weights, is fine.
    net.set_params(callbacks=[make(weighted, _weighted_top_class_share)]).fit(X, y)
    net.set_params(callbacks=[make(weighted[:2], _top_class_share)]).fit(X, y)
    net.set_params(callbacks=[make((*weighted[:2], None), _top_class_share)]).fit(X, y)
    # A builtin has no signature to read: it is not refused before it is called.
    make(weighted, max).validate()


def _bad_weights(n_samples):
    """Weights no fit takes for ``n_samples`` rows, with what the refusal says."""
    negative = np.ones(n_samples)
    negative[0] = -1.0
    with_nan = np.ones(n_samples)
    with_nan[0] = np.nan
    return [
        (np.zeros(n_samples), "at least one non-zero"),
        (negative, "Negative values"),
        (np.ones(n_samples - 1), rf"shape == \({n_samples - 1},\), expected \({n_samples},\)"),
        (with_nan, "NaN"),
        (np.full(n_samples, np.inf), "infinity"),
        (np.ones((n_samples, 1)), r"1-D, one weight per row of X; got shape"),
        (1.0, r"1-D, one weight per row of X; got shape \(\)"),
    ]


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda data: Monitor(("training_cost",), train_data=data), "train_data"),
        (lambda data: Monitor(("validation_cost",), validation_data=data), "validation_data"),
        (lambda data: MonitorEvery(10, validation_data=data, record={}), "validation_data"),
    ],
    ids=["Monitor.train_data", "Monitor.validation_data", "MonitorEvery"],
)
def test_monitored_data_with_invalid_weights_is_refused_before_training(small_digits, make, name):
    # All-zero weights recorded a NaN cost and score, negative ones were taken, and a
    # wrong length failed at the first record, deep in NumPy.
    X, X_val, y, y_val = small_digits
    for weights, problem in _bad_weights(len(y_val)):
        net = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0)
        net.set_params(callbacks=[make((X_val, np.eye(3)[y_val], weights))])
        message = rf"'callbacks\[0\]\.{name}' parameter of NielsenMLPClassifier has invalid "
        message += rf"sample weights \(its third item\): .*{problem}"
        with pytest.raises(InvalidParameterError, match=message):
            sknielsen.utils.check_params(net)
        with pytest.raises(InvalidParameterError, match=message):
            net.fit(X, y)
        assert not hasattr(net, "coefs_")
    # Weights of zero for some rows are weights, as fit takes them.
    some_zero = _weights(len(y_val))
    some_zero[:5] = 0.0
    net.set_params(callbacks=[make((X_val, np.eye(3)[y_val], some_zero))]).fit(X, y)


def test_all_zero_weights_are_refused_whatever_scikit_learn_refuses(small_digits, monkeypatch):
    # scikit-learn refuses weights that are all zero from 1.9 only; with 1.6 to 1.8 a fit
    # failed inside NumPy ("zero-size array to reduction operation maximum"), a monitor
    # recorded a NaN cost and check_gradients a NaN error. Here a check of before 1.9.
    def check_before_1_9(sample_weight, X, dtype, ensure_non_negative):
        return np.asarray(sample_weight, dtype=dtype)

    monkeypatch.setattr(weight_checks, "_check_sample_weight", check_before_1_9)
    X, X_val, y, y_val = small_digits
    refused = "Sample weights must contain at least one non-zero number"
    with pytest.raises(ValueError, match=refused):
        NielsenMLPClassifier(epochs=1).fit(X, y, sample_weight=np.zeros(len(y)))
    monitor = Monitor(("validation_cost",), validation_data=(X_val, y_val, np.zeros(len(y_val))))
    with pytest.raises(InvalidParameterError, match=rf"invalid sample weights .*{refused}"):
        NielsenMLPClassifier(epochs=1, callbacks=[monitor]).fit(X, y)
    with pytest.raises(ValueError, match=rf"'sample_weight' of check_gradients.*{refused}"):
        check_gradients(sample_weight=np.zeros(7))
    some_zero = np.ones(len(y))
    some_zero[::2] = 0.0
    NielsenMLPClassifier(epochs=1, random_state=0).fit(X, y, sample_weight=some_zero)
