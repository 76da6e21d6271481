"""Bad input, determinism, parallel fits and property tests."""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joblib import Parallel, delayed, parallel_config
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from threadpoolctl import threadpool_limits

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor, plugins
from sknielsen.engine import _cengine
from sknielsen.utils import SparseInputError

needs_c = pytest.mark.skipif(not _cengine.available(), reason="the C engine is not built here")
ENGINES = ["numpy", pytest.param("c", marks=needs_c)]


@pytest.fixture(scope="module")
def data(small_digits):
    X, X_test, y, y_test = small_digits
    return X[:120], X_test, y[:120], y_test


@pytest.mark.parametrize(
    "X_change, y_change, error, match",
    [
        (
            lambda X: np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X),
            None,
            ValueError,
            "NaN",
        ),
        (
            lambda X: np.where(np.arange(X.size).reshape(X.shape) == 5, np.inf, X),
            None,
            ValueError,
            "infinity",
        ),
        (lambda X: X[:0], lambda y: y[:0], ValueError, "0 sample"),
        (lambda X: X[:, :, None], None, ValueError, "3"),
        (lambda X: X.astype(object).astype(str).astype(object) + "px", None, ValueError, "float"),
        (None, lambda y: np.where(np.arange(len(y)) == 3, np.nan, y), ValueError, "NaN"),
        (None, lambda y: y + 0.5, ValueError, "Unknown label type"),
        (None, lambda y: y[:-1], ValueError, "inconsistent numbers of samples"),
    ],
)
def test_bad_inputs_name_the_problem(data, X_change, y_change, error, match):
    X, _, y, _ = data
    X = X_change(X) if X_change else X
    y = y_change(y) if y_change else y
    with pytest.raises(error, match=match):
        NielsenMLPClassifier(epochs=1).fit(X, y)


@pytest.mark.parametrize("estimator", [NielsenMLPClassifier, NielsenMLPRegressor])
@pytest.mark.parametrize("optimizer, name", [("lbfgs", "LBFGS"), ("newton", "Newton")])
def test_sparse_input_is_refused_clearly_by_full_batch_optimizers(data, estimator, optimizer, name):
    sparse = pytest.importorskip("scipy.sparse")
    X, _, y, _ = data
    model = estimator((4,), epochs=1, optimizer=optimizer)  # Newton's Hessian: a small net
    assert not model.__sklearn_tags__().input_tags.sparse
    expected = (
        rf"^The full-batch optimizer {name} trains on dense X only; got a sparse X of shape "
        r"\(120, 64\)\. Densify it first \(X\.toarray\(\)\), or choose a mini-batch optimizer"
    )
    classes = {"classes": np.unique(y)} if estimator is NielsenMLPClassifier else {}
    for fit, arguments in ((model.fit, {}), (model.partial_fit, classes)):
        with pytest.raises(SparseInputError, match=expected) as refusal:
            fit(sparse.csr_matrix(X), y, **arguments)
        # A TypeError, as scikit-learn's check_array(accept_sparse=False) and its estimator
        # checks want; a ValueError, as code written for the earlier refusal catches.
        assert isinstance(refusal.value, TypeError) and isinstance(refusal.value, ValueError)
        assert not hasattr(model, "coefs_")
    assert estimator().__sklearn_tags__().input_tags.sparse
    # What they train predicts sparse rows, and monitors a sparse validation set, as dense ones.
    model.fit(X, y, X_val=sparse.csr_matrix(X[:20]), y_val=y[:20])
    np.testing.assert_allclose(model.predict(sparse.csr_matrix(X)), model.predict(X), rtol=1e-12)


def test_wrong_number_of_features_at_predict(data):
    X, X_test, y, _ = data
    net = NielsenMLPClassifier(epochs=1, random_state=0).fit(X, y)
    with pytest.raises(
        ValueError, match="has 10 features, but NielsenMLPClassifier is expecting 64"
    ):
        net.predict(X_test[:, :10])


def _ten_columns(X):
    return X.iloc[:, :10] if hasattr(X, "iloc") else X[:, :10]


@pytest.mark.parametrize(
    "refused",
    [
        lambda net, X, y: net.fit(_ten_columns(X), np.zeros(len(y))),  # one class
        lambda net, X, y: net.fit(_ten_columns(X), y, sample_weight=-np.ones(len(y))),
        lambda net, X, y: net.partial_fit(_ten_columns(X), y),  # no classes
    ],
)
# partial_fit of an array on a model fitted on a DataFrame: scikit-learn's validate_data
# rightly warns of the missing names before it refuses the 10 columns.
@pytest.mark.filterwarnings("ignore:X does not have valid feature names:UserWarning")
def test_a_refused_fit_leaves_the_input_attributes_as_they_were(data, refused):
    # scikit-learn's validation sets n_features_in_ and feature_names_in_ first: a refused
    # refit left a model expecting 10 features with weights for 64, and an unfitted one
    # that check_is_fitted took for fitted (AttributeError: no coefs_ at predict).
    pd = pytest.importorskip("pandas")
    from sklearn.exceptions import NotFittedError

    X, X_test, y, _ = data
    frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(X.shape[1])])
    fresh = NielsenMLPClassifier(epochs=1)
    with pytest.raises(ValueError):
        refused(fresh, frame, y)
    assert not hasattr(fresh, "n_features_in_") and not hasattr(fresh, "feature_names_in_")
    with pytest.raises(NotFittedError):
        fresh.predict(X_test)
    net = NielsenMLPClassifier(epochs=1, random_state=0).fit(frame, y)
    expected = net.predict(frame)
    with pytest.raises(ValueError):
        refused(net, X, y)
    assert net.n_features_in_ == X.shape[1] and list(net.feature_names_in_) == list(frame)
    np.testing.assert_array_equal(net.predict(frame), expected)


def test_x_vals_feature_names_are_checked_against_xs_naming_x_val(data):
    pd = pytest.importorskip("pandas")
    X, X_test, y, y_test = data
    names = [f"p{i}" for i in range(64)]
    frame, frame_val = pd.DataFrame(X, columns=names), pd.DataFrame(X_test, columns=names)
    net = NielsenMLPClassifier(epochs=1, random_state=0)

    def warnings_of(X_train, X_val):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            net.fit(X_train, y, X_val=X_val, y_val=y_test)
        return [str(w.message) for w in record if "feature names" in str(w.message)]

    assert warnings_of(frame, frame_val) == []
    assert warnings_of(X, X_test) == []
    (message,) = warnings_of(frame, X_test)  # scikit-learn's said "X does not have ..."
    assert message.startswith(
        "X_val does not have valid feature names, but the model was fitted with feature names"
    )
    (message,) = warnings_of(X, frame_val)
    assert message.startswith("X_val has feature names, but the model was fitted without")
    # Continued fits compare with the model's names, not this call's X's.
    net = NielsenMLPClassifier(epochs=1, random_state=0).fit(X, y)
    # One record for both: before pytest 8, an inner pytest.warns kept every warning
    # from the outer one.
    with pytest.warns(UserWarning) as record:
        net.partial_fit(frame, y, X_val=frame_val, y_val=y_test)
    said = [str(w.message) for w in record]
    assert any(m.startswith("X has feature names, but NielsenMLPClassifier was") for m in said)
    assert any("X_val has feature names, but the model was fitted" in m for m in said)
    net = NielsenMLPClassifier(epochs=1, random_state=0).fit(frame, y)
    for columns, detail in [
        (names[::-1], "the same names in another order"),
        (
            [f"q{i}" for i in range(64)],
            "names it was not fitted with: ['q0', 'q1', 'q2', 'q3', 'q4'] ...;",
        ),
    ]:
        renamed = pd.DataFrame(X_test, columns=columns)
        with pytest.raises(
            ValueError,
            match=re.escape(
                f"X_val's feature names differ from those the model was fitted with ({detail}"
            ),
        ):
            net.fit(frame, y, X_val=renamed, y_val=y_test)


def test_lists_dataframes_and_fewer_samples_than_a_mini_batch(data):
    pd = pytest.importorskip("pandas")
    X, _X_test, y, _ = data
    NielsenMLPClassifier(epochs=1, random_state=0).fit(X.tolist(), y.tolist())
    frame = pd.DataFrame(X, columns=[f"p{i}" for i in range(64)])
    net = NielsenMLPClassifier(epochs=1, random_state=0).fit(frame, pd.Series(y))
    assert net.feature_names_in_[0] == "p0"
    net = NielsenMLPClassifier(epochs=3, mini_batch_size=500, random_state=0).fit(X[:7], y[:7])
    assert net.n_iter_ == 3


def _frame_with(column, values):
    """A DataFrame of four numeric columns and one more, ``column``, of ``values``."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.random((12, 4)), columns=["a", "b", "c", "d"])
    frame[column] = values
    return frame


def _strings_have_their_dtype():
    """Whether pandas keeps strings in its ``str`` dtype (pandas 3), not as objects."""
    try:
        import pandas as pd
    except ImportError:
        return False
    return pd.Series(["a"], dtype="str").dtype.name == "str"


@pytest.mark.parametrize(
    "kind, values",
    [
        ("category", [1, 2, 3] * 4),  # read as the numbers 1 to 3, as if they were amounts
        ("category", ["red", "green", "blue"] * 4),
        pytest.param(
            "str",
            ["red", "green", "blue"] * 4,
            marks=pytest.mark.skipif(
                not _strings_have_their_dtype(), reason="pandas < 3 keeps strings as objects"
            ),
        ),
        ("string", ["red", "green", "blue"] * 4),
    ],
)
@pytest.mark.parametrize("place", ["fit", "partial_fit", "X_val", "predict", "score"])
@pytest.mark.filterwarnings("ignore:The training cost did not decrease")
def test_columns_of_categories_or_strings_are_refused_naming_them(kind, values, place):
    pd = pytest.importorskip("pandas")
    frame = _frame_with("colour", pd.Series(values, dtype=kind))
    numbers = _frame_with("colour", np.arange(12.0) % 3)
    y = np.arange(12) % 2
    net = NielsenMLPClassifier(epochs=1, random_state=0)
    calls = {
        "fit": lambda: net.fit(frame, y),
        "partial_fit": lambda: net.partial_fit(frame, y, classes=[0, 1]),
        "X_val": lambda: net.fit(numbers, y, X_val=frame, y_val=y),
        "predict": lambda: net.fit(numbers, y).predict(frame),
        "score": lambda: net.fit(numbers, y).score(frame, y),
    }
    name = "X_val" if place == "X_val" else "X"
    message = rf"{name} has a column of .*'colour' \({kind}\).*OneHotEncoder"
    with pytest.raises(ValueError, match=message):
        calls[place]()


def test_several_such_columns_are_counted_and_columns_of_amounts_train():
    pd = pytest.importorskip("pandas")
    frame = _frame_with("colour", pd.Categorical(["red", "blue"] * 6))
    frame["size"] = pd.Series(["S", "M", "L"] * 4, dtype="string")
    y = np.arange(12) % 2
    with pytest.raises(ValueError, match=r"X has 2 columns of .*'colour' \(category\), 'size'"):
        NielsenMLPClassifier(epochs=1).fit(frame, y)
    # Nullable numbers and numbers kept as objects are amounts: trained as the floats.
    amounts = _frame_with("count", pd.array([1, 2, 3] * 4, dtype="Int64"))
    amounts["share"] = pd.array([0.5, 0.25, 0.0] * 4, dtype="Float64")
    amounts["flag"] = np.array([0, 1, 1] * 4, dtype=object)
    as_floats = amounts.astype(float)
    options = {"epochs": 2, "random_state": 0}
    net = NielsenMLPClassifier(**options).fit(amounts, y)
    expected = NielsenMLPClassifier(**options).fit(as_floats, y).predict_proba(as_floats)
    np.testing.assert_array_equal(net.predict_proba(amounts), expected)


def _read_only(X):
    X = X.copy()
    X.setflags(write=False)
    return X


def _memory_mapped(X, folder):
    np.save(folder / "X.npy", X)
    return np.load(folder / "X.npy", mmap_mode="r")


#: The arrays other libraries hand over (joblib's workers, np.load, pandas, SciPy),
#: each holding the same numbers as the C-contiguous float64 array it is made from.
HANDED_OVER = {
    "read-only": lambda X, folder: _read_only(X),
    "read-only memmap": _memory_mapped,
    "fortran memmap": lambda X, folder: _memory_mapped(np.asfortranarray(X), folder),
    "reversed rows": lambda X, folder: X[::-1].copy()[::-1],
    "every other column": lambda X, folder: np.repeat(X, 2, axis=1)[:, ::2],
    "big-endian": lambda X, folder: X.astype(">f8"),
    "csr_array of int64 indices": lambda X, folder: sp.csr_array(
        (sp.csr_array(X).data, sp.csr_array(X).indices.astype(np.int64), sp.csr_array(X).indptr),
        shape=X.shape,
    ),
    "DataFrame": lambda X, folder: pytest.importorskip("pandas").DataFrame(X),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("form", sorted(HANDED_OVER))
def test_arrays_as_other_libraries_hand_them_over_train_as_their_copy(
    form, dtype, engine, tmp_path
):
    rng = np.random.default_rng(0)
    X = np.round(rng.random((30, 6)), 2)
    X[X < 0.3] = 0.0
    y = np.arange(30) % 3
    handed = HANDED_OVER[form](X, tmp_path)
    options = {"epochs": 2, "random_state": 0, "engine": engine, "dtype": dtype, "monitor": "all"}
    expected = NielsenMLPClassifier(**options).fit(X, y, X_val=X, y_val=y)
    model = NielsenMLPClassifier(**options).fit(handed, y, X_val=handed, y_val=y)
    np.testing.assert_array_equal(model.coefs_[0], expected.coefs_[0])
    assert model.history_ == expected.history_
    # Sparse rows go through the first layer as sparse @ dense: another order of sums.
    np.testing.assert_allclose(model.predict_proba(handed), expected.predict_proba(X), rtol=1e-6)
    partial = NielsenMLPClassifier(**options).partial_fit(handed, y, classes=[0, 1, 2])
    expected = NielsenMLPClassifier(**options).partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(partial.coefs_[0], expected.coefs_[0])


def test_raw_integer_pixels_work_with_a_warning(data):
    X, X_test, y, _ = data
    pixels = np.round(X * 255).astype(np.uint8)
    with pytest.warns(UserWarning) as record:  # one record for both, as above
        net = NielsenMLPClassifier(epochs=2, random_state=0).fit(pixels, y)
    said = [(w.category, str(w.message)) for w in record]
    # The saturation, and its effect.
    assert any(re.search("inputs saturate the first layer.*Scale the inputs", m) for _, m in said)
    assert any(c is ConvergenceWarning and "did not decrease" in m for c, m in said)
    assert net.predict(np.round(X_test * 255)).shape == (len(X_test),)  # rows scaled alike
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        # 0/1 is fine. Seeded: at one seed in about 40 (17, say) the cost of this single
        # epoch happens to rise, and that ConvergenceWarning is a UserWarning too.
        NielsenMLPClassifier(epochs=1, random_state=0).fit((pixels > 100).astype(int), y)


def test_same_seed_same_grid_search_with_any_n_jobs(data):
    X, _, y, _ = data
    grid = {"optimizer": ["momentum"], "optimizer__mu": [0.5, 0.9], "dropout": [0.0, 0.2]}
    scores = []
    for n_jobs in (1, 2):
        search = GridSearchCV(
            NielsenMLPClassifier(epochs=3, random_state=0), grid, cv=2, n_jobs=n_jobs
        )
        search.fit(X, y)
        scores.append(search.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(scores[0], scores[1])


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_parallel_fits_equal_sequential_fits(data, backend):
    X, X_test, y, _ = data

    def fit(seed):
        net = NielsenMLPClassifier(epochs=2, random_state=seed, dropout=0.1).fit(X, y)
        return net.predict_proba(X_test)

    # One BLAS thread in every fit: loky's workers get their share of the cores, and
    # NumPy 1.23's OpenBLAS rounds a product differently with another count of threads.
    inner = {"inner_max_num_threads": 1} if backend == "loky" else {}
    with threadpool_limits(limits=1, user_api="blas"), parallel_config(backend, **inner):
        sequential = [fit(seed) for seed in range(20)]
        parallel = Parallel(n_jobs=2)(delayed(fit)(seed) for seed in range(20))
    for a, b in zip(sequential, parallel):
        np.testing.assert_array_equal(a, b)


COST_OUTPUTS = [
    (cost, output)
    for cost in ("quadratic", "cross_entropy", "log_likelihood")
    for output in plugins.get_class("cost", cost).output_activations
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    cost_output=st.sampled_from(COST_OUTPUTS),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
    regularizer=st.sampled_from(["none", "l2", "l1"]),
    optimizer=st.sampled_from(["sgd", "momentum", "nesterov", "adam", "lbfgs", "newton"]),
    initializer=st.sampled_from(["default", "large"]),
    dropout=st.sampled_from([0.0, 0.3]),
    dtype=st.sampled_from(["float64", "float32"]),
    n_samples=st.integers(2, 25),
    n_features=st.integers(1, 6),
    n_classes=st.integers(2, 4),
    mini_batch_size=st.integers(1, 12),
    seed=st.integers(0, 2**16),
)
def test_random_configurations_train_without_nan(
    hidden,
    cost_output,
    activation,
    regularizer,
    optimizer,
    initializer,
    dropout,
    dtype,
    n_samples,
    n_features,
    n_classes,
    mini_batch_size,
    seed,
):
    rng = np.random.default_rng(seed)
    n_classes = min(n_classes, n_samples)
    X = rng.uniform(size=(n_samples, n_features))
    y = np.arange(n_samples) % n_classes  # every class present
    cost, output = cost_output
    net = NielsenMLPClassifier(
        hidden_layer_sizes=tuple(hidden),
        cost=cost,
        output_activation=output,
        activation=activation,
        regularizer=regularizer,
        lmbda=0.1,
        optimizer=optimizer,
        initializer=initializer,
        dtype=dtype,
        epochs=1,
        dropout=0.0 if optimizer in ("lbfgs", "newton") else dropout,
        mini_batch_size=mini_batch_size,
        random_state=seed,
        eta=0.5,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a cost may rise in one epoch on random data
        net.fit(X, y)
    proba = net.predict_proba(X)
    assert proba.shape == (n_samples, n_classes)
    assert np.all(np.isfinite(proba)) and proba.min() >= 0 and proba.max() <= 1 + 1e-6
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert set(net.predict(X)) <= set(range(n_classes))


def test_an_epoch_whose_last_steps_overflow_the_outputs_is_rolled_back():
    # Found by the property test above: identity layers from large weights
    # end the epoch with finite weights whose outputs overflow, while the
    # epoch's loss, summed over its earlier steps, stays finite. The model
    # must not keep them: predict_proba would be NaN.
    X = np.random.default_rng(2).uniform(size=(5, 2))
    y = np.arange(5) % 2
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(2, 4, 4),
        cost="quadratic",
        output_activation="identity",
        activation="identity",
        regularizer="none",
        optimizer="sgd",
        initializer="large",
        epochs=1,
        mini_batch_size=2,
        random_state=2,
        eta=0.5,
    )
    with pytest.warns(ConvergenceWarning, match="diverged in epoch 1.*weights it started from"):
        net.fit(X, y)
    assert net.n_iter_ == 0
    assert np.isfinite(net.predict_proba(X)).all()


@pytest.mark.parametrize("mu", [-0.5, 1.5])
def test_momentum_outside_the_unit_interval_is_refused_at_fit(data, mu):
    X, _, y, _ = data
    net = NielsenMLPClassifier(optimizer="nesterov").set_params(optimizer__mu=mu)
    with pytest.raises(ValueError, match=r"'optimizer__mu'.*\[0.0, 1.0\]"):
        net.fit(X, y)


MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


@pytest.mark.parametrize("initializer", ["default", "large"])
def test_saturation_warning_on_real_data(initializer):
    """Warn on raw digits and raw MNIST pixels, whatever their dtype; never on scaled data."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    # Sparse rows too: their first layer's inputs are computed without densifying them.
    raw, scaled = [X, X.tolist(), sp.csr_matrix(X)], [X / 16.0, sp.csr_matrix(X / 16.0)]
    cases = {"raw": raw, "scaled": [*scaled, (X - X.mean(0)) / (X.std(0) + 1)]}
    if MNIST_DIR.is_dir():
        from sknielsen.datasets import load_mnist

        mnist = load_mnist(MNIST_DIR)
        pixels, labels = mnist.X_train[:2000], mnist.y_train[:2000]
        cases["raw"].append((pixels * 255).astype(np.float32))
        cases["scaled"].append(pixels)
    for kind, datasets in cases.items():
        for data in datasets:
            labels_of = y if np.shape(data)[0] == len(y) else labels
            net = NielsenMLPClassifier(epochs=1, initializer=initializer, random_state=0)
            with warnings.catch_warnings(record=True) as record:
                warnings.simplefilter("always")
                net.fit(data, labels_of)
            saturation = [w for w in record if "saturate the first layer" in str(w.message)]
            assert len(saturation) == (1 if kind == "raw" else 0), (kind, initializer)


def test_a_validation_split_that_leaves_no_weight_to_train_on_is_refused_naming_it(data):
    # Only the held-out rows weighed anything: the fit crashed in NumPy ("zero-size array
    # to reduction operation maximum") after the split, on both engines.
    # Where the one sample of positive weight trains, the held-out set has no weight to
    # score: refused too, naming validation_fraction.
    X, _, y, _ = data
    weights = np.zeros(20)
    weights[0] = 1.0
    messages = set()
    for seed in range(6):
        net = NielsenMLPClassifier(epochs=1, early_stopping=True, validation_fraction=0.5)
        with pytest.raises(ValueError, match=r"\(validation_fraction=0\.5\)") as refused:
            net.set_params(random_state=seed).fit(X[:20], y[:20], sample_weight=weights)
        messages.add(str(refused.value))
    assert any("leaves the training samples a weight of 0" in m for m in messages)
    assert any("has 0 samples of positive weight" in m for m in messages)


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
def test_a_validation_split_that_leaves_no_sample_to_train_on_names_validation_fraction(
    data, estimator
):
    # scikit-learn's train_test_split spoke of test_size and train_size, never set here.
    from sknielsen import NielsenMLPRegressor

    X, _, y, _ = data
    net = (NielsenMLPClassifier if estimator == "classifier" else NielsenMLPRegressor)(
        epochs=1, early_stopping=True, validation_fraction=0.9
    )
    with pytest.raises(ValueError, match=r"validation_fraction=0\.9.*n_samples=3.*none"):
        net.fit(X[:3], y[:3])


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
def test_validation_fraction_0_is_allowed_with_x_val_and_refused_when_a_split_is_needed(
    data, estimator
):
    # scikit-learn's MLP allows validation_fraction=0; a user giving X_val and y_val has no
    # use for a held-out share. Where a split is needed, 0 holds out nothing to score.
    from sknielsen import NielsenMLPRegressor

    X, _, y, _ = data
    make = NielsenMLPClassifier if estimator == "classifier" else NielsenMLPRegressor
    net = make(epochs=1, early_stopping=True, validation_fraction=0.0, random_state=0)
    net.fit(X[:40], y[:40], X_val=X[40:60], y_val=y[40:60])
    assert len(net.history_["validation_accuracy"]) == 1  # the regressor's R²
    needing = [
        ({"early_stopping": True}, "early stopping"),
        ({"schedule": "halve_on_plateau"}, "schedule='halve_on_plateau'"),
        ({"monitor": ("training_cost", "validation_cost")}, "monitor's 'validation_cost'"),
    ]
    for params, who in needing:
        with pytest.raises(
            ValueError,
            match=rf"^validation_fraction=0 holds out no sample, but {who} needs a validation "
            "set: give X_val and y_val",
        ):
            make(epochs=1, validation_fraction=0.0, **params).fit(X[:40], y[:40])
    make(epochs=1, validation_fraction=0.0, random_state=0).fit(X[:40], y[:40])


def test_fit_refuses_a_network_too_large_for_memory_before_allocating_it(data):
    # check_params refused it, fit did not: NumPy's own "Unable to allocate 29.1 TiB" came
    # from inside the network, and a network just small enough to allocate swapped.
    # Its refusal then said how much memory, but not what to change, and ended without a period.
    X, _, y, _ = data
    net = NielsenMLPClassifier(hidden_layer_sizes=(10**12,), epochs=1)
    message = (
        r"^training the network's .* parameters \(layers of 64, 1,000,000,000,000 and 3 "
        r"units\) needs .* GiB: give smaller hidden_layer_sizes, or fewer features\.$"
    )
    with pytest.raises(MemoryError, match=message):
        net.fit(X, y)
    assert not hasattr(net, "coefs_")


def test_a_full_batch_fit_too_large_for_memory_is_refused_before_the_network_is_built():
    # L-BFGS holds every sample's weighted inputs, activations and errors at once: NumPy's
    # "Unable to allocate 512. GiB for an array with shape (2097152, 32768)" came from
    # inside the engine, after the network was built and the cost probe had run.
    X = np.zeros((2**21, 1))
    y = np.arange(len(X)) % 2
    net = NielsenMLPClassifier(hidden_layer_sizes=(2**15,), optimizer="lbfgs", epochs=1)
    message = (
        r"^training the network's 131,074 parameters on all 2,097,152 samples at once \(the "
        r"full-batch optimizer LBFGS\) needs at least 1,536\.1 GiB .* choose a mini-batch "
        r"optimizer \('sgd' or 'adam', say\), or train on fewer samples\.$"
    )
    with pytest.raises(MemoryError, match=message):
        net.fit(X, y)
    assert not hasattr(net, "coefs_")


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize(
    "change, match",
    [
        (lambda X: X[:0], r"X_val: Found array with 0 sample"),
        (lambda X: X[:, :0], r"X_val: Found array with 0 feature"),
        (lambda X: X[0], r"X_val: Expected 2D array, got 1D array"),
        (lambda X: X[:, :, None], r"X_val: Found array with dim 3"),
        (lambda X: X.astype(complex), r"X_val: Complex data not supported"),
        (lambda X: np.full(X.shape, "ink"), r"X_val: could not convert string to float"),
    ],
)
def test_an_unusable_x_val_is_refused_naming_it(data, method, change, match):
    # scikit-learn's check_array names the array only in its messages of NaN and
    # infinity: an empty, 1-D or 3-D X_val was refused as an anonymous "array".
    X, X_test, y, y_test = data
    net = NielsenMLPClassifier(epochs=1)
    extra = {"classes": np.unique(y)} if method == "partial_fit" else {}
    X_val = change(X_test)
    y_val = y_test[: len(X_val)] if np.ndim(X_val) > 1 else y_test[:1]
    with pytest.raises(ValueError, match=match):
        getattr(net, method)(X, y, X_val=X_val, y_val=y_val, **extra)


def test_a_users_file_named_like_the_package_beside_it_is_the_users():
    # The library's folders were compared as bare prefixes: .../sknielsen_demo.py beside
    # the package passed for sknielsen's own, and its warnings went to a line further up.
    import sknielsen
    from sknielsen._core.warn import warn

    beside = str(Path(sknielsen.__file__).parent) + "_demo.py"
    with pytest.warns(UserWarning, match="from the demo") as record:
        exec(compile("warn('from the demo')", beside, "exec"), {"warn": warn})
    assert record[0].filename == beside


def test_the_library_folders_are_known_by_a_link_to_them_too(tmp_path):
    # Imported through a link, sknielsen's frames name their files by the link's path,
    # which the resolved folder alone missed: warnings pointed inside sknielsen.
    import os

    from sknielsen._core.warn import _folders

    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert set(_folders(tmp_path / "link")) == {
        str(tmp_path / "link") + os.sep,
        str((tmp_path / "real").resolve()) + os.sep,
    }


@pytest.mark.parametrize("form", ["dense", "csr"])
def test_inputs_scikit_learn_was_told_to_trust_are_named_when_not_finite(form):
    # With assume_finite=True, NaN in X reached training and prediction unchecked; the
    # warnings blamed the targets, the cost or overflowing sums, never X.
    from scipy import sparse
    from sklearn import config_context
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    X, y = rng.random((40, 4)), np.arange(40) % 3
    X[[3, 7], 1] = np.nan
    if form == "csr":
        X = sparse.csr_array(X)
    with config_context(assume_finite=True):
        with pytest.warns(
            ConvergenceWarning,
            match=r"X holds NaN or infinity in 2 of its 40 rows.*assume_finite=True",
        ):
            net = NielsenMLPClassifier((3,), epochs=2, random_state=0).fit(X, y)
        with pytest.warns(UserWarning, match=r"2 of them hold NaN or infinity in X"):
            net.predict_proba(X)


def test_float32_inputs_beyond_its_range_are_not_said_to_be_infinite_when_trusted():
    # 1e39 becomes infinity in float32: the warning said X held "NaN or infinity".
    from sklearn import config_context
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    X, y = rng.random((40, 4)), np.arange(40) % 3
    X[[3, 7], 1] = 1e39
    net = NielsenMLPClassifier((3,), epochs=2, random_state=0, dtype="float32")
    with (
        config_context(assume_finite=True),
        pytest.warns(
            ConvergenceWarning,
            match=r"X holds NaN, infinity or numbers beyond float32's range in 2 of its 40",
        ),
    ):
        net.fit(X, y)
    from sknielsen._base import _warn_of_outputs_not_finite

    outputs = np.full((40, 3), 0.5, dtype=np.float32)
    outputs[[3, 7]] = np.nan  # as an overflow of such rows leaves them
    with pytest.warns(UserWarning, match=r"2 of them hold NaN, infinity or numbers beyond"):
        _warn_of_outputs_not_finite(
            outputs, np.where(X > 1e38, np.float32(np.inf), X).astype(np.float32)
        )


@pytest.mark.parametrize("form", ["dense", "csr"])
def test_float32_rows_of_a_float64_model_are_not_said_to_leave_float32_s_range(form):
    # Kept as float32 (converted a chunk at a time), NaN in them was said to be "NaN,
    # infinity or numbers beyond float32's range": no float32 number is beyond it, and the
    # float64 model converted none to float32.
    from scipy import sparse
    from sklearn import config_context

    rng = np.random.default_rng(0)
    X, y = rng.random((40, 4)), np.arange(40) % 3
    net = NielsenMLPClassifier((3,), epochs=2, random_state=0).fit(X, y)
    X = X.astype(np.float32)
    X[[3, 7], 1] = np.nan
    if form == "csr":
        X = sparse.csr_array(X)
    with (
        config_context(assume_finite=True),
        pytest.warns(UserWarning, match=r"2 of them hold NaN or infinity in X"),
    ):
        net.predict_proba(X)


@pytest.mark.parametrize(
    ("estimator", "bad", "named"),
    [
        (NielsenMLPClassifier((3,), epochs=2, random_state=0), "sample_weight", "sample_weight"),
        (NielsenMLPRegressor((3,), epochs=2, random_state=0), "sample_weight", "sample_weight"),
        (NielsenMLPRegressor((3,), epochs=2, random_state=0), "y", "y"),
    ],
    ids=["classifier-weights", "regressor-weights", "regressor-targets"],
)
def test_weights_and_targets_scikit_learn_was_told_to_trust_are_named_when_not_finite(
    estimator, bad, named
):
    # As X's: NaN in them reached training unchecked, and the divergence warning blamed
    # "the targets (|y| up to 1; scale them), the cost, the activations ...".
    from sklearn import config_context

    rng = np.random.default_rng(0)
    data = {"X": rng.random((40, 4)), "y": np.arange(40) % 3, "sample_weight": np.ones(40)}
    data[bad] = data[bad].astype(float)
    data[bad][[3, 7, 11]] = np.nan
    with (
        config_context(assume_finite=True),
        pytest.warns(
            ConvergenceWarning,
            match=rf"{named} holds NaN or infinity in 3 of its 40 rows.*assume_finite=True",
        ),
    ):
        estimator.fit(**data)


@pytest.mark.parametrize("column", ["schema", "column_names"])
def test_a_column_named_as_another_library_s_attribute_does_not_hide_the_others(column):
    # pandas reads df.schema and df.column_names as these columns: read as a pyarrow or
    # polars table's description of its columns, a column named "schema" let a column of
    # strings through to NumPy's "could not convert string to float", naming none.
    pd = pytest.importorskip("pandas")
    frame = _frame_with(column, np.arange(12.0))
    frame["colour"] = pd.Series(["red", "green", "blue"] * 4, dtype="category")
    with pytest.raises(ValueError, match=r"X has a column of .*'colour' \(category\)"):
        NielsenMLPClassifier(epochs=1).fit(frame, np.arange(12) % 2)
