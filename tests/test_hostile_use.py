"""Reliability III (issue 19): each defect class of a hostile pass, tried as a class.

Every test here tries several members of its class, not only the example of
the issue: concurrent writers, hostile callback paths and templates, IDX
files that lie about their size, runs that end in every hook, callbacks that
write bad state, schedules that overflow, class weights, tampered study
records and the messages of user errors. docs/reliability.md lists which
test holds which promise.
"""

import csv
import gzip
import json
import multiprocessing
import os
import socket
import tracemalloc
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.utils._param_validation import InvalidParameterError

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor, load, save
from sknielsen.__main__ import main
from sknielsen.augment import expand
from sknielsen.callbacks import (
    SMALLEST_ETA,
    Callback,
    CallbackError,
    Checkpoint,
    CSVLogger,
    EarlyStopping,
    ExponentialDecay,
    HalveOnPlateau,
    InverseScaling,
    StepDecay,
    StopTraining,
)
from sknielsen.comparison import scaled_params, training_size_comparison
from sknielsen.datasets import DataFileError, load_digits_split, load_mnist, read_idx
from sknielsen.gradcheck import check_gradients
from sknielsen.persistence import ModelFileError
from sknielsen.tuning import simplify

# The runs here are tiny and their own warnings (no convergence, callbacks not
# saved) beside the point; tests that expect a warning catch it themselves.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

# -- concurrent saves ----------------------------------------------------------

SAVES_PER_PROCESS = 300


def _save_and_read_repeatedly(path, seed, saves):
    """One writer of the concurrency test: its own model, saved and read back in turn.

    Returns the problems met: a save that raised, or a read that was not a
    valid model of one of the writers.
    """
    # fsync guards against power loss, not against other writers; without it
    # the saves come faster and meet each other more often.
    os.fsync = lambda descriptor: None
    rng = np.random.default_rng(seed)
    X, y = rng.random((30, 4)), np.arange(30) % 3
    problems = []
    try:
        checkpoint = Checkpoint(path)  # two fits checkpointing to one file
        NielsenMLPClassifier((3,), epochs=10, random_state=seed, callbacks=[checkpoint]).fit(X, y)
    except Exception as exc:
        problems.append(f"fit with a Checkpoint: {exc!r}")
    net = NielsenMLPClassifier((3,), epochs=1, random_state=seed).fit(X, y)
    for _ in range(saves):
        try:
            save(net, path)
            model = load(path)
            if not (model.classes_.tolist() == [0, 1, 2] and np.isfinite(model.coefs_[0]).all()):
                problems.append("a read model that is not one of the writers'")
        except Exception as exc:
            problems.append(repr(exc))
    return problems


def _start_together(barrier):
    """A worker's start: none begins saving before all three have imported."""
    barrier.wait()


def test_concurrent_saves_to_one_path_all_succeed_and_every_read_is_a_model(tmp_path):
    """3 processes × 300 saves (and two checkpointing fits) to one file: no failure."""
    path = tmp_path / "shared.json"
    # Spawned, not forked: this process has threads (OpenBLAS's, earlier tests'),
    # and a fork copies the locks they hold (Python 3.12+ warns of deadlocks).
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(3)
    with context.Pool(3, initializer=_start_together, initargs=(barrier,)) as pool:
        results = pool.starmap(
            _save_and_read_repeatedly, [(path, seed, SAVES_PER_PROCESS) for seed in range(3)]
        )
    assert results == [[], [], []]
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]  # no temporaries left


# -- Checkpoint and CSVLogger paths: checked when training starts ----------------


class HookSpy(Callback):
    """Lists the hooks called, to show that a refused run trained nothing."""

    def on_train_begin(self, trainer):
        self.calls = ["on_train_begin"]

    def on_epoch_begin(self, trainer):
        self.calls.append("on_epoch_begin")


def _unusable_path(kind, folder):
    """A path of the given kind, made in ``folder``, that no callback can write."""
    if kind == "missing folder":
        return folder / "missing" / "log"
    if kind == "FIFO":
        os.mkfifo(folder / "fifo")
        return folder / "fifo"
    if kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(folder / "socket"))
        server.close()
        return folder / "socket"
    if kind == "folder":
        (folder / "folder").mkdir()
        return folder / "folder"
    if kind == "symlink loop":
        (folder / "loop1").symlink_to(folder / "loop2")
        (folder / "loop2").symlink_to(folder / "loop1")
        return folder / "loop1"
    if kind == "name too long":
        return folder / ("n" * 300)
    if kind == "NUL character":  # the system's "embedded null byte" named no callback
        return folder / "a\0b"
    return ""  # the empty path


UNUSABLE = [
    "missing folder",
    "FIFO",
    "socket",
    "folder",
    "symlink loop",
    "name too long",
    "NUL character",
    "empty",
]
TINY = {"hidden_layer_sizes": (3,), "epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def tiny_data():
    rng = np.random.default_rng(0)
    return rng.random((24, 4)), np.arange(24) % 3


@pytest.mark.parametrize("writer", [Checkpoint, CSVLogger])
@pytest.mark.parametrize("kind", UNUSABLE)
def test_unusable_callback_paths_are_refused_before_the_first_epoch(
    kind, writer, tiny_data, tmp_path
):
    path = _unusable_path(kind, tmp_path)
    spy = HookSpy()
    net = NielsenMLPClassifier(**TINY, callbacks=[spy, writer(path)])
    with pytest.raises((OSError, ValueError), match=rf"{writer.__name__}|callbacks\[1\]\.path"):
        net.fit(*tiny_data)
    assert not hasattr(net, "coefs_")
    # Refused by the parameters' validation, or by on_train_begin: no epoch began.
    assert getattr(spy, "calls", []) in ([], ["on_train_begin"])


BAD_TEMPLATES = [
    "{}",
    "{0}",
    "{foo}",
    "{",
    "}",
    "net{epoch",
    "{epoch.__class__.__init__.__globals__}",
    "{epoch[0]}",
    "{epoch!r}",
    "{epoch:>100000000}",
    "{epoch:{epoch}}",
    "{epoch:,}",
    "run{epoch}/net.json",
    "net-{epoch:3d}.json",  # a width without a zero pads names with spaces
    "net-{epoch:99d}.json",
    "net\0{epoch}.json",  # refused by check_writable, naming its own 'path'
]


@pytest.mark.parametrize("template", BAD_TEMPLATES)
def test_checkpoint_templates_allow_only_the_epoch_field(template, tiny_data, tmp_path):
    net = NielsenMLPClassifier(**TINY, callbacks=[Checkpoint(tmp_path / template)])
    with pytest.raises(InvalidParameterError, match=r"'callbacks\[0\]\.path' parameter"):
        net.fit(*tiny_data)
    assert list(tmp_path.iterdir()) == []


def test_checkpoint_templates_that_are_allowed_write_bounded_names(tiny_data, tmp_path):
    templates = ["e{epoch}.json", "p{epoch:03d}.json", "{{b}}{epoch:02}.json", "fixed.json"]
    callbacks = [Checkpoint(tmp_path / template) for template in templates]
    NielsenMLPClassifier(**TINY, callbacks=callbacks).fit(*tiny_data)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(
        [f"e{k}.json" for k in (1, 2, 3)]
        + [f"p00{k}.json" for k in (1, 2, 3)]
        + [f"{{b}}0{k}.json" for k in (1, 2, 3)]
        + ["fixed.json"]
    )
    # A name that would outgrow the file system at a later epoch is refused now.
    long_name = Checkpoint(tmp_path / ("x" * 250 + "{epoch}"))
    with pytest.raises(OSError, match="Checkpoint cannot write"):
        NielsenMLPClassifier(**TINY, callbacks=[long_name]).fit(*tiny_data)


def test_csv_logger_appends_under_one_header(tiny_data, tmp_path):
    """Runs that record other columns extend the header; the rows stay aligned."""
    X, y = tiny_data
    path = tmp_path / "log.csv"
    net = NielsenMLPClassifier(**TINY, callbacks=[CSVLogger(path)]).fit(X, y)
    appending = [CSVLogger(path, append=True)]
    monitor = ("training_cost", "validation_accuracy")
    net.set_params(warm_start=True, callbacks=appending, monitor=monitor)
    net.fit(X, y, X_val=X, y_val=y)
    net.set_params(monitor=None).fit(X, y)  # no validation: those columns stay empty
    with path.open(newline="") as file:  # newline="": as the csv module asks
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["epoch", "eta", "loss", "training_cost", "validation_accuracy"]
    assert [r["epoch"] for r in rows] == [str(k) for k in range(1, 10)]
    assert [float(r["loss"]) for r in rows] == net.loss_curve_
    assert [bool(r["training_cost"]) for r in rows] == [False] * 3 + [True] * 3 + [False] * 3
    assert [bool(r["validation_accuracy"]) for r in rows] == [False] * 3 + [True] * 3 + [False] * 3


@pytest.mark.parametrize(
    "content", ["a,b\n1,2\n", "epoch,eta,loss\n1,0.5\n", "epoch;eta\n", b"\xff\xfe\x00"]
)
def test_csv_logger_refuses_to_append_to_a_file_it_did_not_write(content, tiny_data, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    net = NielsenMLPClassifier(**TINY, callbacks=[CSVLogger(path, append=True)])
    with pytest.raises(ValueError, match="cannot append to"):
        net.fit(*tiny_data)
    assert path.read_bytes() == (content if isinstance(content, bytes) else content.encode())


@pytest.mark.parametrize("torn", ["2,0.", "2,0.5,0.12"])
def test_csv_logger_appends_after_a_row_cut_short_dropping_it(torn, tiny_data, tmp_path):
    # Rows are appended: a crash in mid-write leaves a last row without its line end.
    path = tmp_path / "log.csv"
    path.write_text("epoch,eta,loss\n1,0.5,0.25\n" + torn)
    net = NielsenMLPClassifier(**TINY, callbacks=[CSVLogger(path, append=True)])
    with pytest.warns(UserWarning, match=r"dropped the last row of .*log.csv, cut short"):
        net.fit(*tiny_data)
    rows = path.read_text().splitlines()
    assert rows[:2] == ["epoch,eta,loss", "1,0.5,0.25"] and len(rows) == 2 + net.n_iter_


@pytest.mark.parametrize("separator", ["", "a", "1", ".", "-", "\n", ",_"])
def test_csv_logger_separators_that_values_hold_are_refused(separator, tiny_data, tmp_path):
    net = NielsenMLPClassifier(**TINY, callbacks=[CSVLogger(tmp_path / "l", separator=separator)])
    with pytest.raises(InvalidParameterError, match=r"'callbacks\[0\]\.separator'"):
        net.fit(*tiny_data)


# -- IDX files that lie about their size ------------------------------------------


def _idx(shape, data=b"", magic=None):
    """An IDX header announcing ``shape`` (rank from it), then ``data``."""
    magic = (0x0800 | len(shape)) if magic is None else magic
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in shape) + data


LYING_HEADERS = [
    ((2**32 - 1,) * 3, b"\0" * 100),  # 2**96 bytes: past any integer type
    ((2**16, 2**16, 2**16, 2**16), b""),  # 2**64 exactly: wrapped to 0 in int64
    ((2,) * 255, b"\0" * 64),  # the largest rank
    ((60000, 28, 28), b"\0" * 1000),  # a real shape, most data missing
    ((0, 5), b"\0" * 10),  # announces nothing, holds more
    ((3,), b"\0" * 4),  # one byte of trailing data
]


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(("shape", "data"), LYING_HEADERS)
def test_idx_headers_that_lie_about_the_size_are_refused(shape, data, compress, tmp_path):
    path = tmp_path / "lying"
    raw = _idx(shape, data)
    path.write_bytes(gzip.compress(raw) if compress else raw)
    with pytest.raises(DataFileError, match=r"announces|cannot read"):
        read_idx(path)


def test_idx_size_is_checked_before_anything_is_inflated(tmp_path):
    """A small file announcing gigabytes is refused before allocating them."""
    bomb = tmp_path / "bomb.gz"  # 1 MiB of zeros behind a header of 60000 × 200 × 200
    bomb.write_bytes(gzip.compress(_idx((60000, 200, 200), bytes(2**20))))
    sparse = tmp_path / "sparse"  # uncompressed, as long as it says (a sparse file)
    with sparse.open("wb") as handle:
        handle.write(_idx((60000, 100, 100)))
        handle.truncate(16 + 60000 * 100 * 100)
    tracemalloc.start()
    try:
        for path, bound in ((bomb, None), (sparse, 60000 * 64 * 64)):
            with pytest.raises(DataFileError, match="more than"):
                read_idx(path, max_bytes=bound)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20


def test_idx_data_are_streamed_into_the_array(tmp_path, rng):
    images = rng.integers(0, 256, size=(3000, 28, 28), dtype=np.uint8)
    path = tmp_path / "images.gz"
    path.write_bytes(gzip.compress(_idx(images.shape, images.tobytes())))
    tracemalloc.start()
    try:
        read = read_idx(path, expected_magic=0x803)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(read, images)
    assert peak < images.nbytes + 3 * 2**20  # the array, and a chunk or two


def _write_mnist(folder, train_labels, test_labels):
    """Tiny MNIST files: 60,000 and 10,000 images of one pixel, with the given labels."""
    for stem, array in (
        ("train-images-idx3-ubyte", np.zeros((60000, 1, 1), np.uint8)),
        ("train-labels-idx1-ubyte", train_labels),
        ("t10k-images-idx3-ubyte", np.zeros((10000, 1, 1), np.uint8)),
        ("t10k-labels-idx1-ubyte", test_labels),
    ):
        (folder / stem).write_bytes(_idx(array.shape, np.asarray(array, np.uint8).tobytes()))


@pytest.mark.parametrize("wrong", [10, 11, 128, 255])
@pytest.mark.parametrize("part", ["train", "t10k"])
def test_mnist_labels_outside_0_to_9_are_refused(wrong, part, tmp_path):
    train, test = np.arange(60000) % 10, np.arange(10000) % 10
    (train if part == "train" else test)[-1] = wrong
    _write_mnist(tmp_path, train, test)
    with pytest.raises(DataFileError, match=rf"{part}-labels.*0 to 9.*\[{wrong}\]"):
        load_mnist(tmp_path)


def test_mnist_with_labels_0_to_9_loads(tmp_path):
    _write_mnist(tmp_path, np.arange(60000) % 10, np.arange(10000) % 10)
    assert load_mnist(tmp_path).y_test.max() == 9


# -- one rule for every way a run ends -------------------------------------------

HOOKS = ["on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end"]
# Epochs the model holds when the hook acts during epoch 2 of 3: an ending inside
# on_epoch_end keeps that epoch; anywhere else within it, the epoch is dropped.
KEPT_AFTER = {
    "on_train_begin": 0,
    "on_epoch_begin": 1,
    "on_batch_end": 1,
    "on_epoch_end": 2,
    "on_train_end": 3,
}


def _in_epoch_2(trainer, hook):
    """Whether a hook call belongs to the second epoch of the run (or to the run's ends)."""
    if hook in ("on_train_begin", "on_train_end"):
        return True
    return trainer.epochs_run == (2 if hook == "on_epoch_end" else 1)


class ActAt(Callback):
    """In ``hook`` of epoch 2: write ``weights`` and/or ``eta``, then raise ``exception``."""

    def __init__(self, hook="on_epoch_end", exception=None, weights=None, eta=None):
        self.hook = hook
        self.exception = exception
        self.weights = weights
        self.eta = eta

    def _act(self, trainer, hook):
        if hook != self.hook or not _in_epoch_2(trainer, hook):
            return
        if self.hook == "on_batch_end" and trainer.samples_in_epoch < 12:
            return  # a mini-batch into the epoch
        if self.weights is not None:
            trainer.network.params[::3] = self.weights
        if self.eta is not None:
            trainer.eta = self.eta
        if self.exception is not None:
            raise self.exception()


for _hook in HOOKS:
    setattr(ActAt, _hook, lambda self, trainer, hook=_hook: self._act(trainer, hook))


def _fit_catching_warnings(net, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.fit(X, y)
    return [str(w.message) for w in caught if "not saved" not in str(w.message)]


def _holds(kept):
    return "the weights it started from" if kept == 0 else f"the weights after epoch {kept}"


@pytest.mark.parametrize("exception", [StopTraining, KeyboardInterrupt])
@pytest.mark.parametrize("hook", HOOKS)
def test_a_run_ended_in_any_hook_keeps_finite_weights_of_a_named_epoch(hook, exception, tiny_data):
    X, y = tiny_data
    # η so large that the weights overflow within the first mini-batches: what
    # the model keeps must come from the end of a completed epoch, not the steps.
    net = NielsenMLPClassifier(
        **{**TINY, "eta": 1e300}, mini_batch_size=6, callbacks=[ActAt(hook, exception)]
    )
    messages = _fit_catching_warnings(net, X, y)
    assert all(np.isfinite(c).all() for c in net.coefs_ + net.intercepts_)
    assert net.n_iter_ <= KEPT_AFTER[hook] and len(net.loss_curve_) == net.n_iter_
    # Every warning about the weights names the epoch the model holds.
    about_weights = [m for m in messages if "holds the weights" in m]
    assert all(_holds(net.n_iter_) in m for m in about_weights)
    assert about_weights or exception is StopTraining


@pytest.mark.parametrize("exception", [StopTraining, KeyboardInterrupt])
@pytest.mark.parametrize("hook", HOOKS)
def test_the_kept_epoch_is_the_one_named_on_a_stable_run(hook, exception, tiny_data):
    X, y = tiny_data
    net = NielsenMLPClassifier(**TINY, mini_batch_size=6, callbacks=[ActAt(hook, exception)])
    messages = _fit_catching_warnings(net, X, y)
    kept = KEPT_AFTER[hook]
    assert net.n_iter_ == kept and len(net.loss_curve_) == kept
    reference = NielsenMLPClassifier(**TINY, mini_batch_size=6).set_params(epochs=max(kept, 1))
    if kept:  # the same weights as a run of that many epochs
        np.testing.assert_array_equal(net.coefs_[0], reference.fit(X, y).coefs_[0])
    warned = exception is KeyboardInterrupt or hook in ("on_train_begin", "on_batch_end")
    assert any(_holds(kept) in message for message in messages) == warned


BAD_ETAS = [np.nan, np.inf, -np.inf, -0.5, 0.0, 1e-330, "0.1x", True, {}, [0.1, 0.2]]


@pytest.mark.parametrize("hook", HOOKS[:4])
@pytest.mark.parametrize("eta", BAD_ETAS)
def test_a_callback_setting_a_bad_eta_is_named_at_once(eta, hook, tiny_data):
    net = NielsenMLPClassifier(**TINY, mini_batch_size=6, callbacks=[ActAt(hook, eta=eta)])
    with pytest.raises(CallbackError, match=rf"ActAt \({hook}\) set trainer\.eta to .*finite"):
        net.fit(*tiny_data)
    assert not hasattr(net, "coefs_")


class SetsAdamStep(Callback):
    """In ``hook``: set Adam's step count to ``value`` (an array's element, or the entry)."""

    def __init__(self, hook="on_epoch_end", value=0.0):
        self.hook, self.value = hook, value

    def _act(self, trainer):
        if isinstance(self.value, float):
            trainer.state["step"][...] = self.value
        else:
            trainer.state["step"] = self.value

    def on_epoch_begin(self, trainer):
        if self.hook == "on_epoch_begin":
            self._act(trainer)

    def on_batch_end(self, trainer):
        if self.hook == "on_batch_end":
            self._act(trainer)

    def on_epoch_end(self, trainer):
        if self.hook == "on_epoch_end":
            self._act(trainer)


BAD_STEPS = [-1e300, -1.0, 2.5, np.nan, np.inf, 2.0**60, 3, np.zeros(2), None]


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize("hook", ["on_epoch_begin", "on_batch_end", "on_epoch_end"])
@pytest.mark.parametrize("step", BAD_STEPS, ids=repr)
def test_a_callback_leaving_adam_an_impossible_step_count_is_named(step, hook, engine, tiny_data):
    # Before: -1e300 raised OverflowError from beta**t on NumPy and trained on silently in C.
    callbacks = [SetsAdamStep(hook, step)]
    net = NielsenMLPClassifier(**TINY, optimizer="adam", eta=0.01, engine=engine)
    with pytest.raises(CallbackError, match=rf"SetsAdamStep \({hook}\) left Adam's step count"):
        net.set_params(callbacks=callbacks).fit(*tiny_data)


class WritesIntoState(Callback):
    """In ``hook`` of epoch 2 (or at the run's ends): write ``value`` into ``state[key][0]``."""

    def __init__(self, hook="on_epoch_end", key="velocity", value=np.nan):
        self.hook, self.key, self.value = hook, key, value

    def _act(self, trainer, hook):
        if hook == self.hook and _in_epoch_2(trainer, hook):
            trainer.state[self.key][0] = self.value


for _hook in HOOKS:
    setattr(WritesIntoState, _hook, lambda self, trainer, hook=_hook: self._act(trainer, hook))


@pytest.mark.parametrize("engine", ["numpy", "c"])
@pytest.mark.parametrize(
    "hook", ["on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end"]
)
@pytest.mark.parametrize(
    "optimizer, key, value",
    [("momentum", "velocity", np.nan), ("nesterov", "velocity", -np.inf), ("adam", "m", np.inf)],
    ids=["momentum", "nesterov", "adam"],
)
def test_a_callback_writing_nan_into_the_optimizers_state_is_named(
    optimizer, key, value, hook, engine, tiny_data
):
    # The next step made the weights NaN: the fit "diverged", blamed on eta; written in
    # on_epoch_end or on_train_end the value went into the state the model keeps, and
    # fit failed at its end ("training overflowed ... try a smaller eta").
    net = NielsenMLPClassifier(**TINY, optimizer=optimizer, eta=0.01, engine=engine)
    net.set_params(callbacks=[WritesIntoState(hook, key, value)])
    message = (
        rf"WritesIntoState \({hook}\) left NaN or infinite values in the optimizer's "
        rf"state '{key}'"
    )
    with pytest.raises(CallbackError, match=message):
        net.fit(*tiny_data)
    assert not hasattr(net, "coefs_")


def test_a_callback_may_set_adams_step_count_to_a_whole_number(tiny_data):
    net = NielsenMLPClassifier(**TINY, optimizer="adam", eta=0.01)
    net.set_params(callbacks=[SetsAdamStep("on_epoch_end", 0.0)]).fit(*tiny_data)
    assert net.n_iter_ == TINY["epochs"]


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("hook", ["on_train_begin", "on_epoch_begin", "on_epoch_end"])
def test_non_finite_weights_written_by_a_callback_are_never_kept(value, hook, tiny_data):
    X, y = tiny_data
    callbacks = [EarlyStopping("loss", patience=5), ActAt(hook, weights=value)]
    net = NielsenMLPClassifier(**TINY, callbacks=callbacks)
    messages = _fit_catching_warnings(net, X, y)
    kept = {"on_train_begin": 0, "on_epoch_begin": 1, "on_epoch_end": 1}[hook]
    assert net.n_iter_ == kept and all(np.isfinite(c).all() for c in net.coefs_)
    assert any(f"ActAt left non-finite weights (NaN or infinity) in {hook}" in m for m in messages)
    assert any(_holds(kept) in m for m in messages)
    proba = net.predict_proba(X)
    assert np.isfinite(proba).all() and proba.std() > 0  # not the uniform 1/n of NaN outputs


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_weights_written_per_mini_batch_or_at_the_end_are_never_kept(value, tiny_data):
    X, y = tiny_data
    net = NielsenMLPClassifier(**TINY, callbacks=[ActAt("on_batch_end", weights=value)])
    with pytest.warns(ConvergenceWarning, match="diverged in epoch 2.*after epoch 1"):
        net.fit(X, y)
    assert net.n_iter_ == 1 and np.isfinite(net.coefs_[0]).all()
    net = NielsenMLPClassifier(**TINY, callbacks=[ActAt("on_train_end", weights=value)])
    with pytest.warns(UserWarning, match="on_train_end, after training.*after epoch 3"):
        net.fit(X, y)
    assert net.n_iter_ == 3 and np.isfinite(net.coefs_[0]).all()


def test_keep_best_in_the_middle_of_an_epoch_is_refused(tiny_data):
    class KeepEveryBatch(Callback):
        def on_batch_end(self, trainer):
            trainer.keep_best()

    net = NielsenMLPClassifier(**TINY, callbacks=[KeepEveryBatch()])
    with pytest.raises(CallbackError, match=r"KeepEveryBatch \(on_batch_end\).*on_epoch_end"):
        net.fit(*tiny_data)


# -- schedules: bounded parameters, bounded η ------------------------------------


class EtaRecorder(Callback):
    def on_epoch_end(self, trainer):
        self.etas = [*getattr(self, "etas", []), trainer.eta]


EXTREME_SCHEDULES = [
    StepDecay(step_size=1, gamma=1e-300),
    StepDecay(step_size=1, gamma=np.float64(1e-200)),
    ExponentialDecay(gamma=1e-300),
    ExponentialDecay(gamma=np.float64(1e-300)),
    InverseScaling(power_t=1e6),  # (t + 1) ** 1e6 overflows a float
    InverseScaling(power_t=1e300),
    InverseScaling(power_t=np.float64(1e6)),
    HalveOnPlateau("loss", patience=1, factor=1e-300, min_fraction=1e-300),
]


@pytest.mark.parametrize("eta", [0.5, 1e-300, 1e300])
@pytest.mark.parametrize("schedule", EXTREME_SCHEDULES, ids=repr)
def test_schedules_keep_eta_a_positive_float_however_far_they_decay(
    schedule, eta, tiny_data, tmp_path
):
    X, y = tiny_data
    recorder = EtaRecorder()
    net = NielsenMLPClassifier(**{**TINY, "epochs": 5, "eta": eta}, callbacks=[schedule, recorder])
    net.fit(X, y)
    etas = net.callbacks_[1].etas
    assert all(SMALLEST_ETA <= e <= eta and isinstance(e, float) for e in etas), etas
    save(net, tmp_path / "net.json")  # the same parameters, from a file, train on
    loaded = load(tmp_path / "net.json")
    for _ in range(3):
        loaded.partial_fit(X, y)
    assert SMALLEST_ETA <= loaded.eta_ <= eta


GROWING = [
    ExponentialDecay(gamma=2.0),
    ExponentialDecay(gamma=1.0 + 1e-12),
    StepDecay(gamma=1e200),
    StepDecay(step_size=1, gamma=np.inf),
    ExponentialDecay(gamma=np.nan),
]


@pytest.mark.parametrize("schedule", GROWING, ids=repr)
def test_schedules_that_grow_eta_are_refused_in_fit_and_in_files(schedule, tiny_data, tmp_path):
    net = NielsenMLPClassifier(**TINY, callbacks=[schedule])
    with pytest.raises(InvalidParameterError, match=r"'callbacks\[0\]\.gamma'.*\(0\.0, 1\.0\]"):
        net.fit(*tiny_data)
    fitted = NielsenMLPClassifier(**TINY, callbacks=[type(schedule)()]).fit(*tiny_data)
    save(fitted, tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())
    document["params"]["callbacks"][0]["params"]["gamma"] = schedule.gamma
    (tmp_path / "edited.json").write_text(json.dumps(document))  # NaN/Infinity as JSON writes them
    with pytest.raises(ModelFileError):
        load(tmp_path / "edited.json")


# -- class_weight ---------------------------------------------------------------

BAD_CLASS_WEIGHTS = [
    {0: -1.0},
    {0: -1, 1: -1, 2: -1},
    {1: -1e-300},
    {0: np.nan},
    {0: np.inf, 1: 1},
    {2: -np.inf},
    {0: "2"},
    {0: True},
    {0: None},
    {0: [1.0]},
]


@pytest.mark.parametrize("class_weight", BAD_CLASS_WEIGHTS, ids=repr)
def test_class_weights_that_are_not_finite_and_non_negative_are_refused(class_weight, tiny_data):
    net = NielsenMLPClassifier(**TINY, class_weight=class_weight)
    with pytest.raises(InvalidParameterError, match=r"'class_weight' parameter.*finite weights"):
        net.fit(*tiny_data)
    with pytest.raises(InvalidParameterError, match="'class_weight'"):
        net.partial_fit(*tiny_data, classes=[0, 1, 2])
    assert not hasattr(net, "coefs_")


ALL_ZERO = [
    ({0: 0, 1: 0, 2: 0}, None),
    ({0: 0.0, 1: 0.0, 2: 0.0, 3: 0.0}, None),  # 3 is not a class either: zero weights first
    ({0: 0, 1: 0}, np.where(np.arange(24) % 3 == 2, 0.0, 1.0)),  # class 2 weighted 0 by samples
    ({1: 5.0}, np.where(np.arange(24) % 3 == 1, 0.0, 1.0) * 0),
    ("balanced", np.zeros(24)),
]


@pytest.mark.parametrize(("class_weight", "sample_weight"), ALL_ZERO, ids=repr)
def test_weights_that_leave_every_sample_at_zero_are_refused(
    class_weight, sample_weight, tiny_data
):
    X, y = tiny_data
    net = NielsenMLPClassifier(**TINY, class_weight=class_weight)
    with pytest.raises(ValueError, match=r"weight of 0|not classes|zero|positive"):
        net.fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("class_weight", [{0: 1, 7: 2}, {"0": 1.0}, {0.5: 2}])
def test_class_weights_of_labels_that_are_no_class_are_refused(class_weight, tiny_data):
    net = NielsenMLPClassifier(**TINY, class_weight=class_weight)
    with pytest.raises(ValueError, match=r"names labels that are not classes of y"):
        net.fit(*tiny_data)


def test_class_weights_may_name_classes_absent_from_a_partial_fit_batch(tiny_data):
    X, y = tiny_data
    net = NielsenMLPClassifier(**TINY, class_weight={0: 2.0, 1: 1.0, 2: 0.5})
    net.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])
    net.partial_fit(X, y)
    assert np.isfinite(net.coefs_[0]).all() and net.n_iter_ == 2


@pytest.mark.parametrize("column", [np.array, sparse.csr_matrix, sparse.csr_array])
def test_class_weights_weigh_a_column_of_labels_as_its_1d_labels(column, tiny_data):
    # A dict looked each row of a column y up whole: TypeError (unhashable list) dense,
    # AttributeError (no tolist) sparse, while the same y without class_weight trained.
    X, y = tiny_data
    expected = NielsenMLPClassifier(**TINY, class_weight={0: 2.0}).fit(X, y)
    with pytest.warns(DataConversionWarning, match="column-vector y") as record:
        net = NielsenMLPClassifier(**TINY, class_weight={0: 2.0}).fit(X, column(y[:, None]))
    assert len(record) == 1  # one warning, not one for each reading of y
    assert record[0].filename == __file__  # not a line inside sknielsen or scikit-learn
    np.testing.assert_array_equal(net.coefs_[0], expected.coefs_[0])


def test_class_weights_of_extreme_size_train_or_are_refused(tiny_data):
    X, y = tiny_data
    for class_weight in ({0: 1e300, 1: 1e-300, 2: 1.0}, {0: np.float32(3)}, {1: 0, 2: 0}):
        net = NielsenMLPClassifier(**TINY, class_weight=class_weight).fit(X, y)
        assert np.isfinite(net.coefs_[0]).all() and net.loss_curve_[-1] >= 0
    with pytest.raises(ValueError, match="overflows"):
        NielsenMLPClassifier(**TINY, class_weight={0: 1e300}).fit(
            X, y, sample_weight=np.full(24, 1e300)
        )


# -- comparison records: resumed only when a run could have made them ---------------


@pytest.fixture(scope="module")
def svc_study():
    """A finished two-scorer study on 60 digits, and how to run it again."""
    digits = load_digits_split()
    arguments = {
        "estimators": {"bayes": GaussianNB(), "dummy": DummyClassifier()},
        "X_train": digits.X_train,
        "y_train": digits.y_train,
        "X_test": digits.X_test,
        "y_test": digits.y_test,
        "sizes": [60],
        "scoring": ["accuracy", "neg_log_loss"],
    }
    return arguments, training_size_comparison(**arguments)


IMPOSSIBLE = [
    ("accuracy_test", 2.0),
    ("accuracy_test", -7),
    ("accuracy_test", np.nan),
    ("accuracy_test", np.inf),
    ("accuracy_test", -np.inf),
    ("neg_log_loss_test", 0.5),  # a negated loss is never above 0
    ("neg_log_loss_test", -np.inf),
    ("fit_seconds", -1e308),
    ("fit_seconds", np.nan),
    ("predict_seconds", -1),
    ("predict_seconds", np.inf),
    ("seed", True),
    ("seed", 0.0),
    ("size", 60.0),
]


@pytest.mark.parametrize(("key", "value"), IMPOSSIBLE)
def test_earlier_records_no_run_could_make_are_refused(key, value, svc_study):
    arguments, records = svc_study
    tampered = [{**records[0], key: value}, records[1]]
    with pytest.raises(ValueError, match=rf"holds values no run makes: {key}="):
        training_size_comparison(**arguments, previous=tampered)


COMPARE = ["compare", "--train-sizes", "50", "--seeds", "1", "--estimators", "svc"]


@pytest.fixture(scope="module")
def finished_comparison(tmp_path_factory):
    """The results file of a finished ``compare`` run (run once for the module)."""
    out = tmp_path_factory.mktemp("comparison")
    assert main([*COMPARE, "--out", str(out)]) == 0
    return (out / "comparison.json").read_text()


@pytest.mark.parametrize(("key", "value"), IMPOSSIBLE[:3] + IMPOSSIBLE[7:8] + IMPOSSIBLE[11:12])
def test_compare_resume_refuses_impossible_records_and_keeps_the_file(
    key, value, finished_comparison, tmp_path, capsys
):
    document = json.loads(finished_comparison)
    document["records"][0][key] = value
    (tmp_path / "comparison.json").write_text(json.dumps(document))  # NaN, Infinity as JSON's
    before = (tmp_path / "comparison.json").read_bytes()
    capsys.readouterr()
    assert main([*COMPARE, "--out", str(tmp_path), "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"holds values no run makes: {key}=" in err
    assert (tmp_path / "comparison.json").read_bytes() == before  # nothing written back


REFUSED_STUDIES = [
    ["--dataset", "mnist", "--data-dir", "{empty}"],  # no data
    ["--train-sizes", "99999"],  # larger than the pool
    ["--train-sizes", "50", "--estimators", "network", "--hidden", "100000000"],  # no memory
]


@pytest.mark.parametrize("flags", REFUSED_STUDIES)
def test_a_refused_compare_leaves_no_empty_out_folder(flags, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    flags = [flag.format(empty=tmp_path / "empty") for flag in flags]
    out = tmp_path / "new" / "deeper" / "results"
    assert main(["compare", *flags, "--out", str(out)]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]
    (tmp_path / "mine").mkdir()  # a folder the user made is never removed
    assert main(["compare", *flags, "--out", str(tmp_path / "mine")]) == 2
    assert (tmp_path / "mine").is_dir()
    assert capsys.readouterr().err.count("\n") == 2


# -- silent failures at defaults ------------------------------------------------


@pytest.mark.parametrize("eta", [0.5, 0.2, 10.0])
def test_adam_with_an_eta_made_for_sgd_warns_before_training(eta, tiny_data):
    net = NielsenMLPClassifier(**TINY, optimizer="adam", eta=eta)
    with pytest.warns(UserWarning, match=rf"eta={eta:g} is far too large for Adam"):
        net.fit(*tiny_data)


@pytest.mark.parametrize(
    "optimizer", [("adam", 0.001), ("adam", 0.1), ("sgd", 0.5), ("momentum", 3)]
)
def test_suited_etas_give_no_such_warning(optimizer, tiny_data):
    name, eta = optimizer
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        NielsenMLPClassifier(**TINY, optimizer=name, eta=eta).fit(*tiny_data)
    assert not [w for w in caught if "far too large" in str(w.message)]


@pytest.mark.parametrize(
    ("scale", "warned"), [(1.0, False), (0.1, False), (0.03, True), (0.01, True)]
)
def test_inputs_on_a_tiny_scale_that_teach_nothing_are_warned_of(scale, warned):
    # The digits' pixels in [0, 0.01] scored 0.10, one class, without a word: unsaturated
    # outputs that barely vary escaped the saturation and the guess checks.
    from sknielsen.datasets import load_digits_split

    data = load_digits_split()
    net = NielsenMLPClassifier(epochs=10, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.fit(data.X_train * scale, data.y_train)
    told = [str(w.message) for w in caught if "learnt next to nothing" in str(w.message)]
    assert bool(told) is warned
    if warned:
        assert f"a typical one reaches {scale:.3g} at most" in told[0]
        assert net.score(data.X_test * scale, data.y_test) < 0.2


def test_one_hot_inputs_near_a_guess_after_an_epoch_are_not_called_small():
    # Their mean square is small (0.07), not their features: a first partial_fit, still
    # near a guess, was told to scale inputs already in [0, 1].
    from sklearn.preprocessing import OneHotEncoder

    codes = np.random.default_rng(0).integers(0, 200, (1000, 20))
    X, y = OneHotEncoder().fit_transform(codes), (codes[:, 0] < 100).astype(int)
    net = NielsenMLPClassifier((30,), random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(6):
            net.partial_fit(X, y, classes=[0, 1])
    assert not [w for w in caught if "learnt next to nothing" in str(w.message)]


# -- messages ---------------------------------------------------------------------


def test_callback_parameters_are_set_by_name(tiny_data):
    net = NielsenMLPClassifier(**TINY, callbacks=[("stop", EarlyStopping("loss")), StepDecay()])
    net.set_params(callbacks__stop__patience=2, callbacks__StepDecay__gamma=0.25)
    assert net.callbacks[0][1].patience == 2 and net.callbacks[1].gamma == 0.25
    search = GridSearchCV(net, {"callbacks__stop__patience": [1, 3]}, cv=2).fit(*tiny_data)
    assert search.best_params_["callbacks__stop__patience"] in (1, 3)
    assert net.callbacks[0][1].patience == 2  # the search changed its clones only


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"callbacks__0__patience": 2},
            "no callback named '0'; its callbacks parameter holds none",
        ),
        (
            {"callbacks__0__patience": 2},
            "by name, not position: callbacks__EarlyStopping__patience",
        ),
        ({"callbacks__7__patience": 2}, "no callback named '7'"),
        ({"callbacks__-1__patience": 2}, "no callback named '-1'"),
        ({"callbacks__EarlyStoping__patience": 2}, "no callback named 'EarlyStoping'"),
        (
            {"callbacks__StepDecay__gamma": 0.1},
            "named 'EarlyStopping', 'StepDecay_1', 'StepDecay_2'",
        ),
        ({"callbacks__StepDecay_1__patience": 2}, "Invalid parameter 'patience' for StepDecay"),
        ({"callbacks__EarlyStopping__patience__x": 2}, "Invalid parameter 'patience__x'"),
        # Accepted, then refused by fit: no callback can be turned off by name.
        ({"callbacks__EarlyStopping": None}, r"callbacks__EarlyStopping must be a Callback.*None"),
        ({"callbacks__StepDecay_2": "drop"}, r"whole lists of callbacks: .*'StepDecay_2', StepDec"),
        # A raw AttributeError ("'float' object has no attribute 'set_params'").
        ({"eta__x": 1}, r"Cannot set eta__x: the parameter 'eta' of .* holds no plugin"),
        ({"eta__x": 1, "epochs__y": 2}, r"Cannot set epochs__y, eta__x: the parameters 'epochs',"),
        ({"early_stopping__patience": 3}, r"Cannot set early_stopping__patience: the"),
    ],
)
def test_callback_parameters_that_reach_nothing_are_refused_clearly(params, message):
    callbacks = None if "holds none" in message else [EarlyStopping(), StepDecay(), StepDecay()]
    net = NielsenMLPClassifier(callbacks=callbacks)
    with pytest.raises(ValueError, match=message):
        net.set_params(eta=0.1, **params)
    assert net.eta == 0.5  # a refused call changes nothing


class Drifting(Callback):
    """Stores four times what it is given: every copy would drift further."""

    def __init__(self, n=1):
        self.n = n * 4


class Forgetful(Callback):
    """Stores its argument under another name."""

    def __init__(self, n=1):
        self.count = n


class Copying(Callback):
    """Stores a copy of its list: equal, but not the object given."""

    def __init__(self, keys=("loss",)):
        self.keys = list(keys)


@pytest.mark.parametrize("callback", [Drifting, Forgetful, Copying])
def test_callbacks_that_do_not_store_their_parameters_are_refused_at_fit(callback, tiny_data):
    net = NielsenMLPClassifier(**TINY, callbacks=[callback()])
    with pytest.raises(RuntimeError, match=f"Cannot copy the callback {callback.__name__}"):
        net.fit(*tiny_data)
    with pytest.raises(RuntimeError, match="Cannot copy"):
        clone(callback())


@pytest.mark.parametrize(
    ("callback", "name"),
    [
        (EarlyStopping(patience=True), "patience"),
        (EarlyStopping(min_delta=False), "min_delta"),
        (StepDecay(step_size=True), "step_size"),
        (ExponentialDecay(gamma=True), "gamma"),
        (Checkpoint("c.json", every=True), "every"),
        (HalveOnPlateau(min_fraction=True), "min_fraction"),
        (InverseScaling(power_t=True), "power_t"),
    ],
)
def test_booleans_are_no_numbers_for_callbacks(callback, name, tiny_data):
    net = NielsenMLPClassifier(**TINY, callbacks=[callback])
    with pytest.raises(InvalidParameterError, match=rf"'callbacks\[0\]\.{name}'.*boolean"):
        net.fit(*tiny_data)


def test_booleans_are_no_numbers_for_plugins(tiny_data):
    net = NielsenMLPClassifier(**TINY).set_params(optimizer="momentum", optimizer__mu=True)
    with pytest.raises(InvalidParameterError, match=r"'optimizer__mu'.*boolean"):
        net.fit(*tiny_data)


def test_evaluate_reports_a_regressors_r2_not_an_accuracy(tmp_path, capsys):
    digits = load_digits_split()
    regressor = NielsenMLPRegressor(hidden_layer_sizes=(5,), epochs=2, eta=0.01, random_state=0)
    save(regressor.fit(digits.X_train, digits.y_train), tmp_path / "reg.json")
    classifier = NielsenMLPClassifier(hidden_layer_sizes=(5,), epochs=2, random_state=0)
    save(classifier.fit(digits.X_train, digits.y_train), tmp_path / "clf.json")
    assert main(["evaluate", str(tmp_path / "reg.json"), "--dataset", "digits"]) == 0
    out = capsys.readouterr().out
    assert "test R² " in out and "validation R² " in out and "accuracy" not in out
    assert "%" not in out
    assert main(["evaluate", str(tmp_path / "clf.json"), "--dataset", "digits"]) == 0
    assert "test accuracy " in capsys.readouterr().out
    # A file of the user's too: it printed a regressor's R² as "accuracy -6.96%".
    np.savez(tmp_path / "rows.npz", X=digits.X_test, y=digits.y_test)
    assert (
        main(["evaluate", str(tmp_path / "reg.json"), "--dataset", str(tmp_path / "rows.npz")]) == 0
    )
    out = capsys.readouterr().out
    assert f"on {tmp_path / 'rows.npz'}: R² " in out and "accuracy" not in out and "%" not in out


DAMAGED_RECORDS = [
    ("more_data", b"[25.07, 48.9", "cannot be read"),  # truncated
    ("more_data", b"\xff\xfe[1]", "cannot be read"),  # not UTF-8
    ("more_data", b"[" * 100_000, "cannot be read"),  # nested too deeply
    ("more_data", b"{}", "is not a list"),
    ("more_data", b"[1, 2, 3]", "holds 3 values for the 9 training sizes"),
    ("more_data", b"[1, 2, 3, 4, 5, 6, 7, 8, 250]", "holds 250 at 8, which is no percent"),
    ("more_data", b'[1, 2, 3, 4, 5, 6, 7, 8, "9"]', "which is no percent"),
    ("multiple_eta", b"[]", "is missing"),
    ("multiple_eta", b"[[[], [-3], [], []]] ", "which is no count"),
    ("multiple_eta", b"[[[NaN], [], [], []]]", "which is no cost"),
    ("weight_initialization_30", b'{"default_weight_initialization": []}', "is missing"),
    ("overfitting", None, "cannot be read"),  # the file is gone
]


@pytest.mark.parametrize(("name", "content", "message"), DAMAGED_RECORDS)
def test_damaged_book_records_are_refused_in_one_line(name, content, message, tmp_path, capsys):
    from sknielsen.studies import _book

    folder = tmp_path / "_book_records"
    folder.mkdir()
    if content is not None:
        (folder / f"{name}.json").write_bytes(content)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_book.resources, "files", lambda package: tmp_path)
        with pytest.raises(ValueError, match=message):
            _book.load_record(name)
        # Refused before the replay (which needs MNIST) starts.
        assert main(["book", "replay", name, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{name}.json, part of sknielsen" in err


@pytest.mark.parametrize(
    "arguments",
    [
        {"size": 0, "n_full": 100},
        {"size": -5, "n_full": 100},
        {"size": 10, "n_full": 0},
        {"size": 2.5, "n_full": 100},
        {"size": None, "n_full": 100},
    ],
)
def test_scaled_params_refuses_sizes_that_are_no_counts(arguments):
    with pytest.raises(InvalidParameterError, match=r"'(size|n_full)' parameter of scaled_params"):
        scaled_params(NielsenMLPClassifier(), **arguments)


@pytest.mark.parametrize("n", [-5, 0, 2.5, None, "10"])
def test_simplify_refuses_counts_that_are_no_counts(n):
    with pytest.raises(InvalidParameterError, match="'n' parameter of simplify"):
        simplify(np.zeros((4, 2)), [0, 1, 0, 1], n=n)


@pytest.mark.parametrize(
    ("function", "arguments", "name"),
    [
        (simplify, {"X": [[0.0], [1.0]], "y": [0, 1], "n": True}, "n"),
        (check_gradients, {"n_samples": True}, "n_samples"),
        (check_gradients, {"lmbda": False}, "lmbda"),
        (expand, {"X": [[0.0] * 4], "y": [0], "copies": True}, "copies"),
    ],
)
def test_public_functions_refuse_booleans_for_numbers(function, arguments, name):
    # bool is an int: scikit-learn's Interval took True for 1 and False for 0.
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of .* must not be a"):
        function(**arguments)


def test_a_fit_from_within_the_same_estimators_fit_is_refused(tiny_data):
    # A callback's net.fit recursed until Python's RecursionError, frames deep in abc.
    from sklearn.base import clone

    class Refits(Callback):
        def on_epoch_end(self, trainer):
            NET.fit(*tiny_data)

    NET = NielsenMLPClassifier(**TINY, callbacks=[Refits()])
    with pytest.raises(RuntimeError, match=r"called on this NielsenMLPClassifier while it is"):
        NET.fit(*tiny_data)
    assert not hasattr(NET, "coefs_")
    NET.set_params(callbacks=None).fit(*tiny_data)  # the refusal left nothing behind
    clone(NET).fit(*tiny_data)


def test_a_refused_argument_leaves_no_cycle_holding_the_callers_data():
    # validate_arguments re-raised the body's own InvalidParameterError from inside
    # the handler of the error carrying it: each held the other (__context__, .error),
    # and the traceback's frames with them, so the arguments (a study's data) stayed
    # in memory until Python's next full garbage collection.
    import gc
    import weakref

    from sknielsen._core.params import validate_arguments

    @validate_arguments({"X": ["array-like"]})
    def study(X):
        raise InvalidParameterError("The 'n' parameter of study must be positive.")

    X = np.zeros((4, 3))
    watched = weakref.ref(X)
    gc.disable()  # only reference counting frees, as it does between two collections
    try:
        with pytest.raises(InvalidParameterError, match="'n' parameter of study"):
            study(X)
        del X
        assert watched() is None, "the refused call's data outlived the refusal"
    finally:
        gc.enable()


def test_an_interrupt_as_a_fit_starts_leaves_the_estimator_fittable(tiny_data, monkeypatch):
    # The estimator was marked as being fitted before the block that unmarks it: a
    # KeyboardInterrupt in between left every later fit refused "while it is being fitted".
    from sknielsen import _base

    kept = _base._input_attributes

    def interrupted(estimator):
        monkeypatch.setattr(_base, "_input_attributes", kept)
        raise KeyboardInterrupt

    monkeypatch.setattr(_base, "_input_attributes", interrupted)
    net = NielsenMLPClassifier(**TINY)
    with pytest.raises(KeyboardInterrupt):
        net.fit(*tiny_data)
    net.fit(*tiny_data)
