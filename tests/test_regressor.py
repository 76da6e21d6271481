"""NielsenMLPRegressor: the book's linear output error, real data.

scikit-learn's estimator checks run in tests/test_estimator_checks.py.
"""

import re
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sknielsen import NielsenMLPRegressor
from sknielsen.callbacks import EarlyStopping
from sknielsen.gradcheck import check_gradients


def test_linear_outputs_have_the_books_output_error():
    # Quadratic cost with identity outputs: delta = a - y, checked through backprop.
    result = check_gradients(cost="quadratic", output_activation="identity", activation="tanh")
    assert result.relative_error < 1e-6


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    return train_test_split(X, y, random_state=0)


def test_diabetes_and_multi_output(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    net = NielsenMLPRegressor(eta=0.01, random_state=0).fit(X_train, y_train)
    assert net.predict(X_test).shape == y_test.shape
    assert net.score(X_test, y_test) > 0.3
    two = np.column_stack([y_train, -y_train])
    net = NielsenMLPRegressor(eta=0.01, random_state=0).fit(X_train, two)
    assert net.predict(X_test).shape == (len(X_test), 2)
    assert net.score(X_test, np.column_stack([y_test, -y_test])) > 0.3


def test_history_records_r2_and_early_stopping_keeps_the_best(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    net = NielsenMLPRegressor(eta=0.01, epochs=200, early_stopping=5, random_state=0)
    net.fit(X_train, y_train, X_val=X_test, y_val=y_test)
    history = net.history_["validation_accuracy"]
    assert net.n_iter_ < 200
    assert net.score(X_test, y_test) == pytest.approx(max(history))


def test_save_and_load_a_regressor(diabetes, tmp_path):
    import json

    from sknielsen import load, save
    from sknielsen.persistence import ModelFileError

    X_train, X_test, y_train, _ = diabetes
    for y in (y_train, np.column_stack([y_train, -y_train])):
        net = NielsenMLPRegressor(optimizer="adam", epochs=3, random_state=0).fit(X_train, y)
        save(net, tmp_path / "reg.json")
        loaded = load(tmp_path / "reg.json")
        assert type(loaded) is NielsenMLPRegressor
        np.testing.assert_array_equal(loaded.predict(X_test), net.predict(X_test))
        loaded.partial_fit(X_train, y)
        assert loaded.n_iter_ == 4
    document = json.loads((tmp_path / "reg.json").read_text())
    document["fitted"]["targets"]["y_1d"] = True  # but the saved network has two outputs
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="y_1d is true but the network has several outputs"):
        load(tmp_path / "bad.json")
    document["estimator"] = "SVR"
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="Unknown estimator 'SVR'"):
        load(tmp_path / "bad.json")


def test_validation_targets_of_another_width_are_refused_before_training():
    rng = np.random.default_rng(0)
    X, y = rng.random((60, 4)), rng.random((60, 2))
    net = NielsenMLPRegressor(epochs=3)
    with pytest.raises(ValueError, match="y_val has 1 output but y has 2"):
        net.fit(X[:40], y[:40], X_val=X[40:], y_val=y[40:, 0])
    assert not hasattr(net, "coefs_")


@pytest.mark.parametrize(
    ("params", "given", "message"),
    [
        ({"early_stopping": 2}, False, r"held out of the 5 training samples .* has 1 sample"),
        ({"monitor": "all"}, True, r"X_val has 1 sample"),
    ],
)
def test_a_validation_set_of_one_sample_is_refused_before_training(params, given, message):
    # R² of one sample is undefined (NaN): the fit used to end blaming an overflow.
    rng = np.random.default_rng(0)
    X = rng.random((5, 3))
    y = X.sum(axis=1)
    fit_params = {"X_val": X[:1], "y_val": y[:1]} if given else {}
    net = NielsenMLPRegressor((5,), epochs=2, random_state=0, **params)
    with pytest.raises(ValueError, match=message + r".*R² needs at least 2"):
        net.fit(X, y, **fit_params)
    assert not hasattr(net, "coefs_")


def test_two_held_out_samples_score_early_stopping():
    rng = np.random.default_rng(0)
    X = rng.random((5, 3))
    net = NielsenMLPRegressor((5,), epochs=2, early_stopping=2, validation_fraction=0.4)
    assert len(net.fit(X, X.sum(axis=1)).validation_scores_) == 2


def test_sparse_targets_train_like_dense_ones():
    rng = np.random.default_rng(0)
    X, y = rng.random((30, 4)), rng.random((30, 2))
    params = {"hidden_layer_sizes": (3,), "epochs": 2, "random_state": 0}
    dense = NielsenMLPRegressor(**params).fit(X, y, X_val=X[:5], y_val=y[:5])
    net = NielsenMLPRegressor(**params)
    net.fit(X, sparse.csr_matrix(y), X_val=X[:5], y_val=sparse.csc_matrix(y[:5]))
    np.testing.assert_array_equal(net.predict(X), dense.predict(X))


# NumPy warns as check_array casts 1e39 to float32, just before check_array's own
# refusal ("or a value too large for dtype('float32')"), as for any scikit-learn estimator.
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_targets_are_checked_in_the_networks_dtype_and_y_val_as_y():
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 3)), rng.random(20)
    net = NielsenMLPRegressor(hidden_layer_sizes=(3,), epochs=1)
    with pytest.raises(ValueError, match="dim 3"):  # not "y_val has 1 output but y has 1"
        net.fit(X, y, X_val=X[:5], y_val=np.zeros((5, 1, 1)))
    with pytest.raises(ValueError, match="Input y_val contains NaN"):
        net.fit(X, y, X_val=X[:5], y_val=np.r_[np.nan, y[1:5]])
    with pytest.raises(ValueError, match=r"Input y contains infinity .* dtype\('float32'\)"):
        net.set_params(dtype="float32").fit(X, y * 1e39)  # finite in float64 only
    assert not hasattr(net, "coefs_")


@pytest.mark.parametrize("labels", [np.array(list("abcde")), np.array(["1", 2, "c", 4, 5], object)])
def test_targets_that_are_not_numbers_are_refused_naming_them(labels):
    # NumPy's "could not convert string to float: np.str_('a')" named neither y nor y_val.
    rng = np.random.default_rng(0)
    X, y = rng.random((5, 3)), rng.random(5)
    net = NielsenMLPRegressor(hidden_layer_sizes=(3,), epochs=1)
    for given in ({"y": labels}, {"y_val": labels}):
        name = next(iter(given))
        arguments = {"y": y, "X_val": X, "y_val": y} | given
        with pytest.raises(ValueError, match=rf"^{name} must hold numbers, .*: could not convert"):
            net.fit(X, **arguments)


@pytest.mark.parametrize("continue_with", ["partial_fit", "warm_start"])
@pytest.mark.parametrize(("first", "then"), [((-1, 1), (-1,)), ((-1,), (-1, 1))])
def test_predictions_take_the_shape_of_the_latest_y(continue_with, first, then):
    # A fit on a column y then partial_fit on 1-D batches kept predicting a column, so
    # predictions - y broadcast to (n, n); MLPRegressor predicts 1-D in both cases.
    rng = np.random.default_rng(0)
    X, y = rng.random((30, 4)), rng.random(30)
    net = NielsenMLPRegressor((3,), epochs=2, random_state=0).fit(X, y.reshape(first))
    assert net.predict(X).shape == y.reshape(first).shape
    if continue_with == "partial_fit":
        net.partial_fit(X, y.reshape(then))
    else:
        net.set_params(warm_start=True).fit(X, y.reshape(then))
    assert net.predict(X).shape == y.reshape(then).shape  # as after a new fit on it
    assert net.get_fitted_state().targets == {"y_1d": len(then) == 1}


@pytest.mark.parametrize("given", [True, False])
def test_validation_targets_that_are_all_equal_are_refused_before_training(given):
    # scikit-learn's R² of constant targets is 0 whatever the predictions: early stopping
    # saw no improvement and kept the first epoch's weights, without a word.
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 3)), np.r_[1.0, np.zeros(19)]  # 2 held out: both 0 with this seed
    fit_params = {"X_val": X[:4], "y_val": np.full(4, 2.0)} if given else {}
    net = NielsenMLPRegressor((3,), epochs=5, early_stopping=2, random_state=0)
    with pytest.raises(ValueError, match=r"targets are all equal .*: its R² is 0 whatever"):
        net.fit(X, y, **fit_params)
    assert not hasattr(net, "coefs_")
    # One output that varies is enough for R² to rank the epochs.
    y_val = np.column_stack([np.full(4, 2.0), np.arange(4.0)])
    net.fit(X, np.column_stack([y, y]), X_val=X[:4], y_val=y_val)
    assert len(net.validation_scores_) >= 1


@pytest.mark.parametrize("rows", [1, 4])
def test_validation_targets_without_a_score_to_rank_need_none(rows):
    # Watching the validation cost alone, constant targets (or one row) were refused for
    # an R² that nothing recorded, and told to "give more rows".
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 3)), rng.random(20)
    X_val, y_val = X[:rows], np.full(rows, 2.0)
    net = NielsenMLPRegressor((3,), epochs=3, monitor=("validation_cost",), random_state=0)
    net.fit(X, y, X_val=X_val, y_val=y_val)
    assert len(net.history_["validation_cost"]) == 3 and not net.history_["validation_accuracy"]
    with pytest.raises(ValueError, match=r"give validation targets that vary, or monitor"):
        net.set_params(monitor=None).fit(X, y, X_val=X[:4], y_val=np.full(4, 2.0))


@pytest.mark.parametrize(
    ("params", "y", "message"),
    [
        ({"output_activation": "sigmoid"}, [0.5, 2.0], r"'sigmoid' output neurons .* \[0, 1\]"),
        ({"output_activation": "tanh"}, [-3.0, 0.5], r"'tanh' output neurons .* \[-1, 1\]"),
        ({"cost": "cross_entropy", "output_activation": "sigmoid"}, [0.0, 2.0], "'sigmoid'"),
        ({"output_activation": "softmax"}, [0.2, 0.7], "softmax of one output neuron is 1"),
        ({"output_activation": "softmax"}, [[0.2, 0.3], [0.5, 0.5]], "rows .* sum to 1"),
    ],
)
def test_targets_the_output_neurons_cannot_reach_are_refused(params, y, message):
    # They trained without a word to an R² near or below 0 (softmax of one output: constant).
    y = np.array(y * 5)
    X = np.random.default_rng(0).random((len(y), 3))
    net = NielsenMLPRegressor((3,), epochs=1, random_state=0, **params)
    with pytest.raises(ValueError, match=message):
        net.fit(X, y)
    assert not hasattr(net, "coefs_")


def test_a_continued_fit_checks_its_targets_against_the_outputs_too():
    X = np.random.default_rng(0).random((4, 3))
    net = NielsenMLPRegressor((3,), output_activation="sigmoid", epochs=1, random_state=0)
    net.fit(X, [0.0, 0.2, 0.8, 1.0])  # the range's ends are reachable
    with pytest.raises(ValueError, match=r"y lies in \[-1, 0.5\]"):
        net.partial_fit(X, [-1.0, 0.5, 0.5, 0.5])


@pytest.mark.parametrize(
    ("params", "y", "message"),
    [
        (
            {"output_activation": "sigmoid"},
            [0.5, 0.2, 2.0],
            r"y lies in \[0.2, 2\] on its rows of positive weight",
        ),
        (
            {"output_activation": "softmax"},
            [[0.2, 0.8], [0.5, 0.5], [0.5, 0.6]],
            "y of positive weight sums to 1.1",
        ),
    ],
)
def test_only_targets_of_positive_weight_must_be_reachable(params, y, message):
    # A row weighted out (sample_weight 0) does not train: its target refused the fit.
    y = np.array(y * 4)
    X = np.random.default_rng(0).random((len(y), 3))
    weighted_out = np.tile([1.0, 1.0, 0.0], 4)
    net = NielsenMLPRegressor((3,), epochs=1, random_state=0, **params)
    net.fit(X, y, sample_weight=weighted_out)
    assert hasattr(net, "coefs_")
    # Of positive weight, however small, the same row is refused, and the message says so.
    with pytest.raises(ValueError, match=message):
        net.fit(X, y, sample_weight=weighted_out + 1e-3)


#: The start of the warning of targets on a tiny scale, to match or to turn into an error.
TINY_SCALE = "y varies on a tiny scale"


@pytest.mark.parametrize("scale", [1e-3, 1e-6, 1e-200])  # 1e-200: its square underflows
def test_targets_on_a_tiny_scale_warn_at_fit(diabetes, scale):
    # Fitted on y of order 1e-6, the default network ended with R² ≈ -1e9 without a word:
    # its outputs start of order 1, and errors small as numbers are huge beside y's spread.
    X, _, y, _ = diabetes
    spread = scale * np.std(y)
    with pytest.warns(UserWarning, match=rf"^{TINY_SCALE}: .* {spread:.3g}.*") as record:
        net = NielsenMLPRegressor(random_state=0).fit(X, y * scale)
    [warning] = [w for w in record if str(w.message).startswith(TINY_SCALE)]
    assert "TransformedTargetRegressor" in str(warning.message)
    assert "StandardScaler" in str(warning.message)
    assert warning.filename == __file__  # at the caller's line
    # What it warns of: errors beyond the spread of y (R² below 0).
    assert np.mean(np.abs(net.predict(X) - y * scale)) > spread


def test_a_tiny_scale_is_measured_per_output_on_rows_of_positive_weight(diabetes):
    X, _, y, _ = diabetes
    weights = np.r_[np.zeros(10), np.ones(len(y) - 10)]
    y_tiny = np.r_[np.full(10, 5.0), 1e-6 * y[10:]]  # the spread of the rows weighted out
    with pytest.warns(UserWarning, match=rf"^{TINY_SCALE}: .* rows of positive weight"):
        NielsenMLPRegressor(epochs=1, random_state=0).fit(X, y_tiny, sample_weight=weights)
    with pytest.warns(UserWarning, match=rf"^{TINY_SCALE}: .* in output 1,"):
        NielsenMLPRegressor(epochs=1, random_state=0).fit(X, np.column_stack([y, 1e-6 * y]))


@pytest.mark.parametrize(
    "targets",
    [
        lambda y: y,  # standardized
        lambda y: (y > 0).astype(float),  # 0 and 1
        lambda y: np.full_like(y, 1e-6),  # constant: nothing to scale
        lambda y: 152 + 77 * y,  # the diabetes data's own targets, which fit well
        lambda y: np.full_like(y, 900.0),
        lambda y: np.column_stack([y, y > 0]),
    ],
)
def test_targets_of_usual_scales_do_not_warn_of_their_scale(diabetes, targets):
    X, _, y, _ = diabetes
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=TINY_SCALE)
        warnings.filterwarnings("error", message=LARGE_SCALE)
        NielsenMLPRegressor(epochs=1, random_state=0).fit(X, targets(y))


@pytest.mark.parametrize(
    ("params", "y", "y_val", "message"),
    [
        (
            {"output_activation": "sigmoid"},
            [0.1, 0.5, 0.9],
            [0.5, 2.0, 0.5],
            r"^y_val lies in \[0.5, 2\], but 'sigmoid' output neurons give values in \[0, 1\]",
        ),
        (
            {"output_activation": "softmax"},
            [[0.2, 0.8], [0.5, 0.5], [1.0, 0.0]],
            [[0.2, 0.8], [0.5, 0.5], [0.5, 0.6]],
            "^Softmax output neurons give rows that sum to 1, but a row of y_val sums to 1.1",
        ),
    ],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_validation_targets_the_outputs_cannot_reach_are_refused(params, y, y_val, message, method):
    # y was refused outside the outputs' range but y_val was not: its R² stayed far below
    # 0 at every epoch, and early stopping ranked the epochs by it, without a word.
    y, y_val = np.array(y * 4), np.array(y_val * 4)
    X = np.random.default_rng(0).random((len(y), 3))
    net = NielsenMLPRegressor((3,), epochs=1, random_state=0, **params)
    with pytest.raises(ValueError, match=message) as error:
        getattr(net, method)(X, y, X_val=X, y_val=y_val)
    assert "y_val" in str(error.value).partition(": ")[2]  # the advice: scale y_val as y
    assert not hasattr(net, "coefs_")
    getattr(net, method)(X, y, X_val=X, y_val=y)  # y_val within reach trains


#: The start of the warning of a fit that ends worse than its targets' mean.
WORSE_THAN_THE_MEAN = "After .* the network fits its training samples worse than one guess"


@pytest.mark.parametrize("scale", [0.011, 0.03])
def test_targets_just_above_the_tiny_scale_warn_after_a_fit_worse_than_their_mean(diabetes, scale):
    # y * 0.011 is above the tiny scale warned of before training, and the default network
    # ended with R² -8.85 on the training samples (-2.8 at 0.03) without a word.
    X, _, y, _ = diabetes
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        net = NielsenMLPRegressor(random_state=1).fit(X, scale * y)
    [warning] = record
    message = str(warning.message)
    assert warning.category is ConvergenceWarning
    assert re.match(WORSE_THAN_THE_MEAN, message)
    assert "small scale (a standard deviation of " in message
    assert "TransformedTargetRegressor" in message
    # What it warns of: a training R² below -0.1, the mean's cost times 1.1.
    ratio = float(re.search(r"is ([0-9.e+]+) times the mean's", message).group(1))
    assert net.score(X, scale * y) == pytest.approx(1 - ratio, rel=1e-2)
    assert net.score(X, scale * y) < -0.1


def test_a_fit_too_short_to_learn_the_mean_is_warned_of_after_five_epochs(diabetes):
    X, _, y, _ = diabetes
    y = 3.0 + y  # a mean the outputs, of order 1 at the start, have to learn
    slow = NielsenMLPRegressor(eta=1e-4, epochs=5, random_state=0)
    with pytest.warns(ConvergenceWarning, match=WORSE_THAN_THE_MEAN) as record:
        slow.fit(X, y)
    assert "It has not learnt even their mean: train for more epochs" in str(record[0].message)
    assert slow.score(X, y) < -0.1
    # Four epochs of a model are too few to judge: a first partial_fit may only need more.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=WORSE_THAN_THE_MEAN)
        slow.set_params(epochs=4).fit(X, y)
        NielsenMLPRegressor(random_state=0).fit(X, y - 3.0)  # a fit that learns


@pytest.mark.parametrize("scale", [1e-3, 1e-6])
def test_targets_warned_of_before_training_are_not_warned_of_again_after(diabetes, scale):
    X, _, y, _ = diabetes
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        NielsenMLPRegressor(random_state=0).fit(X, scale * y)
    assert [str(w.message)[: len(TINY_SCALE)] for w in record] == [TINY_SCALE]


#: The start of the warning of targets on a large scale, to match or to turn into an error.
LARGE_SCALE = "y lies on a large scale"


@pytest.mark.parametrize(("shift", "scale"), [(0.0, 1e4), (1e4, 1.0), (2e5, 5e4), (0.0, 1e200)])
def test_targets_on_a_large_scale_warn_at_fit(diabetes, shift, scale):
    # Fitted on y of order 1e4 (prices, salaries: identity outputs, the defaults), the
    # default network ended with an R² near or far below 0, without a word.
    X, _, y, _ = diabetes
    y_large = shift + scale * y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 1e200 overflows the cost too
        with pytest.warns(
            UserWarning, match=rf"^{LARGE_SCALE}: its root mean square is "
        ) as record:
            net = NielsenMLPRegressor(epochs=5, random_state=0).fit(X, y_large)
    [warning] = [w for w in record if str(w.message).startswith(LARGE_SCALE)]
    root_mean_square = scale * np.sqrt(np.mean((shift / scale + y) ** 2))  # no overflow
    assert f"root mean square is {root_mean_square:.3g} (mean " in str(warning.message)
    assert "TransformedTargetRegressor" in str(warning.message)
    assert "StandardScaler" in str(warning.message)
    assert "eta" not in str(warning.message)  # L-BFGS, Adam and momentum failed alike
    assert warning.filename == __file__  # at the caller's line
    if shift:  # what it warns of: a fit far worse than on the standardized y
        standardized = NielsenMLPRegressor(epochs=5, random_state=0).fit(X, y)
        assert net.score(X, y_large) < standardized.score(X, y) - 0.2


def test_a_large_scale_is_measured_per_output_on_rows_of_positive_weight(diabetes):
    X, _, y, _ = diabetes
    weights = np.r_[np.zeros(10), np.ones(len(y) - 10)]
    y_large = np.r_[np.full(10, 5.0), 1e4 + y[10:]]  # the scale of the rows weighted in
    with pytest.warns(UserWarning, match=rf"^{LARGE_SCALE}: .* rows of positive weight"):
        NielsenMLPRegressor(epochs=1, random_state=0).fit(X, y_large, sample_weight=weights)
    y_out = np.r_[np.full(10, 1e6), y[10:]]  # large only where weighted out
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=LARGE_SCALE)
        NielsenMLPRegressor(epochs=1, random_state=0).fit(X, y_out, sample_weight=weights)
    with pytest.warns(UserWarning, match=rf"^{LARGE_SCALE}: .* in output 1 "):
        NielsenMLPRegressor(epochs=1, random_state=0).fit(X, np.column_stack([y, 1e4 * y]))


@pytest.mark.parametrize(("targets", "message"), [(1e-6, TINY_SCALE), (1e4, LARGE_SCALE)])
def test_the_first_partial_fit_warns_of_targets_off_scale_as_fit_does(diabetes, targets, message):
    # fit warned, partial_fit said nothing: a stream of y of order 1e-6 or 1e4 trained to an
    # R² far below 0. The first call starts the network, as fit does; later ones continue.
    X, _, y, _ = diabetes
    net = NielsenMLPRegressor(random_state=0)
    with pytest.warns(UserWarning, match=f"^{message}"):
        net.partial_fit(X[:50], targets * y[:50])
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=message)
        net.partial_fit(X[50:], targets * y[50:])


#: The start of the warning of a y_val on another scale than y.
Y_VAL_RESCALED = "y_val is on another scale than y"


@pytest.mark.parametrize("transformer", ["standard", "minmax"])
def test_a_y_val_left_untransformed_beside_y_is_warned_of(diabetes, transformer):
    # TransformedTargetRegressor, which the scale warnings advise, transforms y but passes
    # y_val on untransformed: the validation R² stayed near -4.4 at every epoch and early
    # stopping ranked the epochs by it, without a word.
    X, X_val, y, y_val = diabetes
    y, y_val = 152 + 77 * y, 152 + 77 * y_val  # the diabetes data's own units
    scaler = {"standard": StandardScaler(), "minmax": MinMaxScaler()}[transformer]
    net = NielsenMLPRegressor(epochs=2, early_stopping=True, random_state=0)
    model = TransformedTargetRegressor(net, transformer=scaler)
    with pytest.warns(UserWarning, match=rf"^{Y_VAL_RESCALED}: .*TransformedTargetRegressor"):
        model.fit(X, y, X_val=X_val, y_val=y_val)
    # Transformed as y is, it is not.
    y_val = scaler.fit(y[:, None]).transform((152 + 77 * diabetes[3])[:, None]).ravel()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=Y_VAL_RESCALED)
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        model.fit(X, y, X_val=X_val, y_val=y_val)


@pytest.mark.parametrize("seed", range(20))
def test_a_few_validation_targets_of_ys_distribution_are_not_warned_of(seed):
    # Two to nine rows of centred targets have a root mean square below a quarter of y's
    # by chance (6 % of the time for two): their scale is left unmeasured.
    rng = np.random.default_rng(seed)
    X, y = rng.random((40, 3)), rng.standard_normal(40)
    y_val = 0.1 * rng.standard_normal(9)  # as close to 0 as chance can put them
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=Y_VAL_RESCALED)
        NielsenMLPRegressor((3,), epochs=1, random_state=0).fit(X, y, X_val=X[:9], y_val=y_val)


@pytest.mark.parametrize(
    ("y_val", "error", "message"),
    [
        ([[1.0, 2.0], [3.0]], ValueError, r"rows of different lengths \(2 and 1\)"),  # ragged
        (np.array([1.0, 2.0j]), ValueError, "Complex data not supported"),
        (3.0, TypeError, "at least 1 dimension"),
    ],
)
def test_a_y_val_that_is_no_table_of_numbers_is_refused_naming_it(y_val, error, message):
    # The refusals came from NumPy and check_array without naming y_val, and y was checked
    # before it (a y_val without a column: tests/test_targets.py).
    rng = np.random.default_rng(0)
    X, y = rng.random((5, 3)), rng.random(5)
    net = NielsenMLPRegressor(hidden_layer_sizes=(3,), epochs=1)
    with pytest.raises(error, match=rf"^y_val: .*{message}"):
        net.fit(X, y, X_val=X[:2], y_val=y_val)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize(
    "watch",
    [{"monitor": "all"}, {"callbacks": [EarlyStopping("training_accuracy", patience=2)]}],
)
def test_a_training_r2_of_one_sample_is_refused_before_training(method, watch):
    # R² of one sample is NaN: the Monitor raised a CallbackError naming
    # "<function NielsenMLPRegressor._score_outputs at 0x...>" after the first epoch.
    rng = np.random.default_rng(0)
    X, y = rng.random((3, 3)), rng.random(3)
    net = NielsenMLPRegressor((3,), epochs=2, random_state=0, **watch)
    given = {"X_val": X, "y_val": y} if method == "fit" else {}
    with pytest.raises(ValueError, match=r"^The training data has 1 sample, but its R² needs"):
        getattr(net, method)(X[:1], y[:1], **given)
    with pytest.raises(ValueError, match=r"has 1 sample of positive weight, but its R² needs"):
        getattr(net, method)(X[:2], y[:2], sample_weight=[1.0, 0.0], **given)
    assert not hasattr(net, "coefs_")
    getattr(net, method)(X[:2], y[:2], **given)
    assert len(net.history_["training_accuracy"]) >= 1


@pytest.mark.filterwarnings(f"ignore:{LARGE_SCALE}")
@pytest.mark.filterwarnings("ignore:The training cost did not decrease:UserWarning")
@pytest.mark.parametrize("watch", [{"monitor": "all"}, {"early_stopping": 2}])
@pytest.mark.parametrize(
    ("dtype", "scale", "eta"), [("float32", 2e18, 1e-30), ("float64", 1.6e153, 1e-300)]
)
def test_r2_is_scored_wherever_the_cost_is_finite(watch, dtype, scale, eta):
    # The sums of squares of R² are twice the cost's sum: for 100 targets near 2e18
    # (float32) or 1.6e153 (float64) they overflowed where the cost's did not, and the fit
    # ended with a CallbackError of a score "of outputs whose cost is finite". (An η too
    # small to move the weights keeps the outputs, and the cost, as they started.)
    rng = np.random.default_rng(0)
    X = rng.random((200, 3))
    y = scale * (1.0 + 0.1 * X[:, 0])
    net = NielsenMLPRegressor((4,), epochs=2, eta=eta, dtype=dtype, random_state=0, **watch)
    net.fit(X[:100], y[:100], X_val=X[100:], y_val=y[100:])
    scores = net.history_["validation_accuracy"] + net.history_["training_accuracy"]
    assert len(scores) >= 2 and np.isfinite(scores).all(), net.history_
    # R² does not depend on the targets' scale: that of the outputs, on the scale of 1.
    Y_val = y[100:].astype(dtype).astype(np.float64) / scale
    expected = r2_score(Y_val, net.predict(X[100:]).astype(np.float64) / scale)
    assert net.history_["validation_accuracy"][-1] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("targets", ["tiny", "offset"])
def test_targets_that_vary_only_beyond_float32_are_warned_of(targets):
    # y * 1e-50 was all zeros in float32, and 1 + 1e-10 * noise all ones: a constant
    # fitted without a word, where float64 warned of a tiny scale.
    rng = np.random.default_rng(0)
    X, y = rng.random((30, 3)), rng.random(30)
    lost = y * 1e-50 if targets == "tiny" else 1 + 1e-10 * y
    net = NielsenMLPRegressor((3,), epochs=1, dtype="float32")
    with pytest.warns(UserWarning, match=r"^y varies .*but not in float32, where every"):
        net.fit(X, lost)
    with pytest.warns(UserWarning, match=r"but not in float32"):  # the first partial_fit
        NielsenMLPRegressor((3,), dtype="float32").partial_fit(X, lost)
    with warnings.catch_warnings():  # a later batch, which may vary little by chance
        warnings.simplefilter("error")
        net.partial_fit(X[:2], [100000.001, 100000.002])
    with pytest.warns(UserWarning, match="y varies on a tiny scale"):  # subnormal: kept
        NielsenMLPRegressor((3,), epochs=1, dtype="float32").fit(X, y * 1e-40)


def test_verbose_shows_r2_as_a_number_under_its_name(capsys):
    # It was "valid acc -24.12%": R² is no share, as the command line and plots knew.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=200)
    net = NielsenMLPRegressor(epochs=2, random_state=0, verbose=1, monitor="all")
    net.fit(X[:150], y[:150], X_val=X[150:], y_val=y[150:])
    header, *rows = [
        line for line in capsys.readouterr().out.splitlines() if "/2" in line or "epoch" in line
    ]
    assert "train R²" in header and "valid R²" in header and "acc" not in header
    assert "%" not in rows[-1]
    assert f"{net.history_['validation_accuracy'][-1]:.4f}" in rows[-1]


def test_validation_targets_of_other_columns_are_refused():
    # Swapped columns were scored against the wrong outputs, where X_val's are checked.
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X, Y = rng.random((30, 3)), rng.random((30, 2))
    y = pd.DataFrame(Y, columns=["a", "b"])
    net = NielsenMLPRegressor((3,), epochs=1, random_state=0)
    swapped = r"y_val's columns are 'b', 'a'; the model's targets are 'a', 'b'"
    with pytest.raises(ValueError, match=swapped):
        net.fit(X, y, X_val=X[:10], y_val=y[["b", "a"]][:10])
    net.fit(X, y, X_val=X[:10], y_val=y[:10])  # the same columns, and arrays, are taken
    with pytest.warns(UserWarning, match="y_val has no column names"):
        net.fit(X, y, X_val=X[:10], y_val=Y[:10])


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (np.array(list("abcdefghij")), r"^y must hold numbers, .*: could not convert"),
        (np.r_[np.nan, np.ones(9)].tolist(), r"^y has 1 missing value \(at position 0\)"),
        (np.zeros((10, 1, 1)), r"^y: Found array with dim 3"),
        (np.zeros((10, 2)), r"^y has 2 outputs, but the model predicts 1"),
    ],
)
def test_score_refuses_targets_as_fit_does_naming_them(y, message):
    # score handed y to r2_score: "could not convert string to float", "Input contains
    # NaN", "y_true and y_pred have different number of output (2!=1)", none naming y.
    rng = np.random.default_rng(0)
    X = rng.random((10, 3))
    net = NielsenMLPRegressor((3,), epochs=1, random_state=0).fit(X, rng.random(10))
    with pytest.raises(ValueError, match=message):
        net.score(X, y)


def test_score_takes_the_sparse_targets_fit_takes():
    # fit trained on them; score refused them in r2_score's words: "The 'y_true'
    # parameter of r2_score must be an array-like".
    rng = np.random.default_rng(0)
    X, Y = rng.random((20, 3)), rng.random((20, 2))
    net = NielsenMLPRegressor((3,), epochs=1, random_state=0).fit(X, sparse.csr_matrix(Y))
    assert net.score(X, sparse.csr_matrix(Y)) == net.score(X, Y)
    assert net.score(X, sparse.csc_array(Y[:, :1].repeat(2, axis=1))) == net.score(
        X, Y[:, :1].repeat(2, axis=1)
    )


def test_an_r2_beyond_the_largest_float_is_minus_infinity_without_numpys_warning():
    # Outputs near 1e308 against targets of order 1: R² is below -1e600, -inf in floats,
    # but the scale-free retry of score came with NumPy's "overflow encountered in square".
    rng = np.random.default_rng(0)
    X, y = rng.random((10, 3)), rng.random(10)
    net = NielsenMLPRegressor((3,), activation="relu", epochs=1, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", "X is on another scale", UserWarning)
        assert net.score(X * 1e307, y) == -np.inf


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("y_val", r"^y_val holds NaN or infinity in 1 of its 20 rows, which .*assume_finite"),
        ("X_val", r"^X_val holds NaN or infinity in 1 of its 20 rows, which .*assume_finite"),
        ("y", r"^y holds NaN or infinity in 1 of the 10 rows held out for validation, which"),
        ("sample_weight", r"^sample_weight holds NaN or infinity in 1 of the 10 rows held out"),
    ],
)
def test_validation_data_scikit_learn_was_told_to_trust_is_refused_when_not_finite(given, message):
    # With assume_finite=True its R² was NaN at every epoch: the fit failed after training,
    # blaming the EarlyStopping callback ("recorded nan under 'validation_accuracy'") or
    # an overflow ("Scale the inputs to [0, 1] or try a smaller eta").
    from sklearn import config_context

    rng = np.random.default_rng(0)
    X, y, weights = rng.random((20, 3)), rng.random(20), np.ones(20)
    data = {"X": X, "y": y, "X_val": X.copy(), "y_val": y.copy(), "sample_weight": weights}
    data[given][-1] = np.nan  # held out: the split takes the last row with this seed
    if given in ("y", "sample_weight"):
        del data["X_val"], data["y_val"]
    net = NielsenMLPRegressor((3,), epochs=2, early_stopping=True, validation_fraction=0.5)
    with config_context(assume_finite=True), pytest.raises(ValueError, match=message):
        net.set_params(random_state=0).fit(**data)
    assert not hasattr(net, "coefs_")


def test_untrusted_validation_data_is_named_before_its_targets_are_judged_constant():
    # y_val of infinities was refused as "targets all equal (inf)", and float32 X_val of
    # 1e39 was said to hold infinity, though it held a number (beyond float32's range).
    from sklearn import config_context

    rng = np.random.default_rng(0)
    X, y = rng.random((20, 3)), rng.random(20)
    net = NielsenMLPRegressor((3,), epochs=1, random_state=0)
    with config_context(assume_finite=True):
        with pytest.raises(ValueError, match=r"^y_val holds NaN or infinity in 10 of its 10"):
            net.fit(X, y, X_val=X[:10], y_val=np.full(10, np.inf))
        net.set_params(dtype="float32")
        with pytest.raises(ValueError, match=r"^X_val holds NaN, infinity or numbers beyond "):
            net.fit(X, y, X_val=np.full((10, 3), 1e39), y_val=y[:10])


def test_a_classifiers_validation_inputs_scikit_learn_was_told_to_trust_are_checked():
    # Its NaN rows were scored as predictions of the first class, without a word.
    from sklearn import config_context

    from sknielsen import NielsenMLPClassifier

    rng = np.random.default_rng(0)
    X, y = rng.random((20, 3)), np.arange(20) % 2
    X_val = X.copy()
    X_val[3] = np.nan
    net = NielsenMLPClassifier((3,), epochs=1, random_state=0)
    with config_context(assume_finite=True), pytest.raises(ValueError, match=r"^X_val holds"):
        net.fit(X, y, X_val=X_val, y_val=y)


@pytest.mark.filterwarnings(f"ignore:{LARGE_SCALE}")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_integer_targets_that_vary_only_beyond_the_dtypes_digits_are_warned_of(dtype):
    # Integers near 2**62 a few apart are one float64 (their spacing there is 1024): the
    # network learned a constant, warned only of y's large scale, with the advice of a
    # StandardScaler, which converts them to that one float first.
    rng = np.random.default_rng(0)
    X, y = rng.random((30, 3)), np.int64(2**62) + np.arange(30)
    lost = rf"^y varies \(over a range of 29\), but not in {dtype}, where every value is 4.61"
    with pytest.warns(UserWarning, match=lost):
        NielsenMLPRegressor((3,), epochs=1, dtype=dtype).fit(X, y)
    with warnings.catch_warnings():  # 2**52 apart from 2**62 on: a float64 each
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", LARGE_SCALE)
        NielsenMLPRegressor((3,), epochs=1).fit(X, np.int64(2**62) + 2**52 * np.arange(30))


def test_the_r2_of_one_sample_is_warned_of_once():
    # NaN, as scikit-learn's; the retry on the targets' scale warned a second time.
    from sklearn.exceptions import UndefinedMetricWarning

    rng = np.random.default_rng(0)
    X, y = rng.random((10, 3)), rng.random(10)
    net = NielsenMLPRegressor((3,), epochs=1, random_state=0).fit(X, y)
    with pytest.warns(UndefinedMetricWarning) as record:
        assert np.isnan(net.score(X[:1], y[:1]))
    assert len(record) == 1


@pytest.mark.filterwarnings("ignore::UserWarning")  # predict's, of X's scale and the outputs
def test_score_of_outputs_that_are_not_finite_is_refused_saying_so():
    # Outputs that overflowed to NaN or infinity were refused in r2_score's words, "Input
    # contains NaN.", after predict's warning that the outputs were not finite.
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 3)), rng.random(20)
    net = NielsenMLPRegressor((30, 30), activation="relu", epochs=1, random_state=0).fit(X, y)
    assert not np.isfinite(net.predict(X * 1.7e308)).all()
    with pytest.raises(ValueError, match=r"^The network's outputs are not finite for 13 of the 20"):
        net.score(X * 1.7e308, y)


@pytest.mark.parametrize("unit", ["datetime", "timedelta"])
def test_targets_of_dates_or_durations_are_refused_naming_the_unit_to_choose(unit):
    # Read as counts of the dtype's unit: nanoseconds in pandas 2, microseconds in pandas 3,
    # so the same code trained on numbers a thousand times apart.
    pd = pytest.importorskip("pandas")
    X = np.random.default_rng(0).random((20, 2))
    times = pd.Series(pd.date_range("2026-01-01", periods=20, freq="D"))
    y = times if unit == "datetime" else times - times.iloc[0]
    message = rf"y holds {unit}s \(.*\): convert them to numbers in a unit of your choosing"
    net = NielsenMLPRegressor((3,), epochs=1)
    for targets in (y, y.to_numpy(), y.to_frame("when")):
        with pytest.raises(ValueError, match=message):
            net.fit(X, targets)
    fitted = NielsenMLPRegressor((3,), epochs=1).fit(X, np.arange(20.0))
    with pytest.raises(ValueError, match=message):
        fitted.score(X, y)


def test_a_continued_fit_of_another_number_of_outputs_says_how_to_start_anew():
    # "y has 3 outputs; the model was fitted with 2." said nothing of warm_start.
    rng = np.random.default_rng(0)
    X, Y = rng.random((20, 2)), rng.random((20, 3))
    warm = NielsenMLPRegressor((3,), epochs=1, warm_start=True).fit(X, Y[:, :2])
    with pytest.raises(ValueError, match=r"y has 3 outputs; the model was fitted with 2: use "):
        warm.fit(X, Y)
    with pytest.raises(ValueError, match="use warm_start=False to start anew"):
        warm.fit(X, Y)
    with pytest.raises(ValueError, match="call fit, not partial_fit, to start anew"):
        warm.partial_fit(X, Y[:, 0])


def test_targets_the_regressor_cannot_read_are_named_and_so_is_a_contradicting_state():
    import dataclasses

    rng = np.random.default_rng(0)
    X, y = rng.random((20, 3)), rng.random(20)
    # check_array's "Found array with dim 3" named no array: which of y and y_val?
    with pytest.raises(ValueError, match=r"^y: Found array with dim 3"):
        NielsenMLPRegressor((2,), epochs=1).fit(X, y.reshape(20, 1, 1))
    with pytest.raises(ValueError, match=r"^y_val: Found array with dim 3"):
        NielsenMLPRegressor((2,), epochs=1).fit(X, y, X_val=X[:5], y_val=y[:5].reshape(5, 1, 1))
    state = NielsenMLPRegressor((2,), epochs=1).fit(X, y).get_fitted_state()
    with pytest.raises(ValueError, match="y_1d must be true or false"):
        NielsenMLPRegressor((2,)).set_fitted_state(dataclasses.replace(state, targets={"y_1d": 1}))


@pytest.mark.parametrize(
    ("weights", "error", "message"),
    [
        (-np.ones(20), ValueError, r"^Negative values in data passed to `sample_weight`"),
        (np.r_[-np.ones(10), np.ones(10)], ValueError, r"^Negative values in data passed to"),
        (np.zeros(20), ValueError, r"^Sample weights must contain at least one non-zero"),
        (np.ones(19), ValueError, r"^sample_weight.shape == \(19,\), expected \(20,\)"),
        ((w for w in np.ones(20)), TypeError, r"^sample_weight is a generator"),
    ],
)
@pytest.mark.parametrize("estimator", ["regressor", "classifier"])
def test_score_refuses_the_sample_weights_fit_refuses(weights, error, message, estimator):
    # score handed them to r2_score or accuracy_score: negative weights gave a number
    # (weights of -1 the unweighted score, mixed signs any), weights summing to 0 failed
    # as NumPy's ZeroDivisionError, a wrong length named no sample_weight.
    from sknielsen import NielsenMLPClassifier

    rng = np.random.default_rng(0)
    X, y = rng.random((20, 3)), rng.random(20)
    if estimator == "regressor":
        net = NielsenMLPRegressor((3,), epochs=1, random_state=0).fit(X, y)
    else:
        y = y > 0.5
        net = NielsenMLPClassifier((3,), epochs=1, random_state=0).fit(X, y)
    with pytest.raises(error, match=message):
        net.score(X, y, sample_weight=weights)
    with pytest.raises(TypeError, match=r"^X is a generator"):  # X first, as without weights
        net.score((row for row in X), y, sample_weight=weights)


def test_score_takes_the_sample_weights_fit_takes():
    # One number for every row, as fit takes it (r2_score refused it), and weights near the
    # largest float, whose weighted sums of squares overflowed to an R² of NaN.
    rng = np.random.default_rng(0)
    X, Y = rng.random((20, 3)), rng.random((20, 2))
    weights = rng.random(20)
    net = NielsenMLPRegressor((3,), epochs=2, random_state=0).fit(X, Y, sample_weight=weights)
    assert net.score(X, Y, sample_weight=3.0) == pytest.approx(net.score(X, Y), rel=1e-12)
    expected = r2_score(Y, net.predict(X), sample_weight=weights)
    assert net.score(X, Y, sample_weight=weights) == expected
    assert net.score(X, Y, sample_weight=weights * 2.0**1020) == net.score(
        X, Y, sample_weight=weights
    )


#: Python's integers have no bound: rows and targets beyond the largest float.
HUGE_ROWS, HUGE_TARGETS = [[10**400] * 3] * 10, [10**400] * 10


@pytest.mark.parametrize(
    ("call", "name"),
    [
        pytest.param(lambda net, X, y: net.fit(HUGE_ROWS, y), "X", id="fit-X"),
        pytest.param(lambda net, X, y: net.fit(X, HUGE_TARGETS), "y", id="fit-y"),
        pytest.param(lambda net, X, y: net.partial_fit(X, HUGE_TARGETS), "y", id="partial_fit-y"),
        pytest.param(lambda net, X, y: net.fit(X, y, HUGE_ROWS, y), "X_val", id="X_val"),
        pytest.param(lambda net, X, y: net.fit(X, y, X, HUGE_TARGETS), "y_val", id="y_val"),
        pytest.param(
            lambda net, X, y: net.fit(X, y, sample_weight=HUGE_TARGETS), "sample_weight", id="fit-w"
        ),
        pytest.param(lambda net, X, y: net.fit(X, y).predict(HUGE_ROWS), "X", id="predict-X"),
        pytest.param(lambda net, X, y: net.fit(X, y).score(HUGE_ROWS, y), "X", id="score-X"),
        pytest.param(lambda net, X, y: net.fit(X, y).score(X, HUGE_TARGETS), "y", id="score-y"),
        pytest.param(
            lambda net, X, y: net.fit(X, y).score(X, y, HUGE_TARGETS), "sample_weight", id="score-w"
        ),
    ],
)
def test_integers_beyond_the_largest_float_are_refused_naming_them(call, name):
    # NumPy's conversion failed as "OverflowError: int too large to convert to float",
    # naming no argument.
    rng = np.random.default_rng(0)
    X, y = rng.random((10, 3)), rng.random(10)
    message = rf"^{name} holds an integer beyond the largest float \(about 1.8e\+308\)"
    with pytest.raises(ValueError, match=message):
        call(NielsenMLPRegressor((3,), epochs=1, random_state=0), X, y)


@pytest.mark.parametrize("rows", ["in order", "shuffled"])
def test_a_csv_file_of_a_dataframes_index_is_refused_not_trained_on(tmp_path, capsys, rows):
    # DataFrame.to_csv writes the index first by default, under an empty name: the CLI
    # trained on the row numbers as a feature, and evaluate refused the file of a model
    # fitted on the DataFrame as of a column "'' not the model's".
    pd = pytest.importorskip("pandas")
    from sknielsen.__main__ import main
    from sknielsen.datasets import load_table

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.random((20, 2)), columns=["a", "b"]).assign(price=rng.random(20))
    if rows == "shuffled":
        frame = frame.sample(frac=1.0, random_state=0)
    path = tmp_path / "prices.csv"
    frame.to_csv(path)
    message = (
        r"prices.csv: its first column has no name and holds a different whole number in "
        r"every row, as the index pandas' DataFrame.to_csv writes"
    )
    with pytest.raises(ValueError, match=message):
        load_table(path, label="price")
    argv = ["train", "--regressor", "--dataset", str(path), "--label", "price", "--epochs", "1"]
    assert main(argv) == 2
    assert re.search(message, capsys.readouterr().err)
    frame.to_csv(path, index=False)
    assert load_table(path, label="price").feature_names == ["a", "b"]
    path.write_text(",a,price\n3,0.5,1.0\n3,0.25,2.0\n")  # an unnamed feature, not an index
    assert load_table(path, label="price").feature_names == ["", "a"]


def test_predict_names_the_models_targets_among_a_files_columns(tmp_path, capsys):
    # A file of the features and the targets, as the DataFrame the model was fitted on:
    # predict refused it as of columns "'price', 'qty' not the model's", its own targets.
    pd = pytest.importorskip("pandas")
    from sknielsen import save
    from sknielsen.__main__ import main

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.random((20, 4)), columns=["a", "b", "price", "qty"])
    net = NielsenMLPRegressor((3,), epochs=1, random_state=0)
    save(net.fit(frame[["a", "b"]], frame[["price", "qty"]]), tmp_path / "model.json")
    frame.to_csv(tmp_path / "prices.csv", index=False)
    argv = ["predict", str(tmp_path / "model.json"), str(tmp_path / "prices.csv")]
    flags = "giving --label price --label qty."
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert f"targets 'price', 'qty' beside its features: leave them out, {flags}" in error
    assert main([*argv, "--label", "price"]) == 2
    error = capsys.readouterr().err
    assert f"target 'qty' beside its features: leave it out, {flags}" in error
    assert main([*argv, "--label", "price", "--label", "qty"]) == 0


@pytest.mark.filterwarnings(f"ignore:{LARGE_SCALE}")
@pytest.mark.parametrize("held", ["list", "object array"])
def test_python_integers_that_vary_only_beyond_float64s_digits_are_warned_of(held):
    # Beyond int64 (or given as objects) NumPy keeps Python's integers as objects: they
    # were compared as floats, equal, so the network learned a constant without a word.
    X = np.random.default_rng(0).random((30, 3))
    y = [2**70 + i for i in range(30)]
    if held == "object array":
        y = np.array([2**62 + i for i in range(30)], dtype=object)
    lost = r"^y varies \(over a range of 29\), but not in float64, where every value is "
    with pytest.warns(UserWarning, match=lost):
        NielsenMLPRegressor((3,), epochs=1).fit(X, y)
