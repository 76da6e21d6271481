"""Reliability III (issue 19): each defect class of a hostile pass, tried as a class.

Every test here tries several members of its class, not only the example of
the issue: concurrent writers, hostile callback paths and templates, IDX
files that lie about their size, runs that end in every hook, callbacks that
write bad state, schedules that overflow, class weights, tampered study
records and the messages of user errors. docs/reliability.md lists which
test holds which promise.
"""

import multiprocessing
import os

import numpy as np
import pytest

from sknielsen import NielsenMLPClassifier, load, save
from sknielsen.callbacks import Checkpoint

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


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork() for speed"
)
def test_concurrent_saves_to_one_path_all_succeed_and_every_read_is_a_model(tmp_path):
    """3 processes × 300 saves (and two checkpointing fits) to one file: no failure."""
    path = tmp_path / "shared.json"
    with multiprocessing.get_context("fork").Pool(3) as pool:
        results = pool.starmap(
            _save_and_read_repeatedly, [(path, seed, SAVES_PER_PROCESS) for seed in range(3)]
        )
    assert results == [[], [], []]
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]  # no temporaries left
