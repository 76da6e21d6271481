"""Several threads using sknielsen at once: warnings, files and results.

``warnings.catch_warnings`` changes the whole process's filters (before
Python 3.14): a library that uses it inside ``save`` or ``fit`` hides the
warnings of every other thread while it runs, and two threads leaving it in
the wrong order leave its filters in place for good.
"""

import inspect
import os
import pickle
import stat
import threading
import warnings
from types import SimpleNamespace

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV

import sknielsen
from sknielsen import NielsenMLPClassifier, plugins
from sknielsen._core import files
from sknielsen.comparison import training_size_comparison
from sknielsen.engine import _cengine
from sknielsen.io import _persistence
from sknielsen.plugins import SGD, _registry

TIMEOUT = 30

needs_c = pytest.mark.skipif(not _cengine.available(), reason="the C engine is not built here")


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    X = rng.random((40, 4))
    y = (X[:, 0] > 0.5).astype(int)
    return NielsenMLPClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0).fit(X, y)


def _saves_held_inside(monkeypatch):
    """``(gates, entered)``: saves wait inside their check of the file, each at its gate.

    ``entered`` is released once per save that reached its gate; a save's
    gate is the name of its thread.
    """
    gates, entered = {}, threading.Semaphore(0)
    check = _persistence._model_from_text

    def held(text):
        entered.release()
        assert gates[threading.current_thread().name].wait(TIMEOUT)
        return check(text)

    monkeypatch.setattr(_persistence, "_model_from_text", held)
    return gates, entered


def _saving_thread(name, gates, model, path):
    gates[name] = threading.Event()
    errors = []

    def save():
        try:
            sknielsen.save(model, path)
        except BaseException as exc:
            errors.append(exc)

    return threading.Thread(target=save, name=name, daemon=True), errors


def test_a_save_in_one_thread_hides_no_warning_of_another(model, tmp_path, monkeypatch):
    gates, entered = _saves_held_inside(monkeypatch)
    thread, errors = _saving_thread("saver", gates, model, tmp_path / "m.json")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        thread.start()
        assert entered.acquire(timeout=TIMEOUT)
        warnings.warn("a warning of another thread's work", UserWarning, stacklevel=1)
        gates["saver"].set()
        thread.join(TIMEOUT)
    assert not errors
    assert [str(w.message) for w in caught] == ["a warning of another thread's work"]


def test_saves_in_two_threads_leave_the_warning_filters_as_they_were(model, tmp_path, monkeypatch):
    gates, entered = _saves_held_inside(monkeypatch)
    first, first_errors = _saving_thread("first", gates, model, tmp_path / "a.json")
    second, second_errors = _saving_thread("second", gates, model, tmp_path / "b.json")
    with warnings.catch_warnings():
        filters = list(warnings.filters)
        first.start()
        assert entered.acquire(timeout=TIMEOUT)
        second.start()
        assert entered.acquire(timeout=TIMEOUT)
        # The first in leaves first: the second then restores what it found on entering.
        gates["first"].set()
        first.join(TIMEOUT)
        gates["second"].set()
        second.join(TIMEOUT)
        left = list(warnings.filters)
    assert not first_errors and not second_errors
    assert left == filters


@pytest.mark.parametrize("proc_status", [True, False], ids=["proc-status", "without-it"])
def test_saves_of_new_files_in_two_threads_leave_the_umask_as_it_was(
    model, tmp_path, monkeypatch, proc_status
):
    # A save to a new file read the umask by setting it to 0 and back: two at once left
    # it 0 for good, and every file the process made afterwards writable by everyone.
    if not proc_status:  # where the kernel does not say it (macOS, Windows): set and reset
        monkeypatch.setattr(files, "_PROCESS_STATUS", str(tmp_path / "no-status"), raising=False)
    umask = os.umask(0o022)
    monkeypatch.setattr(os, "umask", _interleaved_umask(os.umask))
    try:
        errors = _in_threads_named(
            {
                name: lambda name=name: sknielsen.save(model, tmp_path / f"{name}.json")
                for name in ("first", "second")
            }
        )
        left = os.umask.__wrapped__(0o022)
    finally:
        monkeypatch.undo()
        os.umask(umask)
    assert not errors, errors
    assert left == 0o022
    modes = {
        stat.S_IMODE((tmp_path / f"{name}.json").stat().st_mode) for name in ("first", "second")
    }
    assert modes == {0o644}


def _interleaved_umask(umask):
    """``os.umask`` as it runs when two threads, "first" and "second", read it at once.

    The first sets it, the second sets it, the first resets it, the second
    resets it, as far as each waits for the other (half a second at most).
    """
    second_set, first_reset = threading.Event(), threading.Event()
    calls = []

    def interleaved(mask):
        previous = umask(mask)
        name = threading.current_thread().name
        calls.append(name)
        if (name, calls.count(name)) == ("first", 1):
            second_set.wait(0.5)
        elif name == "first":
            first_reset.set()
        elif calls.count(name) == 1:
            second_set.set()
            first_reset.wait(0.5)
        return previous

    interleaved.__wrapped__ = umask
    return interleaved


def _in_threads_named(calls):
    """Each of ``calls`` (name: function) in a thread of that name at once; what they raised."""
    errors = []

    def call(function):
        try:
            function()
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=call, args=(function,), name=name, daemon=True)
        for name, function in calls.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    return errors


class _WarnsInTurn(ClassifierMixin, BaseEstimator):
    """Fits that warn while both are running: "a" first, "b" once a's result is in."""

    both_running = None
    a_reported = None

    def __init__(self, name="a"):
        self.name = name

    def fit(self, X, y):
        type(self).both_running.wait(TIMEOUT)
        if self.name == "b":
            assert type(self).a_reported.wait(TIMEOUT)
        warnings.warn(f"fit {self.name}", UserWarning, stacklevel=1)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_a_threaded_study_passes_on_every_jobs_warnings_once(monkeypatch):
    # Each job recorded its warnings with catch_warnings(record=True), for a worker
    # process's to reach the caller: in threads the recorders replaced each other's.
    monkeypatch.setattr(_WarnsInTurn, "both_running", threading.Barrier(2))
    monkeypatch.setattr(_WarnsInTurn, "a_reported", threading.Event())
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 3)), np.arange(40) % 2

    def reported(record, done, total):
        if record["estimator"] == "a":
            _WarnsInTurn.a_reported.set()

    estimators = {name: _WarnsInTurn(name) for name in ("a", "b")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with joblib.parallel_backend("threading"):
            training_size_comparison(
                estimators, X[:30], y[:30], X[30:], y[30:], [20], n_jobs=2, on_result=reported
            )
        warnings.warn("after the study", UserWarning, stacklevel=1)
    fits = sorted(str(w.message) for w in caught if str(w.message).startswith("fit"))
    assert fits == ["fit a", "fit b"]
    assert str(caught[-1].message) == "after the study"


def test_warnings_of_a_threaded_grid_search_point_at_the_users_line():
    # In joblib's worker threads no frame is the user's: the first outside the library
    # was multiprocessing/pool.py's worker loop, where every warning pointed.
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 4)), np.arange(40) % 2
    adam = NielsenMLPClassifier(optimizer="adam", hidden_layer_sizes=(3,), epochs=1)
    search = GridSearchCV(adam, {"eta": [0.5, 0.6]}, cv=2, n_jobs=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with joblib.parallel_backend("threading"):
            line = inspect.currentframe().f_lineno + 1
            search.fit(X, y)
    adams = [w for w in caught if "too large for Adam" in str(w.message)]
    assert len(adams) == 5  # 2 settings × 2 folds, then the refit
    assert {(w.filename, w.lineno) for w in adams} == {(__file__, line)}


def test_a_warning_of_a_users_own_thread_is_issued_though_no_line_is_the_users():
    # The main thread waits in join(), outside the library: no line of the user's says
    # which call started the work. The warning is issued, at the library's line.
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 4)), np.arange(40) % 2
    adam = NielsenMLPClassifier(optimizer="adam", eta=0.5, hidden_layer_sizes=(3,), epochs=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        worker = threading.Thread(target=adam.fit, args=(X, y))
        worker.start()
        worker.join(TIMEOUT)
    (adams,) = [w for w in caught if "too large for Adam" in str(w.message)]
    assert adams.filename != __file__ and "sknielsen" in adams.filename


# -- the plugin registry ------------------------------------------------------------------


class _Gated(SGD):
    """An optimizer of a plugin package, found through an entry point."""


class _GatedEntry:
    """An entry point whose ``load`` returns only once ``parties`` threads are loading it."""

    def __init__(self, parties):
        self.name, self.value = "optimizer.gated", "gated_package:Gated"
        self.loading = threading.Barrier(parties)

    def load(self):
        self.loading.wait(TIMEOUT)
        return _Gated


def _in_threads(function, n_threads):
    """``function(i)`` in threads ``i = 0, 1, ...`` started together: results or exceptions."""
    outcomes, together = [None] * n_threads, threading.Barrier(n_threads)

    def call(i):
        try:
            together.wait(TIMEOUT)
            outcomes[i] = function(i)
        except BaseException as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=call, args=(i,), daemon=True) for i in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    return outcomes


def _own_registry(monkeypatch):
    """The registry's dicts replaced by copies for the test: its registrations are undone."""
    for kind, registered in _registry._REGISTRY.items():
        monkeypatch.setitem(_registry._REGISTRY, kind, dict(registered))


def test_two_threads_loading_an_entry_point_plugin_at_once_both_get_it(monkeypatch):
    # The second to register it popped it from the entries still to load: KeyError 'gated'.
    _own_registry(monkeypatch)
    entry = _GatedEntry(parties=2)
    pending = {kind: {} for kind in _registry._REGISTRY}
    pending["optimizer"]["gated"] = entry
    monkeypatch.setattr(_registry, "_PENDING", pending)
    got = _in_threads(lambda i: plugins.get("optimizer", "gated"), 2)
    assert [type(plugin) for plugin in got] == [_Gated, _Gated], got
    assert plugins.get_class("optimizer", "gated") is _Gated


def test_a_lookup_while_another_thread_reads_the_entry_points_finds_their_plugins(monkeypatch):
    # The first reader published an empty list before filling it: a plugin package's
    # optimizer was "Unknown" to a second thread's fit meanwhile.
    reading, proceed = threading.Event(), threading.Event()
    entry = SimpleNamespace(name="optimizer.gated", value="gated_package:Gated")

    def entry_points(group):
        if not reading.is_set():
            reading.set()
            assert proceed.wait(TIMEOUT)
        return [entry]

    monkeypatch.setattr(_registry, "metadata", SimpleNamespace(entry_points=entry_points))
    monkeypatch.setattr(_registry, "_PENDING", None)
    first = threading.Thread(target=plugins.available, args=("optimizer",), daemon=True)
    first.start()
    assert reading.wait(TIMEOUT)
    try:
        names = plugins.available("optimizer")
    finally:
        proceed.set()
        first.join(TIMEOUT)
    assert "gated" in names


def test_pickling_a_model_while_another_thread_registers_a_plugin(model, monkeypatch):
    # A model's pickle lists the plugins registered in the process, iterating over the
    # registry: "RuntimeError: dictionary changed size during iteration".
    _own_registry(monkeypatch)
    iterating, registered = threading.Event(), threading.Event()
    is_builtin, met = _registry.is_builtin, []

    def held_is_builtin(plugin):  # the pickling thread waits at its first plugin
        if not met:
            met.append(plugin)
            iterating.set()
            assert registered.wait(TIMEOUT)
        return is_builtin(plugin)

    monkeypatch.setattr(_registry, "is_builtin", held_is_builtin)
    pickling = threading.Thread(
        target=lambda: outcome.append(_outcome(pickle.dumps, model)), daemon=True
    )
    outcome = []
    pickling.start()
    assert iterating.wait(TIMEOUT)
    plugins.register(met[0].kind, "meanwhile")(type("Meanwhile", (met[0],), {}))
    registered.set()
    pickling.join(TIMEOUT)
    assert isinstance(outcome[0], bytes), outcome
    assert pickle.loads(outcome[0]).get_params() == model.get_params()


def _outcome(function, *args):
    """``function(*args)``, or the exception it raised."""
    try:
        return function(*args)
    except Exception as exc:
        return exc


# -- fits and predictions in threads --------------------------------------------------------


def _untidy_csr(X):
    """``X`` as CSR whose rows hold their entries backwards, each split in two halves."""
    rows = np.repeat(np.arange(X.shape[0]), np.count_nonzero(X, axis=1))
    cols = np.nonzero(X)[1]
    order = np.lexsort((-cols, rows))
    rows, cols, values = rows[order], cols[order], X[rows[order], cols[order]] / 2
    indptr = np.concatenate([[0], np.cumsum(2 * np.bincount(rows, minlength=X.shape[0]))])
    doubled = np.repeat(np.arange(len(cols)), 2)
    return sp.csr_matrix((values[doubled], cols[doubled], indptr), shape=X.shape)


@pytest.mark.parametrize("engine", ["numpy", pytest.param("c", marks=needs_c)])
@pytest.mark.parametrize("layout", ["untidy-csr", "fortran-float32"])
def test_fits_in_threads_give_the_weights_of_fits_one_after_another(engine, layout):
    # Swept clean (both engines, dense and CSR, both dtypes, 2 to 8 threads, n_jobs up to
    # 4); kept as a guard: the user's X is canonicalized and laid out for the engines,
    # never in place, and nothing a fit holds is shared with another's.
    rng = np.random.default_rng(0)
    dense = rng.random((64, 6))
    dense[dense < 0.6] = 0.0
    y = (dense[:, 0] + dense[:, 1] > 0.5).astype(int)
    if layout == "untidy-csr":
        X = _untidy_csr(dense)
        before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    else:
        X = np.asfortranarray(dense, dtype=np.float32)
        before = (X.copy(),)

    def fit(seed):
        net = NielsenMLPClassifier(
            (5,), epochs=2, random_state=seed, engine=engine, n_jobs=2, dropout=0.2
        )
        return net.fit(X, y)

    alone = [fit(seed) for seed in range(4)]
    together = _in_threads(fit, 4)
    for one, other in zip(alone, together):
        assert other.engine_ == engine
        for a, b in zip(one.coefs_ + one.intercepts_, other.coefs_ + other.intercepts_):
            np.testing.assert_array_equal(a, b)
    now = (X.data, X.indices, X.indptr) if sp.issparse(X) else (X,)
    for was, is_ in zip(before, now):
        np.testing.assert_array_equal(was, is_)
    expected = alone[0].predict_proba(X)
    for proba in _in_threads(lambda i: alone[0].predict_proba(X), 4):
        np.testing.assert_array_equal(proba, expected)


def test_interrupt_watch_watches_nothing_where_it_cannot_set_a_handler():
    import signal

    from sknielsen.utils import InterruptWatch

    # Another thread may set no handler: the main thread's stays.
    before, seen = signal.getsignal(signal.SIGINT), []

    def watch_in_a_thread():
        with InterruptWatch() as watch:
            seen.append(signal.getsignal(signal.SIGINT))
        seen.append(watch.interrupted)

    worker = threading.Thread(target=watch_in_a_thread)
    worker.start()
    worker.join(TIMEOUT)
    assert seen == [before, False]
    # SIGINT ignored (under nohup): it stays ignored, not turned into an interrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with InterruptWatch():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_an_interrupt_watch_entered_again_or_reused_leaves_the_handler_before_it():
    import signal

    from sknielsen.utils import InterruptWatch

    # Entered again inside itself, it took its own handler for the one before it: after
    # both blocks SIGINT stayed with the watch, which passed it on to itself until
    # RecursionError, so that Ctrl-C never interrupted the process again.
    before, received = signal.getsignal(signal.SIGINT), []
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    previous = signal.getsignal(signal.SIGINT)
    try:
        watch = InterruptWatch()
        with watch:
            with watch:
                os.kill(os.getpid(), signal.SIGINT)
            assert watch.interrupted and len(received) == 1
        assert signal.getsignal(signal.SIGINT) is previous
        os.kill(os.getpid(), signal.SIGINT)
        assert len(received) == 2
        # Used again in another thread, it restored the main thread's old handler there:
        # "ValueError: signal only works in main thread of the main interpreter".
        errors = []

        def reuse():
            try:
                with watch:
                    pass
            except ValueError as error:
                errors.append(error)

        worker = threading.Thread(target=reuse)
        worker.start()
        worker.join(TIMEOUT)
        assert errors == [] and signal.getsignal(signal.SIGINT) is previous
    finally:
        signal.signal(signal.SIGINT, before)
