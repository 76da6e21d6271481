"""NielsenMLPClassifier: accuracy, grid search, labels, and the documented effects."""

import io
import re
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_digits, load_iris, make_blobs, make_moons
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
from sknielsen.callbacks import Callback, EarlyStopping, HalveOnPlateau, StopTraining
from sknielsen.engine._network import Backprop, Network
from sknielsen.plugins import CrossEntropyCost, DefaultInitializer, Momentum, Sigmoid


def test_defaults_are_the_books():
    params = NielsenMLPClassifier().get_params()
    expected = {
        "hidden_layer_sizes": (30,),
        "cost": "cross_entropy",
        "activation": "sigmoid",
        "initializer": "default",
        "regularizer": "l2",
        "lmbda": 0.0,
        "optimizer": "sgd",
        "eta": 0.5,
        "mini_batch_size": 10,
        "epochs": 30,
        "dropout": 0.0,
        "early_stopping": None,
        "schedule": "constant",
        "dtype": "float64",
    }
    assert {k: params[k] for k in expected} == expected


def test_digits_accuracy_with_defaults(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    net = NielsenMLPClassifier(random_state=0).fit(X_train, y_train)
    assert net.score(X_test, y_test) >= 0.97
    assert [w.shape for w in net.coefs_] == [(64, 30), (30, 10)]
    assert [b.shape for b in net.intercepts_] == [(30,), (10,)]
    assert net.n_iter_ == 30 and net.n_features_in_ == 64
    proba = net.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(net.classes_[proba.argmax(axis=1)], net.predict(X_test))


@pytest.mark.parametrize(
    "grid",
    [
        {
            "cost": ["quadratic", "cross_entropy"],
            "optimizer": ["momentum"],
            "optimizer__mu": [0.5, 0.9],
        },
        {"cost": ["cross_entropy"], "optimizer": [Momentum()], "optimizer__mu": [0.5, 0.9]},
    ],
)
def test_grid_search_over_plugins_in_a_pipeline(grid, small_digits):
    X_train, X_test, y_train, y_test = small_digits
    pipe = Pipeline(
        [("scale", MinMaxScaler()), ("net", NielsenMLPClassifier(epochs=5, random_state=0))]
    )
    search = GridSearchCV(
        pipe, {f"net__{k}": v for k, v in grid.items()}, cv=2, n_jobs=2, error_score="raise"
    )
    search.fit(X_train * 16, y_train)
    n_candidates = len(search.cv_results_["params"])
    assert n_candidates == len(grid["cost"]) * 2
    mus = sorted({p["net__optimizer__mu"] for p in search.cv_results_["params"]})
    assert mus == [0.5, 0.9]
    best = search.best_estimator_.named_steps["net"]
    assert isinstance(best.optimizer, Momentum) and best.optimizer.mu in (0.5, 0.9)
    assert best.optimizer_.mu == best.optimizer.mu
    assert search.score(X_test * 16, y_test) > 0.9


def test_set_params_turns_a_name_into_an_instance_for_nested_keys():
    net = NielsenMLPClassifier().set_params(optimizer="nesterov", optimizer__mu=0.3)
    assert net.optimizer.mu == 0.3 and type(net.optimizer).__name__ == "Nesterov"
    assert net.get_params()["optimizer__mu"] == 0.3
    with pytest.raises(ValueError, match="Invalid parameter 'mu' for optimizer 'sgd'"):
        NielsenMLPClassifier().set_params(optimizer__mu=0.5)


def test_fit_never_changes_the_users_plugins(small_digits):
    X, _, y, _ = small_digits
    momentum = Momentum(mu=0.5)
    net = NielsenMLPClassifier(optimizer=momentum, epochs=2, random_state=0).fit(X, y)
    assert net.optimizer is momentum and momentum.get_params() == {"mu": 0.5}
    assert net.optimizer_ is not momentum and net.optimizer_ == momentum
    assert net.cost == "cross_entropy" and isinstance(net.cost_, CrossEntropyCost)


def test_unknown_plugin_name_lists_known_names(small_digits):
    X, _, y, _ = small_digits
    with pytest.raises(InvalidParameterError, match=r"'cost'.*Unknown cost 'hinge'.*'quadratic'"):
        NielsenMLPClassifier(cost="hinge").fit(X, y)


def test_incompatible_cost_and_output_says_which_pairs_work(small_digits):
    X, _, y, _ = small_digits
    expected = (
        r"^cost='log_likelihood' cannot be paired with output_activation='sigmoid': the "
        r"'log_likelihood' cost works with output_activation 'softmax'\. "
    )
    with pytest.raises(ValueError, match=expected):
        NielsenMLPClassifier(cost="log_likelihood", output_activation="sigmoid").fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"eta": 0}, "eta"),
        ({"eta": -1.0}, "eta"),
        ({"lmbda": -0.1}, "lmbda"),
        ({"dropout": 1.0}, "dropout"),
        ({"hidden_layer_sizes": (30, 0)}, "hidden_layer_sizes"),
        ({"mini_batch_size": 0}, "mini_batch_size"),
        ({"schedule": "cosine"}, "schedule"),
        ({"monitor": ("training_loss",)}, "monitor"),
        ({"dtype": "float16"}, "dtype"),
    ],
)
def test_invalid_parameters_are_named(params, match, small_digits):
    X, _, y, _ = small_digits
    with pytest.raises(ValueError, match=match):
        NielsenMLPClassifier(**params).fit(X, y)


def test_string_labels_binary_and_multilabel(small_digits):
    X, X_test, y, y_test = small_digits
    names = np.array(["zero", "one", "two"])
    net = NielsenMLPClassifier(epochs=10, random_state=0).fit(X, names[y])
    assert set(net.predict(X_test)) <= set(names)
    assert net.score(X_test, names[y_test]) > 0.95

    binary = y > 0
    net = NielsenMLPClassifier(epochs=10, random_state=0).fit(X, binary)
    assert net.classes_.tolist() == [False, True]
    assert net.predict_proba(X_test).shape == (len(X_test), 2)
    assert net.score(X_test, y_test > 0) > 0.95

    multilabel = np.column_stack([y == 0, y >= 1, y == 2]).astype(int)
    net = NielsenMLPClassifier(epochs=20, random_state=0).fit(X, multilabel)
    predicted = net.predict(X_test)
    assert predicted.shape == (len(X_test), 3)
    truth = np.column_stack([y_test == 0, y_test >= 1, y_test == 2]).astype(int)
    assert (predicted == truth).mean() > 0.95
    proba = net.predict_proba(X_test)
    assert proba.min() >= 0 and proba.max() <= 1
    with pytest.raises(ValueError, match="Multilabel targets need sigmoid"):
        NielsenMLPClassifier(cost="log_likelihood").fit(X, multilabel)


def test_single_class_is_refused(small_digits):
    X, _, _y, _ = small_digits
    with pytest.raises(ValueError, match=r"at least 2 classes.*only one class"):
        NielsenMLPClassifier().fit(X, np.zeros(len(X)))


def test_float32_stays_float32_and_agrees_with_float64(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    net64 = NielsenMLPClassifier(random_state=0).fit(X_train, y_train)
    net32 = NielsenMLPClassifier(random_state=0, dtype="float32").fit(
        X_train.astype(np.float32), y_train
    )
    assert all(w.dtype == np.float32 for w in net32.coefs_ + net32.intercepts_)
    assert net32.predict_proba(X_test).dtype == np.float32
    assert abs(net32.score(X_test, y_test) - net64.score(X_test, y_test)) <= 0.005


def test_same_seed_same_weights(small_digits):
    X, _, y, _ = small_digits
    first = NielsenMLPClassifier(epochs=3, random_state=7, dropout=0.2).fit(X, y)
    second = NielsenMLPClassifier(epochs=3, random_state=7, dropout=0.2).fit(X, y)
    for a, b in zip(first.coefs_ + first.intercepts_, second.coefs_ + second.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_sample_weight_zero_removes_samples(small_digits):
    X, X_test, y, _ = small_digits
    keep = np.arange(len(X)) % 2 == 0
    weights = keep.astype(float)
    subset = NielsenMLPClassifier(
        epochs=5, random_state=0, shuffle=False, mini_batch_size=len(X), regularizer="none"
    )
    subset.fit(X[keep], y[keep])
    weighted_none = NielsenMLPClassifier(
        epochs=5, random_state=0, shuffle=False, mini_batch_size=len(X), regularizer="none"
    ).fit(X, y, sample_weight=weights)
    # Full-batch gradient descent: weights 0/1 equal training on the kept half.
    np.testing.assert_allclose(
        weighted_none.predict_proba(X_test), subset.predict_proba(X_test), rtol=1e-10
    )
    with pytest.raises(ValueError, match="at least one non-zero"):
        NielsenMLPClassifier().fit(X, y, sample_weight=np.zeros(len(X)))


def test_history_and_verbose_lines(small_digits):
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(epochs=4, random_state=0, monitor="all", verbose=1)
    out = io.StringIO()
    with redirect_stdout(out):
        net.fit(X, y, X_val=X_val, y_val=y_val)
    for key in ("training_cost", "training_accuracy", "validation_cost", "validation_accuracy"):
        assert len(net.history_[key]) == 4
    assert net.history_["training_cost"][-1] < net.history_["training_cost"][0]
    lines = out.getvalue().splitlines()
    assert len(lines) == 6
    assert re.match(r"Training with the (numpy|c) engine", lines[0])
    assert lines[1].split() == [
        "epoch",
        "loss",
        "train",
        "cost",
        "train",
        "acc",
        "valid",
        "cost",
        "valid",
        "acc",
        "eta",
        "time",
    ]
    row = lines[-1].replace("*", " ").split()
    assert row[0] == "4/4" and float(row[1]) == pytest.approx(net.loss_curve_[-1], abs=1e-4)
    assert row[5] == f"{net.validation_scores_[-1]:.2%}" and row[6] == "0.5"
    default = NielsenMLPClassifier(epochs=2, random_state=0).fit(X, y, X_val=X_val, y_val=y_val)
    assert len(default.history_["validation_accuracy"]) == 2
    assert default.history_["training_cost"] == []
    assert NielsenMLPClassifier(epochs=2).fit(X, y).history_["validation_accuracy"] == []


def test_verbose_marks_the_best_values_and_the_weights_kept(small_digits):
    """A star on each value better than every earlier one; a last line names the kept epoch."""
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(epochs=40, eta=4.0, early_stopping=2, verbose=1, random_state=0)
    out = io.StringIO()
    with redirect_stdout(out):
        net.fit(X, y, X_val=X_val, y_val=y_val)
    rows = [line for line in out.getvalue().splitlines() if re.match(r"\s+\d+/40 ", line)]
    assert len(rows) == net.n_iter_ < 40
    scores = net.validation_scores_
    starred = [i + 1 for i in range(1, len(scores)) if scores[i] > max(scores[:i])]
    assert [i + 1 for i, row in enumerate(rows) if row.split()[2].endswith("*")] == starred
    assert out.getvalue().splitlines()[-1] == (
        f"The model holds the weights of epoch {net.best_epoch_}, the best one kept, "
        f"not those of the last epoch ({net.n_iter_})."
    )
    steps, net = io.StringIO(), NielsenMLPClassifier(verbose=1, random_state=0)
    with redirect_stdout(steps):
        for _ in range(3):  # the engine and the header once, then one row a call
            net.partial_fit(X, y, classes=[0, 1, 2])
    lines = steps.getvalue().splitlines()
    assert len(lines) == 5 and [line.split()[0] for line in lines[2:]] == ["1", "2", "3"]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("max_iter", "use epochs"),
        ("alpha", r"use lmbda .* lmbda = alpha \* n / mini_batch_size"),
        ("batch_size", "use mini_batch_size"),
        ("learning_rate_init", "use eta"),
        ("tol", r"there is none: .*EarlyStopping\(monitor='loss', min_delta=tol"),
        ("epoch", "the closest to 'epoch' is 'epochs'"),
        ("momentum", r"use optimizer=Momentum\(mu=...\).* optimizer='momentum' with optimizer__mu"),
        ("beta_2", r"use optimizer=Adam\(beta2=...\)"),
    ],
)
def test_scikit_learns_names_point_at_ours(name, expected):
    """At construction and in set_params (so in GridSearchCV), not a bare TypeError."""
    from sknielsen import NielsenMLPRegressor

    with pytest.raises(TypeError, match=f"has no parameter '{name}': .*{expected}"):
        NielsenMLPClassifier(**{name: 1})
    with pytest.raises(ValueError, match=f"has no parameter '{name}': .*{expected}"):
        NielsenMLPRegressor().set_params(**{name: 1})


@pytest.mark.parametrize("name", ["optimizer__mu", "cost__eps", "callbacks__0__patience"])
def test_a_nested_name_given_to_the_constructor_points_at_set_params(name):
    # The hint for scikit-learn's momentum said "optimizer='momentum' with optimizer__mu",
    # and doing so in the constructor met "the closest to 'optimizer__mu' is 'optimizer'".
    owner = name.split("__")[0]
    with pytest.raises(TypeError, match=rf"'{name}' is a parameter of the {owner}, .*set_params"):
        NielsenMLPClassifier(**{owner: "momentum" if owner == "optimizer" else None, name: 1})


def test_loss_is_scikit_learns_last_loss(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=3, random_state=0).fit(X, y)
    assert net.loss_ == net.loss_curve_[-1] and net.best_loss_ == min(net.loss_curve_)


def test_validation_data_errors(small_digits):
    X, X_val, y, _y_val = small_digits
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        NielsenMLPClassifier().fit(X, y, X_val=X_val)
    with pytest.raises(ValueError, match=r"labels that are not among the model's classes.*\[7\]"):
        NielsenMLPClassifier().fit(X, y, X_val=X_val, y_val=np.full(len(X_val), 7))


def test_validation_data_on_another_scale_warns_at_the_callers_line(small_digits):
    """X_val given past the pipeline's scaler is judged on raw pixels: say so."""
    X, X_val, y, y_val = small_digits
    pipe = Pipeline([("scale", MinMaxScaler()), ("net", NielsenMLPClassifier(epochs=2))])
    raw, raw_val = X * 16, X_val * 16
    # The advice is whole: set_fit_request works only with metadata routing enabled.
    advice = (
        r"transform_input=\['X_val'\]\) under sklearn.set_config\(enable_metadata_routing=True\)"
    )
    with pytest.warns(UserWarning, match=r"X_val is on another scale than X.*" + advice):
        pipe.fit(raw, y, net__X_val=raw_val, net__y_val=y_val)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scaled alike: not a word
        NielsenMLPClassifier(epochs=2, random_state=0).fit(X, y, X_val=X_val, y_val=y_val)
        NielsenMLPClassifier(epochs=2, random_state=0).fit(X, y, X_val=X_val[:3], y_val=y_val[:3])


def test_predicting_rows_on_another_scale_warns(small_digits, tmp_path):
    X, X_test, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=2, random_state=0).fit(X, y)
    for model in (net, NielsenMLPClassifier.from_fitted_state(net.get_fitted_state())):
        with pytest.warns(UserWarning, match="another scale than the training data") as record:
            model.predict(X_test * 255)
        assert {w.filename for w in record} == {__file__}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.predict(X_test)
            model.predict(X_test[:1])


def test_single_rows_of_standardized_data_are_not_taken_for_rows_on_another_scale():
    # One row at a time (a web service, a partial dependence grid), rows near the mean of
    # standardized data have a root mean square far below the data's: 5 of 150 iris rows
    # and 6 of 300 moons rows were warned of as "probably wrong" predictions.
    for X, y in (load_iris(return_X_y=True), make_moons(300, noise=0.2, random_state=0)):
        model = make_pipeline(StandardScaler(), NielsenMLPClassifier(epochs=1, random_state=0))
        model.fit(X, y)
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="X is on another scale")
            for row in X:
                model.predict(row[None, :])
    # A raw image among rows scaled to [0, 1] is still told, alone or in a few.
    digits, labels = load_digits(return_X_y=True)
    net = NielsenMLPClassifier(epochs=1, random_state=0).fit(digits / 16, labels)
    for rows in (digits[:1], digits[:5]):
        with pytest.warns(UserWarning, match="X is on another scale than the training data"):
            net.predict(rows)
    # And a row scaled to [0, 1] for a model of bytes: 1/256 of its scale.
    with pytest.warns(UserWarning, match="The inputs saturate the first layer"):
        of_bytes = NielsenMLPClassifier(epochs=1, random_state=0).fit(digits * 16, labels)
    with pytest.warns(UserWarning, match="X is on another scale than the training data"):
        of_bytes.predict(digits[:1] / 16)


@pytest.mark.parametrize("factor", [1e200, 1e-200])
def test_rows_whose_squares_leave_float64_still_warn_of_their_scale(small_digits, factor):
    # Their mean square overflowed to inf (or underflowed to 0): no scale was measured,
    # and the rows furthest off scale were predicted without a word.
    X, X_test, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=1, random_state=0).fit(X, y)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        net.predict(X_test * factor)
    scale = [str(w.message) for w in record if "another scale" in str(w.message)]
    assert len(scale) == 1 and f"({np.sqrt(np.mean(X_test**2)) * factor:.3g} against" in scale[0]


def test_the_scale_warning_points_at_cross_val_scores_caller(small_digits):
    """Not into joblib, through which cross_val_score calls fit."""
    from sklearn.model_selection import cross_val_score

    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(epochs=1, random_state=0)
    with pytest.warns(UserWarning, match="X_val is on another scale") as record:
        cross_val_score(net, X, y, cv=2, params={"X_val": X_val * 16, "y_val": y_val})
    assert {w.filename for w in record if "another scale" in str(w.message)} == {__file__}


@pytest.mark.parametrize(
    "classes, got",
    [
        ({0, 1, 2}, r"set \{0, 1, 2\}"),
        ([[0, 1], [2, 3]], r"shape \(2, 2\)"),
        ([[0, 1], [2]], "ragged"),
        # What NumPy before 1.24 makes of the ragged list; it failed in np.searchsorted.
        (np.array([[0, 1], [2]], dtype=object), "ragged"),
        (3, "int 3"),
    ],
)
def test_classes_that_are_no_list_of_labels_are_refused_by_name(small_digits, classes, got):
    # A set read as one class ("only one class: [{0, 1, 2}]"); a 2-D list was flattened.
    X, _, y, _ = small_digits
    three = np.isin(y, [0, 1, 2])
    with pytest.raises(ValueError, match=rf"classes must be a 1-D list or array .*; got {got}"):
        NielsenMLPClassifier().partial_fit(X[three], y[three], classes=classes)
    net = NielsenMLPClassifier().partial_fit(X[three], y[three], classes=[0, 1, 2])
    with pytest.raises(ValueError, match=rf"classes must be a 1-D list or array .*; got {got}"):
        net.partial_fit(X[three], y[three], classes=classes)


def test_partial_fit_continues_and_counts_epochs(small_digits):
    X, X_test, y, y_test = small_digits
    net = NielsenMLPClassifier(random_state=0, monitor=("training_cost",))
    with pytest.raises(ValueError, match="classes must be passed"):
        net.partial_fit(X, y)
    net.partial_fit(X[:100], y[:100], classes=[0, 1, 2])
    for _ in range(5):
        net.partial_fit(X, y)
    assert net.n_iter_ == 6 and len(net.history_["training_cost"]) == 6
    assert net.score(X_test, y_test) > 0.9
    assert net._optimizer_state == {"eta": 0.5, "eta0": 0.5}
    with pytest.raises(ValueError, match="labels that are not among the model's classes"):
        net.partial_fit(X[:5], np.full(5, 9))


@pytest.mark.parametrize("continuation", ["partial_fit", "warm_start"])
def test_a_new_class_in_a_continued_fit_says_how_to_learn_it(continuation, small_digits):
    # The refusal named the label and the classes, not what to do about it.
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=1, random_state=0, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match=r"\[9\].*warm_start=False.*first partial_fit"):
        if continuation == "partial_fit":
            net.partial_fit(X[:5], np.full(5, 9))
        else:
            net.fit(X[:5], np.full(5, 9))


def test_warm_start_continues_from_the_weights(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        epochs=2, random_state=0, warm_start=True, monitor=("training_cost",)
    )
    net.fit(X, y)
    first = [w.copy() for w in net.coefs_]
    net.fit(X, y)
    assert net.n_iter_ == 4 and len(net.history_["training_cost"]) == 4
    assert not np.allclose(first[0], net.coefs_[0])
    cold = NielsenMLPClassifier(epochs=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(cold.coefs_[0], first[0])


# -- the documented effects --------------------------------------------------------


def training_costs(X, y, **params):
    net = NielsenMLPClassifier(random_state=0, monitor=("training_cost",), **params).fit(X, y)
    return np.array(net.history_["training_cost"])


def test_momentum_and_nesterov_speed_up_small_steps(digits_split):
    X, _, y, _ = digits_split
    sgd = training_costs(X, y, eta=0.05, epochs=5)
    momentum = training_costs(X, y, eta=0.05, epochs=5, optimizer="momentum")
    nesterov = training_costs(X, y, eta=0.05, epochs=5, optimizer="nesterov")
    # With mu = 0.9 the effective step is about ten times larger.
    assert momentum[-1] < 0.3 * sgd[-1] and nesterov[-1] < 0.3 * sgd[-1]
    assert nesterov[-1] <= momentum[-1] * 1.05


def test_l1_drives_more_weights_to_zero_than_l2(digits_split):
    X, _, y, _ = digits_split
    fractions = {}
    for regularizer in ("l1", "l2", "none"):
        lmbda = 0.0 if regularizer == "none" else 5.0  # "none" reads no lmbda
        net = NielsenMLPClassifier(regularizer=regularizer, lmbda=lmbda, random_state=0).fit(X, y)
        fractions[regularizer] = np.mean(np.abs(net.coefs_[0]) < 1e-3)
    assert fractions["l1"] > 2 * fractions["l2"]
    assert fractions["l2"] > fractions["none"]


def test_l2_shrinks_weights(digits_split):
    X, _, y, _ = digits_split
    sizes = {}
    for lmbda in (0.0, 5.0):
        net = NielsenMLPClassifier(lmbda=lmbda, random_state=0, epochs=10).fit(X, y)
        sizes[lmbda] = np.linalg.norm(net.coefs_[0])
    assert sizes[5.0] < 0.7 * sizes[0.0]


def test_dropout_masks_and_rescales(rng):
    network = Network((20, 400, 3), [Sigmoid(), Sigmoid()])
    network.initialize(DefaultInitializer(), rng)
    backprop = Backprop(network, CrossEntropyCost(), 50, dropout=0.4, rng=rng)
    a = rng.uniform(size=(50, 400))
    kept, mask = backprop._drop(a)
    assert np.mean(mask == 0) == pytest.approx(0.4, abs=0.02)
    np.testing.assert_allclose(mask[mask > 0], 1 / 0.6)
    assert kept.mean() == pytest.approx(a.mean(), rel=0.03)  # expectation unchanged


def test_dropout_reduces_overfitting(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    gaps = {}
    for dropout in (0.0, 0.5):
        gap = []
        for seed in range(3):
            net = NielsenMLPClassifier(
                hidden_layer_sizes=(100,), dropout=dropout, epochs=60, random_state=seed
            ).fit(X_train[:300], y_train[:300])
            gap.append(net.score(X_train[:300], y_train[:300]) - net.score(X_test, y_test))
        gaps[dropout] = np.mean(gap)
    assert gaps[0.5] < gaps[0.0] - 0.005


class ScriptedTrainer:
    """Just what the plateau callbacks read and call: history, params, eta, epochs, keep_best.

    And which keys the epoch recorded: every epoch records the validation accuracy.
    """

    def __init__(self, eta=1.0):
        self.history = {"validation_accuracy": []}
        self.network = type("Net", (), {"params": np.zeros(1)})()
        self.eta = self.initial_eta = eta
        self.epochs_run = self.epoch = 0
        self.kept = None

    def keep_best(self):
        self.kept = (self.epochs_run, self.network.params[0])

    def recorded_keys(self):
        return ["validation_accuracy"]

    def end_epoch(self, callback, accuracy):
        self.epochs_run += 1
        self.epoch += 1
        self.network.params[:] = accuracy
        self.history["validation_accuracy"].append(accuracy)
        callback.on_epoch_end(self)


def test_early_stopping_stops_at_the_right_epoch_and_keeps_the_best():
    curve = [0.5, 0.6, 0.7, 0.65, 0.7, 0.69, 0.68, 0.9]
    trainer, callback = ScriptedTrainer(), EarlyStopping(patience=3)
    callback.on_train_begin(trainer)
    with pytest.raises(StopTraining):
        for accuracy in curve:
            trainer.end_epoch(callback, accuracy)
    # Best 0.7 at epoch 3; epochs 4, 5, 6 bring no improvement: stop after epoch 6.
    assert trainer.epochs_run == 6 and trainer.kept == (3, 0.7)


def test_halving_schedule_halves_and_stops_at_one_128th():
    trainer, callback = ScriptedTrainer(eta=0.8), HalveOnPlateau(patience=2)
    callback.on_train_begin(trainer)
    etas = []
    with pytest.raises(StopTraining):
        for accuracy in [0.5, 0.6] + [0.6] * 100:
            trainer.end_epoch(callback, accuracy)
            etas.append(trainer.eta)
    assert etas[:6] == [0.8, 0.8, 0.8, 0.4, 0.4, 0.2]
    # Seven halvings reach 0.8 / 128; each needs two epochs without improvement.
    assert trainer.eta == pytest.approx(0.8 / 128) and trainer.epochs_run == 2 + 7 * 2


def test_early_stopping_end_to_end(digits_split):
    X_train, X_val, y_train, y_val = digits_split
    net = NielsenMLPClassifier(early_stopping=3, epochs=200, random_state=0, eta=2.0)
    net.fit(X_train, y_train, X_val=X_val, y_val=y_val)
    history = net.history_["validation_accuracy"]
    assert net.n_iter_ < 200 and len(history) == net.n_iter_
    best = int(np.argmax(history))
    assert len(history) - 1 - best == 3  # stopped three epochs after the best
    assert net.score(X_val, y_val) == pytest.approx(max(history))  # best weights kept


def test_a_held_out_split_never_takes_a_class_whole():
    # One example of class 2 cannot be stratified: the split was then random, and held
    # class 2 out whole for half the seeds, a class the network never trained on.
    from sknielsen._core.split import hold_out

    classes = np.r_[np.zeros(20), np.ones(20), 2]
    for seed in range(40):
        kept, held = hold_out(np.arange(41), test_size=0.5, random_state=seed, stratify=classes)
        assert 40 in kept and len(held) == 21
        assert sorted([*kept, *held]) == list(range(41))
    # Holding out more than half, scikit-learn's stratified split itself may keep none of
    # a class; and the study's helpers pass a generator, not only a seed.
    classes = np.r_[[0] * 2, [1] * 18]
    for seed in [*range(10), np.random.RandomState(0)]:
        kept, held = hold_out(np.arange(20), test_size=0.9, random_state=seed, stratify=classes)
        assert set(classes[kept]) == {0, 1} and len(held) == 18


@pytest.mark.parametrize("n_samples", [2, 3])
def test_early_stopping_refuses_a_split_that_leaves_a_class_nothing_to_train_on(n_samples):
    # It trained on one class of the two, and validated on the other, without a word.
    X, y = np.random.default_rng(0).random((n_samples, 4)), np.arange(n_samples)
    net = NielsenMLPClassifier(early_stopping=True, epochs=2)
    with pytest.raises(
        ValueError,
        match=rf"^validation_fraction=0.1: holding out 1 of the {n_samples} samples would leave "
        rf"a class with none to train on: {n_samples} classes must each keep one\. Give more",
    ):
        net.fit(X, y)


def test_halving_schedule_end_to_end(small_digits):
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier(
        schedule="halve_on_plateau", early_stopping=2, epochs=500, random_state=0
    )
    net.fit(X, y)  # validation split from validation_fraction
    assert net.n_iter_ < 500 and len(net.history_["validation_accuracy"]) == net.n_iter_


class InterruptAt(Callback):
    """Raise KeyboardInterrupt, as Ctrl-C would, after the given mini-batch of a fit."""

    def __init__(self, batch=1):
        self.batch = batch

    def on_train_begin(self, trainer):
        self._batches = 0

    def on_batch_end(self, trainer):
        self._batches += 1
        if self._batches == self.batch:
            raise KeyboardInterrupt


def test_keyboard_interrupt_keeps_the_last_completed_epoch(small_digits):
    X, _, y, _ = small_digits
    # On NumPy: the C engine's per-mini-batch calls (under InterruptAt) agree with its
    # whole epochs only to rounding, and the weights are compared bit for bit.
    params = {"random_state": 0, "monitor": ("training_cost",), "engine": "numpy"}
    reference = NielsenMLPClassifier(epochs=3, **params)
    reference.fit(X, y)
    # During the fourth epoch (30 batches each).
    net = NielsenMLPClassifier(epochs=10, callbacks=[InterruptAt(3 * 30 + 5)], **params)
    with pytest.warns(UserWarning, match="interrupted.*after epoch 3"):
        net.fit(X, y)
    assert net.n_iter_ == 3 and len(net.history_["training_cost"]) == 3
    np.testing.assert_array_equal(net.coefs_[0], reference.coefs_[0])
    net.set_params(callbacks=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.partial_fit(X, y)
    assert net.n_iter_ == 4


@pytest.mark.parametrize("regularizer", ["l2", "l1", "none"])
def test_sgd_decoupled_decay_equals_the_coupled_gradient(regularizer, small_digits):
    """SGD's one-pass weight decay gives the step of the penalty's gradient."""
    X, _X_test, y, _ = small_digits
    lmbda = 0.0 if regularizer == "none" else 50.0  # "none" reads no lmbda
    params = {"regularizer": regularizer, "lmbda": lmbda, "epochs": 3, "random_state": 0}
    sgd = NielsenMLPClassifier(optimizer="sgd", **params).fit(X, y)
    coupled = NielsenMLPClassifier(optimizer=Momentum(mu=0.0), **params).fit(X, y)
    for ours, reference in zip(sgd.coefs_, coupled.coefs_):
        np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("engine", ["numpy", "auto"])
@pytest.mark.parametrize("shuffle", [True, False])
def test_training_never_copies_the_training_set(shuffle, engine):
    # Both engines, wherever the C engine is built: the NumPy engine's epoch loss once
    # took 0.28 times the data in temporaries, unseen where 'auto' trained on C.
    # (Without zeros, X is not worth the C engine's compact CSR copy either.)
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.uniform(size=(20000, 100))
    y = rng.integers(3, size=20000)
    net = NielsenMLPClassifier(epochs=2, shuffle=shuffle, random_state=0, lmbda=1.0, engine=engine)
    tracemalloc.start()
    net.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.25 * X.nbytes, f"fit allocated {peak / X.nbytes:.2f} times the data"


@pytest.mark.parametrize("engine", ["numpy", "auto"])  # the cost probe runs on either
def test_divergence_stops_with_a_warning_naming_the_cause(digits_split, engine):
    from sklearn.exceptions import ConvergenceWarning

    X, X_test, y, _ = digits_split
    # The book's eta=10, lmbda=1000: on 1,198 images the decay factor is -7.3, and the
    # penalty (lmbda/2n)Σw² overflows in epoch 2, one epoch before the weights do.
    with pytest.warns(ConvergenceWarning, match=r"diverged in epoch 2.*eta=10.*decay factor"):
        net = NielsenMLPClassifier(eta=10, lmbda=1000, random_state=0, engine=engine).fit(X, y)
    assert net.n_iter_ == 1
    with pytest.warns(ConvergenceWarning, match="diverged in epoch 1.*eta=10000"):
        net = NielsenMLPClassifier(
            eta=1e4,
            cost="quadratic",
            output_activation="identity",
            random_state=0,
            engine=engine,
        ).fit(X, y)
    assert np.isfinite(net.predict_proba(X_test)).all()
    with pytest.warns(ConvergenceWarning, match="cost did not decrease.*eta=10000"):
        net = NielsenMLPClassifier(eta=1e4, random_state=0, engine=engine).fit(X, y)
    assert np.isfinite(net.predict_proba(X_test)).all()


@pytest.mark.parametrize("engine", ["numpy", "auto"])
@pytest.mark.parametrize("eta", [30, 100])
def test_a_network_that_saturates_into_one_guess_says_so(digits_split, engine, eta):
    from sklearn.exceptions import ConvergenceWarning

    X, _, y, _ = digits_split
    # The quadratic cost's learning slowdown: every output saturates near 0, the cost
    # falls from its start to 0.5, above the 0.45 of the class frequencies for all.
    message = r"After 5 epochs the network does no better than one guess for every sample.*eta="
    with pytest.warns(ConvergenceWarning, match=message):
        net = NielsenMLPClassifier(
            epochs=5, eta=eta, cost="quadratic", random_state=0, engine=engine
        ).fit(X, y)
    assert net.score(X, y) < 0.15


@pytest.mark.parametrize("output_activation", ["tanh", "identity"])
def test_a_classifier_worse_than_one_guess_is_not_told_to_scale_its_targets(output_activation):
    from sklearn.exceptions import ConvergenceWarning

    # One sample in a hundred of the rare class: its one-hot column varies by 0.0995, a
    # regressor's "small scale", and the classifier was told to wrap itself in a
    # TransformedTargetRegressor, which cannot scale a classifier's targets.
    X = np.random.default_rng(0).random((400, 4))
    y = (np.arange(400) < 4).astype(int)
    net = NielsenMLPClassifier(
        output_activation=output_activation, cost="quadratic", epochs=5, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="worse than one guess") as record:
        net.fit(X, y)
    [message] = [str(w.message) for w in record if "worse than one guess" in str(w.message)]
    assert "It has not learnt even their mean: train for more epochs" in message
    assert "TransformedTargetRegressor" not in message
    assert "scale" not in message


@pytest.mark.parametrize(
    "params",
    [
        {"cost": "log_likelihood", "optimizer": "momentum", "eta": 0.1, "dtype": "float32"},
        {"optimizer": "lbfgs", "epochs": 100},
    ],
)
@pytest.mark.parametrize("class_weight", [{0: 1, 1: 0, 2: 0}, {0: 1000, 1: 1e-4, 2: 1e-4}])
def test_no_warning_when_the_weights_leave_one_class_to_learn(params, class_weight):
    # As in scikit-learn's checks: one guess, the one class, is the answer, and outputs
    # rightly saturated into it were warned about as doing "no better than one guess".
    X, y = make_blobs(centers=3, random_state=0, cluster_std=20)
    X = MinMaxScaler().fit_transform(X)
    net = NielsenMLPClassifier(hidden_layer_sizes=(10,), class_weight=class_weight, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.set_params(random_state=0).fit(X, y)
    assert (net.predict(X) == 0).all()


def test_no_warning_for_a_regressor_of_constant_targets(small_digits):
    X = small_digits[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to learn beyond the one guess: not a failure
        NielsenMLPRegressor(epochs=3, random_state=0).fit(X, np.full(len(X), 0.25))


def test_errors_in_the_validation_data_name_it(small_digits):
    X, X_val, y, y_val = small_digits
    broken = X_val.copy()
    broken[0, 0] = np.nan
    net = NielsenMLPClassifier(epochs=1)
    for X_bad, y_bad, message in [
        (broken, y_val, "Input X_val contains NaN"),
        (X_val[:, :10], y_val, f"X_val has 10 features, but the network takes {X.shape[1]}"),
        (X_val, y_val + 7, r"y_val contains labels that are not among the model's classes: \[7"),
        (X_val[:5], y_val[:6], r"X_val has 5 samples but y_val has 6\."),
    ]:
        with pytest.raises(ValueError, match=message):
            net.fit(X, y, X_val=X_bad, y_val=y_bad)


def test_labels_numpy_cannot_make_one_array_of_are_refused_naming_y():
    X = np.random.default_rng(0).random((2, 3))
    # NumPy's own words, which its releases change ("could not broadcast" in 1.23).
    numpy_refusal = r"setting an array element with a sequence|could not broadcast"
    with pytest.raises(ValueError, match=rf"^y: ({numpy_refusal})"):
        NielsenMLPClassifier(epochs=1).fit(X, [np.zeros((2, 2)), np.zeros((2, 3))])


def test_finite_validation_data_passes_its_check_under_assume_finite(small_digits):
    from sklearn import config_context

    X, X_val, y, y_val = small_digits
    with config_context(assume_finite=True):
        net = NielsenMLPClassifier(epochs=1, random_state=0).fit(X, y, X_val=X_val, y_val=y_val)
    assert len(net.validation_scores_) == 1


def test_the_tags_of_an_estimator_of_an_unknown_optimizer_are_its_defaults():
    # scikit-learn reads the tags before validating (a search's grid, its checks).
    tags = NielsenMLPClassifier(optimizer="nonsense").__sklearn_tags__()
    assert tags.input_tags.sparse


def test_a_state_without_column_names_clears_the_names_of_an_earlier_fit(small_digits):
    pd = pytest.importorskip("pandas")
    X, _, y, _ = small_digits
    named = NielsenMLPClassifier(epochs=1, random_state=0).fit(pd.DataFrame(X).add_prefix("f"), y)
    unnamed = NielsenMLPClassifier(epochs=1, random_state=0).fit(X, y)
    named.set_fitted_state(unnamed.get_fitted_state())
    assert not hasattr(named, "feature_names_in_")
    named.predict(X)  # no warning that X has no names, as the state's model has none


def _with_first(values, value):
    """A float copy of ``values`` whose first entry is ``value``."""
    changed = np.array(values, dtype=float)
    changed.flat[0] = value
    return changed


@pytest.mark.parametrize("estimator", [NielsenMLPClassifier, NielsenMLPRegressor])
@pytest.mark.parametrize("name", ["y", "y_val", "sample_weight"])
@pytest.mark.parametrize(
    ("value", "what"), [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")]
)
def test_targets_and_weights_that_are_not_finite_are_refused_without_numpy_warnings(
    estimator, name, value, what
):
    # NaN in y_val reached scikit-learn's type_of_target, which casts labels to int before
    # it checks them finite: NumPy's "invalid value encountered in cast" came first.
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 3)), np.arange(20) % 2
    arguments = {"y": y, "X_val": X[:6], "y_val": y[:6], "sample_weight": np.ones(20)}
    arguments[name] = _with_first(arguments[name], value)
    net = estimator((3,), epochs=1, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=rf"^Input {name} contains {what}"):
            net.fit(X, **arguments)
    assert [str(warning.message) for warning in caught] == []


# A classifier's labels are not cast to the network's dtype: only the regressor's y are.
@pytest.mark.parametrize(
    ("estimator", "name"),
    [
        *(
            (estimator, name)
            for estimator in (NielsenMLPClassifier, NielsenMLPRegressor)
            for name in ("X", "X_val", "predict")
        ),
        (NielsenMLPRegressor, "y"),
        (NielsenMLPRegressor, "y_val"),
    ],
)
@pytest.mark.parametrize("signs", [(1,), (1, -1)], ids=["positive", "both signs"])
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_values_beyond_float32_are_refused_without_numpy_warnings(estimator, name, signs, layout):
    # Finite in float64, they become infinite in the cast to float32, which NumPy warned of
    # ("overflow encountered in cast") before scikit-learn's error named the array; with
    # both signs, scikit-learn's sum of +inf and -inf warned "invalid value encountered".
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 3)), np.arange(20) % 2

    def beyond(values):
        changed = np.array(values, dtype=float)
        changed.flat[: len(signs)] = np.array(signs) * 1e39
        return sparse.csr_matrix(changed) if layout == "csr" and changed.ndim == 2 else changed

    arguments = {"X": X, "y": y, "X_val": X[:6], "y_val": y[:6]}
    if name != "predict":
        arguments[name] = beyond(arguments[name])
    named = "X" if name == "predict" else name
    net = estimator((3,), epochs=1, dtype="float32", random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=rf"^Input {named} contains infinity .*'float32'"):
            net.fit(**arguments)
            net.predict(beyond(X))
    assert [str(warning.message) for warning in caught] == []


def test_no_warning_for_sound_training(small_digits):
    X, _, y, _ = small_digits
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NielsenMLPClassifier(epochs=2, random_state=0).fit(X, y)


def test_partial_fit_on_multilabel_targets(small_digits):
    X, X_test, y, y_test = small_digits
    Y = np.column_stack([y == 0, y >= 1, y == 2]).astype(int)
    net = NielsenMLPClassifier(random_state=0)
    for _ in range(10):
        net.partial_fit(X, Y, classes=[0, 1, 2])
    truth = np.column_stack([y_test == 0, y_test >= 1, y_test == 2]).astype(int)
    assert (net.predict(X_test) == truth).mean() > 0.9


def test_monitor_every_records_between_epochs(small_digits):
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(epochs=3, monitor_every=100, random_state=0)
    net.fit(X, y, X_val=X_val, y_val=y_val)
    record = net.history_every_
    assert record["samples"] == [100, 200, 300, 400, 500, 600, 700, 800, 900]
    # The last record falls on the end of the last epoch.
    assert record["validation_accuracy"][-1] == net.history_["validation_accuracy"][-1]
    assert record["validation_accuracy"][2] == net.history_["validation_accuracy"][0]
    net = NielsenMLPClassifier(epochs=1, monitor_every=70, random_state=0).fit(X, y)
    assert net.history_every_["samples"] == [70, 140, 210]  # validation split from X


@pytest.mark.parametrize(
    "params, unrecorded",
    [
        ({"monitor": ("validation_accuracy", "training_cost")}, "validation_accuracy"),
        ({"monitor_every": 50}, "monitor_every=50"),
    ],
)
def test_partial_fit_without_validation_data_says_what_it_cannot_record(
    small_digits, params, unrecorded
):
    # fit holds a validation set out for them; partial_fit holds none out, and recorded
    # nothing under these keys without a word.
    X, X_val, y, y_val = small_digits
    net = NielsenMLPClassifier(random_state=0, **params)
    with pytest.warns(UserWarning, match=rf"{unrecorded}.*partial_fit.*X_val and y_val") as record:
        net.partial_fit(X, y, classes=np.arange(10))
    assert {w.filename for w in record} == {__file__}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # given validation data, or asked for none: no word
        net.partial_fit(X, y, X_val=X_val, y_val=y_val)
        NielsenMLPClassifier(monitor=("training_cost",)).partial_fit(X, y, classes=np.arange(10))
        NielsenMLPClassifier(monitor="all").partial_fit(X, y, classes=np.arange(10))


def test_predict_log_proba_is_the_log_of_predict_proba(small_digits):
    X, X_test, y, _ = small_digits
    net = NielsenMLPClassifier(epochs=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(np.exp(net.predict_log_proba(X_test)), net.predict_proba(X_test))


def test_class_weight_composes_with_sample_weight(small_digits, tmp_path):
    import sknielsen

    X, _X_test, y, _ = small_digits
    weights = np.linspace(0.5, 1.5, len(y))
    by_class = {0: 3.0, 2: 0.5}
    net = NielsenMLPClassifier(epochs=2, random_state=0, class_weight=by_class)
    net.fit(X, y, sample_weight=weights)
    reference = NielsenMLPClassifier(epochs=2, random_state=0)
    reference.fit(X, y, sample_weight=weights * np.vectorize(lambda c: by_class.get(c, 1.0))(y))
    np.testing.assert_array_equal(net.coefs_[0], reference.coefs_[0])
    sknielsen.save(net, tmp_path / "net.json")
    assert sknielsen.load(tmp_path / "net.json").class_weight == by_class


def test_balanced_class_weight_helps_the_rare_class(digits_split):
    from sklearn.metrics import recall_score

    X_train, X_test, y_train, y_test = digits_split
    rare = (y_train != 3) | (np.arange(len(y_train)) % 10 == 0)  # one 3 in ten kept
    X_rare, y_rare = X_train[rare], y_train[rare]
    recall = {}
    for weighting in (None, "balanced"):
        net = NielsenMLPClassifier(epochs=10, random_state=0, class_weight=weighting)
        net.fit(X_rare, y_rare)
        recall[weighting] = recall_score(y_test == 3, net.predict(X_test) == 3)
    assert recall["balanced"] > recall[None]
    # Not offered, as scikit-learn's MLP offers none with L-BFGS: meta-estimators and
    # scikit-learn's checks ask hasattr first (its checks failed three ways).
    balanced = NielsenMLPClassifier(class_weight="balanced")
    assert not hasattr(balanced, "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as raised:
        balanced.partial_fit(X_rare, y_rare, classes=np.arange(10))
    assert "'balanced', which needs the whole training set" in str(raised.value.__cause__)
    assert hasattr(balanced.set_params(class_weight={3: 5.0}), "partial_fit")


@pytest.mark.parametrize("multilabel", [False, True], ids=["labels", "multilabel"])
def test_balanced_class_weight_counts_the_classes_by_their_sample_weights(small_digits, multilabel):
    # 'balanced' counted each class's rows, whatever their weights: a row of weight 2 was
    # not a repeated row (a full-batch fit told them apart), and rows of weight 0 (those a
    # BaggingClassifier's bootstrap leaves out) still made their class look common. It
    # counts weights now, as scikit-learn's compute_class_weight does since 1.8.
    X, _, y, _ = small_digits
    X, y = X[:60], y[:60]
    if multilabel:
        y = np.column_stack([y == 0, y == 1, y != 1]).astype(int)
    counts = np.random.default_rng(0).integers(0, 4, len(X))
    counts[(y[:, 0] if multilabel else y == 0) == 1] //= 3  # one class made rare by weight
    params = {"hidden_layer_sizes": (4,), "optimizer": "lbfgs", "epochs": 15, "random_state": 0}
    weighted = NielsenMLPClassifier(class_weight="balanced", **params)
    weighted.fit(X, y, sample_weight=counts)
    repeated = NielsenMLPClassifier(class_weight="balanced", **params)
    repeated.fit(np.repeat(X, counts, axis=0), np.repeat(y, counts, axis=0))
    for ours, theirs in zip(weighted.coefs_, repeated.coefs_, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)
    # A class whose rows all weigh 0 is no class to balance: nothing is divided by 0.
    counts[(y[:, 2] if multilabel else y == 2) == 1] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net = NielsenMLPClassifier(class_weight="balanced", **params)
        net.fit(X, y, sample_weight=counts)
    assert all(np.isfinite(coefs).all() for coefs in net.coefs_)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"optimizer": "momentum", "optimizer__mu": 2.0}, "optimizer__mu"),
        ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes must hold positive integers"),
        # "Unknown monitor names ['nothing']", unlike every other parameter's refusal
        # ("The 'eta' parameter of NielsenMLPClassifier ..."), named neither the parameter
        # nor the estimator.
        (
            {"monitor": ["validation_accuracy", "nothing"]},
            r"^The 'monitor' parameter of NielsenMLPClassifier names unknown keys \['nothing'\]; "
            r"choose among \['training_cost', 'training_accuracy', 'validation_cost', "
            r"'validation_accuracy'\] or 'all'\.$",
        ),
        ({"cost": "hinge"}, "Unknown cost 'hinge'"),
        ({"optimizer": "lbfgs", "dropout": 0.5}, "dropout=0.5 makes the cost random"),
    ],
)
def test_check_params_refuses_what_fit_would_without_fitting(params, message):
    from sknielsen.utils import check_params

    with pytest.raises(ValueError, match=message):
        check_params(NielsenMLPClassifier().set_params(**params))
    good = NielsenMLPClassifier(optimizer="momentum", monitor="all")
    check_params(good)
    assert not hasattr(good, "optimizer_")  # the estimator itself is untouched


def test_check_params_with_the_widths_asks_the_optimizer_about_the_networks_size():
    from sknielsen.utils import check_params

    newton = NielsenMLPClassifier(hidden_layer_sizes=(100,), optimizer="newton")
    check_params(newton)  # the size is unknown without the widths
    with pytest.raises(ValueError, match="Newton's method needs the 7,510"):
        check_params(newton, n_features=64, n_outputs=10)
    check_params(newton.set_params(hidden_layer_sizes=(10,)), n_features=64, n_outputs=10)


@pytest.mark.parametrize(
    "classes, later",
    [
        ([0, 2, 5], [0, 3, 5, 9]),  # between known labels and past the last
        (["cat", "dog"], ["ant", "dog"]),  # before the first
    ],
)
def test_labels_unseen_in_the_first_fit_are_named(classes, later):
    X = np.random.default_rng(0).random((4, 3))
    model = NielsenMLPClassifier(hidden_layer_sizes=(2,), epochs=1, random_state=0)
    model.partial_fit(X[: len(classes)], classes, classes=classes)
    unseen = sorted(set(later) - set(classes))
    with pytest.raises(ValueError, match=re.escape(f"not among the model's classes: {unseen}")):
        model.partial_fit(X[: len(later)], later)
    model.partial_fit(X[:2], classes[::-1][:2])  # known labels still train


def test_outputs_that_overflow_are_said_in_words_not_by_numpy():
    # Weighted sums beyond float64 gave NumPy's "overflow encountered in matmul", pointing
    # into sknielsen/engine: a classifier's saturated outputs are right, and say nothing; a
    # regressor's identity outputs are infinite, and a warning of the library's own names
    # those rows.
    X = np.random.default_rng(0).uniform(2, 10, size=(40, 3))  # every input above 1.8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fits' own warnings (saturated inputs)
        net = NielsenMLPClassifier((3,), epochs=2, random_state=0).fit(X, np.arange(40) % 2)
        regressor = NielsenMLPRegressor((3,), epochs=2, random_state=0).fit(X, X[:, 0] / 10)
    net.coefs_[0][:] = 1e308  # every first-layer sum +inf: saturated, and right
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(net.predict_proba(X[:5])).all()
    regressor.coefs_[0][:] = 1e308  # the hidden units saturate at 1: three of 1e308 add to inf
    regressor.coefs_[1][:] = 1e308
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert np.isinf(regressor.predict(X[:5])).all()
    assert [type(w.message) for w in caught] == [UserWarning], [str(w.message) for w in caught]
    message = str(caught[0].message)
    assert message.startswith("The network's outputs are not finite for 5 of the 5 rows")
    assert caught[0].filename == __file__


def test_hidden_layer_sizes_may_be_a_numpy_array_as_scikit_learn_s_mlp_takes(tmp_path):
    # Refused as "must be an instance of 'tuple', an instance of 'list' or an int": a grid
    # of sizes made with NumPy, which MLPClassifier takes, failed every candidate.
    from sklearn.base import clone

    from sknielsen import load, save

    X, y = load_digits(return_X_y=True)
    X = X[:300] / 16
    sizes = np.array([8, 6])
    net = NielsenMLPClassifier(hidden_layer_sizes=sizes, epochs=1, random_state=0).fit(X, y[:300])
    assert [w.shape for w in net.coefs_] == [(64, 8), (8, 6), (6, 10)]
    np.testing.assert_array_equal(clone(net).get_params()["hidden_layer_sizes"], sizes)
    save(net, tmp_path / "m.json")
    assert load(tmp_path / "m.json").hidden_layer_sizes == (8, 6)
    grid = {"hidden_layer_sizes": [np.array([4]), np.array([6, 5])]}
    search = GridSearchCV(NielsenMLPClassifier(epochs=1, random_state=0), grid, cv=2)
    assert search.fit(X, y[:300]).best_params_["hidden_layer_sizes"].ndim == 1
    for bad in (np.array([8.0]), np.array([[8]]), np.array([0])):
        with pytest.raises(ValueError, match="hidden_layer_sizes must hold positive integers"):
            NielsenMLPClassifier(hidden_layer_sizes=bad, epochs=1).fit(X, y[:300])


def test_hidden_layer_sizes_of_a_0d_array_is_refused_naming_the_parameter():
    # The constraints take any ndarray: np.array(8) failed as "iteration over a 0-d array".
    X, y = load_digits(return_X_y=True)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes must hold .* got array\(8\)"):
        NielsenMLPClassifier(hidden_layer_sizes=np.array(8), epochs=1).fit(X[:50] / 16, y[:50])


def _probabilities_as_before(output, shifted):
    """predict_proba's probabilities of sigmoid (or, ``shifted``, tanh) outputs, made anew."""
    if shifted:
        output = output - np.minimum(output.min(axis=1, keepdims=True), 0.0)
    totals = output.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, output / totals, 1.0 / output.shape[1])


@pytest.mark.parametrize("method", ["predict_proba", "predict_log_proba"])
@pytest.mark.parametrize(
    "activation, cost",
    [("sigmoid", "cross_entropy"), ("tanh", "quadratic"), ("softmax", "log_likelihood")],
)
def test_probabilities_are_made_in_place_of_the_outputs(method, activation, cost):
    # Sigmoid and tanh outputs were shifted, divided and chosen into new arrays, and their
    # logarithms into another: predict_proba held three times the outputs, and
    # predict_log_proba of softmax outputs twice (23.8 and 15.3 MiB for 100,000 rows of
    # 10 classes, whose outputs take 7.6).
    import tracemalloc

    import sklearn

    rng = np.random.default_rng(0)
    X, y = rng.uniform(size=(20_000, 10)), np.arange(20_000) % 50
    params = {"output_activation": activation, "cost": cost, "epochs": 1, "random_state": 0}
    model = NielsenMLPClassifier((10,), **params).fit(X[:200], y[:200])
    # In the chunks the methods take below: a BLAS may round a row's products otherwise
    # in a larger matrix (OpenBLAS of NumPy 1.23, in 393 of a million outputs).
    with sklearn.config_context(working_memory=1):
        output = model._forward(X)
    expected = output
    if activation != "softmax":
        expected = _probabilities_as_before(output, shifted=activation == "tanh")
    if method == "predict_log_proba":
        with np.errstate(divide="ignore"):
            expected = np.log(expected)
    tracemalloc.start()
    try:
        with sklearn.config_context(working_memory=1):
            got = getattr(model, method)(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * output.nbytes, f"peak {peak / 2**20:.1f} MiB"
    np.testing.assert_array_equal(got, expected)


def test_verbose_on_a_terminal_draws_a_progress_bar_within_each_epoch(small_digits, monkeypatch):
    # At a terminal the table's rows are preceded, within each epoch, by a bar it erases.
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    import sys

    X, _, y, _ = small_digits
    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    NielsenMLPClassifier(epochs=2, random_state=0, verbose=1).fit(X, y)
    text = screen.getvalue()
    assert "\repoch 1/2 [" in text and "\repoch 2/2 [" in text


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "csr"])
def test_float32_rows_are_predicted_by_a_float64_model_a_chunk_at_a_time(sparse):
    # validate_data converted the whole of X to the model's float64 before the first
    # layer: a copy twice X's size (120 MiB for 20,000 rows of 784 float32 pixels, say).
    import tracemalloc

    import scipy.sparse as sp
    import sklearn

    rng = np.random.default_rng(0)
    X = rng.uniform(size=(20_000, 400)).astype(np.float32)
    X[X < 0.3] = 0  # sparse enough to stay CSR as given
    model = NielsenMLPClassifier((10,), epochs=1, random_state=0).fit(X[:200], np.arange(200) % 3)
    X = sp.csr_matrix(X) if sparse else X
    converted = X.astype(np.float64)
    with sklearn.config_context(working_memory=1):
        expected = model.predict_proba(converted)
        tracemalloc.start()
        try:
            got = model.predict_proba(X)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    held = converted.data.nbytes if sparse else converted.nbytes
    assert peak < held / 4, f"peak {peak / 2**20:.1f} MiB, X as float64 {held / 2**20:.1f} MiB"
    # Each chunk converts exactly, but the chunks are smaller (they count the converted
    # rows), and a BLAS may round a row's products otherwise in a smaller matrix.
    np.testing.assert_allclose(got, expected, rtol=1e-13)


@pytest.mark.parametrize(
    ("estimator", "params", "unread"),
    [
        (NielsenMLPClassifier, {"regularizer": "none", "lmbda": 5.0}, "lmbda"),
        (NielsenMLPRegressor, {"regularizer": "none", "lmbda": 0.1}, "lmbda"),
        (NielsenMLPClassifier, {"optimizer": "lbfgs", "eta": 0.1}, "eta"),
        (NielsenMLPClassifier, {"optimizer": "lbfgs", "mini_batch_size": 20}, "mini_batch_size"),
        (NielsenMLPRegressor, {"optimizer": "newton", "mini_batch_size": 5}, "mini_batch_size"),
        (NielsenMLPClassifier, {"optimizer": "lbfgs", "shuffle": False}, "shuffle"),
    ],
)
def test_a_parameter_the_run_never_reads_is_warned_of(estimator, params, unread):
    # Accepted (a grid crosses these parameters), but never read: the user who set
    # one on purpose is told it changes nothing, as the command line refuses its flag.
    X, y = load_digits(return_X_y=True)
    X, y = X[:120] / 16, (y[:120] if estimator is NielsenMLPClassifier else y[:120] / 9)
    net = estimator((4,), epochs=2, random_state=0, **params)
    value = net.get_params()[unread]
    expected = rf"^{estimator.__name__}\({unread}={re.escape(repr(value))}\): .* so {unread} "
    with pytest.warns(UserWarning, match=expected + "changes nothing") as caught:
        net.fit(X, y)
    assert len([w for w in caught if "changes nothing" in str(w.message)]) == 1
    assert caught[0].filename == __file__  # the user's line, not the library's


@pytest.mark.parametrize(
    "params",
    [
        {"regularizer": "none"},
        {"regularizer": "l1", "lmbda": 1.0},
        {"optimizer": "lbfgs"},
        {"optimizer": "newton", "eta": 0.1},  # Newton's step is eta times its own
        {"optimizer": "sgd", "eta": 0.1, "mini_batch_size": 20, "lmbda": 1.0, "shuffle": False},
    ],
)
def test_parameters_the_run_reads_are_not_warned_of(params):
    X, y = load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*changes nothing", category=UserWarning)
        NielsenMLPClassifier((4,), epochs=2, random_state=0, **params).fit(X[:120] / 16, y[:120])


def test_check_params_warns_of_a_parameter_never_read_as_fit_does():
    from sknielsen.utils import check_params

    net = NielsenMLPClassifier(regularizer="none", lmbda=2.0)
    with pytest.warns(UserWarning, match=r"^NielsenMLPClassifier\(lmbda=2.0\): .* changes nothing"):
        check_params(net)
    with warnings.catch_warnings():  # a model only loaded or saved: nothing to train
        warnings.simplefilter("error")
        check_params(net, training=False)


def test_a_subclass_whose_constructor_leaves_parameters_out_is_refused_by_name(small_digits):
    # scikit-learn's get_params reads the constructor's signature: cost, set only by
    # super().__init__, was no parameter, and fit failed with "KeyError: 'cost'".
    class FewerParameters(NielsenMLPClassifier):
        def __init__(self, hidden_layer_sizes=(10,), epochs=2):
            super().__init__(hidden_layer_sizes, epochs=epochs)

    X, _, y, _ = small_digits
    message = (
        r"^FewerParameters.__init__ does not take the parameters cost, activation, "
        r"output_activation, initializer, regularizer, lmbda and \d+ more, which training reads"
    )
    with pytest.raises(TypeError, match=message):
        FewerParameters().fit(X, y)
