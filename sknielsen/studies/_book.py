"""Exact replays of the book's recorded chapter 3 runs.

The book's repository keeps the JSON records written by its figure scripts
(``fig/overfitting.py``, ``more_data.py``, ``multiple_eta.py``,
``weight_initialization.py``), run under Python 2.7 with
``random.seed(12345678)`` and ``np.random.seed(12345678)``. Those runs can be
replayed number for number, because everything that made them is known:

- the data: pixel/256 (``load_mnist(scale="book")``), the first 50,000
  training images for training, the last 10,000 for validation;
- the starting weights: ``np.random.randn`` draws in ``network2.py``'s
  order (the biases of every layer, then the weights), from NumPy's legacy
  generator, which has never changed;
- the mini-batch order: Python 2.7's ``random.shuffle`` of the training list,
  every epoch, in place, so that the orders of successive epochs compose;
- the arithmetic: IEEE doubles, as in :class:`~sknielsen.NielsenMLPClassifier`.

Each replay trains through :class:`~sknielsen.NielsenMLPClassifier` itself: the starting
weights go in through its ``initializer`` parameter, and each epoch is one
``partial_fit`` on the training data in the book's order (``shuffle=False``).

Rounding still differs (network2 adds one example at a time, we multiply
matrices). Most runs damp that; two amplify it until it decides which
images are right, ``overfitting_full`` and the η = 2.5 run of
``multiple_eta``, and no program rounding otherwise than the book's machine
can replay them: ``overfitting_full`` beyond its third epoch, the η = 2.5
run not even for its first (the book's own per-example algorithm started
one ulp away parts as far, ``benchmarks/book_replay_sensitivity.py``).
``replay(name, nudge=True)`` measures how far rounding alone carries a run.

Examples
--------
>>> from sknielsen.book import RECORDS
>>> RECORDS["regularized_full"].script
'overfitting.py'
"""

import itertools
import json
import math
import numbers
import random
import time
from collections.abc import MutableSequence, Sequence
from dataclasses import dataclass, field
from functools import partial
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from .. import plugins
from .._classifier import NielsenMLPClassifier
from .._core.files import check_readable, file_path
from .._core.names import did_you_mean
from .._core.params import check_bool
from .._core.warn import silenced
from ..engine._network import feedforward
from ..io._datasets import load_mnist

__all__ = [
    "RECORDS",
    "BookRandom",
    "Record",
    "Replay",
    "SeriesComparison",
    "load_record",
    "load_replay",
    "plot_replay",
    "replay",
]

#: The seed of both random streams in every figure script of the book.
SEED = 12345678
# The largest seed of NumPy's legacy generator, ``np.random.RandomState``.
MAX_SEED = 2**32 - 1
#: The training-set sizes of ``more_data.py``.
MORE_DATA_SIZES = (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000)
#: The learning rates of ``multiple_eta.py``, in the order it runs them.
MULTIPLE_ETA = (0.025, 0.25, 2.5)
# The four lists network2's SGD returns, in its order.
MONITORS = ("evaluation_cost", "evaluation_accuracy", "training_cost", "training_accuracy")
DIGITS = np.arange(10)
# The replay's acceptance criteria (issue 12).
MIN_EXACT_SHARE = 0.95
MAX_IMAGES_APART = 3
MAX_COST_RELATIVE_ERROR = 1e-4


class BookRandom:
    """The two random streams of ``network2.py``, seeded as the book's scripts do.

    Parameters
    ----------
    seed : int, default=12345678
        Seed of both streams (``random.seed`` and ``np.random.seed``), in
        [0, 2**32 - 1]; NumPy integers too.
    nudge : bool, default=False
        Move every starting weight and bias up by one unit in the last place
        (``np.nextafter``): a run replayed so tells how much it amplifies
        rounding, hence how closely any other program can replay it.

    Raises
    ------
    TypeError
        If ``seed`` is no integer (a str, a float, a bool, None) or
        ``nudge`` no bool.
    ValueError
        If ``seed`` is outside [0, 2**32 - 1], which NumPy's legacy
        generator refuses.

    Notes
    -----
    Python 3's ``random.Random(seed).random()`` gives the same doubles as
    Python 2.7's for an integer seed, but its ``shuffle`` draws differently;
    :meth:`shuffle` is Python 2.7's algorithm.

    Examples
    --------
    >>> from sknielsen.book import BookRandom
    >>> items = [0, 1, 2, 3, 4]
    >>> BookRandom(0).shuffle(items)
    >>> items
    [2, 0, 1, 3, 4]
    """

    def __init__(self, seed=SEED, *, nudge=False):
        seed = _checked_seed(seed)
        check_bool(nudge, "nudge")
        self.python = random.Random(seed)
        self.numpy = np.random.RandomState(seed)
        self.nudge = bool(nudge)

    def shuffle(self, items):
        """Shuffle ``items`` in place, as Python 2.7's ``random.shuffle``.

        Parameters
        ----------
        items : list or ndarray
            The list to shuffle, in place; or an array, whose rows (along
            its first axis) are shuffled as a list of them would be.

        Raises
        ------
        TypeError
            If ``items`` is neither (a tuple, a str, None), which cannot be
            shuffled in place.
        ValueError
            If ``items`` is a read-only array.
        """
        if isinstance(items, np.ndarray) and items.ndim:
            # Rows of an array are views: swapped as list items, one was written over the
            # other, which both then held. The rows move whole, in the list's order.
            if not items.flags.writeable:
                raise ValueError("shuffle shuffles in place; items is read-only: pass a copy.")
            order = list(range(len(items)))
            self._shuffle_list(order)
            items[...] = items[order]
            return
        if not isinstance(items, MutableSequence):
            raise TypeError(
                "shuffle shuffles a list (or an array's rows) in place; got "
                f"{type(items).__name__} {items!r:.40}."
            )
        self._shuffle_list(items)

    def _shuffle_list(self, items):
        draw = self.python.random
        for i in range(len(items) - 1, 0, -1):
            j = int(draw() * (i + 1))
            items[i], items[j] = items[j], items[i]

    def initial_weights(self, sizes, *, large=False):
        """Draw a network's starting weights as ``network2.py`` does.

        Parameters
        ----------
        sizes : sequence of int
            Layer sizes, inputs first.
        large : bool, default=False
            False: ``default_weight_initializer`` (weights divided by
            √fan_in). True: ``large_weight_initializer``.

        Returns
        -------
        coefs, intercepts : lists of ndarray
            In scikit-learn's layout: weights (fan_in, fan_out), biases
            (fan_out,).

        Raises
        ------
        TypeError
            If ``sizes`` is no sequence of ints, or ``large`` no bool.
        ValueError
            If ``sizes`` holds fewer than two sizes, or one below 1.

        Both are raised before any number is drawn: the stream stays where
        it was.
        """
        sizes = _checked_sizes(sizes)
        check_bool(large, "large")  # "no", a truthy str, drew large weights
        pairs = list(itertools.pairwise(sizes))
        # network2 draws the biases of every layer before any weight.
        biases = [self.numpy.randn(fan_out, 1) for _, fan_out in pairs]
        weights = [self.numpy.randn(fan_out, fan_in) for fan_in, fan_out in pairs]
        if not large:
            weights = [w / np.sqrt(fan_in) for w, (fan_in, _) in zip(weights, pairs)]
        coefs, intercepts = [w.T.copy() for w in weights], [b[:, 0] for b in biases]
        if self.nudge:
            coefs = [np.nextafter(w, np.inf) for w in coefs]
            intercepts = [np.nextafter(b, np.inf) for b in intercepts]
        return coefs, intercepts


def _checked_seed(seed):
    """``seed`` as a Python int both streams take, refused by name otherwise."""
    # bool is an int to Python: True would seed both streams as 1. None would seed
    # them from the system's entropy, and random.Random refuses NumPy integers.
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, as the book's {SEED}; got {seed!r}.")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(
            f"seed must be in [0, {MAX_SEED}] (NumPy's legacy generator takes no other); "
            f"got {seed!r}."
        )
    return int(seed)


def _checked_sizes(sizes):
    """``sizes`` as a tuple of at least two ints of at least 1, refused by name otherwise."""
    problem = (
        "sizes must be at least two layer sizes, each an int of at least 1, inputs first; "
        f"got {sizes!r:.60}."
    )
    is_sequence = isinstance(sizes, Sequence) and not isinstance(sizes, (str, bytes))
    if not (is_sequence or (isinstance(sizes, np.ndarray) and sizes.ndim == 1)):
        raise TypeError(problem)
    # bool is an int to Python: True would be a layer of one neuron.
    if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in sizes):
        raise TypeError(problem)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(problem)
    return tuple(int(s) for s in sizes)


class _GivenWeights(plugins.Initializer):
    """An initializer handing out given weights, layer by layer in order."""

    def __init__(self, coefs, intercepts):
        self.coefs = coefs
        self.intercepts = intercepts
        self._next_layer = 0

    def __call__(self, fan_in, fan_out, rng, dtype):
        layer = self._next_layer
        weights, biases = self.coefs[layer], self.intercepts[layer]
        if weights.shape != (fan_in, fan_out):
            raise ValueError(
                f"Layer {layer} has shape {(fan_in, fan_out)}; the given weights {weights.shape}."
            )
        self._next_layer += 1
        return weights.astype(dtype), biases.astype(dtype)


@dataclass
class _Session:
    """One run of a book script: its data, its random streams, its epoch budget."""

    data: object
    streams: BookRandom = field(default_factory=BookRandom)
    epochs_left: int = None

    def take_epochs(self, epochs):
        """How many of ``epochs`` the budget allows; spends them."""
        if self.epochs_left is None:
            return epochs
        granted = min(epochs, self.epochs_left)
        self.epochs_left -= granted
        return granted


class _TrainingList:
    """The book's ``training_data`` list: original rows, in their current order."""

    def __init__(self, X, y):
        self.X, self.y = X, y
        self.order = list(range(len(y)))

    def shuffled(self, streams):
        """Shuffle in place, as SGD does each epoch; return the rows in the new order."""
        streams.shuffle(self.order)
        return self.X[self.order], self.y[self.order]


def _outputs(classifier, X):
    """The network's output activations, from its fitted weights (not normalized)."""
    hidden = [classifier.activation_] * (len(classifier.coefs_) - 1)
    activations = [*hidden, classifier.output_activation_]
    return feedforward(X, classifier.coefs_, classifier.intercepts_, activations)


def _monitor(classifier, X, y, lmbda, what):
    """network2's ``total_cost`` or ``accuracy`` of (X, y) for the fitted classifier."""
    outputs = _outputs(classifier, X)
    if what.endswith("accuracy"):
        return int(np.sum(outputs.argmax(axis=1) == y))
    targets = np.eye(len(DIGITS))[y]
    # network2 divides the L2 term by the size of the evaluated set.
    squares = sum(float(np.sum(w**2)) for w in classifier.coefs_)
    return float(classifier.cost_.fn(outputs, targets).mean() + 0.5 * lmbda / len(y) * squares)


class _BookNetwork:
    """A ``network2.Network([784, ..., 10])`` of a book script, trained by our classifier.

    Like network2's, the constructor draws the default weights, and
    :meth:`large_weight_initializer` draws new ones from the same stream.
    """

    def __init__(self, sizes, session):
        self.sizes = tuple(sizes)
        self.session = session
        self.coefs, self.intercepts = session.streams.initial_weights(self.sizes)
        self._fitted = None

    def large_weight_initializer(self):
        self.coefs, self.intercepts = self.session.streams.initial_weights(self.sizes, large=True)

    def sgd(self, training, epochs, eta, lmbda, evaluation=None, monitor=()):
        """network2's ``SGD`` (mini-batches of 10); return its four per-epoch lists.

        ``evaluation`` is ``(X, y)``; ``monitor`` names among :data:`MONITORS`.
        """
        classifier = NielsenMLPClassifier(
            hidden_layer_sizes=self.sizes[1:-1],
            cost="cross_entropy",
            lmbda=lmbda,
            eta=eta,
            mini_batch_size=10,
            shuffle=False,
            initializer=_GivenWeights(self.coefs, self.intercepts),
            # The replays are exact to the book's recorded numbers with NumPy's
            # products; the compiled engine's sums round differently (1e-15 per
            # step), which the two runs that rounding carries away would show.
            engine="numpy",
        )
        record = {name: [] for name in MONITORS}
        sets = {"evaluation": evaluation, "training": None}
        for _ in range(self.session.take_epochs(epochs)):
            X, y = training.shuffled(self.session.streams)
            sets["training"] = (X, y)
            # The book's runs are what they are: a rising cost is recorded, not warned of
            # (held back in this thread only: the process's filters are every thread's).
            with silenced(ConvergenceWarning):
                classifier.partial_fit(X, y, classes=DIGITS)
            for name in monitor:
                data_set = sets[name.partition("_")[0]]
                record[name].append(_monitor(classifier, *data_set, lmbda, name))
        if hasattr(classifier, "coefs_"):
            self.coefs, self.intercepts = classifier.coefs_, classifier.intercepts_
            self._fitted = classifier
        return [record[name] for name in MONITORS]

    def accuracy(self, X, y):
        """Images of (X, y) classified right by the weights after the last ``sgd``."""
        return _monitor(self._fitted, X, y, 0.0, "accuracy")


# -- the book's scripts ------------------------------------------------------


def _overfitting(session, *, n_train, epochs, lmbda):
    """``fig/overfitting.py``: large weights, η = 0.5, everything monitored on the test set."""
    data = session.data
    net = _BookNetwork((784, 30, 10), session)
    net.large_weight_initializer()
    training = _TrainingList(data.X_train[:n_train], data.y_train[:n_train])
    return net.sgd(
        training, epochs, 0.5, lmbda, evaluation=(data.X_test, data.y_test), monitor=MONITORS
    )


def _more_data(session):
    """``fig/more_data.py``, networks: one network, new large weights for each size."""
    data = session.data
    net = _BookNetwork((784, 30, 10), session)
    accuracies = []
    for size in MORE_DATA_SIZES:
        net.large_weight_initializer()
        training = _TrainingList(data.X_train[:size], data.y_train[:size])
        net.sgd(training, 1500000 // size, 0.5, size * 0.0001)
        accuracies.append(net.accuracy(data.X_val, data.y_val) / 100.0)
    return accuracies


def _more_data_svm(session):
    """``fig/more_data.py``, SVMs: scikit-learn 2015's ``SVC()`` on the first N images."""
    from sklearn.svm import SVC

    data = session.data
    accuracies = []
    for size in MORE_DATA_SIZES:
        # SVC() of 2015: C=1, rbf, gamma=1/n_features ('auto'); the cache only buys speed.
        svm = SVC(C=1.0, kernel="rbf", gamma="auto", cache_size=1000)
        svm.fit(data.X_train[:size], data.y_train[:size])
        correct = int(np.sum(svm.predict(data.X_val) == data.y_val))
        accuracies.append(correct / 100.0)
    return accuracies


def _multiple_eta(session):
    """``fig/multiple_eta.py``: a new default-weight network per η, one training list."""
    data = session.data
    training = _TrainingList(data.X_train, data.y_train)
    return [
        _BookNetwork((784, 30, 10), session).sgd(
            training,
            30,
            eta,
            5.0,
            evaluation=(data.X_val, data.y_val),
            monitor=("training_cost",),
        )
        for eta in MULTIPLE_ETA
    ]


def _weight_initialization(session, *, hidden, eta):
    """``fig/weight_initialization.py``: default weights, then large ones, 30 epochs each."""
    data = session.data
    training = _TrainingList(data.X_train, data.y_train)
    net = _BookNetwork((784, hidden, 10), session)
    settings = {"evaluation": (data.X_val, data.y_val), "monitor": ("evaluation_accuracy",)}
    default = net.sgd(training, 30, eta, 5.0, **settings)
    net.large_weight_initializer()
    large = net.sgd(training, 30, eta, 5.0, **settings)
    return {"default_weight_initialization": default, "large_weight_initialization": large}


# -- the records -------------------------------------------------------------


def _monitor_series(evaluation, prefix="", path=()):
    """``(label, path, kind)`` of the four lists of one SGD run, in network2's order."""
    kinds = ("cost", "count", "cost", "count")
    labels = (f"{evaluation} cost", f"{evaluation} accuracy", "training cost", "training accuracy")
    return [
        (prefix + label, (*path, i), kind) for i, (label, kind) in enumerate(zip(labels, kinds))
    ]


def _eta_series():
    return [
        series
        for i, eta in enumerate(MULTIPLE_ETA)
        for series in _monitor_series("validation", f"η = {eta}: ", (i,))
    ]


def _initialization_series():
    return [
        series
        for key in ("default_weight_initialization", "large_weight_initialization")
        for series in _monitor_series("validation", f"{key.split('_')[0]} weights: ", (key,))
    ]


@dataclass(frozen=True)
class Record:
    """One of the book's recorded runs and how to replay it.

    Attributes
    ----------
    script : str
        The book's script (in its folder ``fig/``) that wrote the record.
    description : str
        The setup, in a line.
    run : callable
        Replays the script on a ``_Session``; returns the record's structure.
    series : tuple of (str, tuple, str)
        Each list of numbers in the record: label, path into the structure,
        and kind (``'count'`` of images, ``'percent'`` or ``'cost'``).
    by_epoch : bool
        Whether the record's lists run epoch by epoch (so that a replay may
        stop after a few epochs).
    epochs : int or None
        The epochs of each run of the script: every list the record fills
        holds that many numbers. None for the records by training size.

    Examples
    --------
    >>> from sknielsen.book import RECORDS
    >>> record = RECORDS["more_data"]
    >>> record.script, record.by_epoch
    ('more_data.py', False)
    >>> record.description
    '[784,30,10] on the first N images, 1,500,000/N epochs, λ 0.0001·N'
    >>> [label for label, path, kind in RECORDS["regularized_full"].series]
    ['test cost', 'test accuracy', 'training cost', 'training accuracy']
    """

    script: str
    description: str
    run: object = field(repr=False)
    series: tuple = field(repr=False)
    by_epoch: bool = True
    epochs: int = None


def _overfitting_record(n_train, epochs, lmbda):
    description = (
        f"[784,30,10], large weights, first {n_train:,} images, η 0.5, λ {lmbda}, {epochs} epochs"
    )
    setup = partial(_overfitting, n_train=n_train, epochs=epochs, lmbda=lmbda)
    return Record(
        "overfitting.py", description, setup, tuple(_monitor_series("test")), epochs=epochs
    )


_SIZES_SERIES = (("validation accuracy (%)", (), "percent"),)

#: The book's records, by the name of their file in its folder ``fig/``.
RECORDS = {
    "overfitting": _overfitting_record(n_train=1000, epochs=400, lmbda=0.0),
    "regularized": _overfitting_record(n_train=1000, epochs=400, lmbda=0.1),
    "overfitting_full": _overfitting_record(n_train=50000, epochs=30, lmbda=0.0),
    "regularized_full": _overfitting_record(n_train=50000, epochs=30, lmbda=5.0),
    "more_data": Record(
        "more_data.py",
        "[784,30,10] on the first N images, 1,500,000/N epochs, λ 0.0001·N",
        _more_data,
        _SIZES_SERIES,
        by_epoch=False,
    ),
    "more_data_svm": Record(
        "more_data.py",
        "SVC() of 2015 (rbf, C=1, gamma=1/784) on the first N images",
        _more_data_svm,
        _SIZES_SERIES,
        by_epoch=False,
    ),
    "multiple_eta": Record(
        "multiple_eta.py",
        "[784,30,10], default weights, λ 5.0, η 0.025, 0.25 and 2.5",
        _multiple_eta,
        tuple(_eta_series()),
        epochs=30,
    ),
    "weight_initialization_30": Record(
        "weight_initialization.py",
        "[784,30,10], η 0.1, λ 5.0: default, then large weights",
        partial(_weight_initialization, hidden=30, eta=0.1),
        tuple(_initialization_series()),
        epochs=30,
    ),
    "weight_initialization_100": Record(
        "weight_initialization.py",
        "[784,100,10], η 0.1, λ 5.0: default, then large weights",
        partial(_weight_initialization, hidden=100, eta=0.1),
        tuple(_initialization_series()),
        epochs=30,
    ),
}


def _check_name(name):
    """Refuse a ``name`` that is no key of :data:`RECORDS`, suggesting the nearest one.

    A list failed with Python's "unhashable type", and a mistyped name
    listed the nine records with no word of which was meant.
    """
    if not isinstance(name, str):
        raise TypeError(
            f"A book record is named by a str, such as 'overfitting'; got {name!r:.60} "
            f"({type(name).__name__})."
        )
    if name not in RECORDS:
        hint = did_you_mean(name, RECORDS)
        raise ValueError(
            f"No book record named {name!r}{hint}; the records are: {', '.join(RECORDS)}."
        )


def load_record(name):
    """The book's record ``name``, as its JSON file holds it.

    Parameters
    ----------
    name : str
        A key of :data:`RECORDS`.

    Returns
    -------
    record : list or dict
        Nested lists of numbers (a dict of them for ``weight_initialization_*``).

    Raises
    ------
    ValueError
        For an unknown name (with the nearest record's, when one is near),
        and for a record file of the package that is missing, unreadable or
        damaged (not JSON, a list missing, values that are not counts,
        percentages or costs, a list of other length than its run's epochs,
        no numbers at all), naming what is wrong.
    TypeError
        For a name that is no str.

    Examples
    --------
    >>> from sknielsen.book import load_record
    >>> load_record("more_data_svm")[:3]
    [25.07, 48.93, 75.13]
    """
    _check_name(name)
    where = f"The book's record {name}.json, part of sknielsen,"
    remedy = "reinstall sknielsen to restore it."
    try:
        record_file = resources.files(__package__).joinpath("_book_records", f"{name}.json")
        text = record_file.read_text(encoding="utf-8")
        record = json.loads(text)
    except (OSError, ValueError, RecursionError) as exc:  # JSON and decoding errors are ValueErrors
        raise ValueError(f"{where} cannot be read ({exc}): {remedy}") from None
    for label, path, kind in RECORDS[name].series:
        problem = _series_problem(record, path, kind, RECORDS[name].by_epoch)
        if problem:
            raise ValueError(f"{where} is damaged: {label!r} {problem}; {remedy}")
    # A list of other length than the run's failed inside NumPy after the whole replay,
    # and a record of empty lists let a replay agree with nothing.
    epochs = RECORDS[name].epochs
    filled = 0
    for label, path, _ in RECORDS[name].series:
        values = _at(record, path)
        if values and epochs is not None and len(values) != epochs:
            raise ValueError(
                f"{where} is damaged: {label!r} holds {len(values)} values for the "
                f"{epochs} epochs of its run; {remedy}"
            )
        filled += bool(values)
    if not filled:
        raise ValueError(f"{where} is damaged: it holds no numbers; {remedy}")
    return record


def _series_problem(record, path, kind, by_epoch):
    """What is wrong with one list of a record, or None."""
    try:
        values = _at(record, path)
    except (KeyError, IndexError, TypeError):
        return "is missing"
    if not isinstance(values, list):
        return "is not a list"
    if not by_epoch and len(values) != len(MORE_DATA_SIZES):
        return f"holds {len(values)} values for the {len(MORE_DATA_SIZES)} training sizes"
    return _values_problem(values, kind)


#: What each kind of list holds: the type of its numbers, and their range.
KINDS = {
    "count": (numbers.Integral, 0, math.inf),
    "percent": (numbers.Real, 0, 100),
    "cost": (numbers.Real, 0, math.inf),
}


def _values_problem(values, kind):
    """What is wrong with the numbers of a list of ``kind``, or None."""
    kinds, low, high = KINDS[kind]
    for index, value in enumerate(values):
        number = isinstance(value, kinds) and not isinstance(value, bool)
        if not (number and math.isfinite(value) and low <= value <= high):
            return f"holds {repr(value)[:40]} at {index}, which is no {kind}"
    return None


# -- comparison --------------------------------------------------------------


def _at(structure, path):
    for key in path:
        structure = structure[key]
    return structure


def _check_series(values, kind, name):
    """Refuse ``values`` unless they are a list of numbers of ``kind``, naming them ``name``."""
    # A str is a sequence too, of characters; a set has no order, a generator no length.
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a list of numbers; got {type(values).__name__}.")
    if isinstance(values, np.ndarray) and values.ndim != 1:
        # A 0-d array failed in iteration; a 2-d one was read as a list of rows.
        raise TypeError(f"{name} must be a list of numbers; got a {values.ndim}-d array.")
    problem = _values_problem(values, kind)
    if problem:
        raise ValueError(f"{name} {problem}.")
    if not len(values):  # an empty comparison agreed with the book, comparing nothing
        raise ValueError(f"{name} holds no numbers: there is nothing to compare.")


@dataclass(frozen=True)
class SeriesComparison:
    """One list of the record, ours beside the book's.

    Attributes
    ----------
    label : str
        The list's name in the record's ``series`` (``'test accuracy'``).
    kind : {'count', 'percent', 'cost'}
        Images classified right (of 10,000, or of the training set), a
        percentage of the 10,000 validation images, or a cost.
    ours, book : tuple of float
        Ours, and the book's for the same epochs (or sizes): as many of
        each, at least one, all finite; counts are integers, percentages in
        [0, 100], costs at least 0.

    Raises
    ------
    TypeError
        If ``label`` is no str, or ``ours`` or ``book`` is no list.
    ValueError
        For an unknown ``kind``; if ``ours`` or ``book`` holds a value that
        is no number of ``kind`` (NaN, a float count, a bool) or nothing,
        or they are of different lengths.

    Examples
    --------
    The book's SVM at its first three sizes, beside numbers two images off at
    the second (a percentage of 10,000 images: one image is 0.01 points):

    >>> from sknielsen.book import SeriesComparison, load_record
    >>> book = tuple(load_record("more_data_svm")[:3])
    >>> book
    (25.07, 48.93, 75.13)
    >>> series = SeriesComparison("validation accuracy (%)", "percent", (25.07, 48.95, 75.13), book)
    >>> series.differences()
    array([0, 2, 0])
    >>> series.exact
    2
    """

    label: str
    kind: str
    ours: tuple
    book: tuple

    def __post_init__(self):
        if not isinstance(self.label, str):
            raise TypeError(f"SeriesComparison label must be a str; got {self.label!r}.")
        where = f"SeriesComparison {self.label!r}"
        if self.kind not in KINDS:
            raise ValueError(
                f"{where}: kind must be one of {', '.join(map(repr, KINDS))}; got {self.kind!r}."
            )
        for name in ("ours", "book"):
            _check_series(getattr(self, name), self.kind, f"{where}: {name}")
        # One number against several was compared with each, and lists of other
        # lengths failed inside NumPy.
        if len(self.ours) != len(self.book):
            raise ValueError(
                f"{where}: ours holds {len(self.ours)} values but book {len(self.book)}; "
                "compare the same epochs (or sizes)."
            )

    def differences(self):
        """Return the differences from the book's, entry by entry.

        Returns
        -------
        differences : ndarray
            Images apart (accuracies, ints) or relative differences (costs).
        """
        ours, book = np.asarray(self.ours, float), np.asarray(self.book, float)
        if self.kind == "cost":
            apart = np.abs(ours - book)
            # Relative to a cost of 0, equal is 0 apart (not 0/0, NaN), other infinitely.
            beside_zero = np.where(apart == 0, 0.0, np.inf)
            return np.divide(apart, np.abs(book), out=beside_zero, where=book != 0)
        # A percentage of 10,000 images: one image is 0.01 points.
        per_image = 0.01 if self.kind == "percent" else 1.0
        return np.rint(np.abs(ours - book) / per_image).astype(int)

    @property
    def exact(self):
        """Entries equal to the book's."""
        return sum(a == b for a, b in zip(self.ours, self.book))


@dataclass(frozen=True)
class Replay:
    """A replay of one of the book's records, beside the record.

    Attributes
    ----------
    name : str
        The record's name, a key of :data:`RECORDS`.
    ours, book : list or dict
        Our numbers in the structure of the book's JSON file, and the book's.
    seconds : float
        Time the replay took (data loading not included).
    series : tuple of SeriesComparison
        Each list the book filled, ours beside the book's.
    reference : str, default="the book's"
        Whose numbers ``book`` holds, for :meth:`summary`.

    Examples
    --------
    A stored replay of the first two epochs of ``regularized_full``, one test
    image apart from the book in the second:

    >>> import json
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sknielsen.book import load_record, load_replay
    >>> ours = [values[:2] for values in load_record("regularized_full")]
    >>> ours[1][1] += 1
    >>> stored = {"records": {"regularized_full": {"ours": ours, "seconds": 61.0}}}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder, "book_replay.json")
    ...     _ = path.write_text(json.dumps(stored))
    ...     result = load_replay("regularized_full", path)
    >>> result.matches, result.compared, result.largest_difference, result.agrees
    (3, 4, 1, False)
    >>> for line in list(result.lines())[3:6]:
    ...     print(line)
    test accuracy: ours | book | match
      epoch   1  9212 | 9212 | exact
      epoch   2  9342 | 9341 | 1 image apart
    """

    name: str
    ours: object = field(repr=False)
    book: object = field(repr=False)
    seconds: float
    series: tuple = field(repr=False)
    reference: str = "the book's"

    def _of_kind(self, cost):
        return [s for s in self.series if (s.kind == "cost") == cost]

    @property
    def compared(self):
        """Accuracies compared (epochs, or sizes, over all runs)."""
        return sum(len(s.ours) for s in self._of_kind(cost=False))

    @property
    def matches(self):
        """Accuracies equal to the book's."""
        return sum(s.exact for s in self._of_kind(cost=False))

    @property
    def largest_difference(self):
        """The largest accuracy difference from the book's, in images."""
        return int(max((s.differences().max(initial=0) for s in self._of_kind(False)), default=0))

    @property
    def largest_cost_error(self):
        """The largest relative difference of a cost from the book's; None without costs."""
        costs = [s.differences().max(initial=0.0) for s in self._of_kind(cost=True)]
        return float(max(costs)) if costs else None

    @property
    def agrees(self):
        """Whether the replay meets the criteria: 95 % exact, 3 images, 1e-4 on costs.

        A replay that compared nothing (no list filled on both sides) does not.
        """
        cost_error = self.largest_cost_error
        return (
            bool(self.series)
            and self.matches >= MIN_EXACT_SHARE * self.compared
            and self.largest_difference <= MAX_IMAGES_APART
            and (cost_error is None or cost_error <= MAX_COST_RELATIVE_ERROR)
        )

    def summary(self):
        """Return one line: exact matches, largest differences and time.

        Returns
        -------
        line : str
            The summary, as ``python -m sknielsen book replay`` prints it.
        """
        if not self.series:
            return f"{self.name}: nothing compared with {self.reference}, {self.seconds:.1f} s"
        if self.compared:
            line = (
                f"{self.name}: {self.matches} of {self.compared} accuracies equal "
                f"{self.reference}, "
                f"largest difference {self.largest_difference} "
                f"image{'s' if self.largest_difference != 1 else ''}"
            )
        else:
            line = f"{self.name}: no accuracies in the record"
        if self.largest_cost_error is not None:
            line += f", costs within {self.largest_cost_error:.1e} relative"
        return line + f", {self.seconds:.1f} s"

    def against(self, other):
        """Compare this replay with ``other``, a replay of the same record, not the book.

        Parameters
        ----------
        other : Replay
            Another replay of the same record.

        Returns
        -------
        result : Replay
            Whose ``book`` is ``other.ours``.

        Raises
        ------
        TypeError
            If ``other`` is no :class:`Replay`.
        ValueError
            If ``other`` replays another record.
        """
        if not isinstance(other, Replay):
            # It failed on the attribute: "'str' object has no attribute 'name'".
            raise TypeError(
                "against compares with a Replay (what replay and load_replay return); got "
                f"{type(other).__name__} {other!r:.40}."
            )
        if other.name != self.name:
            raise ValueError(f"Cannot compare a replay of {self.name} with one of {other.name}.")
        return _compared(self.name, self.ours, other.ours, self.seconds, "the other replay's")

    def lines(self):
        """Yield the lines of the comparison, one block per list of the record.

        Yields
        ------
        line : str
            A list's heading, then entry by entry ``ours | book | match``.
        """
        by_epoch = RECORDS[self.name].by_epoch
        for series in self.series:
            yield f"{series.label}: ours | book | match"
            for i, (ours, book, apart) in enumerate(
                zip(series.ours, series.book, series.differences())
            ):
                where = f"epoch {i + 1:>3}" if by_epoch else f"N = {MORE_DATA_SIZES[i]:>6,}"
                values = f"{_shown(series.kind, ours)} | {_shown(series.kind, book)}"
                yield f"  {where}  {values} | {_match_text(series.kind, ours == book, apart)}"


def _shown(kind, value):
    return {"count": "{:d}", "percent": "{:.2f}", "cost": "{:.10f}"}[kind].format(value)


def _match_text(kind, equal, apart):
    if equal:
        return "exact"
    if kind == "cost":
        return f"{apart:.1e} relative"
    return f"{apart} image{'s' if apart != 1 else ''} apart"


def _compared(name, ours, reference, seconds, whose="the book's"):
    """A Replay of ``ours`` beside ``reference`` (``whose``), over the lists both filled."""
    series = []
    for label, path, kind in RECORDS[name].series:
        mine, theirs = tuple(_at(ours, path)), tuple(_at(reference, path))
        common = min(len(mine), len(theirs))  # a replay stopped short, or the other one
        if common:  # the lists both filled, for the epochs both replayed
            series.append(SeriesComparison(label, kind, mine[:common], theirs[:common]))
    return Replay(name, ours, reference, seconds, tuple(series), whose)


def load_replay(name, path):
    """The replay of the book's run ``name`` that ``benchmarks/book_replay.py`` stored.

    The replays need MNIST, which the documentation does not download: its
    figures draw the ones the benchmark ran and stored.

    Parameters
    ----------
    name : str
        A key of :data:`RECORDS`.
    path : str or path-like
        The benchmark's results file (``benchmarks/results/book_replay.json``
        in the project's repository): ``{"records": {name: {"ours": ...,
        "seconds": ...}}}``, ``ours`` laid out as the book's record.

    Returns
    -------
    result : Replay
        As :func:`replay` returns it for the stored run.

    Raises
    ------
    ValueError
        For an unknown name (with the nearest record's, when one is near),
        one the file holds no replay of, and a file
        that is no such results file or whose replay is damaged (a list
        missing, values that are not counts, percentages or costs, more
        values than the book's record, lists of one run filled unevenly, no
        numbers at all), naming what is wrong.
    TypeError
        For a name that is no str.
    OSError
        When the file cannot be read.

    Examples
    --------
    ``benchmarks/book_replay.py`` writes a file of this form; here, one whose
    replay of ``more_data_svm`` equals the book's record:

    >>> import json
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sknielsen.book import load_record, load_replay
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     results = Path(folder) / "book_replay.json"
    ...     ours = {"ours": load_record("more_data_svm"), "seconds": 95.0}
    ...     _ = results.write_text(json.dumps({"records": {"more_data_svm": ours}}))
    ...     result = load_replay("more_data_svm", results)
    >>> print(result.summary())
    more_data_svm: 9 of 9 accuracies equal the book's, largest difference 0 images, 95.0 s
    """
    _check_name(name)
    book = load_record(name)
    entry = _stored_replay(name, path)
    ours = entry["ours"]
    # Checked as the book's record is: a damaged file failed inside NumPy, or loaded
    # with a None among the counts shown as 0 images apart.
    for label, where, kind in RECORDS[name].series:
        problem = _series_problem(ours, where, kind, RECORDS[name].by_epoch)
        if not problem and len(_at(ours, where)) > len(_at(book, where)):
            problem = (
                f"holds {len(_at(ours, where))} values for the "
                f"{len(_at(book, where))} of the book's record"
            )
        if problem:
            raise ValueError(f"{path} holds a damaged replay of {name}: {label!r} {problem}.")
    problem = _uneven_run(name, ours, book)
    if problem:
        raise ValueError(f"{path} holds a damaged replay of {name}: its {problem}.")
    result = _compared(name, ours, book, entry["seconds"])
    if not result.series:
        raise ValueError(
            f"{path} holds a replay of {name} that holds no numbers to compare with the "
            "book's record."
        )
    return result


def _uneven_run(name, ours, book):
    """What is wrong with a replay whose run filled the book's lists unevenly, or None.

    A replay stopped short stops every list of its run at the same epoch; a
    stored one with an empty accuracy list beside full costs was compared on
    its costs alone, and agreed.
    """
    runs = {}
    for label, where, _ in RECORDS[name].series:
        if len(_at(book, where)):
            runs.setdefault(where[:-1], []).append((label, len(_at(ours, where))))
    for (first, count), *others in runs.values():
        for label, other in others:
            if other != count:
                return (
                    f"lists of one run hold {count} and {other} values ({first!r} and "
                    f"{label!r}): a replay fills them epoch by epoch alike"
                )
    return None


def _stored_replay(name, path):
    """The entry ``{"ours": ..., "seconds": ...}`` of ``name`` in a results file."""
    path = file_path(path, "path")  # an int would be read as a file descriptor
    check_readable(path)  # a FIFO would block the read for ever
    try:
        stored = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:  # JSON and decoding errors are ValueErrors
        raise ValueError(f"{path} is not JSON ({exc}).") from None
    if not isinstance(stored, dict) or not isinstance(stored.get("records"), dict):
        raise ValueError(
            f"{path} holds no 'records': not a results file of benchmarks/book_replay.py."
        )
    stored = stored["records"]
    if name not in stored:
        raise ValueError(f"{path} holds no replay of {name!r}; it holds: {', '.join(stored)}.")
    entry = stored[name]
    for key in ("ours", "seconds"):
        if not isinstance(entry, dict) or key not in entry:
            raise ValueError(f"{path} holds a replay of {name} with no {key!r}.")
    seconds = entry["seconds"]
    # JSON's Infinity (and 1e400) read as inf: "inf s" in the summary.
    is_number = isinstance(seconds, numbers.Real) and not isinstance(seconds, bool)
    if not (is_number and math.isfinite(seconds) and seconds >= 0):
        raise ValueError(
            f"{path} holds a replay of {name} whose 'seconds' is {seconds!r:.40}, not a "
            "number of seconds."
        )
    return entry


def _check_epochs(epochs):
    """Refuse an ``epochs`` that is no whole number of at least 1, before any data is read."""
    # bool is an int to Python: True would replay one epoch.
    if not isinstance(epochs, numbers.Integral) or isinstance(epochs, bool):
        raise ValueError(f"epochs must be a whole number of epochs; got {epochs!r}.")
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1; got {epochs!r}.")


def replay(name, data_dir=None, *, epochs=None, nudge=False, download=False):
    """Replay the book's recorded run ``name`` and compare it with the record.

    Parameters
    ----------
    name : str
        A key of :data:`RECORDS`.
    data_dir : str or path-like, optional
        Folder of the MNIST IDX files, as for :func:`sknielsen.datasets.load_mnist`.
    epochs : int, optional
        Stop the script after this many epochs in all, for a quick check
        (runs it had not started are left empty). Only for records that run
        epoch by epoch.
    nudge : bool, default=False
        Start from the book's weights moved by one unit in the last place
        (see :class:`BookRandom`); compare with :meth:`Replay.against` to see
        how far rounding alone carries the run.
    download : bool, default=False
        Fetch MNIST's files into ``data_dir`` when they are missing (see
        :func:`sknielsen.datasets.load_mnist`).

    Returns
    -------
    result : Replay
        Our numbers beside the record's.

    Raises
    ------
    ValueError
        For an unknown name (with the nearest record's, when one is near),
        ``epochs`` where the record cannot be cut short,
        or an ``epochs`` that is no integer of at least 1 (a float or a bool),
        and for IDX files whose images are not MNIST's 28×28.
    TypeError
        For a name that is no str, or a ``nudge`` that is no bool, before any
        data is read.
    FileNotFoundError
        When the MNIST files are missing.

    Examples
    --------
    A replay trains on MNIST as the book's run did; ``epochs`` cuts a record
    that runs epoch by epoch short, and a request that cannot be met is
    refused before any data is read:

    >>> from sknielsen.book import RECORDS, replay
    >>> RECORDS["more_data"].by_epoch
    False
    >>> replay("more_data", epochs=1)
    Traceback (most recent call last):
    ...
    ValueError: more_data records one number per training size and cannot be cut short; ...
    >>> replay("regularized", epochs=1.5)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be a whole number of epochs; got 1.5.
    """
    _check_name(name)
    record = RECORDS[name]
    if epochs is not None and not record.by_epoch:
        raise ValueError(
            f"{name} records one number per training size and cannot be cut short; "
            "leave epochs out."
        )
    if epochs is not None:
        _check_epochs(epochs)
    book = load_record(name)  # a damaged record is refused before the replay, not after it
    streams = BookRandom(nudge=nudge)  # a nudge that is no bool too, before MNIST is read
    data = load_mnist(data_dir, scale="book", download=download)
    if tuple(data.image_shape) != (28, 28):
        # load_mnist reads IDX files of any image size; the book's networks take 784
        # inputs, and the first epoch would fail on the weights' shape, naming no data.
        height, width = data.image_shape
        raise ValueError(
            f"The book's runs need MNIST's 28×28 images; {data.data_dir} holds images of "
            f"{height}×{width} pixels."
        )
    started = time.perf_counter()
    # Mini-batches of 10 gain nothing from BLAS threads, which on a busy machine
    # only spin, waiting for cores (six times slower here).
    with threadpool_limits(limits=1, user_api="blas"):
        ours = record.run(_Session(data, streams, epochs_left=epochs))
    return _compared(name, ours, book, time.perf_counter() - started)


def _check_replay(result):
    """Refuse a ``result`` that is no :class:`Replay`, saying what makes one."""
    if isinstance(result, Replay):
        return
    if result is None:
        given = "None"
    elif isinstance(result, str):
        given = (
            f"the str {result!r}: a record's name, which replay({result!r}) runs, and "
            f"load_replay({result!r}, path) reads from a study's book_replay.json"
        )
    else:
        given = f"a {type(result).__name__}"
    raise TypeError(
        f"plot_replay draws a Replay (what replay and load_replay return); got {given}."
    )


def plot_replay(result, path=None, *, ax=None):
    """Draw each list of a replay over the book's record.

    Parameters
    ----------
    result : Replay
        What :func:`replay` returned.
    path : str or path-like, optional
        Where to write the figure (PNG by the extension); with ``ax``, all of
        the figure that holds it.
    ax : matplotlib.axes.Axes, optional
        The Axes whose place the panels fill, e.g. one of ``plt.subplots()``'s:
        ``ax`` is hidden, and a SubFigure there holds the panels and the
        summary above them. By default a Figure of the function's own, which
        pyplot does not show.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, one panel per list of the record: a new one, or the one
        that holds ``ax``.

    Raises
    ------
    TypeError
        If ``result`` is no :class:`Replay` (a record's name, say), or ``ax``
        no matplotlib Axes.
    ValueError
        For a replay that holds no lists (``result.series`` empty); or if
        ``ax`` is of another projection than a flat one (polar, 3-D), was
        removed from its figure, is hidden, or has no place in a grid to
        divide (``add_axes`` made it).

    Examples
    --------
    >>> import json
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sknielsen.book import load_record, load_replay, plot_replay
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     stored = {"more_data": {"ours": load_record("more_data"), "seconds": 2400.0}}
    ...     _ = (Path(folder) / "book_replay.json").write_text(json.dumps({"records": stored}))
    ...     fig = plot_replay(load_replay("more_data", Path(folder) / "book_replay.json"))
    >>> [ax.get_title() for ax in fig.axes if ax.get_visible()]
    ['validation accuracy (%)']
    """
    from ._plotting import area_to_divide, finish_figure, lone_points

    _check_replay(result)
    n_panels = len(result.series)
    if not n_panels:  # no panel to lay out: ZeroDivisionError below
        raise ValueError(f"The replay of {result.name} holds no lists to draw.")
    _check_name(result.name)  # before ax is hidden and divided: a KeyError had come after
    by_epoch = RECORDS[result.name].by_epoch
    columns = min(n_panels, 2)
    rows = -(-n_panels // columns)
    fig, area = area_to_divide(
        ax, path, "plot_replay", figsize=(6 * columns, 3.2 * rows), layout="constrained"
    )
    axes = np.atleast_1d(area.subplots(rows, columns, squeeze=False).ravel())
    # The points compared with: the book's record, or another replay's (against()).
    reference = "the book's record"
    if result.reference != "the book's":
        reference = result.reference.removesuffix("'s")
    for panel, series in zip(axes, result.series):
        x = np.arange(1, len(series.ours) + 1) if by_epoch else MORE_DATA_SIZES
        panel.plot(x, series.book, "o", color="C1", markersize=4, label=reference)
        panel.plot(
            x,
            series.ours,
            "-",
            color="C0",
            label="sknielsen's replay",
            marker="o",
            markevery=lone_points(series.ours),
        )
        panel.set_title(series.label)
        panel.set_xlabel("epoch" if by_epoch else "training images")
        if not by_epoch:
            panel.set_xscale("log")
        panel.grid(True, alpha=0.3)
    for panel in axes[n_panels:]:
        panel.set_visible(False)
    axes[0].legend()
    area.suptitle(result.summary())
    return finish_figure(fig, path)
