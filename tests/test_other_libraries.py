"""Data as other libraries hand it to the estimators: polars, pyarrow, dask, the array API.

scikit-learn's validation reads them as NumPy arrays; what sknielsen reads
before it (names of columns, kinds of columns, validation targets as given)
must read them too, as it reads their pandas and NumPy equivalents. Each
test needs its library, and is skipped without it (the CI has none of them).
"""

import numpy as np
import pytest

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.random((20, 3))
    labels = np.array(["a", "b"] * 10)
    return X, labels


def _classifier(**params):
    return NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0, **params)


def _regressor(**params):
    return NielsenMLPRegressor(hidden_layer_sizes=(4,), epochs=2, random_state=0, **params)


@pytest.mark.parametrize("kind", ["str", "int", "categorical"])
def test_polars_validation_labels_are_read_as_the_training_labels(data, kind):
    # A polars Series as y_val failed inside the label lookup: polars refuses NumPy's
    # comparison ufunc ("could not find apply_ufunc_String", or "No loop matching").
    pl = pytest.importorskip("polars")
    X, labels = data
    labels = labels if kind != "int" else (labels == "b").astype(np.int64)
    y_val = labels[::-1]
    dtype = pl.Categorical if kind == "categorical" else None
    net = _classifier().fit(
        X, pl.Series(labels, dtype=dtype), X_val=X, y_val=pl.Series(y_val, dtype=dtype)
    )
    expected = _classifier().fit(X, labels, X_val=X, y_val=y_val)
    assert net.history_["validation_accuracy"] == expected.history_["validation_accuracy"]


def test_dask_validation_labels_are_read_as_the_training_labels(data):
    # A dask array as y_val failed as "'numpy.ndarray' object has no attribute '_meta'".
    da = pytest.importorskip("dask.array")
    X, labels = data
    y_val = labels[::-1]
    net = _classifier().fit(X, labels, X_val=X, y_val=da.from_array(y_val, chunks=5))
    expected = _classifier().fit(X, labels, X_val=X, y_val=y_val)
    assert net.history_["validation_accuracy"] == expected.history_["validation_accuracy"]
