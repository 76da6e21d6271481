"""The book's hyper-parameter procedure, on scripted curves and on the digits."""

import math
import signal
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor
from sknielsen.datasets import load_digits_split
from sknielsen.plugins import LBFGS
from sknielsen.tuning import find_eta_threshold, search_lmbda, simplify
from sknielsen.utils import SparseInputError


class ScriptedNetwork(ClassifierMixin, BaseEstimator):
    """Training costs and validation scores written in advance, as functions of eta and lambda."""

    def __init__(
        self,
        eta=0.5,
        lmbda=0.0,
        epochs=30,
        monitor=None,
        early_stopping=None,
        schedule="constant",
        callbacks=None,
        monitor_every=None,
        threshold=0.37,
        best_lmbda=20.0,
    ):
        self.eta, self.lmbda, self.epochs, self.monitor = eta, lmbda, epochs, monitor
        self.early_stopping, self.schedule = early_stopping, schedule
        self.callbacks, self.monitor_every = callbacks, monitor_every
        self.threshold, self.best_lmbda = threshold, best_lmbda

    def fit(self, X, y):
        if self.eta < self.threshold:  # falls at every epoch
            costs = [3.0 / (1 + self.eta * e) for e in range(1, self.epochs + 1)]
        else:  # oscillates
            costs = [3.0 + (-1) ** e for e in range(1, self.epochs + 1)]
        self.history_ = {"training_cost": costs}
        self.classes_ = np.unique(y)
        return self

    def score(self, X, y):
        return 1.0 - abs(math.log10(self.lmbda) - math.log10(self.best_lmbda)) / 10


X_FAKE, Y_FAKE = np.zeros((20, 2)), np.arange(20) % 2


def test_finds_a_planted_eta_threshold():
    result = find_eta_threshold(ScriptedNetwork(threshold=0.37), X_FAKE, Y_FAKE)
    assert 0.37 / 10 ** (1 / 16) < result.threshold < 0.37
    assert result.recommended == result.threshold / 2
    tried = [t["eta"] for t in result.trace]
    assert tried[:3] == [0.01, 0.1, 1.0]  # up by factors of 10 ...
    assert [t["decreasing"] for t in result.trace[:3]] == [True, True, False]
    assert len(tried) == 3 + 4  # ... then four bisections


def test_goes_down_when_the_start_is_too_large():
    result = find_eta_threshold(ScriptedNetwork(threshold=0.002), X_FAKE, Y_FAKE)
    assert 0.002 / 10 ** (1 / 16) < result.threshold < 0.002
    with pytest.raises(ValueError, match="never fell steadily"):
        find_eta_threshold(ScriptedNetwork(threshold=1e-12), X_FAKE, Y_FAKE)


def test_finds_a_planted_best_lmbda():
    result = search_lmbda(ScriptedNetwork(best_lmbda=20.0), X_FAKE, Y_FAKE, X_FAKE, Y_FAKE)
    assert 20 / 10 ** (1 / 8) <= result.best <= 20 * 10 ** (1 / 8)
    assert [t["lmbda"] for t in result.trace][:3] == [10.0, 1.0, 100.0]
    downward = search_lmbda(ScriptedNetwork(best_lmbda=0.002), X_FAKE, Y_FAKE, X_FAKE, Y_FAKE)
    assert 0.002 / 10 ** (1 / 8) <= downward.best <= 0.002 * 10 ** (1 / 8)


class FlatNetwork(ScriptedNetwork):
    """Every λ within a factor of 100 of 1 scores the same: a plateau."""

    def score(self, X, y):
        return 0.9 if abs(math.log10(self.lmbda)) <= 2 else 0.5


def test_the_refinement_keeps_the_best_lmbda_on_a_tie():
    # Neighbours that only tie do not move it, as in the search by factors of 10.
    result = search_lmbda(FlatNetwork(), X_FAKE, Y_FAKE, X_FAKE, Y_FAKE, refine=3)
    assert result.best == 1.0 and result.best_score == 0.9
    assert len(result.trace) == 3 + 3 * 2  # 1, 10 and 0.1, then two neighbours a round


def test_simplify_keeps_the_first_n_of_the_classes():
    X = np.arange(30).reshape(15, 2)
    y = np.array([0, 1, 2] * 5)
    X_small, y_small = simplify(X, y, classes=(0, 1), n=4)
    assert y_small.tolist() == [0, 1, 0, 1] and X_small[:, 0].tolist() == [0, 2, 6, 8]
    with pytest.raises(ValueError, match="No example"):
        simplify(X, y, classes=(7,))
    # Labels that are not one per row raised IndexError, or picked rows silently.
    for X_bad, y_bad in [(X[:5], y), (X, y[:5]), (X, np.c_[y, y])]:
        with pytest.raises(ValueError, match="one label per row of X"):
            simplify(X_bad, y_bad)


def test_on_the_digits():
    digits = load_digits_split()
    X, y = simplify(digits.X_train, digits.y_train, classes=(0, 1, 2, 3), n=300)
    net = NielsenMLPClassifier(epochs=10, random_state=0)
    eta = find_eta_threshold(net, X, y, epochs=4, refine=2)
    assert all(t["decreasing"] for t in eta.trace if t["eta"] <= eta.threshold)
    assert 0.1 < eta.threshold < 1000
    lmbda = search_lmbda(net.set_params(eta=eta.recommended), X, y, refine=1)
    assert lmbda.best_score >= max(t["score"] for t in lmbda.trace) - 1e-12
    assert net.eta == eta.recommended and net.lmbda == 0.0  # estimators are cloned


def test_search_plots(tmp_path):
    pytest.importorskip("matplotlib")
    from sknielsen.plotting import plot_eta_search, plot_lmbda_search

    eta = find_eta_threshold(ScriptedNetwork(), X_FAKE, Y_FAKE, epochs=3)
    fig = plot_eta_search(eta, tmp_path / "eta.png")
    assert len(fig.axes[0].lines) == len(eta.trace)
    lmbda = search_lmbda(ScriptedNetwork(), X_FAKE, Y_FAKE, X_FAKE, Y_FAKE)
    plot_lmbda_search(lmbda, tmp_path / "lmbda.png")
    for name in ("eta.png", "lmbda.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


class NeverFit(ScriptedNetwork):
    """Fails a test that trains at all: a refused argument must stop the search first."""

    def fit(self, X, y):
        raise AssertionError("trained despite an invalid argument")


BAD_FACTORS = (1, 1.0, 0.5, 0, -10, math.nan, math.inf)
ETA_SEARCH_REFUSALS = [("factor", value, r"range \(1\.0, inf\)") for value in BAD_FACTORS] + [
    ("start", 0, r"range \(0\.0, inf\)"),
    ("start", -0.1, "range"),
    ("start", math.inf, "range"),
    ("start", math.nan, "range"),
    ("epochs", 1, r"range \[2, inf\)"),
    ("epochs", 2.5, "int"),
    ("refine", -1, r"range \[0, 30\]"),
    ("refine", 31, "range"),
    ("max_eta", 0, "range"),
    ("max_eta", math.inf, "range"),
    ("max_steps", 0, r"range \[1, inf\)"),
]


@pytest.mark.parametrize("name, value, allowed", ETA_SEARCH_REFUSALS)
def test_eta_search_refuses_arguments_that_cannot_work(name, value, allowed):
    message = f"The '{name}' parameter of find_eta_threshold .*{allowed}"
    with pytest.raises(ValueError, match=message):
        find_eta_threshold(NeverFit(), X_FAKE, Y_FAKE, **{name: value})


@pytest.mark.parametrize(
    "name, value",
    [
        ("factor", 1),
        ("factor", 0.5),
        ("factor", math.inf),
        ("start", 0),
        ("refine", 100),
        ("validation_fraction", 0),
        ("validation_fraction", 1),
        ("max_steps", 0),
    ],
)
def test_lmbda_search_refuses_arguments_that_cannot_work(name, value):
    with pytest.raises(ValueError, match=f"The '{name}' parameter of search_lmbda"):
        search_lmbda(NeverFit(), X_FAKE, Y_FAKE, X_FAKE, Y_FAKE, **{name: value})


@pytest.mark.parametrize("seed", [True, np.random.default_rng(0), "abc", 1.5, -1, 2**32])
def test_lmbda_search_refuses_a_random_state_that_is_no_seed_by_name(seed):
    # True split as seed 1; the others failed in NumPy, naming neither the argument
    # nor the search ("Generator(PCG64) cannot be used to seed a ... RandomState").
    with pytest.raises(ValueError, match="The 'random_state' parameter of search_lmbda"):
        search_lmbda(NeverFit(), X_FAKE, Y_FAKE, random_state=seed)


class ScoresTheHeldOutRows(ScriptedNetwork):
    """Scores the validation rows it is given by their numbers: each split its own score."""

    def score(self, X, y):
        return float(np.sum(X[:, 0] * 2.0 ** -np.arange(len(X))))


@pytest.mark.parametrize("seed", [0, np.int64(0), np.random.RandomState(0)])
def test_lmbda_search_splits_alike_for_an_int_and_a_random_state_of_that_seed(seed):
    rows = np.arange(20.0).reshape(-1, 1)
    expected = search_lmbda(ScoresTheHeldOutRows(), rows, Y_FAKE, random_state=0, refine=0)
    other_seed = search_lmbda(ScoresTheHeldOutRows(), rows, Y_FAKE, random_state=1, refine=0)
    assert other_seed.best_score != expected.best_score  # the score tells splits apart
    given = search_lmbda(ScoresTheHeldOutRows(), rows, Y_FAKE, random_state=seed, refine=0)
    assert given.best_score == expected.best_score


def test_lmbda_search_refuses_validation_inputs_without_their_labels():
    # Either alone was silently replaced by a split of (X, y).
    for given in ({"X_val": X_FAKE}, {"y_val": Y_FAKE}):
        with pytest.raises(ValueError, match="X_val and y_val must be given together"):
            search_lmbda(NeverFit(), X_FAKE, Y_FAKE, **given)


def test_eta_search_is_bounded_and_says_when_it_found_no_threshold():
    # The cost falls at every eta: a search bounded only by max_eta would run ~10^5 trials.
    with pytest.warns(UserWarning, match="still fell at eta=.*the threshold is higher") as record:
        result = find_eta_threshold(
            ScriptedNetwork(threshold=math.inf), X_FAKE, Y_FAKE, factor=1.001, max_eta=1e300
        )
    # At this line, not at scikit-learn's validate_params wrapper (stacklevel=2 reached it).
    assert [w.filename for w in record] == [__file__]
    assert len(result.trace) == 1 + 6  # start, then max_steps=6 multiplications
    with pytest.raises(ValueError, match="never fell steadily"):  # 0.01 / 1e400 underflows
        find_eta_threshold(ScriptedNetwork(threshold=0), X_FAKE, Y_FAKE, factor=1e200)


def test_lmbda_search_holds_out_validation_data_of_a_regressor_and_of_rare_classes():
    # The split was always stratified: a regressor's continuous targets, or a class of
    # one example, ended in train_test_split's "least populated class" error.
    from sknielsen import NielsenMLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ [1.0, -1.0, 0.5]
    net = NielsenMLPRegressor((3,), epochs=2, random_state=0)
    result = search_lmbda(net, X, y, refine=0, max_steps=1)
    assert len(result.trace) >= 2 and all(np.isfinite(t["score"]) for t in result.trace)
    labels = np.r_[np.zeros(20), np.ones(19), 2]  # the class 2 has one example
    classifier = NielsenMLPClassifier((3,), epochs=1, random_state=0)
    assert len(search_lmbda(classifier, X, labels, refine=0, max_steps=1).trace) >= 2


def test_simplify_keeps_a_dataframes_names_and_a_sparse_matrix():
    # A DataFrame came back as an array, its column names lost; a sparse X failed inside
    # NumPy (len() of unsized object).
    pd = pytest.importorskip("pandas")
    from scipy.sparse import csr_matrix

    X = np.arange(30.0).reshape(15, 2)
    y = np.array([0, 1, 2] * 5)
    frame = pd.DataFrame(X, columns=["width", "height"])
    labels = pd.Series(y, name="digit")
    X_small, y_small = simplify(frame, labels, n=4)
    assert list(X_small.columns) == ["width", "height"] and y_small.name == "digit"
    assert X_small.index.tolist() == y_small.index.tolist() == [0, 1, 3, 4]
    assert X_small["width"].tolist() == [0, 2, 6, 8]
    X_sparse, y_sparse = simplify(csr_matrix(X), y, n=4)
    assert X_sparse.toarray()[:, 0].tolist() == [0, 2, 6, 8] and y_sparse.tolist() == [0, 1] * 2


@pytest.mark.parametrize("where", ["X", "y"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_simplify_refuses_nan_and_infinity(where, value):
    # They were passed through to the search, whose first fit failed naming no argument
    # (a NaN label was dropped as no class).
    X = np.arange(30.0).reshape(15, 2)
    y = np.array([0.0, 1.0, 2.0] * 5)
    (X if where == "X" else y)[3] = value
    with pytest.raises(ValueError, match=rf"^Input {where} contains (NaN|infinity)"):
        simplify(X, y)


def test_lmbda_search_checks_the_validation_set_before_its_first_fit():
    # X_val of NaN, or of other features, failed in the first trial's score, after its fit;
    # so did y_val of NaN or infinity, named y_true by the metric.
    X_nan = X_FAKE.copy()
    X_nan[0, 0] = np.nan
    y_nan, y_inf = Y_FAKE.astype(float), Y_FAKE.astype(float)
    y_nan[0], y_inf[0] = np.nan, np.inf
    cases = [
        ((X_nan, Y_FAKE), r"^X_val contains NaN, which NeverFit cannot take"),
        ((X_FAKE, y_nan), r"^Input y_val contains NaN"),
        ((X_FAKE, y_inf), r"^Input y_val contains infinity"),
        ((X_FAKE[:, :1], Y_FAKE), r"^X_val has 1 features, but X has 2"),
        ((X_FAKE, Y_FAKE[:5]), r"^X_val and y_val: Found input variables with inconsistent"),
        ((X_FAKE[:, 0], Y_FAKE), r"Expected 2D array"),
    ]
    for (X_val, y_val), message in cases:
        with pytest.raises(ValueError, match=message):
            search_lmbda(NeverFit(), X_FAKE, Y_FAKE, X_val, y_val)


class TakesMissingValues(ScriptedNetwork):
    """A network whose tags say it takes NaN, as scikit-learn's HistGradientBoosting does."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


def _with(value, row=0):
    X = X_FAKE.astype(object if isinstance(value, str) else float)
    X[row, 0] = value
    return X


SEARCHES = {
    "find_eta_threshold": lambda net, X, y: find_eta_threshold(net, X, y, refine=0, max_steps=1),
    "search_lmbda": lambda net, X, y: search_lmbda(net, X, y, refine=0, max_steps=1),
}


@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize(
    "X, message",
    [
        (_with(np.nan), r"^X contains NaN, which NeverFit cannot take: impute it"),
        (_with(np.inf), r"^X contains infinity, which NeverFit cannot take"),
        (_with("seven"), r"^X holds values that are not numbers, which NeverFit cannot take"),
        (X_FAKE.astype(str), r"^X holds strings \(<U32\), not numbers, which NeverFit"),
    ],
)
def test_searches_refuse_values_the_estimator_cannot_take_before_any_fit(search, X, message):
    # find_eta_threshold checked no value: the estimator's fit refused them, or trained on
    # them; search_lmbda's held-out rows were checked only by the first trial's score.
    with pytest.raises(ValueError, match=message):
        SEARCHES[search](NeverFit(), X, Y_FAKE)


def test_lmbda_search_checks_the_rows_it_holds_out_before_its_first_fit():
    # A NaN in a row of the validation split failed in the first trial's score, after
    # its fit, as "Input X contains NaN" of the estimator's.
    for row in range(len(X_FAKE)):
        with pytest.raises(ValueError, match=r"^X contains NaN, which NeverFit"):
            search_lmbda(NeverFit(), _with(np.nan, row), Y_FAKE)


@pytest.mark.parametrize("search", SEARCHES)
def test_searches_take_the_values_the_estimators_tags_allow(search):
    result = SEARCHES[search](TakesMissingValues(threshold=0.05), _with(np.nan), Y_FAKE)
    assert len(result.trace) >= 2


class FitsNoSparseInput(NielsenMLPClassifier):
    """A full-batch network that fails the test if it is ever fitted."""

    def fit(self, X, y, **fit_params):
        raise AssertionError("fitted before its sparse input was refused")


@pytest.mark.parametrize("search", SEARCHES)
def test_searches_refuse_sparse_input_for_a_full_batch_network_before_any_fit(search):
    # Refused by the first trial's fit before: now with the NaN and the strings, up front.
    from scipy.sparse import csr_matrix

    net = FitsNoSparseInput((2,), epochs=1, optimizer="newton")  # L-BFGS never reads eta
    expected = r"^The full-batch optimizer Newton trains on dense X only; got a sparse X of shape"
    with pytest.raises(SparseInputError, match=expected):
        SEARCHES[search](net, csr_matrix(X_FAKE), Y_FAKE)


def test_lmbda_search_takes_a_sparse_validation_set_for_a_full_batch_network():
    # Only training refuses sparse input: a fitted network predicts sparse X_val.
    from scipy.sparse import csr_matrix

    X, y = load_digits_split().X_train[:80], load_digits_split().y_train[:80]
    net = NielsenMLPClassifier((5,), epochs=2, optimizer="lbfgs", random_state=0)
    result = search_lmbda(net, X, y, csr_matrix(X), y, refine=0, max_steps=1)
    assert len(result.trace) >= 2


class RegressorNeverFit(NielsenMLPRegressor):
    """A regressor that fails the test if it is ever fitted."""

    def fit(self, X, y, **fit_params):
        raise AssertionError("fitted before its validation set was refused")


X_LINE = np.linspace(0, 1, 40).reshape(-1, 1)


@pytest.mark.parametrize(
    "validation, message",
    [
        ({"X_val": X_LINE[:1], "y_val": [0.5]}, r"^X_val has 1 sample, but R² needs at least 2"),
        (
            {"validation_fraction": 0.02},
            r"^The validation_fraction=0.02 of X held out has 1 sample, but R² needs at least 2",
        ),
        (
            {"X_val": X_LINE[:3], "y_val": [2.0] * 3},
            r"^y_val has 3 targets all equal \(2\): R² is 0 whatever the network predicts",
        ),
        # Each trial's score said "y must hold numbers", of the y_val it was given.
        (
            {"X_val": X_LINE[:3], "y_val": ["low", "mid", "high"]},
            r"^y_val has values that are not numbers, which a regressor's R² cannot score "
            r"\(could not convert string to float: .*low.*\): give numbers\.",
        ),
    ],
)
def test_lmbda_search_refuses_a_validation_set_r2_cannot_rank_by(validation, message):
    # Every trial scored NaN (one sample) or 0 (equal targets), and the search returned
    # its start as the best λ, with scikit-learn's warnings of an undefined R² at most.
    with pytest.raises(ValueError, match=message):
        search_lmbda(RegressorNeverFit(), X_LINE, X_LINE.ravel(), **validation)


@pytest.mark.parametrize(
    ("search", "name"),
    [
        (lambda net, X, y: find_eta_threshold(net, X, y), "mini_batch_size"),
        (lambda net, X, y: search_lmbda(net, X, y), "mini_batch_size"),
        (
            lambda net, X, y: find_eta_threshold(
                net.set_params(mini_batch_size=10, dropout=2.0), X, y
            ),
            "dropout",
        ),
    ],
    ids=["find_eta_threshold", "search_lmbda", "another parameter"],
)
def test_an_estimators_invalid_parameter_is_named_as_the_estimators(search, name):
    # scikit-learn's validate_params renamed the owner after the function: "The
    # 'mini_batch_size' parameter of find_eta_threshold", which has no such parameter.
    from sklearn.utils._param_validation import InvalidParameterError

    rng = np.random.default_rng(0)
    X, y = rng.random((40, 3)), np.arange(40) % 2
    net = NielsenMLPClassifier((3,), mini_batch_size=0)
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of NielsenMLPClassifier"):
        search(net, X, y)
    with pytest.raises(InvalidParameterError, match=r"'epochs' parameter of find_eta_threshold"):
        find_eta_threshold(NielsenMLPClassifier(), X, y, epochs=-1)  # its own: named after it


@pytest.mark.parametrize("classes", [{0, 1}, frozenset({0, 1}), (0, 1), [0, 1], np.array([0, 1])])
def test_simplify_takes_classes_as_any_collection(classes):
    # A set matched no label ("No example has a label in [0, 1]": 240 had).
    d = load_digits_split()
    X_small, y_small = simplify(d.X_train, d.y_train, classes=classes, n=100)
    assert X_small.shape == (100, 64) and set(np.unique(y_small)) == {0, 1}


def test_search_lmbda_refuses_a_split_that_leaves_a_class_nothing_to_train_on():
    X, y = np.random.default_rng(0).random((4, 3)), np.arange(4)
    with pytest.raises(ValueError, match=r"^validation_fraction=0.2: holding out 1 of the 4"):
        search_lmbda(NielsenMLPClassifier((3,), epochs=1), X, y)


def test_eta_trials_set_aside_callbacks_and_monitor_every_as_the_shorthands():
    # The trials set early_stopping and schedule aside, but not the callbacks doing the
    # same: a decay schedule lowered eta in every trial and early stopping cut trials
    # short (a threshold of 1778 instead of 3.2 on 300 digits); monitor_every held a
    # tenth of X out of training.
    from sklearn.base import clone

    from sknielsen.callbacks import EarlyStopping, ExponentialDecay

    d = load_digits_split()
    X, y = d.X_train[:100], d.y_train[:100]
    plain = NielsenMLPClassifier((5,), random_state=0)
    configured = clone(plain).set_params(
        callbacks=[ExponentialDecay(gamma=0.5), EarlyStopping(patience=1)], monitor_every=1
    )
    search = {"epochs": 3, "refine": 1, "max_steps": 4}
    expected = find_eta_threshold(plain, X, y, **search)
    assert find_eta_threshold(configured, X, y, **search) == expected


class CatchesCtrlC(ScriptedNetwork):
    """Gets Ctrl-C in its first fit and, as NielsenMLPClassifier does, catches it and returns."""

    fits = 0

    def fit(self, X, y):
        type(self).fits += 1
        if type(self).fits == 1:
            try:
                signal.raise_signal(signal.SIGINT)
            except KeyboardInterrupt:
                warnings.warn("Training interrupted", UserWarning, stacklevel=2)
        return super().fit(X, y)


@pytest.mark.filterwarnings("ignore:Training interrupted")
@pytest.mark.parametrize("search", SEARCHES)
def test_ctrl_c_caught_inside_a_trial_ends_the_search(search):
    # The fit caught it and the search went on to its next trial, judging the cut trial
    # as any other: a Ctrl-C in the first trial gave a threshold of 0.001 on the digits.
    CatchesCtrlC.fits = 0
    with pytest.raises(KeyboardInterrupt):
        SEARCHES[search](CatchesCtrlC(), X_FAKE, Y_FAKE)
    assert CatchesCtrlC.fits == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


class ClassifierNeverFit(NielsenMLPClassifier):
    """A network that fails the test if it is ever fitted."""

    def fit(self, X, y, **fit_params):
        raise AssertionError("fitted before the search was refused")


@pytest.mark.parametrize(
    "search, settings, message",
    [
        ("find_eta_threshold", {"optimizer": "lbfgs"}, r"^LBFGS chooses its own steps"),
        ("find_eta_threshold", {"optimizer": LBFGS(memory=3)}, r"never reads eta"),
        ("search_lmbda", {"regularizer": "none"}, r"^regularizer='none' never reads lmbda"),
    ],
)
def test_searches_refuse_a_parameter_the_network_never_reads(search, settings, message):
    # Every trial trained alike: L-BFGS's line search ignores eta, so the search reported
    # a threshold above every eta tried; without a regularizer it returned its start as
    # the best lambda.
    with pytest.raises(ValueError, match=message):
        SEARCHES[search](ClassifierNeverFit(**settings), X_FAKE, Y_FAKE)


@pytest.mark.parametrize("search", sorted(SEARCHES))
def test_a_search_of_a_network_of_an_unknown_optimizer_is_refused_by_its_fit(search):
    # Not known to read eta or not: the first trial's fit names the parameter.
    with pytest.raises(ValueError, match=r"The 'optimizer' parameter .* Unknown optimizer"):
        SEARCHES[search](NielsenMLPClassifier(optimizer="nonsense"), X_FAKE, Y_FAKE)


def test_lmbda_search_checks_the_validation_sets_feature_names_before_its_first_fit():
    # Columns renamed or reordered failed in the first trial's score, after its fit, with
    # scikit-learn's "The feature names should match those that were passed during fit".
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(X_FAKE, columns=["width", "height"])
    for X_val, detail in [
        (X[["height", "width"]], "the same names in another order"),
        (X.set_axis(["w", "h"], axis=1), r"names it was not trained with: \['w', 'h'\]"),
    ]:
        with pytest.raises(ValueError, match=rf"^The validation set's feature names .*{detail}"):
            search_lmbda(NeverFit(), X, Y_FAKE, X_val, Y_FAKE)


@pytest.mark.filterwarnings("ignore:The training cost still fell:UserWarning")
def test_the_searches_take_a_pipeline_ending_in_a_network():
    # make_pipeline(StandardScaler(), net) was refused by scikit-learn as "Invalid parameter
    # 'eta' for estimator Pipeline": the book's searches could not scale their inputs.
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    d = load_digits_split()
    X, y, X_val, y_val = d.X_train[:200], d.y_train[:200], d.X_test[:100], d.y_test[:100]
    net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=2, random_state=0)
    scaler = StandardScaler().fit(X)
    pipeline = make_pipeline(StandardScaler(), net)
    kwargs = {"start": 0.1, "refine": 1, "max_steps": 2}
    eta = find_eta_threshold(pipeline, X, y, epochs=2, **kwargs)
    assert eta == find_eta_threshold(net, scaler.transform(X), y, epochs=2, **kwargs)
    lmbda = search_lmbda(pipeline, X, y, X_val=X_val, y_val=y_val, **kwargs)
    expected = search_lmbda(
        net, scaler.transform(X), y, X_val=scaler.transform(X_val), y_val=y_val, **kwargs
    )
    assert lmbda == expected
    assert pipeline[-1].get_params() == net.get_params()  # cloned, never changed
    with pytest.raises(ValueError, match="never reads eta"):
        find_eta_threshold(make_pipeline(StandardScaler(), net.set_params(optimizer="lbfgs")), X, y)


@pytest.mark.filterwarnings("ignore:The training cost still fell:UserWarning")
def test_the_searches_report_python_floats_whatever_numbers_they_are_given():
    # search_lmbda(start=np.float32(1)) reported np.float32 lambdas, which json.dumps refuses,
    # and an int start mixed ints and floats.
    import json

    d = load_digits_split()
    X, y = d.X_train[:150], d.y_train[:150]
    net = NielsenMLPClassifier(hidden_layer_sizes=(5,), epochs=2, random_state=0)
    lmbda = search_lmbda(net, X, y, start=np.float32(1), factor=np.int64(10), refine=1, max_steps=1)
    eta = find_eta_threshold(
        net, X, y, start=np.float32(0.1), factor=np.int64(10), epochs=2, refine=1, max_steps=1
    )
    for value in (
        lmbda.best,
        eta.threshold,
        eta.recommended,
        *(t["lmbda"] for t in lmbda.trace),
        *(t["eta"] for t in eta.trace),
    ):
        assert type(value) is float
    json.dumps([lmbda.trace, eta.trace])


X_FOUR, Y_TWO = np.random.default_rng(0).random((40, 4)), np.arange(40) % 2


@pytest.mark.parametrize(
    ("y_val", "message"),
    [
        (Y_TWO + 5, r"y_val holds labels that y does not: \[5, 6\]"),
        (Y_TWO.astype(str), r"y_val holds labels that y does not: \['0', '1'\]"),
        (np.r_[Y_TWO[:-1], 7], r"y_val holds labels that y does not: \[7\]"),
        (np.c_[Y_TWO, Y_TWO], "y_val is a multilabel indicator matrix, but y holds 1-D labels"),
        (np.array([1, "a"] * 20, dtype=object), "labels of y_val mix types"),
    ],
    ids=["other classes", "strings for ints", "one unseen", "multilabel", "mixed types"],
)
def test_lmbda_search_refuses_validation_labels_no_trial_could_predict(y_val, message):
    # Labels y lacks scored 0 at every trial, and the search returned its start as the
    # best λ without a word; strings for ints, or a matrix for labels, failed in the
    # first trial's score, in scikit-learn's words naming no argument.
    with pytest.raises(ValueError, match=message):
        search_lmbda(ClassifierNeverFit(), X_FOUR, Y_TWO, X_FOUR, y_val)


def test_lmbda_search_names_the_kind_of_validation_targets_it_refuses():
    # A matrix of three values beside multilabel targets was called "1-D labels".
    Y = np.c_[Y_TWO, 1 - Y_TWO]
    with pytest.raises(ValueError, match=r"^y_val is a 2-D array of multiclass-multioutput "):
        search_lmbda(ClassifierNeverFit(), X_FOUR, Y, X_FOUR, np.c_[Y_TWO, 2 * Y_TWO])


def test_searches_refuse_labels_of_types_that_cannot_be_sorted_before_any_fit():
    # search_lmbda's split failed inside NumPy: "'<' not supported between 'str' and 'int'".
    y = np.array([1, "a"] * 20, dtype=object)
    with pytest.raises(ValueError, match=r"labels of y mix types .*\(int, str\)"):
        search_lmbda(ClassifierNeverFit(), X_FOUR, y)
    with pytest.raises(ValueError, match=r"labels of y mix types .*\(int, str\)"):
        find_eta_threshold(ClassifierNeverFit(), X_FOUR, y)


@pytest.mark.parametrize("sparse_format", ["coo", "dok", "dia"])
def test_simplify_and_the_lmbda_split_take_sparse_inputs_of_any_format(sparse_format):
    # Rows of a COO (or DOK, DIA) matrix were selected by indexing it, which SciPy
    # refuses: "'coo_matrix' object is not subscriptable".
    from scipy import sparse

    X = sparse.random(40, 4, density=0.5, random_state=0, format=sparse_format)
    X_small, y_small = simplify(X, Y_TWO, n=10)
    assert np.array_equal(X_small.toarray(), X.toarray()[:10])
    assert np.array_equal(y_small, Y_TWO[:10])
    net = NielsenMLPClassifier((2,), epochs=1, random_state=0)
    result = search_lmbda(net, X, Y_TWO, max_steps=1, refine=0)
    assert len(result.trace) == 3


def test_lmbda_search_tries_no_lmbda_beyond_floats():
    # start=1e308 stepped to λ = inf, refused by the trial's fit as "The 'lmbda' parameter
    # of NielsenMLPClassifier ... Got inf", an argument the caller never gave.
    net = NielsenMLPClassifier((2,), epochs=1, random_state=0)
    for start in (1e308, 5e-324):
        result = search_lmbda(net, X_FOUR, Y_TWO, start=start, max_steps=1, refine=1)
        assert all(0 < trial["lmbda"] < math.inf for trial in result.trace)


def test_eta_search_refuses_a_start_above_max_eta():
    # The search trained at start and warned "the cost still fell at eta=1e+308, the largest
    # tried (max_eta=10000)": a largest η above the bound it names.
    with pytest.raises(ValueError, match=r"start=100 is above max_eta=10"):
        find_eta_threshold(ClassifierNeverFit(), X_FOUR, Y_TWO, start=100, max_eta=10)


@pytest.mark.parametrize("estimator", [None, "net", 3, [NielsenMLPClassifier()]])
@pytest.mark.parametrize("search", [find_eta_threshold, search_lmbda])
def test_searches_refuse_what_is_no_estimator_naming_it(search, estimator):
    # None or a name failed deep in scikit-learn's tags: "'NoneType' object has no
    # attribute '__sklearn_tags__' ... Make sure to inherit from BaseEstimator".
    with pytest.raises(TypeError, match=rf"The 'estimator' parameter of {search.__name__}"):
        search(estimator, X_FOUR, Y_TWO)
