"""The classifier's targets: what scikit-learn's MLPClassifier supports, the rest refused."""

import warnings

import numpy as np
import pytest
from scipy import sparse

from sknielsen import NielsenMLPClassifier


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(30, 4))
    indicator = np.tile([[0, 1], [1, 0], [1, 1]], (10, 1))
    return X, indicator


def fit(X, y, **params):
    return NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0, **params).fit(
        X, y
    )


@pytest.mark.parametrize(
    "name, label, message",
    [
        ("y_val", np.nan, "Input y_val contains NaN"),
        ("y_val", np.inf, "Input y_val contains infinity"),
        ("y", 1e30, "Unknown label type: 'continuous'"),
        ("y_val", 1e30, "Unknown label type: 'continuous'"),
    ],
)
def test_labels_beyond_int64_are_refused_without_numpys_cast_warning(data, name, label, message):
    # scikit-learn's type_of_target casts float labels to int64 to find fractions, and
    # NumPy warned "invalid value encountered in cast" before the refusal said why.
    X, _ = data
    labels = np.r_[label, np.arange(1, 30) % 2]
    given = {"y": labels} if name == "y" else {"X_val": X, "y_val": labels}
    y = given.pop("y", np.arange(30) % 2)
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=message):
            net.fit(X, y, **given)


@pytest.mark.parametrize("low, high", [(0, 2), (-1, 1), (1, 3), (0.0, 2.0)])
def test_indicator_values_other_than_0_and_1_are_refused(data, low, high):
    X, indicator = data
    y = np.where(indicator == 1, high, low)
    with pytest.raises(ValueError, match=r"must hold only 0 and 1.*holds \["):
        fit(X, y)
    net = fit(X, indicator)
    with pytest.raises(ValueError, match="must hold only 0 and 1"):
        net.partial_fit(X, y)
    with pytest.raises(ValueError, match="must hold only 0 and 1"):
        NielsenMLPClassifier(epochs=1).fit(X, indicator, X_val=X, y_val=y)


@pytest.mark.parametrize("convert", [np.asarray, lambda y: y.astype(bool), lambda y: y * 1.0])
def test_indicators_of_0_and_1_train_as_multilabel(data, convert):
    X, indicator = data
    net = fit(X, convert(indicator))
    assert net.predict(X).shape == indicator.shape and net.classes_.tolist() == [0, 1]


@pytest.mark.parametrize(
    "y",
    [
        np.array([[0, 1], [1, 0]]),
        np.array([[0, 1, 1]], dtype=np.uint8),
        np.array([[True, False], [False, False]]),
        np.array([[0.0, 1.0], [-0.0, 1.0]], dtype=np.float32),
        np.array([[0, 0], [0, 0]]),
        np.array([[1, 1], [1, 1]], dtype=np.int8),
        np.array([[0, 2], [2, 0]]),
        np.array([[0.0, 1.0], [np.nan, 1.0]]),
        np.array([[0.0, 0.5], [1.0, 1.0]]),
        np.array([[0, 1], [1, 0]], dtype=object),
        np.array([[0], [1]]),
        np.empty((0, 2)),
        np.ma.array([[1, 5], [0, 1]], mask=[[0, 1], [0, 0]]),  # a 5 under the mask
    ],
)
def test_indicators_are_found_as_type_of_target_finds_them(y):
    # The one-pass test for matrices of 0s and 1s must call "multilabel-indicator"
    # what type_of_target calls so and _check_indicator accepts, and leave every
    # other matrix to them (an empty one included: it is refused elsewhere).
    from sklearn.utils.multiclass import type_of_target

    from sknielsen._classifier import _is_indicator

    try:
        with np.errstate(invalid="ignore"):  # its cast of NaN to int64
            kind = type_of_target(y)
    except ValueError:  # NaN
        kind = "refused"
    expected = kind == "multilabel-indicator" and set(np.unique(y)) <= {0, 1} and y.size > 0
    assert _is_indicator(y) == expected


def test_a_masked_y_val_hiding_other_values_than_0_and_1_is_refused(data):
    # Comparisons of a masked array skip its masked entries, which training reads
    # all the same: the one-pass test took this y_val for an indicator of 0s and 1s.
    X, indicator = data
    hidden = np.ma.array(indicator.copy(), mask=indicator == 0)
    hidden.data[hidden.mask] = 5
    with pytest.raises(ValueError, match="must hold only 0 and 1"):
        NielsenMLPClassifier((3,), epochs=1).fit(X, indicator, X_val=X, y_val=hidden)


@pytest.mark.parametrize("matrix", [sparse.csr_matrix, sparse.csc_matrix, sparse.coo_matrix])
def test_sparse_indicator_targets_train_like_dense_ones(data, matrix):
    X, indicator = data
    dense = fit(X, indicator)
    net = fit(X, matrix(indicator))
    np.testing.assert_array_equal(net.predict_proba(X), dense.predict_proba(X))
    net.partial_fit(X, matrix(indicator))
    with pytest.raises(ValueError, match="must hold only 0 and 1"):
        fit(X, matrix(indicator * 2))


def test_sparse_column_of_labels_is_read_as_labels(data):
    X, _ = data
    labels = np.arange(30) % 3
    with pytest.warns(UserWarning, match="column-vector y"):
        net = fit(X, sparse.csr_matrix(labels[:, None]))
    assert net.classes_.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "y",
    [
        np.tile([[0, 1], [2, 0], [1, 2]], (10, 1)),
        np.tile([["a", "b"], ["c", "a"], ["b", "b"]], (10, 1)),
    ],
)
def test_multiclass_multioutput_targets_are_refused(data, y):
    X, _ = data
    with pytest.raises(ValueError, match=r"multiclass-multioutput.*MultiOutputClassifier"):
        fit(X, y)


@pytest.mark.parametrize("classes", [[], ["a"], np.array([], dtype="<U3")])
def test_partial_fit_with_fewer_than_two_classes_is_refused(data, classes):
    X, _ = data
    with pytest.raises(
        ValueError, match=r"at least 2 classes.*classes contains (only one|no) class"
    ):
        NielsenMLPClassifier(epochs=1).partial_fit(X[:1], ["a"], classes=classes)


@pytest.mark.parametrize("extra", [np.nan, np.inf])
def test_partial_fit_with_classes_that_are_not_finite_is_refused(data, extra):
    X, _ = data
    # Accepted, such a model was refused by its own set_fitted_state.
    with pytest.raises(ValueError, match=r"classes must be finite.*got \[0\.0, 1\.0, (nan|inf)\]"):
        NielsenMLPClassifier(epochs=1).partial_fit(X[:2], [0.0, 1.0], classes=[0.0, 1.0, extra])


@pytest.mark.parametrize(
    "classes, message",
    [
        ([0, 1, 1.5], r"Unknown label type: 'continuous' in classes"),
        ([0.0, 1.0, 1e30], r"Unknown label type: 'continuous' in classes"),
        ([b"a", b"b"], r"labels of classes are bytes.*decode"),
        ([0j, 1 + 0j], r"classes must be real.*complex"),
        (np.array([0, 1, 2.5], dtype=object), r"Unknown label type: 'continuous' in classes"),
    ],
)
def test_partial_fit_refuses_classes_that_no_y_could_hold(data, classes, message):
    # y of such labels is refused, so that their outputs could never be trained: the
    # model predicted probabilities for a class that no fit could teach it.
    X, _ = data
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1)
    with pytest.raises(ValueError, match=message):
        net.partial_fit(X[:2], [0, 1], classes=classes)
    assert not hasattr(net, "coefs_")


def _integer_labels():
    """Integer label sets at the ends of their dtypes, near together and far apart."""
    for dtype in (np.int8, np.uint8, np.int16, np.uint32, np.int64, np.uint64):
        info = np.iinfo(dtype)
        yield dtype, (info.min, info.min + 1, info.min + 7)  # one small span
        yield dtype, (info.max - 9, info.max - 3, info.max)
        yield dtype, (info.min, info.max // 2, info.max)  # a span too wide for a table
    yield np.int64, (-3, 0, 2)


@pytest.mark.parametrize("dtype, labels", list(_integer_labels()))
def test_integer_labels_of_any_dtype_and_span_train_as_their_ranks(dtype, labels):
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(40, 4))
    ranks = np.arange(40) % 3
    y = np.asarray(labels, dtype=dtype)[ranks]
    model, by_rank = fit(X, y), fit(X, ranks)
    assert model.classes_.dtype == dtype
    assert model.classes_.tolist() == sorted(int(label) for label in labels)
    for ours, theirs in zip(model.coefs_, by_rank.coefs_):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(model.predict(X), np.asarray(labels, dtype)[by_rank.predict(X)])
    between = int(labels[0]) + 1 if int(labels[1]) != int(labels[0]) + 1 else int(labels[1]) + 1
    unseen = np.asarray([labels[0], between], dtype=dtype)
    with pytest.raises(ValueError, match=rf"not among the model's classes: \[{between}\]"):
        model.partial_fit(X[:2], unseen)


def test_labels_of_types_that_cannot_be_sorted_are_refused_naming_them(data):
    X, _ = data
    mixed = np.array(["a", 1] * 15, dtype=object)
    with pytest.raises(ValueError, match=r"labels of y mix types .*\(int, str\)"):
        fit(X, mixed)  # was a TypeError from deep in np.unique
    net = fit(X, np.arange(30) % 2)
    with pytest.raises(ValueError, match=r"labels of y_val mix types"):
        net.fit(X, np.arange(30) % 2, X_val=X, y_val=np.array(["a", 1] * 15, dtype=object))
    with pytest.raises(ValueError, match=r"y_val has 1 missing value \(at position 1\)"):
        net.fit(X, np.arange(30) % 2, X_val=X[:2], y_val=[0.0, np.nan])
    classes = np.array([0, "a"], dtype=object)
    with pytest.raises(ValueError, match=r"labels of classes mix types .*\(int, str\)"):
        NielsenMLPClassifier().partial_fit(X, np.arange(30) % 2, classes=classes)


@pytest.mark.parametrize(
    ("first", "types"), [(1.5, "float, str"), (1, "int, str"), (True, "bool, str")]
)
def test_mixed_labels_are_named_whichever_comes_first(data, first, types):
    # A label that is no string before a string made y "unknown" to scikit-learn, and
    # the error blamed "a regression target with continuous values".
    X, _ = data
    mixed = np.array([first, "a"] * 15, dtype=object)
    with pytest.raises(ValueError, match=rf"labels of y mix types .*\({types}\)"):
        fit(X, mixed)
    net = fit(X, np.arange(30) % 2)
    with pytest.raises(ValueError, match=rf"labels of y_val mix types .*\({types}\)"):
        net.fit(X, np.arange(30) % 2, X_val=X, y_val=mixed)
    with pytest.raises(ValueError, match="Unknown label type: 'continuous' in y"):
        fit(X, np.array([1, 2.5] * 15, dtype=object))  # numbers, one of them no class


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 1, 2] * 10, dtype=object),
        np.array([0.0, 1.0, 2.0] * 10, dtype=object),
        np.array([False, True] * 15, dtype=object),
        np.array([np.int64(-3), 7, np.uint8(9)] * 10, dtype=object),
    ],
    ids=["ints", "floats", "bools", "NumPy scalars"],
)
def test_numbers_of_dtype_object_are_labels_as_their_numeric_array(data, labels, tmp_path):
    # pandas' object columns: scikit-learn calls them "unknown", and the refusal spoke of
    # "a regression target with continuous values"; partial_fit took them as classes and
    # left a model that save, load and set_fitted_state refused.
    from sknielsen import load, save

    X, _ = data
    numeric = np.array(labels.tolist())
    expected = fit(X, numeric)
    net = fit(X, labels)
    assert net.classes_.dtype == expected.classes_.dtype
    np.testing.assert_array_equal(net.predict_proba(X), expected.predict_proba(X))
    net.fit(X, numeric, X_val=X, y_val=labels)
    classes = np.unique(numeric).astype(object)
    incremental = NielsenMLPClassifier((3,), random_state=0).partial_fit(X, labels, classes=classes)
    assert incremental.classes_.dtype == expected.classes_.dtype
    incremental.partial_fit(X, numeric, classes=classes)
    NielsenMLPClassifier.from_fitted_state(incremental.get_fitted_state(), hidden_layer_sizes=(3,))
    save(incremental, tmp_path / "model.json")
    assert load(tmp_path / "model.json").classes_.tolist() == np.unique(numeric).tolist()


@pytest.mark.parametrize(
    ("y_val", "message"),
    [
        (np.c_[np.arange(30) % 2, np.arange(30) % 3], r"y_val of shape \(30, 2\) is multiclass"),
        (np.tile([[0, 2], [2, 0]], (15, 1)), r"A 2-D y_val is a multilabel indicator matrix"),
        (np.arange(30) / 7, r"Unknown label type: 'continuous' in y_val"),
    ],
    ids=["multioutput", "indicator of 0 and 2", "continuous"],
)
def test_refusals_of_y_val_name_it(data, y_val, message):
    X, _ = data
    net = NielsenMLPClassifier((3,), epochs=1, random_state=0)
    with pytest.raises(ValueError, match=message):
        net.fit(X, np.arange(30) % 2, X_val=X, y_val=y_val)


def test_targets_of_another_kind_than_the_first_fits_are_named_as_such(data):
    # "Expected multilabel targets with 2 columns, as in the first fit" after a fit on
    # 1-D labels: the first fit was not multilabel, and the matrix had 2 columns.
    X, indicator = data
    labels = np.arange(30) % 2
    one_d = NielsenMLPClassifier((3,), epochs=1, random_state=0, warm_start=True).fit(X, labels)
    with pytest.raises(ValueError, match=r"fitted on 1-D labels; got a multilabel indicator "):
        one_d.fit(X, indicator)
    with pytest.raises(ValueError, match=r"fitted on 1-D labels; y_val is a multilabel"):
        one_d.fit(X, labels, X_val=X, y_val=indicator)
    multilabel = NielsenMLPClassifier((3,), epochs=1, random_state=0, warm_start=True)
    multilabel.fit(X, indicator)
    with pytest.raises(ValueError, match=r"y has 3 columns; the model was fitted on .* 2"):
        multilabel.fit(X, np.c_[indicator, indicator[:, :1]])
    with pytest.raises(ValueError, match=r"fitted on multilabel targets; y_val holds 1-D"):
        multilabel.fit(X, indicator, X_val=X, y_val=labels)


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
@pytest.mark.parametrize("name", ["y", "y_val"])
@pytest.mark.parametrize("dtype", ["string", "object"])
def test_missing_targets_of_pandas_are_refused_naming_them(data, estimator, name, dtype):
    # pd.NA in an object or string column: "TypeError: boolean value of NA is ambiguous"
    # from inside pandas, where scikit-learn asked each label whether it equals itself.
    pd = pytest.importorskip("pandas")
    from sknielsen import NielsenMLPRegressor

    X, _ = data
    values = ["a", "b", "c"] * 10 if estimator == "classifier" else [1.0, 2.0, 3.5] * 10
    if dtype == "string" and estimator == "regressor":
        pytest.skip("a regressor's targets are numbers")
    column = pd.Series(values, dtype=dtype)
    column[4] = pd.NA
    arguments = {"y": pd.Series(values), "X_val": X, "y_val": pd.Series(values), name: column}
    net = (NielsenMLPClassifier if estimator == "classifier" else NielsenMLPRegressor)((3,))
    with pytest.raises(ValueError, match=rf"^{name} has 1 missing value \(at position 4\): pd.NA"):
        net.set_params(epochs=1).fit(X, **arguments)


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
@pytest.mark.parametrize("name", ["y", "y_val"])
@pytest.mark.parametrize("container", ["list", "object array"])
@pytest.mark.parametrize("marker", ["None", "nan", "pd.NA"])
def test_missing_targets_of_any_container_are_refused_naming_them(
    data, estimator, name, container, marker
):
    # As a list or an object array, the same gaps were pandas' "boolean value of NA is
    # ambiguous", "labels ... mix types that cannot be sorted" or "Input contains NaN".
    from sknielsen import NielsenMLPRegressor

    X, _ = data
    missing = {"None": None, "nan": float("nan")}.get(marker)
    if marker == "pd.NA":
        missing = pytest.importorskip("pandas").NA
    values = ["a", "b", "c"] * 10 if estimator == "classifier" else [1, 2, 3] * 10
    values[4] = values[7] = missing
    column = values if container == "list" else np.array(values, dtype=object)
    good = [1, 2, 3] * 10
    arguments = {"y": good, "X_val": X, "y_val": good, name: column}
    net = (NielsenMLPClassifier if estimator == "classifier" else NielsenMLPRegressor)((3,))
    with pytest.raises(
        ValueError, match=rf"^{name} has 2 missing values \(at positions 4, 7\): pd.NA"
    ):
        net.set_params(epochs=1).fit(X, **arguments)


@pytest.mark.parametrize("name", ["y", "y_val"])
def test_labels_that_are_neither_numbers_nor_strings_are_refused_saying_so(data, name):
    from decimal import Decimal

    X, _ = data
    labels = np.array([Decimal(0), Decimal(1)] * 15, dtype=object)
    arguments = {"y": np.arange(30) % 2, "X_val": X, "y_val": np.arange(30) % 2, name: labels}
    with pytest.raises(
        ValueError, match=rf"labels of {name} must be ints, floats, bools or .*Decimal"
    ):
        NielsenMLPClassifier((3,), epochs=1).fit(X, **arguments)


@pytest.mark.parametrize("name", ["y", "y_val"])
def test_bytes_labels_are_refused_saying_to_decode_them(data, name):
    # "mix types that cannot be sorted (bytes)": one type, which sorts.
    X, _ = data
    labels = np.array([b"a", b"b"] * 15)
    arguments = {"y": np.arange(30) % 2, "X_val": X, "y_val": np.arange(30) % 2, name: labels}
    with pytest.raises(ValueError, match=rf"labels of {name} are bytes.*decode"):
        NielsenMLPClassifier((3,), epochs=1).fit(X, **arguments)


@pytest.mark.parametrize("classes", [["a", "b"], [0, 1, 2], [1, 2]])
def test_partial_fit_refuses_classes_that_are_not_the_indicators_columns(data, classes):
    # The first call ignored them, and the next call with the same classes refused them.
    X, indicator = data
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), random_state=0)
    with pytest.raises(ValueError, match=r"classes=.* columns of the multilabel y: \[0, 1\]"):
        net.partial_fit(X, indicator, classes=classes)
    assert not hasattr(net, "coefs_")
    net.partial_fit(X, indicator, classes=[0, 1]).partial_fit(X, indicator, classes=[1, 0])
    assert net.classes_.tolist() == [0, 1] and net.n_iter_ == 2


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
@pytest.mark.parametrize("name", ["y", "y_val"])
def test_targets_without_a_column_are_refused_naming_them(data, estimator, name):
    # scikit-learn's message, "Found array with 0 feature(s) (shape=(30, 0))", spoke of
    # features: of X, a user reads, whose four columns are there.
    from sknielsen import NielsenMLPRegressor

    X, _ = data
    labels = np.arange(30) % 2
    net = (NielsenMLPClassifier if estimator == "classifier" else NielsenMLPRegressor)(
        hidden_layer_sizes=(3,), epochs=1, random_state=0
    )
    empty = np.zeros((30, 0))
    y, y_val = (empty, labels) if name == "y" else (labels, empty)
    with pytest.raises(ValueError, match=rf"^{name} has no column \(shape \(30, 0\)\): "):
        net.fit(X, y, X_val=X, y_val=y_val)


@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
@pytest.mark.parametrize("name", ["y", "y_val"])
@pytest.mark.parametrize(
    ("targets", "error", "message"),
    [
        (np.zeros((30, 1, 1)), ValueError, "Found array with dim 3"),
        # NumPy 2 said "inhomogeneous shape"; NumPy 1 made an array of lists, which the
        # classifier refused as "a legacy multi-label data representation".
        ([[0, 1]] * 29 + [[0]], ValueError, r"rows of different lengths \(2 and 1\)"),
        (np.arange(30) % 2 + 0j, ValueError, "Complex data not supported"),
        (1, TypeError, "at least 1 dimension"),
    ],
)
def test_targets_of_no_one_or_two_dimensional_shape_are_refused_naming_them(
    data, estimator, name, targets, error, message
):
    # scikit-learn's and NumPy's refusals named no argument: a 3-D y was "Found array with
    # dim 3, while dim <= 2 is required by NielsenMLPRegressor", word for word a 3-D X's,
    # and the classifier refused a 3-D y_val as labels "of type int".
    from sknielsen import NielsenMLPRegressor

    X, _ = data
    labels = np.arange(30) % 2
    arguments = {"y": labels, "X_val": X, "y_val": labels, name: targets}
    net = (NielsenMLPClassifier if estimator == "classifier" else NielsenMLPRegressor)(
        hidden_layer_sizes=(3,), epochs=1, random_state=0
    )
    with pytest.raises(error, match=rf"^{name}: .*{message}"):
        net.fit(X, **arguments)
    assert not hasattr(net, "coefs_")


def _replaced_targets(net, **targets):
    """``net``'s fitted state with other targets."""
    import dataclasses

    state = net.get_fitted_state()
    return dataclasses.replace(state, targets={**state.targets, **targets})


def test_a_state_whose_targets_contradict_the_network_is_refused():
    rng = np.random.default_rng(0)
    X = rng.random((30, 3))
    net = NielsenMLPClassifier((2,), epochs=1, random_state=0).fit(X, np.arange(30) % 3)
    for targets, message in [
        ({"multilabel": "no"}, "multilabel must be true or false"),
        ({"classes": np.array([0, 1])}, "2 classes but 3 output neurons"),
    ]:
        with pytest.raises(ValueError, match=message):
            NielsenMLPClassifier((2,)).set_fitted_state(_replaced_targets(net, **targets))
    # One output read as one class: a multilabel model of one label said to be multiclass.
    Y = (np.arange(30) % 2)[:, None] == np.array([[1]])
    one = NielsenMLPClassifier((2,), epochs=1, random_state=0).fit(X, np.column_stack([Y, ~Y]))
    import dataclasses

    state = one.get_fitted_state()
    single = dataclasses.replace(
        state,
        coefs=[state.coefs[0], state.coefs[1][:, :1]],
        intercepts=[state.intercepts[0], state.intercepts[1][:1]],
        targets={"classes": np.array([0]), "multilabel": False},
    )
    with pytest.raises(ValueError, match=r"A classifier needs at least 2 classes; got \[0\]"):
        NielsenMLPClassifier((2,)).set_fitted_state(single)


@pytest.mark.parametrize("first", ["fit", "partial_fit"])
def test_partial_fit_refuses_other_classes_than_the_models(first):
    # After fit the message spoke of "the first call", which was fit's, not partial_fit's.
    X = np.random.default_rng(0).random((30, 3))
    net = NielsenMLPClassifier((2,), epochs=1)
    getattr(net, first)(X, np.arange(30) % 3, **({"classes": [0, 1, 2]} if first != "fit" else {}))
    message = r"^classes=\[0, 1\] differs from the model's classes, \[0, 1, 2\], which its"
    with pytest.raises(ValueError, match=message):
        net.partial_fit(X, np.arange(30) % 2, classes=[0, 1])


def test_multilabel_targets_refuse_a_class_weight_dict_and_classes_of_mixed_types():
    X = np.random.default_rng(0).random((30, 3))
    Y = np.column_stack([np.arange(30) % 2, np.arange(30) % 3 == 0]).astype(int)
    with pytest.raises(ValueError, match="class_weight as a dict weighs the classes of 1-D"):
        NielsenMLPClassifier((2,), epochs=1, class_weight={0: 2.0}).fit(X, Y)
    with pytest.raises(ValueError, match=r"The labels of classes mix types .*int, str"):
        NielsenMLPClassifier((2,)).partial_fit(X, Y, classes=np.array([0, "a"], dtype=object))


def test_a_masked_indicator_matrix_trains_as_the_plain_one():
    # Left to type_of_target, whose indicator is then checked for 0s and 1s.
    X = np.random.default_rng(0).random((30, 3))
    Y = np.column_stack([np.arange(30) % 2, np.arange(30) % 3 == 0]).astype(int)
    plain = NielsenMLPClassifier((2,), epochs=2, random_state=0).fit(X, Y)
    masked = NielsenMLPClassifier((2,), epochs=2, random_state=0).fit(X, np.ma.masked_array(Y))
    np.testing.assert_array_equal(masked.coefs_[0], plain.coefs_[0])
    with pytest.raises(ValueError, match=r"must hold only 0 and 1 .*holds \[-1, 1\]"):
        NielsenMLPClassifier((2,), epochs=1).fit(X, np.ma.masked_array(2 * Y - 1))


@pytest.mark.parametrize("estimator", ["NielsenMLPClassifier", "NielsenMLPRegressor"])
@pytest.mark.parametrize("name", ["y", "y_val"])
@pytest.mark.parametrize("empty", [[], np.array([], dtype=object)], ids=["list", "objects"])
def test_no_labels_at_all_are_refused_by_validation_not_inside_numpy(estimator, name, empty):
    # The look for missing labels reshaped an empty array: "cannot reshape array of
    # size 0 into shape (0,newaxis)"; then scikit-learn's "Found array with 0 sample(s)
    # (shape=(0,))" named neither y nor y_val.
    import sknielsen

    X = np.random.default_rng(0).random((4, 3))
    arguments = {"y": np.arange(4) % 2, "X_val": X[:2], "y_val": [0, 1], name: empty}
    with pytest.raises(ValueError, match=rf"^{name} holds no targets \(shape \(0,\)\)"):
        getattr(sknielsen, estimator)(epochs=1).fit(X, **arguments)


def test_no_labels_in_an_empty_table_are_refused_by_validation_not_inside_numpy():
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(0).random((4, 3))
    with pytest.raises(ValueError, match=r"^y holds no targets \(shape \(0, 2\)\)"):
        NielsenMLPClassifier(epochs=1).fit(X, pd.DataFrame({"a": [], "b": []}, dtype=object))


def test_the_history_scores_a_multilabel_model_as_score_does_when_rows_hold_one_label(data):
    # Rows of one label each looked like one-hot classes: the history took the most active
    # output as the label, where predict and score want every output on the right side of
    # 0.5, and early stopping kept the epoch of another score than the model's.
    X, _ = data
    Y = np.eye(3, dtype=int)[np.arange(30) % 3]
    net = NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, monitor="all", random_state=0)
    net.fit(X, Y, X_val=X, y_val=Y)
    assert net.history_["training_accuracy"] == [net.score(X, Y)]
    assert net.history_["validation_accuracy"] == [net.score(X, Y)]


@pytest.mark.parametrize(
    "fitted_on, scored_on, message",
    [
        ("indicator", "twos", r"indicator matrix and must hold only 0 and 1.*\[0, 2\]"),
        ("indicator", "labels", r"fitted on multilabel targets; y holds 1-D labels"),
        ("labels", "indicator", r"fitted on 1-D labels; got a multilabel indicator matrix"),
        ("labels", "fractions", r"Unknown label type: 'continuous' in y"),
        ("labels", "bytes", r"labels of y are bytes.*decode"),
    ],
)
def test_score_refuses_the_targets_that_fit_refuses(data, fitted_on, scored_on, message):
    # An indicator of 0s and 2s scored 0.0 with no word, and the other kinds failed in
    # scikit-learn's metrics with no word of what the model was fitted on.
    X, indicator = data
    labels = np.arange(30) % 2
    targets = {
        "indicator": indicator,
        "twos": 2 * indicator,
        "labels": labels,
        "fractions": labels / 2,
        "bytes": np.array([b"a", b"b"])[labels],
    }
    net = fit(X, targets[fitted_on])
    with pytest.raises(ValueError, match=message):
        net.score(X, targets[scored_on])


def test_a_csv_of_boolean_labels_as_pandas_writes_them_is_read_as_booleans(data, tmp_path):
    # to_csv writes booleans as True and False, which were read as text: a multilabel
    # file of them was refused ("rows of 3 columns holding strings 'False', 'True'"),
    # and a model fitted on the boolean labels in Python did not match its own file.
    from sknielsen import save
    from sknielsen.__main__ import main

    pd = pytest.importorskip("pandas")
    X, indicator = data
    table = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    table["first"], table["second"] = indicator[:, 0] == 1, indicator[:, 1] == 1
    table["number"] = indicator[:, 0].astype(float)
    features = ["a", "b", "c", "d"]
    for labels in (["first"], ["first", "second"], ["first", "number"]):
        csv = str(tmp_path / "labels.csv")
        table[features + labels].to_csv(csv, index=False)
        net = fit(table[features], table[labels].squeeze(axis=1))
        save(net, tmp_path / "model.json")
        flags = [flag for label in labels for flag in ("--label", label)]
        assert main(["evaluate", str(tmp_path / "model.json"), "--dataset", csv, *flags]) == 0
        assert main(["train", "--dataset", csv, *flags, "--hidden", "3", "--epochs", "1"]) == 0


@pytest.mark.parametrize(
    "classes, given",
    [
        (np.array([0, 2**62, 2**62 + 1]), np.uint64),
        (np.array([0, 2**62, 2**62 + 1]), np.int64),
        (np.array([0, 2, 2**63 + 1], dtype=np.uint64), np.int8),
    ],
)
def test_integer_labels_of_another_dtype_find_their_classes_exactly(data, classes, given):
    # int64 classes and uint64 labels met in float64, where 2**62 and 2**62 + 1 are one
    # number: the label 2**62 + 1 was refused as "not among the model's classes".
    import copy

    X, _ = data
    net = fit(X, classes[np.arange(30) % 3])
    twin = copy.deepcopy(net)
    y = classes[np.arange(30) % 2 + (given is not np.int8)]  # labels the dtype holds
    net.partial_fit(X, y.astype(given))
    twin.partial_fit(X, y)
    assert all(np.array_equal(a, b) for a, b in zip(net.coefs_, twin.coefs_))
    with pytest.raises(ValueError, match=r"not among the model's classes: \[1\]"):
        net.partial_fit(X, np.r_[y[:-1], 1].astype(given))
