"""Data as other libraries hand it to the estimators: polars, pyarrow, dask, the array API.

scikit-learn's validation reads them as NumPy arrays; what sknielsen reads
before it (names of columns, kinds of columns, validation targets as given)
must read them too, as it reads their pandas and NumPy equivalents. Each
test needs its library, and is skipped without it (the CI has none of them).
"""

import warnings

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


def _polars_columns(pl, X, column):
    values = {
        "String": pl.Series(["u", "v"] * 10),
        "Categorical": pl.Series(["u", "v"] * 10, dtype=pl.Categorical),
        "Enum": pl.Series(["u", "v"] * 10, dtype=pl.Enum(["u", "v"])),
    }[column]
    return pl.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": values})


@pytest.mark.parametrize("column", ["String", "Categorical", "Enum"])
def test_polars_columns_of_strings_or_categories_are_refused_as_pandas_ones(data, column):
    # As pandas' str and category columns: NumPy's "could not convert string to float:
    # 'u'" named no column, and for X_val not X_val either.
    pl = pytest.importorskip("polars")
    X, labels = data
    table = _polars_columns(pl, X, column)
    numbers = table.drop("c").with_columns(c=pl.Series(X[:, 2]))
    refused = f"X has a column of categories or strings, .*: 'c' \\({column}"
    with pytest.raises(ValueError, match=refused):
        _classifier().fit(table, labels)
    with pytest.raises(ValueError, match=refused.replace("X", "X_val")):
        _classifier().fit(numbers, labels, X_val=table, y_val=labels)
    with pytest.raises(ValueError, match=refused):
        _classifier().fit(numbers, labels).predict(table)


@pytest.mark.parametrize("values", [["u", "v"] * 10, "dictionary"])
def test_pyarrow_columns_of_strings_or_dictionaries_are_refused_as_pandas_ones(data, values):
    pa = pytest.importorskip("pyarrow")
    X, labels = data
    column = pa.array(["u", "v"] * 10)
    column = column.dictionary_encode() if values == "dictionary" else column
    table = pa.table({"a": X[:, 0], "c": column})
    with pytest.raises(ValueError, match=r"X has a column of categories or strings, .*: 'c' "):
        _classifier().fit(table, labels)


def test_pandas_columns_of_arrow_strings_are_refused_as_other_strings(data):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    X, labels = data
    table = pd.DataFrame({"a": X[:, 0], "c": pd.array(["u", "v"] * 10, pd.ArrowDtype(pa.string()))})
    with pytest.raises(ValueError, match=r"'c' \(string\[pyarrow\]\)"):
        _classifier().fit(table, labels)


def test_polars_columns_of_numbers_and_booleans_are_read_as_pandas_ones(data):
    pl = pytest.importorskip("polars")
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")  # polars' to_pandas
    X, labels = data
    table = pl.DataFrame(
        {
            "small": pl.Series([1, -2] * 10, dtype=pl.Int8),
            "large": pl.Series([3, 4] * 10, dtype=pl.UInt64),
            "single": pl.Series(X[:, 0], dtype=pl.Float32),
            "flag": pl.Series([True, False] * 10),
        }
    )
    net = _classifier().fit(table, pl.Series(labels))
    expected = _classifier().fit(table.to_pandas(), labels)
    assert net.feature_names_in_.tolist() == ["small", "large", "single", "flag"]
    np.testing.assert_array_equal(
        net.predict_proba(table), expected.predict_proba(table.to_pandas())
    )


def test_pyarrow_tables_of_targets_are_named_by_their_columns(data):
    # Their columns are their data: the names were read as lists of values, so that
    # target_names_in_ was never kept, and a y_val of other values was "y_val's columns
    # are <pyarrow.lib.ChunkedArray object at ...>".
    pa = pytest.importorskip("pyarrow")
    X, _ = data
    Y = pa.table({"p": X[:, 0], "q": X[:, 1]})
    net = _regressor().fit(X, Y, X_val=X, y_val=pa.table({"p": X[:, 1], "q": X[:, 0]}))
    assert net.target_names_in_.tolist() == ["p", "q"]
    with pytest.raises(ValueError, match="y_val's columns are 'q', 'p'"):
        _regressor().fit(X, Y, X_val=X, y_val=Y.select(["q", "p"]))
    with pytest.raises(ValueError, match="y's columns are 'q', 'p'"):
        net.score(X, Y.select(["q", "p"]))


@pytest.mark.parametrize("library", ["polars", "pyarrow"])
def test_dates_and_durations_of_other_libraries_are_refused_as_targets(data, library):
    # As NumPy's and pandas': read as counts of their unit, y_val trained on numbers of
    # about 1e15 (a warning said so, of scales); a table of them was taken as y too.
    module = pytest.importorskip(library)
    X, _ = data
    days = np.datetime64("2020-01-01") + np.arange(20).astype("timedelta64[D]")
    hours = np.arange(20).astype("timedelta64[h]").astype("timedelta64[us]")
    series = module.Series if library == "polars" else module.array
    table = module.DataFrame if library == "polars" else module.table
    numbers = np.arange(20.0)
    for values, held in ((days, "datetimes"), (hours, "timedeltas")):
        with pytest.raises(ValueError, match=f"y_val holds {held}"):
            _regressor().fit(X, numbers, X_val=X, y_val=series(values))
        with pytest.raises(ValueError, match=f"y holds {held}"):
            _regressor().fit(X, table({"when": values, "b": numbers}))


@pytest.mark.parametrize("dispatch", [False, True])
def test_array_api_arrays_are_read_as_numpy_with_or_without_dispatch(data, dispatch, monkeypatch):
    # Under array_api_dispatch=True scikit-learn's validation kept them in their own
    # namespace, with NumPy's dtypes, and every method failed inside it: "'dtype' must
    # be a dtype, not a <class 'type'>" (as scikit-learn's own MLP does).
    xp = pytest.importorskip("array_api_strict")
    sklearn = pytest.importorskip("sklearn")
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")  # what scikit-learn asks before dispatching
    X, labels = data
    codes = (labels == "b").astype(np.int64)
    weights = np.linspace(0.5, 1.5, len(codes))
    expected = _classifier().fit(X, codes, X_val=X, y_val=codes, sample_weight=weights)
    regressor = _regressor().fit(X, X[:, 0])
    arrays = xp.asarray(X), xp.asarray(codes), xp.asarray(weights)
    with sklearn.config_context(array_api_dispatch=dispatch):
        net = _classifier().fit(
            *arrays[:2], X_val=arrays[0], y_val=arrays[1], sample_weight=arrays[2]
        )
        proba = net.predict_proba(arrays[0])
        score = net.score(arrays[0], arrays[1])
        partial = _classifier().partial_fit(*arrays[:2], classes=xp.asarray([0, 1]))
        fitted = _regressor().fit(arrays[0], xp.asarray(X[:, 0]))
        r2 = fitted.score(arrays[0], xp.asarray(X[:, 0]))
    assert type(proba) is np.ndarray
    np.testing.assert_array_equal(proba, expected.predict_proba(X))
    assert score == expected.score(X, codes)
    assert partial.classes_.tolist() == [0, 1]
    np.testing.assert_array_equal(fitted.predict(X), regressor.predict(X))
    assert r2 == regressor.score(X, X[:, 0])


@pytest.mark.parametrize("make", [_classifier, _regressor])
def test_dask_targets_are_computed_once_per_fit(data, make):
    # Read before validation for missing values, their shape and their scale, a dask
    # array of targets ran its graph three or four times; scikit-learn's MLP runs it once.
    da = pytest.importorskip("dask.array")
    callbacks = pytest.importorskip("dask.callbacks")
    X, labels = data
    y = (labels == "b").astype(np.int64) if make is _classifier else X[:, 0]

    class Count(callbacks.Callback):
        runs = 0

        def _start(self, dsk):
            Count.runs += 1

    with Count():
        make().fit(da.from_array(X, chunks=5), da.from_array(y, chunks=5))
        assert Count.runs == 2  # X once, y once
        make().fit(X, y, X_val=X, y_val=da.from_array(y, chunks=5))
        assert Count.runs == 3


@pytest.mark.parametrize("argument", ["X", "X_val", "sample_weight", "predict"])
def test_generators_are_refused_naming_them(data, argument):
    # NumPy reads a generator as one object: "float() argument must be a string or a
    # real number, not 'generator'" named no argument (as in scikit-learn's MLP).
    X, labels = data
    name = "X" if argument == "predict" else argument
    given = {"X": X, "X_val": X, "sample_weight": np.ones(len(X))}
    given[name] = (value for value in given[name])
    refused = rf"^{name} is a generator, which NumPy reads as one value: give it as a list "
    with pytest.raises(TypeError, match=refused):
        if argument == "predict":
            _classifier().fit(X, labels).predict(given["X"])
        else:
            _classifier().fit(
                given["X"],
                labels,
                X_val=given["X_val"],
                y_val=labels,
                sample_weight=given["sample_weight"],
            )


@pytest.mark.parametrize("library", ["array_api_strict", "memoryview"])
def test_search_lmbda_holds_out_rows_of_any_array(data, library):
    # scikit-learn's row selection refused them inside the split: array_api_strict's
    # "Index arrays for array_api_strict must be array_api_strict arrays", memoryview's
    # "invalid slice key". The trials themselves read them.
    from sknielsen.tuning import search_lmbda

    convert = memoryview if library == "memoryview" else pytest.importorskip(library).asarray
    X, labels = data
    codes = (labels == "b").astype(np.int64)
    net = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0)
    found = search_lmbda(net, convert(X), convert(codes), max_steps=1, refine=0)
    assert found.trace == search_lmbda(net, X, codes, max_steps=1, refine=0).trace


def test_simplify_keeps_a_polars_table_and_series_as_a_pandas_one(data):
    # They became ndarrays, and a network trained on them no feature names.
    from sknielsen.tuning import simplify

    pl = pytest.importorskip("polars")
    X, labels = data
    table, series = pl.DataFrame(X, schema=["a", "b", "c"]), pl.Series("label", labels)
    X_small, y_small = simplify(table, series, classes=["a"], n=3)
    assert isinstance(X_small, pl.DataFrame) and X_small.columns == ["a", "b", "c"]
    assert isinstance(y_small, pl.Series) and y_small.name == "label"
    np.testing.assert_array_equal(X_small.to_numpy(), X[labels == "a"][:3])
    assert y_small.to_list() == ["a"] * 3


@pytest.mark.filterwarnings("ignore:The training cost still fell")
def test_the_studies_read_array_api_arrays_as_numpy_under_dispatch(data, monkeypatch):
    # Their own checks failed inside: "'DType' object has no attribute 'kind'"
    # (find_eta_threshold, search_lmbda, training_size_comparison), "object of type
    # 'Array' has no len()" (simplify).
    xp = pytest.importorskip("array_api_strict")
    sklearn = pytest.importorskip("sklearn")
    from sknielsen.comparison import training_size_comparison
    from sknielsen.tuning import find_eta_threshold, search_lmbda, simplify

    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    X, labels = data
    codes = (labels == "b").astype(np.int64)
    net = NielsenMLPClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0)
    studies = {
        "simplify": lambda X, y: simplify(X, y, n=5)[1].tolist(),
        "eta": lambda X, y: find_eta_threshold(net, X, y, epochs=2, max_steps=1, refine=0).trace,
        "lmbda": lambda X, y: search_lmbda(net, X, y, X, y, max_steps=1, refine=0).trace,
        "sizes": lambda X, y: [
            record["accuracy_test"]
            for record in training_size_comparison({"net": net}, X, y, X, y, sizes=[10, 20])
        ],
    }
    for name, study in studies.items():
        with (
            sklearn.config_context(array_api_dispatch=True),
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            found = study(xp.asarray(X), xp.asarray(codes))
        assert found == study(X, codes), name
        # Warnings point at the user's line still, not at the context the study runs in.
        assert all(warning.filename == __file__ for warning in caught), name


def test_a_dask_target_that_fails_to_compute_leaves_the_estimator_fittable(data):
    # Its error is the fit's; the estimator is not left marked as being fitted.
    da = pytest.importorskip("dask.array")
    X, _ = data

    def fail(block):
        raise OSError("the targets' file is gone")

    broken = da.from_array(np.zeros(len(X)), chunks=5).map_blocks(fail, dtype=float)
    net = _regressor()
    with pytest.raises(OSError, match="file is gone"):
        net.fit(X, broken)
    net.fit(X, X[:, 0])


@pytest.mark.parametrize("where", ["X", "y", "X_val", "predict"])
def test_pyarrow_tables_numpy_would_read_transposed_are_refused(data, where, monkeypatch):
    # pyarrow 12 and older had no Table.__array__: NumPy read a table as the sequence of
    # its columns, and a square table trained with rows and columns exchanged, silently.
    pa = pytest.importorskip("pyarrow")
    X, labels = data
    table = pa.table({f"c{i}": X[:, i] for i in range(X.shape[1])})
    targets = pa.table({"p": X[:, 0], "q": X[:, 1]})
    model = _regressor().fit(X, X[:, :2]) if where == "predict" else None
    monkeypatch.setattr(pa, "__version__", "12.0.1")
    with pytest.raises(ValueError, match=r"pyarrow 12\.0\.1 hands a Table to NumPy column by"):
        if where == "X":
            NielsenMLPClassifier(epochs=1).fit(table, labels)
        elif where == "y":
            _regressor().fit(X, targets)
        elif where == "X_val":
            _regressor().fit(X, X[:, :2], X_val=table, y_val=X[:, :2])
        else:
            model.predict(table)
