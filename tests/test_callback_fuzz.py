"""Fuzzing callbacks: random hooks write random η and weights, and raise, at random times.

Each case trains a small network with a ``Chaos`` callback that follows a
random plan: at the k-th call of some hook it sets ``trainer.eta`` to any
value (NaN, infinities, negative numbers, strings, subnormals, ...), writes
NaN, infinite or huge values into the weights, calls ``keep_best()`` or
``trainer.save()``, or raises ``StopTraining``, ``KeyboardInterrupt`` or an
exception of its own; beside it, random built-in callbacks (early stopping,
checkpoints, a CSV log, a schedule). Whatever happens, the outcome must be
one of:

- a fitted model whose weights are finite, whose ``n_iter_`` matches its
  history and whose predictions are finite;
- a :class:`~sknielsen.callbacks.CallbackError` naming the callback;
- the callback's own exception, unchanged, or the refusal of ``save`` to
  write non-finite weights it was asked for;

and no file in the run's folder is half-written: no temporary file is left,
every model file is whole JSON, every CSV row has the header's columns.
The default suite runs a few hundred cases with a fixed (derandomized)
profile; ``-m slow`` runs 10,000 random ones:

    python -m pytest -q -m slow tests/test_callback_fuzz.py -s
"""

import csv
import json
import warnings
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sknielsen import NielsenMLPClassifier
from sknielsen.callbacks import (
    Callback,
    CallbackError,
    Checkpoint,
    CSVLogger,
    EarlyStopping,
    ExponentialDecay,
    StopTraining,
)
from sknielsen.engine import _cengine

# The C engine where it is built.
ENGINES = ["numpy", "c"] if _cengine.available() else ["numpy"]
CASES_DEFAULT = 200
CASES_SLOW = 10_000

HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end")


class FuzzError(Exception):
    """The callback's own exception: it must leave ``fit`` unchanged."""


EXCEPTIONS = {"StopTraining": StopTraining, "KeyboardInterrupt": KeyboardInterrupt}


class Chaos(Callback):
    """Follows ``plan``: ``(hook, call number, action, value)`` tuples, applied in turn.

    Actions: ``eta`` (set ``trainer.eta`` to ``value``), ``weights`` (write
    ``value`` into every third parameter), ``keep_best``, ``save`` (to
    ``folder``) and ``raise`` (``value`` names the exception).
    """

    def __init__(self, plan=(), folder=None):
        self.plan = plan
        self.folder = folder

    def _act(self, trainer, hook):
        self._calls = getattr(self, "_calls", Counter())
        number = self._calls[hook]
        self._calls[hook] += 1
        for when, at, action, value in self.plan:
            if when == hook and at == number:
                _perform(trainer, action, value, self.folder)


for _hook in HOOKS:
    setattr(Chaos, _hook, lambda self, trainer, hook=_hook: self._act(trainer, hook))


def _perform(trainer, action, value, folder):
    if action == "eta":
        trainer.eta = value
    elif action == "weights":
        trainer.network.params[::3] = value
    elif action == "keep_best":
        trainer.keep_best()
    elif action == "save":
        trainer.save(folder / "saved.json")
    else:
        raise EXCEPTIONS.get(value, FuzzError)(f"planned {value}")


ETAS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 10**400, "0.1", None, True, 1e-320, np.float32(0.1), [0.1]]),
)
VALUES = st.sampled_from([np.nan, np.inf, -np.inf, 1e308, -1e300, 0.0, 1e5])
ACTIONS = st.one_of(
    st.tuples(st.just("eta"), ETAS),
    st.tuples(st.just("weights"), VALUES),
    st.tuples(st.just("keep_best"), st.none()),
    st.tuples(st.just("save"), st.none()),
    st.tuples(st.just("raise"), st.sampled_from(["StopTraining", "KeyboardInterrupt", "own"])),
)
STEPS = st.tuples(st.sampled_from(HOOKS), st.integers(0, 5), ACTIONS)
PLANS = st.lists(STEPS.map(lambda step: (step[0], step[1], *step[2])), max_size=4).map(tuple)
CONFIGURATIONS = st.fixed_dictionaries(
    {
        "optimizer": st.sampled_from(["sgd", "momentum", "adam"]),
        "eta": st.sampled_from([0.5, 0.01, 1e300]),
        "engine": st.sampled_from(ENGINES),
        "built_ins": st.lists(
            st.sampled_from(["early_stopping", "checkpoint", "csv", "schedule"]), unique=True
        ),
    }
)

rng = np.random.default_rng(0)
X, Y = rng.random((24, 4)), np.arange(24) % 3


def _built_ins(names, folder):
    made = {
        "early_stopping": lambda: EarlyStopping("loss", patience=2),
        "checkpoint": lambda: Checkpoint(folder / "c{epoch}.json"),
        "csv": lambda: CSVLogger(folder / "log.csv"),
        "schedule": lambda: ExponentialDecay(0.5),
    }
    return [made[name]() for name in names]


#: Why a model cannot be saved, as the errors of trainer.save, Checkpoint and fit say.
REFUSED_TO_SAVE = ("NaN or infinite values", "so large that inputs in [0, 1] can overflow")


def _run_case(plan, configuration, folder):
    """Train with the plan; return the outcome's name, or raise if it breaks a promise."""
    for leftover in folder.iterdir():
        leftover.unlink()
    callbacks = [Chaos(plan, folder), *_built_ins(configuration["built_ins"], folder)]
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(3,),
        epochs=3,
        mini_batch_size=8,
        optimizer=configuration["optimizer"],
        eta=configuration["eta"],
        engine=configuration["engine"],
        random_state=0,
        callbacks=callbacks,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # divergence, overflow: beside the point here
            net.fit(X, Y)
            outcome = _check_fitted(net)
    except CallbackError as exc:
        assert "Chaos" in str(exc), exc
        outcome = "refused"
    except FuzzError:
        outcome = "the callback's own exception"
    except ValueError as exc:  # save() asked to write what it refuses
        # Weights a callback made huge (1e308) are finite, and refused where a model
        # is saved: by trainer.save, a Checkpoint, and at the end of the fit.
        assert any(reason in str(exc) for reason in REFUSED_TO_SAVE), exc
        assert "Cannot save this model: Cannot" not in str(exc), exc
        outcome = "save refused"
    _check_files(folder)
    return outcome


def _check_fitted(net):
    arrays = net.coefs_ + net.intercepts_
    assert all(np.isfinite(a).all() for a in arrays), "non-finite weights kept"
    assert net.n_iter_ == len(net.loss_curve_) and 0 <= net.n_iter_ <= 3
    assert np.isfinite(net.eta_) and net.eta_ > 0
    assert np.isfinite(net.predict_proba(X)).all()
    return "fitted" if net.n_iter_ == 3 else f"fitted, kept epoch {net.n_iter_}"


def _check_files(folder):
    for path in folder.iterdir():
        assert not path.name.endswith(".tmp"), f"temporary file left: {path.name}"
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            json.loads(text)  # whole, never half-written
        else:
            rows = list(csv.reader(text.splitlines()))
            assert rows and all(len(row) == len(rows[0]) for row in rows)


def fuzz(folder, cases, profile):
    counts = Counter()

    @settings(settings.get_profile(profile), max_examples=cases)
    @given(plan=PLANS, configuration=CONFIGURATIONS)
    def case(plan, configuration):
        counts[_run_case(plan, configuration, folder)] += 1

    case()
    return counts


def test_random_callbacks_never_leave_bad_weights_raw_errors_or_broken_files(tmp_path):
    counts = fuzz(tmp_path, CASES_DEFAULT, "ci")  # the same cases each run
    print(dict(counts))
    assert sum(counts.values()) == CASES_DEFAULT
    assert len(counts) >= 4, counts  # the plans reach every kind of outcome


@pytest.mark.slow
def test_random_callbacks_ten_thousand_cases(tmp_path):
    counts = fuzz(tmp_path, CASES_SLOW, "slow")
    print(dict(counts))
    assert sum(counts.values()) == CASES_SLOW
