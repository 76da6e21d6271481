"""Several threads using sknielsen at once: warnings, files and results.

``warnings.catch_warnings`` changes the whole process's filters (before
Python 3.14): a library that uses it inside ``save`` or ``fit`` hides the
warnings of every other thread while it runs, and two threads leaving it in
the wrong order leave its filters in place for good.
"""

import threading
import warnings

import numpy as np
import pytest

import sknielsen
from sknielsen import NielsenMLPClassifier
from sknielsen.io import _persistence

TIMEOUT = 30


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
