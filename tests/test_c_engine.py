"""The C engine gives the NumPy engine's numbers, and refuses what it cannot read safely.

Every configuration trains from the same weights in the same mini-batch
order on both engines: the NumPy engine as the training loop composes it
(``Backprop``, then the optimizer's ``step`` with the ``Penalty``) and
``CTrainer``. The default suite runs a pairwise subset of the matrix of
configurations (every pair of values of two factors occurs at least once);
``-m slow`` runs the whole product of the main factors, each on dense and
CSR input and on both paths of the first layer.

The sanitizer test (``-m slow``) compiles the kernels with
``-fsanitize=address,undefined`` and runs this file's default tests and a
few hundred random shapes under it::

    python -m pytest tests/test_c_engine.py -m slow -k sanitizer

and, where ``clang`` is installed, ``-m slow -k clang`` runs them on the
kernels as Clang builds them.
"""

import contextlib
import functools
import itertools
import os
import shutil
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp

from sknielsen import NielsenMLPClassifier, plugins
from sknielsen.callbacks import Callback
from sknielsen.engine import _cengine
from sknielsen.engine._cengine import CTrainer
from sknielsen.engine._network import Backprop, Network
from sknielsen.engine._source_digest import SOURCES, source_digest
from sknielsen.training._loop import Penalty, optimizer_step

ROOT = Path(__file__).resolve().parent.parent
MODULE, BUILD = _cengine.load()
needs_c = pytest.mark.skipif(MODULE is None, reason=f"the C extension is not built here: {BUILD}")
# A build without POSIX threads (HAVE_THREADS 0 in _ckernel.c: neither __unix__ nor
# __APPLE__, as with MinGW's GCC on Windows) trains every call on one thread.
needs_threads = pytest.mark.skipif(
    MODULE is None or MODULE.MAX_THREADS < 2, reason="the C extension has no threads here"
)

N_IMAGES, N_PIXELS, N_CLASSES = 1000, 784, 10
LMBDA = 5.0
# η per optimizer, small enough that no pairing diverges (or turns chaotic) in one epoch.
ETAS = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adam": 0.002}
TOLERANCE = {np.float64: 1e-9, np.float32: 1e-4}
OUTPUTS = [
    (cost, output)
    for cost in ("quadratic", "cross_entropy", "log_likelihood")
    for output in plugins.get("cost", cost).output_activations
]
#: The largest relative difference seen by each dtype, for the report.
WORST = {np.float64: 0.0, np.float32: 0.0}


def mnist_like(seed=0, n=N_IMAGES, pixels=N_PIXELS):
    """Sparse images (about 19 % non-zero, as MNIST) and their one-hot labels.

    Each class lights its own random pixels more often, so the labels can be
    learnt and predictions are not ties.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(N_CLASSES, size=n)
    favourite = rng.random((N_CLASSES, pixels)) < 0.25
    on = rng.random((n, pixels)) < np.where(favourite[labels], 0.6, 0.05)
    X = np.where(on, rng.random((n, pixels)), 0.0)
    return X, np.eye(N_CLASSES)[labels]


@functools.cache
def data(dtype):
    """The images (dense and CSR) and one-hot labels in ``dtype``."""
    X, Y = mnist_like()
    X = X.astype(dtype)
    return X, sp.csr_matrix(X), Y.astype(dtype)


class Run:
    """One configuration trained for ``positions`` samples from fixed weights in a fixed order."""

    def __init__(
        self,
        cost="cross_entropy",
        output="sigmoid",
        hidden="sigmoid",
        regularizer="l2",
        optimizer="sgd",
        dtype=np.float64,
        *,
        sizes=(N_PIXELS, 30, N_CLASSES),
        batch_size=10,
        dropout=0.0,
        weighted=False,
        positions=N_IMAGES,
        lmbda=LMBDA,
    ):
        self.names = {"cost": cost, "regularizer": regularizer, "optimizer": optimizer}
        self.config = (cost, output, hidden, regularizer, optimizer, dtype)
        self.activations = [hidden] * (len(sizes) - 2) + [output]
        self.sizes, self.dtype, self.batch_size = sizes, dtype, batch_size
        self.dropout, self.lmbda, self.positions = dropout, lmbda, positions
        self.order = np.random.default_rng(2).permutation(N_IMAGES)
        weights = np.random.default_rng(3).random(N_IMAGES) + 0.5
        self.scales = (weights / weights.mean()).astype(dtype) if weighted else None
        # Linear units stacked diverge at the η that suits the others, and single samples
        # take steps ten times as noisy as mini-batches of ten: smaller steps keep the
        # run well-conditioned (chaotic runs amplify any rounding difference).
        linear = hidden == "identity" and (output == "identity" or len(sizes) > 3)
        self.eta = ETAS[optimizer] / (20 if linear else 1) * min(1.0, batch_size / 10)

    def __repr__(self):
        return f"Run{(*self.config, self.sizes, self.batch_size, self.dropout)}"

    def plugin(self, kind):
        return plugins.get(kind, self.names[kind])

    def start(self):
        """A freshly initialized network and its optimizer state."""
        activations = [plugins.get("activation", name) for name in self.activations]
        network = Network(self.sizes, activations, self.dtype)
        network.initialize(plugins.get("initializer", "default"), np.random.default_rng(1))
        state = self.plugin("optimizer").init(network.params)
        state["eta"] = self.eta
        return network, state

    def reference(self, exact=False):
        """The NumPy engine's steps, as ``_MiniBatches._numpy_step`` takes them.

        ``exact``: in float64 from this run's starting weights, inputs and
        dropout masks (drawn in this run's dtype), whatever its dtype: the
        trajectory that rounding in float32 departs from.
        """
        network, state = self.start()
        X, _, Y = data(self.dtype)
        rng, scales = np.random.default_rng(4), self.scales
        if exact:
            start = network.params
            network = Network(network.sizes, network.activations, np.float64)
            network.params[...] = start
            state = dict(self.plugin("optimizer").init(network.params), eta=self.eta)
            X, Y = X.astype(np.float64), Y.astype(np.float64)
            rng = _DrawsIn(self.dtype, rng)
            scales = None if scales is None else scales.astype(np.float64)
        optimizer = self.plugin("optimizer")
        backprop = Backprop(network, self.plugin("cost"), self.batch_size, self.dropout, rng)
        penalty = Penalty(
            self.plugin("regularizer"), self.lmbda, N_IMAGES, network.n_weights, network.dtype
        )
        outputs = np.zeros((N_IMAGES, self.sizes[-1]), dtype=network.dtype)
        for start in range(0, self.positions, self.batch_size):
            index = self.order[start : min(start + self.batch_size, self.positions)]
            m = len(index)
            scale = 1.0 / m if scales is None else (scales[index] / m)[:, None]
            grads = backprop.gradient(X[index], Y[index], scale, output=outputs[start : start + m])
            state = _step(network, optimizer, penalty, state, grads)
        trained = self.order[: self.positions]
        costs = np.zeros(N_IMAGES)
        costs[: self.positions] = self.plugin("cost").fn(outputs[: self.positions], Y[trained])
        return network, costs

    def trainer(self, network, path="auto", threads=1):
        return CTrainer(
            network,
            self.plugin("cost"),
            self.plugin("regularizer"),
            self.plugin("optimizer"),
            lmbda=self.lmbda,
            n_train=N_IMAGES,
            batch_size=self.batch_size,
            dropout=self.dropout,
            rng=np.random.default_rng(4),
            path=path,
            threads=threads,
        )

    def compiled(self, sparse, path="auto", batches_per_call=None, threads=1):
        """Train on the C engine, in one call or ``batches_per_call`` mini-batches at a time.

        The trainer is kept as ``self.last_trainer`` (for ``threads_used``).
        """
        network, state = self.start()
        X, X_csr, Y = data(self.dtype)
        trainer = self.last_trainer = self.trainer(network, path, threads)
        costs = np.zeros(N_IMAGES)
        step = self.positions if batches_per_call is None else batches_per_call * self.batch_size
        for start in range(0, self.positions, step):
            trainer.run(
                X_csr if sparse else X,
                Y,
                self.order,
                self.scales,
                state,
                start,
                min(start + step, self.positions),
                costs=costs,
            )
        return network, costs


class _DrawsIn:
    """A generator whose uniform draws are made in ``dtype``, whatever dtype is asked for."""

    def __init__(self, dtype, rng):
        self.dtype, self.rng = dtype, rng

    def random(self, shape, dtype=np.float64):
        return self.rng.random(shape, dtype=self.dtype).astype(dtype)


def relative_difference(ours, theirs):
    """max |ours − theirs| / max(|theirs|, 1): relative for large numbers, absolute near 0."""
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1.0), initial=0.0))


def assert_same_training(reference, ours, run):
    """Weights and costs within the dtype's tolerance, and the same predictions."""
    difference = difference_of(reference, ours)
    assert difference <= TOLERANCE[run.dtype], f"{run}: relative difference {difference:.3g}"
    X = data(run.dtype)[0]
    np.testing.assert_array_equal(
        ours[0].feedforward(X).argmax(axis=1), reference[0].feedforward(X).argmax(axis=1)
    )


def rms_difference(ours, theirs):
    """The root mean square of the relative differences (as in ``relative_difference``)."""
    relative = (ours - theirs) / np.maximum(np.abs(theirs), 1.0)
    return float(np.sqrt(np.mean(relative.astype(np.float64) ** 2)))


def difference_of(reference, ours):
    """The relative difference of the weights and of each sample's recorded cost."""
    (network, costs), (theirs, their_costs) = ours, reference
    assert np.isfinite(theirs.params).all(), "the reference diverged: not a useful case"
    return max(
        relative_difference(network.params, theirs.params),
        relative_difference(costs, their_costs),
    )


def assert_engines_agree(run, inputs=(True,), paths=("auto",)):
    """The C engine gives the NumPy engine's weights on each input format and path.

    Within the dtype's tolerance, except in float32 runs that are
    ill-conditioned, where the two engines' roundings take them apart:
    deep nets of linear units with momentum amplify any difference, and
    L1 pins weights at zero, where they flip their sign at every step, so
    one rounding difference moves a weight by a whole step (the NumPy
    engine itself ends such runs far from float64's result). There the C
    engine must be as accurate as the NumPy engine: within twice its root
    mean square relative distance from the same run in float64. Under L1
    that distance is a matter of how many weights happen to flip (either
    engine may come out ahead, by 20 times), and even the training accuracy
    after the epoch may differ by 5 points, so instead the first ten
    mini-batches must agree within the tolerance (or, where a weight flipped
    in one of them already, the C engine be as accurate as above), and the
    same run in float64 too.
    """
    reference = run.reference()
    for sparse, path in itertools.product(inputs, paths):
        ours = run.compiled(sparse, path)
        difference = difference_of(reference, ours)
        if difference <= TOLERANCE[run.dtype] or run.dtype == np.float64:
            WORST[run.dtype] = max(WORST[run.dtype], difference)
            assert_same_training(reference, ours, run)
        elif run.names["regularizer"] == "l1":
            assert_l1_in_float32_agrees(run, reference, ours, sparse, path)
        else:
            assert_as_accurate(run, reference, ours)


def assert_as_accurate(run, reference, ours):
    """The C engine's weights at most twice as far from float64's run as the NumPy engine's."""
    exact = run.reference(exact=True)[0].params
    numpy_error = rms_difference(reference[0].params, exact)
    our_error = rms_difference(ours[0].params, exact)
    assert our_error <= 2 * numpy_error, (
        f"{run}: relative difference {difference_of(reference, ours):.3g} from the NumPy "
        f"engine; RMS relative difference from float64: {our_error:.3g} against the NumPy "
        f"engine's {numpy_error:.3g}"
    )


def assert_l1_in_float32_agrees(run, reference, ours, sparse, path):
    """See ``assert_engines_agree``."""
    options = {"sizes": run.sizes, "batch_size": run.batch_size, "dropout": run.dropout}
    start = Run(*run.config, positions=10 * run.batch_size, **options)
    start.scales = run.scales
    start_reference, start_ours = start.reference(), start.compiled(sparse, path)
    if difference_of(start_reference, start_ours) <= TOLERANCE[run.dtype]:
        assert_same_training(start_reference, start_ours, start)
    else:
        # A weight L1 pins at zero flipped in one engine's rounding within ten mini-batches:
        # the NumPy engine's depends on the processor's BLAS (quadratic, tanh, momentum,
        # [784,40,20,10] flipped by the tenth on an AVX2 EPYC, 4.8e-6 from float64's run
        # against the C engine's 6e-9). Then the C engine must be as accurate.
        assert_as_accurate(start, start_reference, start_ours)
    in_float64 = Run(*run.config[:5], np.float64, **options)
    in_float64.scales = None if run.scales is None else run.scales.astype(np.float64)
    assert_same_training(in_float64.reference(), in_float64.compiled(sparse, path), in_float64)
    assert np.isfinite(ours[0].params).all()


# ---------------------------------------------------------------------------
# The matrix of configurations
# ---------------------------------------------------------------------------

#: The main factors: plugins and dtype. Their whole product runs with -m slow.
MAIN = {
    "output": OUTPUTS,
    "hidden": ["sigmoid", "tanh", "relu", "identity", "softmax"],
    "regularizer": ["none", "l2", "l1"],
    "optimizer": ["sgd", "momentum", "nesterov", "adam"],
    "dtype": [np.float64, np.float32],
}
#: The shape of the run; pairwise with the main factors in the default suite.
SHAPES = {
    "input": ["dense", "csr"],
    "path": ["auto", "plain", "padded"],
    "sizes": [
        (N_PIXELS, 30, N_CLASSES),
        (N_PIXELS, 17, N_CLASSES),
        (N_PIXELS, N_CLASSES),
        (N_PIXELS, 40, 20, N_CLASSES),
    ],
    "batch_size": [10, 1, 33],
    "dropout": [0.0, 0.3],
    "weighted": [False, True],
}


def pairwise(factors, candidates=10, seed=0):
    """Combinations in which every pair of values of two factors occurs at least once.

    Greedy, in the manner of AETG (Cohen et al. 1997): each new combination
    starts from a pair not covered yet, then takes, factor by factor in a
    random order, the value that covers the most new pairs; the best of
    ``candidates`` tries is kept. Deterministic for a given ``seed``.
    """
    rng = np.random.default_rng(seed)
    count = len(factors)
    uncovered = {
        (i, a, j, b)
        for i, j in itertools.combinations(range(count), 2)
        for a in range(len(factors[i]))
        for b in range(len(factors[j]))
    }

    def new_pairs(row):
        return {(i, row[i], j, row[j]) for i, j in itertools.combinations(sorted(row), 2)}

    chosen = []
    while uncovered:
        seed_pair = min(uncovered)
        best, best_pairs = None, set()
        for _ in range(candidates):
            row = {seed_pair[0]: seed_pair[1], seed_pair[2]: seed_pair[3]}
            for factor in rng.permutation(count):
                if factor in row:
                    continue
                row[factor] = max(
                    range(len(factors[factor])),
                    key=lambda v: len(new_pairs({**row, factor: v}) & uncovered),
                )
            pairs = new_pairs(row) & uncovered
            if len(pairs) > len(best_pairs):
                best, best_pairs = row, pairs
        uncovered -= best_pairs
        chosen.append(tuple(factors[f][best[f]] for f in range(count)))
    return chosen


def run_of(main, shape):
    """The Run and the inputs and paths it is checked on."""
    (cost, output), hidden, regularizer, optimizer, dtype = main
    run = Run(
        cost,
        output,
        hidden,
        regularizer,
        optimizer,
        dtype,
        sizes=shape["sizes"],
        batch_size=shape["batch_size"],
        dropout=shape["dropout"],
        weighted=shape["weighted"],
    )
    return run, (shape["input"] == "csr",), (shape["path"],)


def configurations():
    """The pairwise subset (default suite), then the whole main product (slow)."""
    names = list(MAIN) + list(SHAPES)
    factors = list(MAIN.values()) + list(SHAPES.values())
    params = []
    for combination in pairwise(factors):
        values = dict(zip(names, combination))
        params.append(
            pytest.param(
                combination[: len(MAIN)],
                {k: values[k] for k in SHAPES},
                id="pairwise-" + str(len(params)),
            )
        )
    # The whole product of the main factors, each on both inputs and all paths, with the
    # shape factors drawn at random for each.
    for number, main in enumerate(itertools.product(*MAIN.values())):
        rng = np.random.default_rng(number)  # independent of the main factors' order
        shape = {k: values[rng.integers(len(values))] for k, values in SHAPES.items()}
        shape["input"], shape["path"] = "both", "all"
        params.append(pytest.param(main, shape, marks=pytest.mark.slow, id=f"product-{number}"))
    return params


@needs_c
@pytest.mark.parametrize("main, shape", configurations())
def test_the_c_engine_equals_the_numpy_engine(main, shape):
    run, inputs, paths = run_of(main, shape)
    if shape["input"] == "both":
        inputs, paths = (False, True), ("plain", "padded")
    assert_engines_agree(run, inputs, paths)


@needs_c
@pytest.mark.parametrize("level", [0, 3, 4])
def test_every_build_this_cpu_runs_equals_the_numpy_engine(level, monkeypatch):
    if MODULE.cpu_level() < level:
        pytest.skip(f"this CPU does not run the x86-64-v{level} build")
    monkeypatch.setenv(_cengine.LEVEL_VARIABLE, str(level))
    _cengine.load.cache_clear()
    try:
        module, build = _cengine.load()
        if level and build != f"x86-64-v{level}":
            pytest.skip(f"the x86-64-v{level} build was not compiled here")
        assert {0: 16, 3: 32, 4: 64}[level] == module.VECTOR_BYTES
        for dtype in (np.float64, np.float32):
            for optimizer in ("sgd", "adam"):
                run = Run(
                    optimizer=optimizer,
                    dtype=dtype,
                    dropout=0.2,
                    weighted=True,
                    sizes=(N_PIXELS, 100, 20, N_CLASSES),
                )
                assert_engines_agree(run, (False, True), ("plain", "padded"))
    finally:
        _cengine.load.cache_clear()


@needs_c
@pytest.mark.parametrize("optimizer", ["sgd", "nesterov"])
def test_batch_by_batch_equals_one_call(optimizer):
    run = Run(hidden="relu", optimizer=optimizer, dropout=0.2)
    whole, _ = run.compiled(sparse=True)
    for batches_per_call in (1, 7, 30):
        pieces, _ = run.compiled(sparse=True, batches_per_call=batches_per_call)
        # Only the lazy decay's scale, folded back at the end of each call, rounds differently.
        np.testing.assert_allclose(pieces.params, whole.params, rtol=0, atol=1e-12)


@needs_c
@pytest.mark.parametrize("lmbda", [0.0, 2000.0, 15000.0])
def test_lazy_decay_folds_back_when_small_and_steps_aside_when_negative(lmbda):
    # ηλ/n = 0.2: the scale s of W₁ = s·V passes 1e-3 every 31 steps and is
    # folded back; ηλ/n = 1.5: a negative decay, applied to W₁ directly.
    assert_engines_agree(Run(lmbda=lmbda), (False, True), ("plain", "padded"))


@needs_c
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dropout_masks_are_drawn_segment_by_segment_as_numpy_draws_them(dtype):
    # 1,000 mini-batches of one image: two kernel calls of at most 512 mini-batches.
    run = Run(dtype=dtype, sizes=(N_PIXELS, 20, 20, N_CLASSES), dropout=0.4, batch_size=1)
    assert_engines_agree(run, (True,), ("auto",))


@needs_c
def test_dropout_masks_are_drawn_in_segments_that_fit_their_memory(monkeypatch):
    # 512 mini-batches of masks at once: 850 MB for 100 rows of 1,000 units (NumPy: 1 MB).
    drawn, masks = [], _cengine.dropout_masks
    monkeypatch.setattr(_cengine, "dropout_masks", lambda *a: drawn.append(a[5]) or masks(*a))
    row = 40 * (2 * 8 + 1)  # the masks of 40 hidden units in float64, and their draws
    monkeypatch.setattr(_cengine, "SEGMENT_BYTES", 3 * 10 * row)  # three mini-batches of 10
    run = Run(dtype=np.float64, sizes=(N_PIXELS, 20, 20, N_CLASSES), dropout=0.4, batch_size=10)
    assert_engines_agree(run, (True,), ("auto",))
    assert max(drawn) == 30


@needs_c
def test_wide_layers_are_held_in_registers_a_block_at_a_time():
    # 300 units are more vectors than the registers hold (16 with AVX-512, 8 below).
    for dtype in (np.float64, np.float32):
        run = Run(dtype=dtype, sizes=(N_PIXELS, 300, 70, N_CLASSES), positions=300)
        assert_engines_agree(run, (True,), ("plain", "padded"))


#: (Run arguments, threads asked): the threads' split of the first layer against one
#: thread, on layers of one to many cache lines of units, every activation the split
#: computes, dropout, sample weights, partial last mini-batches and the lazy decay's
#: fold (λ = 2000) and negative decay (λ = 15000).
THREADED = [
    ({}, 2),
    ({"dtype": np.float32}, 2),
    ({"sizes": (N_PIXELS, 100, N_CLASSES)}, 3),
    ({"sizes": (N_PIXELS, 100, N_CLASSES), "dtype": np.float32, "batch_size": 7}, 8),
    ({"sizes": (N_PIXELS, 300, 70, N_CLASSES), "positions": 300}, 2),
    ({"sizes": (N_PIXELS, 8, N_CLASSES)}, 2),  # one line of units: one thread
    ({"hidden": "tanh", "dropout": 0.3, "sizes": (N_PIXELS, 40, 20, N_CLASSES)}, 2),
    ({"hidden": "relu", "weighted": True, "batch_size": 1, "positions": 300}, 3),
    ({"hidden": "identity", "output": "softmax", "cost": "log_likelihood"}, 2),
    ({"regularizer": "none", "batch_size": 33}, 2),
    ({"lmbda": 2000.0}, 2),
    ({"lmbda": 15000.0, "dtype": np.float32}, 2),
]


@pytest.fixture
def team_tuning():
    """Set the C engine's team judgment (window, probe, solo) for one test, then restore it."""
    yield MODULE.team_tuning
    MODULE.team_tuning()


@needs_c
@needs_threads
@pytest.mark.parametrize("arguments, threads", THREADED)
@pytest.mark.parametrize("sparse", [False, True])
def test_threads_give_one_threads_numbers_bit_for_bit(arguments, threads, sparse, team_tuning):
    # The team from the first mini-batch on (no mini-batches first trained alone), and
    # never solo however it compares: every mini-batch is the team's.
    team_tuning(10**9, 0, False)
    run = Run(**arguments)
    alone, alone_costs = run.compiled(sparse, "padded")
    shared, shared_costs = run.compiled(sparse, "padded", threads=threads)
    np.testing.assert_array_equal(shared.params, alone.params)
    np.testing.assert_array_equal(shared_costs, alone_costs)
    lines = -(-run.sizes[1] * np.dtype(run.dtype).itemsize // 64)  # whole lines of units
    assert run.last_trainer.threads_used == min(threads, lines)


@needs_c
@needs_threads
@pytest.mark.parametrize("probe, window", [(0, 1), (5, 7), (64, 1), (0, 64)])
@pytest.mark.parametrize("arguments", [{}, {"lmbda": 2000.0, "dtype": np.float32, "dropout": 0.2}])
def test_a_team_that_goes_solo_midway_gives_the_same_numbers(probe, window, arguments, team_tuning):
    # Thread 0 trains `probe` mini-batches alone, hands the call to the team, and takes
    # it back after `window` more (forced here: it does so when the team is slower).
    run = Run(sizes=(N_PIXELS, 100, N_CLASSES), **arguments)
    alone, alone_costs = run.compiled(True, "padded")
    team_tuning(window, probe, True)
    shared, shared_costs = run.compiled(True, "padded", threads=3)
    np.testing.assert_array_equal(shared.params, alone.params)
    np.testing.assert_array_equal(shared_costs, alone_costs)
    assert run.last_trainer.threads_used == 3


@needs_c
@pytest.mark.parametrize(
    "arguments",
    [{"optimizer": "adam"}, {"regularizer": "l1"}, {"optimizer": "momentum", "dropout": 0.2}],
)
def test_threads_are_not_used_where_the_first_layer_is_not_split(arguments):
    run = Run(**arguments)
    alone, _ = run.compiled(True)
    shared, _ = run.compiled(True, threads=2)
    np.testing.assert_array_equal(shared.params, alone.params)
    assert run.last_trainer.threads_used == 1


@needs_c
@pytest.mark.parametrize("dtype, code", [(np.float64, 0), (np.float32, 1)])
def test_the_kernels_exp_is_within_an_ulp(dtype, code):
    x = np.concatenate(
        [np.linspace(-800, 800, 100_001), np.random.default_rng(0).uniform(-30, 30, 50_000)]
    ).astype(dtype)
    ours = x.copy()
    MODULE.exp(ours, code)
    # In extended precision where the platform has it: NumPy's float64 exp is no exact
    # reference (NumPy 1.23's AVX-512 loop was 2 ulps from the rounded value).
    with np.errstate(over="ignore", under="ignore"):
        exact = np.exp(x.astype(np.longdouble)).astype(dtype)
    finite = np.isfinite(exact)
    np.testing.assert_array_equal(ours[~finite], exact[~finite])  # overflow to infinity
    ulps = np.abs(ours[finite] - exact[finite]) / np.spacing(np.maximum(exact[finite], 0))
    assert ulps.max() <= 1.0
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan], dtype=dtype)
    MODULE.exp(special, code)
    np.testing.assert_array_equal(special, [1.0, 1.0, np.inf, 0.0, np.nan])


def _hard_outputs(dtype, rng, n_out):
    """Outputs at and past the clipping bounds, near 0, ½ and 1, and anywhere between."""
    eps, tiny = np.finfo(dtype).eps, np.finfo(dtype).tiny
    edges = [0.0, tiny / 4, tiny, eps / 4, eps, 2 * eps, 1e-6, 0.25, 0.5, 0.7071, 0.75]
    edges += [1 - 1e-6, 1 - 2 * eps, 1 - eps, 1 - eps / 2, 1 - eps / 4, 1.0, 1e-30, 0.999]
    values = np.concatenate([edges, rng.uniform(size=20_000), 10.0 ** -rng.uniform(0, 15, 5_000)])
    values = np.concatenate([values, 1 - values[: len(values) // 2]])
    values = values[: len(values) // n_out * n_out]
    return rng.permutation(values).reshape(-1, n_out).astype(dtype)


@needs_c
@pytest.mark.parametrize("dtype, code", [(np.float64, 0), (np.float32, 1)])
@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy", "log_likelihood"])
@pytest.mark.parametrize("n_out", [1, 3, 10, 17])
def test_the_kernels_sample_costs_are_the_cost_plugins_to_rounding(dtype, code, cost, n_out):
    # The epoch's loss on the C engine is the mean of these: its own logarithms, not libm's.
    rng = np.random.default_rng(n_out)
    outputs = _hard_outputs(dtype, rng, n_out)
    one_hot = np.eye(n_out, dtype=dtype)[rng.integers(0, n_out, len(outputs))]
    soft = rng.uniform(size=outputs.shape).astype(dtype)
    plugin = plugins.get("cost", cost)
    for targets in (one_hot, soft):
        ours = np.empty(len(outputs))
        MODULE.sample_costs(outputs, targets, ours, MODULE.CODES["cost"][cost], code, n_out)
        exact = plugin.fn(outputs.astype(np.float64), targets.astype(np.float64))
        if dtype == np.float32 and cost != "quadratic":  # float32's clipping bounds
            exact = plugin.fn(np.clip(outputs, *_bounds(dtype)).astype(np.float64), targets)
        # Terms of one sign: each ulp of rounding is relative to the sum.
        bound = 4 * n_out * np.finfo(dtype).eps * np.abs(exact) + np.finfo(dtype).tiny
        worst = np.argmax(np.abs(ours - exact) / bound)
        assert np.all(np.abs(ours - exact) <= bound), (outputs[worst], targets[worst])
    nan_row = outputs[:1].copy()
    nan_row[0, -1] = np.nan
    ours = np.empty(1)
    MODULE.sample_costs(nan_row, one_hot[:1], ours, MODULE.CODES["cost"][cost], code, n_out)
    assert np.isnan(ours[0])


@needs_c
@pytest.mark.parametrize("dtype, code", [(np.float64, 0), (np.float32, 1)])
@pytest.mark.parametrize("n_out", [1, 10, 17])
def test_targets_of_0_and_1_take_one_logarithm_with_the_same_numbers(dtype, code, n_out):
    # With targets of 0 and 1 only, cross-entropy takes ln c or ln(1 - c), not both: one
    # target that is neither (the last row's) makes the kernel take both everywhere.
    rng = np.random.default_rng(n_out)
    outputs = _hard_outputs(dtype, rng, n_out)
    targets = np.eye(n_out, dtype=dtype)[rng.integers(0, n_out, len(outputs))]
    if n_out == 1:
        targets[::3] = 0
    code_of_cost = MODULE.CODES["cost"]["cross_entropy"]
    one_logarithm, both = np.empty(len(outputs)), np.empty(len(outputs))
    MODULE.sample_costs(outputs, targets, one_logarithm, code_of_cost, code, n_out)
    targets[-1, 0] = 0.5
    MODULE.sample_costs(outputs, targets, both, code_of_cost, code, n_out)
    np.testing.assert_array_equal(one_logarithm[:-1], both[:-1])
    assert one_logarithm[-1] != both[-1]


def _bounds(dtype):
    # The costs' clipping: only 0 and subnormals are moved up, only 1 down.
    return np.finfo(dtype).tiny, np.nextafter(dtype(1), dtype(0))


def _mostly_zeros(shape, dtype, rng, density=0.2):
    """Random entries at ``density``, some of them -0.0 (which the kernels leave out)."""
    values = rng.standard_normal(shape)
    values[rng.random(shape) >= density] = 0.0
    values[(values == 0) & (rng.random(shape) < 0.3)] = -0.0
    return np.ascontiguousarray(values, dtype=dtype)


@needs_c
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dense_rows_become_the_csr_scipy_makes(dtype):
    rng = np.random.default_rng(5)
    for shape in [(1, 1), (1, 40), (7, 3), (50, 17), (200, 784), (5, 1000)]:
        X = _mostly_zeros(shape, dtype, rng)
        ours = _cengine.sparse_rows(X)
        if ours is None:  # too few zeros for CSR to be smaller
            assert np.count_nonzero(X) * (X.itemsize + 4) > _cengine.SPARSE_ENOUGH * X.nbytes
            continue
        theirs = sp.csr_matrix(X)
        assert ours.has_sorted_indices and ours.dtype == dtype
        np.testing.assert_array_equal(ours.indptr, theirs.indptr)
        np.testing.assert_array_equal(ours.indices, theirs.indices)
        np.testing.assert_array_equal(ours.data, theirs.data)
    assert _cengine.sparse_rows(np.ones((30, 20), dtype=dtype)) is None
    assert _cengine.sparse_rows(np.zeros((0, 20), dtype=dtype)) is None


@needs_c
def test_dense_csr_refuses_arrays_that_do_not_fit():
    X = _mostly_zeros((6, 10), np.float64, np.random.default_rng(6))
    indptr = np.empty(7, dtype=np.int64)
    nnz = MODULE.dense_csr(X, 10, 0, indptr, np.empty(0), np.empty(0, np.int32))
    data, indices = np.empty(nnz), np.empty(nnz, np.int32)
    wrong_counts = indptr.copy()
    wrong_counts[1:-1] += 1  # as many in all, one more in the first row than it has
    cases = [
        ((X, 10, 0, indptr[:-1], data, indices), "do not fit"),
        ((X, 7, 0, indptr, data, indices), "do not fit"),  # not whole rows
        ((X, 10, 2, indptr, data, indices), "do not fit"),  # no such dtype
        ((X, 10, 0, indptr, data[:-1], indices), "do not fit"),
        ((X, 10, 0, indptr[::-1].copy(), data, indices), "do not fit"),
        ((X, 10, 0, wrong_counts, data, indices), "count differs"),
    ]
    for arguments, message in cases:
        with pytest.raises(ValueError, match=message):
            MODULE.dense_csr(*arguments)
    MODULE.dense_csr(X, 10, 0, indptr, data, indices)
    np.testing.assert_array_equal(sp.csr_matrix((data, indices, indptr), X.shape).toarray(), X)


@needs_c
def test_a_dense_fit_of_several_epochs_trains_on_csr_with_the_same_numbers(monkeypatch):
    # The dense path finds each sample's non-zero inputs at every epoch; CSR once.
    from sknielsen.training import _run

    rng = np.random.default_rng(7)
    X = _mostly_zeros((300, 64), np.float64, rng, density=0.15)
    y = rng.integers(0, 3, 300)
    converted = []
    monkeypatch.setattr(
        _run, "sparse_rows", lambda X: converted.append(1) or _cengine.sparse_rows(X)
    )
    params = {"hidden_layer_sizes": (8,), "epochs": 3, "random_state": 0, "engine": "c"}
    dense = NielsenMLPClassifier(**params).fit(X, y)
    assert converted == [1]
    sparse = NielsenMLPClassifier(**params).fit(sp.csr_matrix(X), y)
    for ours, theirs in zip(dense.coefs_ + dense.intercepts_, sparse.coefs_ + sparse.intercepts_):
        np.testing.assert_array_equal(ours, theirs)
    assert dense.loss_curve_ == sparse.loss_curve_
    NielsenMLPClassifier(**{**params, "epochs": 1}).fit(X, y)  # one epoch: not worth it
    NielsenMLPClassifier(**params).partial_fit(X, y, classes=[0, 1, 2])
    assert converted == [1]

    def no_memory(X):
        raise MemoryError

    monkeypatch.setattr(_run, "sparse_rows", no_memory)  # the copy does not fit: dense path
    unconverted = NielsenMLPClassifier(**params).fit(X, y)
    for ours, theirs in zip(unconverted.coefs_, dense.coefs_):
        np.testing.assert_array_equal(ours, theirs)


# ---------------------------------------------------------------------------
# Which configurations have kernels
# ---------------------------------------------------------------------------


@needs_c
def test_every_rule_with_a_kernel_has_a_code_in_the_extension():
    for kind, names in _cengine.KERNELS.items():
        assert sorted(names) == sorted(MODULE.CODES[kind])


def test_unsupported_names_what_has_no_kernel():
    class Halved(plugins.Sigmoid):
        """A third-party variant: a subclass may change the maths."""

    usual = {
        "cost": plugins.CrossEntropyCost(),
        "regularizer": plugins.L2(),
        "optimizer": plugins.SGD(),
    }
    network = Network((4, 3, 2), [plugins.Sigmoid(), Halved()])
    assert "Halved" in _cengine.unsupported(network, **usual, dropout=0.0, augment=None)
    plain = Network((4, 3, 2), [plugins.Sigmoid(), plugins.Sigmoid()])
    assert _cengine.unsupported(plain, **usual, dropout=0.5, augment=None) is None
    assert "augmentation" in _cengine.unsupported(plain, **usual, dropout=0.0, augment=np.flip)
    newton = dict(usual, optimizer=plugins.Newton())
    assert "Newton" in _cengine.unsupported(plain, **newton, dropout=0.0, augment=None)
    deep = Network((2,) * 66, [plugins.Sigmoid()] * 65)
    assert "at most 64 layers" in _cengine.unsupported(deep, **usual, dropout=0.0, augment=None)


class LeakyReLU(plugins.ReLU):
    """max(z, leak · z), declaring the kernel of the ReLU, which reads no leak."""

    kernel = "relu"

    def __init__(self, leak=0.1):
        self.leak = leak

    def fn(self, z, out=None):
        return np.maximum(z, self.leak * z, out=out)

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, self.leak)


class DampedMomentum(plugins.Momentum):
    """Momentum with a hyper-parameter of its own, declaring the kernel of momentum."""

    kernel = "momentum"

    def __init__(self, mu=0.9, damping=0.5):
        self.mu = mu
        self.damping = damping


def test_a_kernel_that_does_not_read_a_declared_hyper_parameter_is_no_kernel(small_digits):
    # The C engine ran the kernel the plugin named and ignored the hyper-parameters
    # that kernel does not read: engine='auto' trained a LeakyReLU(leak=0.5) as a
    # plain ReLU, and NumPy, with the same parameters, otherwise.
    usual = {
        "cost": plugins.CrossEntropyCost(),
        "regularizer": plugins.L2(),
        "optimizer": plugins.SGD(),
    }
    network = Network((4, 3, 2), [LeakyReLU(), plugins.Sigmoid()])
    reason = _cengine.unsupported(network, **usual, dropout=0.0, augment=None)
    assert "LeakyReLU declares the kernel 'relu' but defines derivative, fn itself" in reason
    plain = Network((4, 3, 2), [plugins.ReLU(), plugins.Sigmoid()])
    damped = dict(usual, optimizer=DampedMomentum())
    reason = _cengine.unsupported(plain, **damped, dropout=0.0, augment=None)
    assert (
        "DampedMomentum declares the kernel 'momentum', which does not read ['damping']" in reason
    )

    class FixedMomentum(plugins.Momentum):
        """Momentum of a fixed μ, not a hyper-parameter: the kernel's spec lacks it."""

        kernel = "momentum"
        mu = 0.5

        def __init__(self):
            pass

    fixed = dict(usual, optimizer=FixedMomentum())
    reason = _cengine.unsupported(plain, **fixed, dropout=0.0, augment=None)
    assert "without the hyper-parameters it reads, ['mu']" in reason
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), activation=LeakyReLU(0.5), epochs=1, engine="c")
    with pytest.raises(ValueError, match=r"engine='c' cannot train .*LeakyReLU"):
        net.fit(X[:30], y[:30])


class SpoofedReLU(plugins.Activation):
    """A leaky ReLU of its own maths that declares the ReLU's kernel."""

    kernel = "relu"

    def fn(self, z, out=None):
        return np.where(z > 0, z, 0.3 * z)

    def derivative(self, z, a):
        return np.where(z > 0, 1.0, 0.3)


class TanhAsSigmoid(plugins.ReLU):
    """The ReLU's maths, under the sigmoid's kernel."""

    kernel = "sigmoid"


class DocumentedSigmoid(plugins.Sigmoid):
    """The sigmoid's maths, re-declaring its kernel: the C engine may run it."""

    kernel = "sigmoid"


@pytest.mark.parametrize(
    ("activation", "owns"),
    [(SpoofedReLU(), "defines derivative, fn"), (TanhAsSigmoid(), "has the maths of ReLU")],
)
def test_a_kernel_declared_over_other_maths_is_no_kernel(small_digits, activation, owns):
    # engine='auto' ran the declared kernel, not the class's maths, without a word: the
    # model trained as a ReLU (or a sigmoid) and predicted with the class's function.
    usual = {"cost": plugins.CrossEntropyCost(), "regularizer": plugins.L2()}
    usual["optimizer"] = plugins.SGD()
    network = Network((4, 3, 2), [activation, plugins.Sigmoid()])
    reason = _cengine.unsupported(network, **usual, dropout=0.0, augment=None)
    name = type(activation).__name__
    assert f"the activation {name} declares the kernel {activation.kernel!r} but" in reason
    assert owns in reason
    X, _, y, _ = small_digits
    net = NielsenMLPClassifier((3,), activation=activation, epochs=2, random_state=0)
    assert net.fit(X[:60], y[:60]).engine_ == "numpy"
    faithful = Network((4, 3, 2), [DocumentedSigmoid(), plugins.Sigmoid()])
    assert _cengine.unsupported(faithful, **usual, dropout=0.0, augment=None) is None


def tiny_trainer(optimizer=None, dtype=np.float64):
    """A C trainer of a [4, 3, 2] sigmoid network, cross-entropy, L2, for two samples."""
    network = Network((4, 3, 2), [plugins.Sigmoid(), plugins.Sigmoid()], dtype)
    return CTrainer(
        network,
        plugins.CrossEntropyCost(),
        plugins.L2(),
        optimizer or plugins.SGD(),
        lmbda=1.0,
        n_train=2,
        batch_size=1,
        dropout=0.0,
        rng=None,
    )


@needs_c
def test_a_trainer_for_what_has_no_kernel_is_refused():
    with pytest.raises(ValueError, match="Newton has no compiled kernel"):
        tiny_trainer(plugins.Newton())


# ---------------------------------------------------------------------------
# Refusals: every array is checked before the kernel reads it
# ---------------------------------------------------------------------------


@pytest.fixture
def trainer_and_data():
    run = Run(dtype=np.float32)
    network, state = run.start()
    X, X_csr, Y = data(np.float32)
    return run.trainer(network), state, run.order, X, X_csr, Y


@needs_c
def test_arrays_of_the_wrong_type_or_layout_are_refused(trainer_and_data):
    trainer, state, order, X, X_csr, Y = trainer_and_data
    for bad_X in (X.astype(np.float64), np.asfortranarray(X), X[:, ::2], X.tolist()):
        with pytest.raises(TypeError, match="C-contiguous 2-d array in the network's dtype"):
            trainer.run(bad_X, Y, order, None, state)
    for bad in (X_csr.tocsc(), X_csr.tocoo()):
        with pytest.raises(TypeError, match="CSR; got"):
            trainer.run(bad, Y, order, None, state)
    with pytest.raises(TypeError, match="Y as an aligned, C-contiguous"):
        trainer.run(X, np.asfortranarray(Y), order, None, state)
    for bad_costs in (
        np.zeros(N_IMAGES, np.float32),
        np.zeros((N_IMAGES, 1)),
        np.zeros(N_IMAGES)[::-1],
    ):
        with pytest.raises(TypeError, match="costs"):
            trainer.run(X, Y, order, None, state, costs=bad_costs)


@needs_c
def test_shapes_that_do_not_fit_are_refused(trainer_and_data):
    trainer, state, order, X, _, Y = trainer_and_data
    cases = [
        ((np.ascontiguousarray(X[:, :100]), Y, order), {}, "X has 100 columns"),
        ((X, Y[:10], order), {}, r"Y has shape \(10, 10\)"),
        ((X, Y, order), {"costs": np.zeros(5)}, "costs has shape"),
        ((X, Y, order), {"start": 5, "stop": 4}, "start and stop"),
        ((X, Y, order), {"stop": N_IMAGES + 1}, "start and stop"),
        ((X, Y, order[:10] + N_IMAGES), {}, "is not a row"),
        ((X, Y, order[:10] - N_IMAGES - 1), {}, "is not a row"),
    ]
    for (X_, Y_, order_), options, message in cases:
        with pytest.raises(ValueError, match=message):
            trainer.run(X_, Y_, order_, None, state, **options)
    with pytest.raises(ValueError, match="sample_scales has shape"):
        trainer.run(X, Y, order, np.ones(3, np.float32), state)


@needs_c
def test_optimizer_state_of_the_wrong_shape_is_refused():
    run = Run(optimizer="adam")
    network, state = run.start()
    X, _, Y = data(np.float64)
    trainer = run.trainer(network)
    for name, bad in (
        ("m", state["m"][:-1]),
        ("v", state["v"].astype(np.float32)),
        ("step", np.zeros(2)),
    ):
        with pytest.raises((TypeError, ValueError), match=f"optimizer state '{name}'"):
            trainer.run(X, Y, run.order, None, dict(state, **{name: bad}))


def _csr(data_, indices, indptr, shape=(2, 4)):
    matrix = sp.csr_matrix(shape, dtype=np.float32)
    # Set the arrays directly: SciPy's constructor would check or sort them.
    matrix.data, matrix.indices, matrix.indptr = (
        np.asarray(data_, np.float32),
        np.asarray(indices, np.int32),
        np.asarray(indptr, np.int32),
    )
    return matrix


MALFORMED_CSR = {
    "unsorted": (_csr([1, 2, 3], [2, 1, 3], [0, 2, 3]), "unsorted or repeated"),
    "duplicate": (_csr([1, 2, 3], [1, 1, 3], [0, 2, 3]), "unsorted or repeated"),
    "index past the columns": (_csr([1, 2, 3], [1, 4, 3], [0, 2, 3]), "out of range"),
    "negative index": (_csr([1, 2, 3], [-1, 1, 3], [0, 2, 3]), "out of range"),
    "falling indptr": (_csr([1, 2, 3], [1, 2, 3], [0, 3, 2]), "index pointers"),
    "indptr past the entries": (_csr([1, 2, 3], [1, 2, 3], [0, 2, 9]), "index pointers"),
}


@needs_c
@pytest.mark.parametrize("name", MALFORMED_CSR)
def test_csr_that_is_not_canonical_is_refused(name):
    matrix, message = MALFORMED_CSR[name]
    trainer = tiny_trainer(dtype=np.float32)
    Y = np.ones((2, 2), np.float32)
    with pytest.raises(ValueError, match=message):
        trainer.run(matrix, Y, np.arange(2), None, {"eta": 0.1})


def _csr_with(**arrays):
    """A canonical 2 x 4 CSR matrix whose arrays are then replaced by ``arrays``."""
    matrix = _csr([1, 2, 3], [1, 2, 3], [0, 2, 3])
    for name, array in arrays.items():
        setattr(matrix, name, array)
    return matrix


UNREADABLE_CSR = {
    "data and indices of other lengths": (
        _csr_with(data=np.ones(2, np.float32)),
        ValueError,
        "arrays describe its shape",
    ),
    "indptr of another length than the rows": (
        _csr_with(indptr=np.array([0, 3], np.int32)),
        ValueError,
        "arrays describe its shape",
    ),
    "indices of floats": (
        _csr_with(indices=np.array([1.0, 2.0, 3.0])),
        TypeError,
        "integer indices",
    ),
    "an index past 2**31": (
        _csr_with(indices=np.array([1, 2**31 + 2, 3], np.int64)),
        ValueError,
        "column indices below 2[*][*]31",
    ),
    "other columns than the network's inputs": (
        _csr([1, 2, 3], [1, 2, 3], [0, 2, 3], shape=(2, 5)),
        ValueError,
        "X has 5 columns; the network takes 4",
    ),
}


@needs_c
@pytest.mark.parametrize("name", UNREADABLE_CSR)
def test_csr_whose_arrays_the_kernel_cannot_read_is_refused(name):
    # The estimators pass canonical_csr's int32 or int64 matrices; these guard the kernel
    # from arrays that would send it past their ends.
    matrix, error, message = UNREADABLE_CSR[name]
    trainer = tiny_trainer(dtype=np.float32)
    Y = np.ones((2, 2), np.float32)
    with pytest.raises(error, match=message):
        trainer.run(matrix, Y, np.arange(2), None, {"eta": 0.1})


@needs_c
def test_arrays_the_kernel_would_write_must_be_writable(trainer_and_data):
    trainer, state, order, X, _, Y = trainer_and_data
    costs = np.zeros(N_IMAGES)
    costs.flags.writeable = False
    with pytest.raises(ValueError, match="costs must be writable"):
        trainer.run(X, Y, order, None, state, costs=costs)
    trainer.network.params.flags.writeable = False
    with pytest.raises(ValueError, match="The network's parameters must be writable"):
        trainer.run(X, Y, order, None, state)


@needs_c
def test_evaluate_and_a_trainer_refuse_what_they_cannot_count(trainer_and_data):
    trainer, _, order, X, _, Y = trainer_and_data
    with pytest.raises(ValueError, match=r"order must be one-dimensional; got shape \(2, 50\)"):
        trainer.evaluate(X, Y, order[:100].reshape(2, 50))
    network = Network((4, 3, 2), [plugins.Sigmoid(), plugins.Sigmoid()])
    usual = {"dropout": 0.0, "rng": None, "lmbda": 0.0}
    for n_train, batch_size in ((0, 1), (2, 0)):
        with pytest.raises(ValueError, match="batch_size and n_train must be positive"):
            CTrainer(
                network,
                plugins.CrossEntropyCost(),
                plugins.L2(),
                plugins.SGD(),
                n_train=n_train,
                batch_size=batch_size,
                **usual,
            )


@needs_c
def test_the_csr_check_is_made_once_per_matrix(monkeypatch):
    run = Run()
    network, state = run.start()
    X_csr = data(np.float64)[1]
    trainer = run.trainer(network)
    calls = []
    check = trainer.module.check_csr
    monkeypatch.setattr(trainer.module, "check_csr", lambda *args: calls.append(1) or check(*args))
    for start in range(0, 100, 10):  # a callback's per-mini-batch calls
        trainer.run(X_csr, data(np.float64)[2], run.order, None, state, start, start + 10)
    assert len(calls) == 1
    trainer.run(X_csr.copy(), data(np.float64)[2], run.order, None, state, 0, 10)
    assert len(calls) == 2
    X_val = X_csr[:100]  # a monitor's validation set, evaluated between epochs
    for _ in range(3):
        trainer.evaluate(X_val, data(np.float64)[2][:100], np.arange(100))
        trainer.run(X_csr, data(np.float64)[2], run.order, None, state, 0, 10)
    assert len(calls) == 3


@needs_c
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_positions_of_order_outside_start_stop_are_never_read(dtype):
    # The next mini-batch's gather and prefetch look ahead in order: past stop,
    # order holds rows far outside X (a callback's per-batch calls, an epoch's
    # last partial mini-batch, the team's thread 0), and reading one crashes.
    X, X_csr, Y = data(dtype)
    rng = np.random.default_rng(3)
    for threads, batch, dropout in ((1, 10, 0.0), (2, 10, 0.0), (1, 7, 0.3), (2, 7, 0.0)):
        run = Run(dtype=dtype, sizes=(N_PIXELS, 100, N_CLASSES), batch_size=batch, dropout=dropout)
        network, _ = run.start()
        trainer = run.trainer(network, path="padded", threads=threads)
        for start, stop in ((13, 5990), (40, 40 + batch), (0, 3 * batch + 1)):
            order = np.full(6000, 2**40 if start % 2 else -(2**40), dtype=np.int64)
            order[start:stop] = rng.integers(0, N_IMAGES, stop - start)
            for inputs in (X_csr, X):
                trainer.run(inputs, Y, order, None, {"eta": 0.1}, start, stop)
        assert np.all(np.isfinite(network.params))


def _csr_code(indptr, indices, n_cols):
    """check_csr's code, by its definition, in plain Python."""
    if indptr[0] != 0 or indptr[-1] != len(indices) or any(np.diff(indptr) < 0):
        return 1
    if any(not 0 <= index < n_cols for index in indices):
        return 2
    rows = [indices[begin:end] for begin, end in itertools.pairwise(indptr)]
    return 3 if any(any(np.diff(row) <= 0) for row in rows) else 0


@needs_c
def test_the_csr_check_on_random_structures():
    # One stream of indices whose falls must be those where rows start (empty rows
    # share a start): random structures, with the sanitizers too.
    rng = np.random.default_rng(0)
    for _ in range(3000):
        counts = rng.integers(0, 4, rng.integers(1, 8)) * (rng.random() < 0.9)
        indptr = np.r_[0, np.cumsum(counts)].astype(np.int64)
        rows = [np.sort(rng.choice(6, c, replace=bool(rng.random() < 0.3))) for c in counts]
        rows = [row[::-1] if rng.random() < 0.15 else row for row in rows]
        indices = np.concatenate([np.zeros(0, np.int32), *rows]).astype(np.int32)
        if len(indices) and rng.random() < 0.1:
            indices[rng.integers(len(indices))] = rng.choice([-1, 6, -(2**31)])
        if rng.random() < 0.05:
            indptr[rng.integers(len(indptr))] += rng.choice([-2, 2])
        n_cols = int(rng.choice([0, 5, 6, 2**31 - 1, 2**31, 2**40]))
        expected = _csr_code(indptr.tolist(), indices.tolist(), n_cols)
        assert MODULE.check_csr(indptr, indices, n_cols) == expected, (indptr, indices, n_cols)
        # The values read in the same pass: 4 for canonical rows holding NaN or an infinity.
        dtype = rng.choice([np.float32, np.float64])
        values = rng.normal(size=len(indices)).astype(dtype)
        if len(values) and rng.random() < 0.3:
            values[rng.integers(len(values))] = rng.choice([np.nan, np.inf, -np.inf])
        finite = bool(np.isfinite(values).all())
        with_values = expected if expected or finite else 4
        code = MODULE.check_csr(indptr, indices, n_cols, values, int(dtype == np.float32))
        assert code == with_values, (indptr, indices, n_cols, values)


@needs_c
def test_the_csr_check_across_its_blocks_of_counts():
    # Falls are counted 2**20 indices at a time: one unsorted pair straddling a
    # block's end, rows whose starts fall on one, the last index out of range.
    block, n_cols = 1 << 20, 1 << 20
    indices = np.arange(3 * block + 7, dtype=np.int32) % n_cols
    starts = np.arange(0, len(indices), n_cols)  # each row's indices rise from 0
    indptr = np.r_[starts, len(indices)].astype(np.int64)
    assert MODULE.check_csr(indptr, indices, n_cols) == 0
    unsorted = indices.copy()
    unsorted[[block, block + 1]] = unsorted[[block + 1, block]]  # positions 2**20 and +1
    assert MODULE.check_csr(indptr, unsorted, n_cols) == 3
    straddling = indices.copy()
    straddling[block] = straddling[block - 1]  # a repeat across the first block's end
    assert MODULE.check_csr(indptr, straddling, n_cols) == 3
    one_row = np.array([0, len(indices)], dtype=np.int64)  # falls inside a row
    assert MODULE.check_csr(one_row, indices, n_cols) == 3
    outside = indices.copy()
    outside[-1] = n_cols
    assert MODULE.check_csr(indptr, outside, n_cols) == 2


def _counting_check(monkeypatch, values=None):
    """Count the kernels' CSR checks: the list of each call's number of stored entries.

    ``values``, a list, receives each call's number of values read in the same pass.
    """
    calls = []
    check = MODULE.check_csr

    def counted(indptr, indices, n_cols, *data):
        calls.append(len(indices))
        if values is not None:
            values.append(len(data[0]) if data else 0)
        return check(indptr, indices, n_cols, *data)

    monkeypatch.setattr(MODULE, "check_csr", counted)
    return calls


@needs_c
def test_a_fit_checks_its_sparse_input_once(monkeypatch):
    _, X_csr, Y = data(np.float64)
    values = []
    calls = _counting_check(monkeypatch, values)
    model = NielsenMLPClassifier((10,), epochs=2, engine="c", random_state=0)
    model.fit(X_csr, Y.argmax(axis=1))
    # canonical_csr's check where the input enters, its values read in the same pass
    # (scikit-learn's validation then leaves them); the trainer finds its verdict.
    assert calls == [X_csr.nnz] and values == [X_csr.nnz]
    model.fit(X_csr, Y.argmax(axis=1))  # a new fit: checked again
    assert calls == [X_csr.nnz] * 2
    assert _cengine._remembered.get() is None  # nothing remembered outside a fit
    model.predict(X_csr)  # predict's validation too
    assert calls == [X_csr.nnz] * 3 and values == [X_csr.nnz] * 3


@needs_c
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [0, 1, -1, (1 << 20) + 1])
def test_the_csr_check_finds_a_value_that_is_not_finite(dtype, bad, where):
    # Read with the indices, in their blocks of 2**20: first, in the first block, last,
    # in the second block; the structure's own codes come first.
    n = (1 << 20) + 40
    indices = np.arange(n, dtype=np.int32) % 1000
    indptr = np.r_[np.arange(0, n, 1000), n].astype(np.int64)
    values = np.ones(n, dtype)
    code = 1 if dtype == np.float32 else 0
    assert MODULE.check_csr(indptr, indices, 1000, values, code) == 0
    values[where] = bad
    assert MODULE.check_csr(indptr, indices, 1000, values, code) == 4
    assert MODULE.check_csr(indptr, indices, 1000) == 0  # values not given: not read
    unsorted = indices.copy()
    unsorted[[3, 4]] = unsorted[[4, 3]]
    assert MODULE.check_csr(indptr, unsorted, 1000, values, code) == 3
    assert MODULE.check_csr(indptr, indices, 999, values, code) == 2
    with pytest.raises(ValueError, match="one aligned float64"):
        MODULE.check_csr(indptr, indices, 1000, values[:-1], code)
    with pytest.raises(ValueError, match="one aligned float64"):
        MODULE.check_csr(indptr, indices, 1000, values, 1 - code)


@needs_c
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_sparse_values_that_are_not_finite_are_refused_as_scikit_learn_says(dtype, bad):
    # The compiled pass reads the values; where one is not finite, scikit-learn's own
    # check reads them again and says so, at fit and at predict.
    _, X_csr, Y = data(np.float64)
    X_csr = X_csr[:200].astype(dtype)
    y = Y[:200].argmax(axis=1)
    model = NielsenMLPClassifier((10,), epochs=1, engine="c", dtype=dtype, random_state=0)
    model.fit(X_csr, y)
    broken = X_csr.copy()
    broken.data[-1] = bad
    said = "NaN" if np.isnan(bad) else "infinity"
    with pytest.raises(ValueError, match=f"Input X contains {said}"):
        model.fit(broken, y)
    with pytest.raises(ValueError, match=f"Input X contains {said}"):
        model.predict(broken)
    with pytest.raises(ValueError, match=f"Input X_val contains {said}"):
        model.fit(X_csr, y, X_val=broken, y_val=y)


@needs_c
def test_float64_values_beyond_a_float32_model_are_refused_after_the_conversion():
    # Finite in float64, infinite once converted: the compiled pass's verdict on the
    # float64 values says nothing of the converted ones, which scikit-learn then checks.
    _, X_csr, Y = data(np.float64)
    X_csr, y = X_csr[:200].copy(), Y[:200].argmax(axis=1)
    model = NielsenMLPClassifier((10,), epochs=1, engine="c", dtype="float32", random_state=0)
    model.fit(X_csr, y)
    X_csr.data[-1] = 1e300
    with pytest.raises(ValueError, match="Input X contains infinity"):
        model.fit(X_csr, y)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        model.predict(X_csr)


@needs_c
def test_an_index_changed_between_two_fits_is_refused(monkeypatch):
    X_csr, Y = data(np.float32)[1].copy(), data(np.float32)[2]  # a copy: data() is shared
    y = Y.argmax(axis=1)
    model = NielsenMLPClassifier((10,), epochs=1, engine="c", random_state=0).fit(X_csr, y)
    X_csr.indices[5] = 10**6  # in place: the same arrays as the first fit's
    with pytest.raises(ValueError, match="column indices outside"):
        model.fit(X_csr, y)
    with pytest.raises(ValueError, match="column indices outside"):
        model.partial_fit(X_csr, y)


class _ChangesIndices(Callback):
    """Writes ``value`` into the training matrix's column indices, in place, at ``hook``."""

    def __init__(self, X, value, hook):
        self.X, self.value, self.hook = X, value, hook

    def _change(self):
        self.X.indices[len(self.X.indices) // 2 :: 7] = self.value

    def on_epoch_end(self, trainer):
        if self.hook == "epoch":
            self._change()

    def on_batch_end(self, trainer):
        if self.hook == "batch" and trainer.samples_in_epoch >= 100:
            self._change()


@needs_c
@pytest.mark.parametrize("value", [N_PIXELS, 10**6, -1])
@pytest.mark.parametrize("hook", ["epoch", "batch"])
@pytest.mark.parametrize("rows, n_jobs", [(1000, None), (1000, 2), (100, None)])
def test_indices_changed_in_place_during_a_fit_are_refused_not_followed(value, hook, rows, n_jobs):
    # The matrix is checked once, as the fit begins; a callback's change after that
    # reaches the kernel, which must refuse it rather than read or write outside W1
    # (rows < 256 take the plain path, 1000 the padded one; n_jobs=2 a team).
    X_csr = data(np.float32)[1][:rows].copy()
    y = data(np.float32)[2][:rows].argmax(axis=1)
    model = NielsenMLPClassifier(
        (32,),
        epochs=3,
        mini_batch_size=10,
        dtype="float32",  # trains on X_csr's own arrays: no cast, no copy
        engine="c",
        n_jobs=n_jobs,
        random_state=0,
        callbacks=[_ChangesIndices(X_csr, value, hook)],
    )
    with pytest.raises(ValueError, match="changed in place after the fit checked it"):
        model.fit(X_csr, y)


@needs_c
@pytest.mark.parametrize("rows", [1000, 100])
def test_indices_changed_after_the_last_epoch_are_refused_by_the_forward_passes_alone(rows):
    # The cost probe's forward passes (the kernel's evaluation) come after the last epoch.
    X_csr = data(np.float32)[1][:rows].copy()
    y = data(np.float32)[2][:rows].argmax(axis=1)
    changes = _ChangesIndices(X_csr, 10**6, "epoch")
    model = NielsenMLPClassifier((32,), epochs=1, dtype="float32", engine="c", callbacks=[changes])
    with pytest.raises(ValueError, match="changed in place after the fit checked it"):
        model.fit(X_csr, y)


@needs_c
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("positions", [40, 700])  # the plain path; the padded copy
@pytest.mark.parametrize(
    "cost, output, hidden, optimizer",
    [
        ("cross_entropy", "sigmoid", "sigmoid", "sgd"),
        ("log_likelihood", "softmax", "relu", "adam"),
        ("quadratic", "identity", "tanh", "momentum"),
    ],
)
def test_the_forward_passes_alone_give_the_costs_and_outputs_and_change_nothing(
    dtype, sparse, positions, cost, output, hidden, optimizer
):
    run = Run(cost, output, hidden, "l2", optimizer, dtype, sizes=(N_PIXELS, 30, 20, N_CLASSES))
    network, _ = run.start()
    network.params[...] += np.random.default_rng(5).normal(0, 0.3, network.params.shape)
    start = network.params.copy()
    X, X_csr, Y = data(dtype)
    rows = run.order[:positions]
    costs, outputs = run.trainer(network).evaluate(X_csr if sparse else X, Y, rows)
    expected = network.feedforward(X[rows])
    tolerance = {np.float64: 1e-12, np.float32: 1e-5}[dtype]
    assert costs.dtype == np.float64 and costs.shape == (positions,)
    assert outputs.dtype == dtype and outputs.shape == (positions, N_CLASSES)
    assert relative_difference(outputs, expected) <= tolerance
    assert relative_difference(costs, run.plugin("cost").fn(expected, Y[rows])) <= tolerance
    np.testing.assert_array_equal(network.params, start)


@needs_c
def test_the_forward_passes_alone_take_no_dropout_masks_or_optimizer_state():
    run = Run(optimizer="adam", dropout=0.5)
    network, state = run.start()
    X, _, Y = data(np.float64)
    trainer = run.trainer(network)
    trainer.evaluate(X, Y, run.order)  # the masks are the training's, not drawn here
    arguments = [
        trainer._spec(False, N_IMAGES, 0, N_IMAGES, False, True, learn=False),
        trainer._hyper(0.1),
        network.params,
        *trainer._state_arrays(state),
        X,
        np.empty(0),
        np.empty(0, np.int32),
        np.empty(0, np.int64),
        Y,
        run.order,
        np.empty(0),
        np.zeros((N_IMAGES, 30)),
        np.zeros(N_IMAGES),
        np.zeros((N_IMAGES, N_CLASSES)),
    ]
    with pytest.raises(ValueError, match="no dropout masks"):
        MODULE.train(*arguments)
    arguments[0] = trainer._spec(False, N_IMAGES, 0, N_IMAGES, False, False, learn=False)
    arguments[-3] = np.empty(0)
    with pytest.raises(ValueError, match=r"velocity|moment|step"):
        MODULE.train(*arguments)  # the state arrays of adam, which evaluating does not take


@needs_c
def test_the_kernel_evaluates_only_what_it_reads_as_it_is():
    run = Run()
    network, _ = run.start()
    X, X_csr, Y = data(np.float64)
    trainer = run.trainer(network)
    assert trainer.accepts(X, Y) and trainer.accepts(X_csr, Y)
    unsorted = X_csr.copy()
    unsorted.indices[:2] = unsorted.indices[1::-1]
    for X_other, Y_other in [
        (np.asfortranarray(X), Y),  # a copy at every call would cost what the kernel saves
        (X.astype(np.float32), Y),
        (X, Y.astype(np.float32)),
        (X[:, :100], Y),
        (X, Y[:, :3]),
        (X[:10], Y),
        (unsorted, Y),
    ]:
        assert not trainer.accepts(X_other, Y_other)


@needs_c
@pytest.mark.parametrize("sparse", [False, True])
def test_monitors_on_the_c_engine_evaluate_with_the_kernel_as_numpy_does(sparse, monkeypatch):
    X, X_csr, Y = data(np.float64)
    X, labels = (X_csr if sparse else X), Y.argmax(axis=1)
    calls = []
    evaluate = CTrainer.evaluate
    monkeypatch.setattr(
        CTrainer,
        "evaluate",
        lambda self, *args: calls.append(len(args[2])) or evaluate(self, *args),
    )
    fits = {
        engine: NielsenMLPClassifier(
            epochs=3, monitor="all", monitor_every=200, random_state=0, engine=engine
        ).fit(X[:800], labels[:800], X_val=X[800:], y_val=labels[800:])
        for engine in ("numpy", "c")
    }
    # Each epoch the validation and the training set, every 200 samples the validation
    # set again, and the cost probe (all 800 training samples) before and after.
    assert calls.count(200) == 3 + 12 and calls.count(800) == 3 + 2
    numpy, c = fits["numpy"], fits["c"]
    assert c.engine_ == "c" and set(c.history_) == set(numpy.history_)
    for key, values in numpy.history_.items():
        np.testing.assert_allclose(c.history_[key], values, rtol=1e-9, err_msg=key)
    assert c.history_every_ == numpy.history_every_


#: Dense arrays validation keeps as they are (in the network's dtype), none C-contiguous.
LAYOUTS = {
    "fortran": np.asfortranarray,
    "every other row": lambda A: np.repeat(A, 2, axis=0)[::2],
    "every other column": lambda A: np.repeat(A, 2, axis=1)[:, ::2],
}


@needs_c
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_layout_of_x_and_x_val_changes_no_recorded_number(layout, dtype):
    # The monitors took X and X_val as validation left them: the kernel evaluated them
    # when C-contiguous, NumPy otherwise, and history_ differed in its last bits with
    # their memory layout (the float32 validation cost of a Fortran X_val, say).
    X, _, Y = data(dtype)
    labels = Y.argmax(axis=1)
    X_train, X_val, y_train, y_val = X[:300], X[300:400], labels[:300], labels[300:400]
    options = {"epochs": 3, "monitor": "all", "random_state": 0, "engine": "c"}
    options["dtype"] = np.dtype(dtype).name
    expected = NielsenMLPClassifier(**options).fit(X_train, y_train, X_val=X_val, y_val=y_val)
    laid_out = LAYOUTS[layout]
    assert not laid_out(X_val).flags.c_contiguous
    model = NielsenMLPClassifier(**options).fit(
        laid_out(X_train), y_train, X_val=laid_out(X_val), y_val=y_val
    )
    assert model.history_ == expected.history_


@needs_c
def test_the_kernel_refuses_arguments_that_do_not_fit_whatever_the_wrapper_passes():
    # The kernel's own checks: lengths, codes and rows, whatever Python hands it.
    run = Run(sizes=(N_PIXELS, 5, N_CLASSES), positions=20)
    network, _ = run.start()
    X, _, Y = data(np.float64)
    trainer = run.trainer(network)
    spec = trainer._spec(False, N_IMAGES, 0, 20, False, False)
    empty, empty32, empty64 = np.empty(0), np.empty(0, np.int32), np.empty(0, np.int64)
    costs, outputs = np.zeros(N_IMAGES), np.zeros((N_IMAGES, N_CLASSES))
    arguments = [
        spec,
        trainer._hyper(0.1),
        network.params,
        empty,
        empty,
        empty,
        empty,
        X,
        empty,
        empty32,
        empty64,
        Y,
        run.order,
        empty,
        empty,
        costs,
        outputs,
    ]
    MODULE.train(*arguments)  # as given: accepted
    assert outputs[:20].any() and not outputs[20:].any()  # the positions trained
    rng = np.random.default_rng(0)
    for position in range(len(arguments)):
        shorter = [arguments[position][:-1]] if len(arguments[position]) else []
        for bad in [np.zeros(3), np.zeros(3, np.int32), *shorter]:
            wrong = list(arguments)
            wrong[position] = bad
            with pytest.raises(ValueError):
                MODULE.train(*wrong)
    for field in range(len(spec)):
        for value in (-1, 2**40, int(rng.integers(-5, 70))):
            wrong_spec = spec.copy()
            wrong_spec[field] = value
            # Refused; or accepted when the value happens to be valid.
            with contextlib.suppress(ValueError):
                MODULE.train(wrong_spec, *arguments[1:])
    with pytest.raises(ValueError, match="writable"):
        read_only = network.params.copy()
        read_only.flags.writeable = False
        MODULE.train(arguments[0], arguments[1], read_only, *arguments[3:])
    with pytest.raises(TypeError):
        MODULE.train(*arguments[:-1])


#: Random shapes per test run; the sanitizer run raises it.
N_RANDOM_SHAPES = int(os.environ.get("SKNIELSEN_RANDOM_SHAPES", "40"))


@needs_c
def test_random_shapes_train_as_numpy_does(team_tuning):
    team_tuning(10**9, 0, False)  # the threaded runs are the team's from the start
    rng = np.random.default_rng(7)
    for case in range(N_RANDOM_SHAPES):
        dtype = (np.float64, np.float32)[case % 2]
        n, n_in = int(rng.integers(1, 60)), int(rng.integers(1, 50))
        sizes = (n_in, *rng.integers(1, 70, size=rng.integers(0, 3)), int(rng.integers(1, 12)))
        X = np.where(rng.random((n, n_in)) < 0.3, rng.random((n, n_in)), 0.0).astype(dtype)
        Y = rng.random((n, sizes[-1])).astype(dtype)
        order = rng.integers(0, n, size=int(rng.integers(1, 80)))  # repeats allowed
        start = int(rng.integers(0, len(order)))
        stop = int(rng.integers(start, len(order) + 1))
        options = {
            "optimizer": plugins.get("optimizer", ("sgd", "momentum", "adam")[case % 3]),
            "regularizer": plugins.get("regularizer", ("l2", "none", "l1")[case % 3]),
            "dropout": (0.0, 0.25)[case % 2 if len(sizes) > 2 else 0],
            "batch_size": int(rng.integers(1, 20)),
        }
        scales = (rng.random(n) + 0.5).astype(dtype) if case % 4 == 0 else None
        results = []
        for engine, path, threads in (
            ("numpy", None, 1),
            ("c", "plain", 1),
            ("c", "padded", 1),
            ("c", "padded", 3),
        ):
            results.append(
                _train_one(
                    engine,
                    (path, threads),
                    sizes,
                    dtype,
                    X,
                    Y,
                    order,
                    start,
                    stop,
                    scales,
                    options,
                    sparse=case % 3 == 0,
                )
            )
        for ours in results[1:]:
            difference = relative_difference(ours, results[0])
            assert difference <= 10 * TOLERANCE[dtype], f"case {case}: {difference:.3g}"
        np.testing.assert_array_equal(results[3], results[2], err_msg=f"case {case}: threads")


def _train_one(engine, path, sizes, dtype, X, Y, order, start, stop, scales, options, sparse):
    """Weights after training on positions start:stop, by the NumPy or the C engine.

    ``path`` is the C engine's (path, threads).
    """
    activations = [plugins.Sigmoid()] * (len(sizes) - 2) + [plugins.Identity()]
    network = Network(sizes, activations, dtype)
    network.initialize(plugins.get("initializer", "default"), np.random.default_rng(1))
    optimizer = options["optimizer"]
    state = dict(optimizer.init(network.params), eta=0.01)
    cost, batch_size = plugins.QuadraticCost(), options["batch_size"]
    rng = np.random.default_rng(3)
    if engine == "c":
        trainer = CTrainer(
            network,
            cost,
            options["regularizer"],
            optimizer,
            lmbda=1.0,
            n_train=len(X),
            batch_size=batch_size,
            dropout=options["dropout"],
            rng=rng,
            path=path[0],
            threads=path[1],
        )
        trainer.run(sp.csr_matrix(X) if sparse else X, Y, order, scales, state, start, stop)
        return network.params
    backprop = Backprop(network, cost, batch_size, options["dropout"], rng)
    penalty = Penalty(options["regularizer"], 1.0, len(X), network.n_weights, network.dtype)
    for first in range(start, stop, batch_size):
        index = order[first : min(first + batch_size, stop)]
        scale = 1.0 / len(index) if scales is None else (scales[index] / len(index))[:, None]
        grads = backprop.gradient(X[index], Y[index], scale)
        state = _step(network, optimizer, penalty, state, grads)
    return network.params


# ---------------------------------------------------------------------------
# Through the estimators
# ---------------------------------------------------------------------------


def _small_problem():
    X, Y = mnist_like(seed=5, n=400, pixels=64)
    return X, Y.argmax(axis=1)


@needs_c
@pytest.mark.parametrize("sparse", [False, True])
def test_engine_c_fits_as_numpy_does(sparse):
    X, y = _small_problem()
    X = sp.csr_matrix(X) if sparse else X

    class Counter(Callback):
        def on_batch_end(self, trainer):
            self.batches = getattr(self, "batches", 0) + 1

    models = {}
    for engine, callbacks in (("numpy", None), ("c", None), ("c", [Counter()])):
        model = NielsenMLPClassifier(
            hidden_layer_sizes=(20,),
            epochs=3,
            eta=0.1,
            lmbda=1.0,
            random_state=0,
            engine=engine,
            callbacks=callbacks,
        )
        models[engine, callbacks is None] = model.fit(X, y)
    reference = models["numpy", True]
    for key in (("c", True), ("c", False)):
        model = models[key]
        assert model.engine_ == "c"
        for ours, theirs in zip(
            model.coefs_ + model.intercepts_, reference.coefs_ + reference.intercepts_
        ):
            assert relative_difference(ours, theirs) <= 1e-9
        np.testing.assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=1e-9)


@needs_c
@pytest.mark.parametrize(
    "cost, output, dtype, tolerance",
    [
        ("cross_entropy", "sigmoid", "float64", 1e-9),
        ("cross_entropy", "sigmoid", "float32", 1e-4),
        ("log_likelihood", "softmax", "float64", 1e-9),
        ("log_likelihood", "softmax", "float32", 1e-4),
        # Not float32: chained through softmax, ∂C/∂a of an output rounded to 1 is 2/eps,
        # and δ is the difference of two such numbers, which each engine sums in its order.
        ("cross_entropy", "softmax", "float64", 1e-9),
    ],
)
# X * 4 saturates the first layer on purpose, and the estimator rightly warns of it.
@pytest.mark.filterwarnings("ignore:The inputs saturate the first layer:UserWarning")
def test_confidently_wrong_outputs_cost_and_step_as_on_numpy(cost, output, dtype, tolerance):
    # N(0, 1) weights on 64 inputs make outputs far below eps, where both engines once
    # clipped the logarithms' outputs: one full-batch step, so no chaos amplifies rounding.
    X, y = _small_problem()
    models = [
        NielsenMLPClassifier(
            hidden_layer_sizes=(),
            cost=cost,
            output_activation=output,
            initializer="large",
            mini_batch_size=len(X),
            epochs=1,
            dtype=dtype,
            random_state=0,
            engine=engine,
        ).fit(X * 4, y)
        for engine in ("numpy", "c")
    ]
    reference, model = models
    assert model.engine_ == "c"
    ours, theirs = model.coefs_ + model.intercepts_, reference.coefs_ + reference.intercepts_
    for ours_layer, theirs_layer in zip(ours, theirs):
        assert relative_difference(ours_layer, theirs_layer) <= tolerance
    np.testing.assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=tolerance)


@pytest.fixture
def threads_used(monkeypatch):
    """The threads of every C engine call made while the test runs, in order."""
    used = []
    run = CTrainer.run

    def recording(self, *args, **kwargs):
        run(self, *args, **kwargs)
        used.append(self.threads_used)

    monkeypatch.setattr(CTrainer, "run", recording)
    return used


@needs_c
@needs_threads
@pytest.mark.parametrize("n_jobs", [2, -1])
def test_n_jobs_threads_give_one_threads_fit_bit_for_bit(n_jobs, threads_used, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)  # a CI's 1 would make -1 one thread
    X, y = mnist_like(seed=6, n=600)
    X, y = sp.csr_matrix(X), y.argmax(axis=1)
    options = {"hidden_layer_sizes": (30,), "epochs": 2, "random_state": 0, "engine": "c"}
    alone = NielsenMLPClassifier(**options).fit(X, y)
    assert threads_used == [1, 1]
    shared = NielsenMLPClassifier(n_jobs=n_jobs, **options).fit(X, y)
    for ours, theirs in zip(shared.coefs_ + shared.intercepts_, alone.coefs_ + alone.intercepts_):
        np.testing.assert_array_equal(ours, theirs)
    assert shared.loss_curve_ == alone.loss_curve_
    assert min(threads_used[2:]) >= 2  # this machine has two cores or more
    assert NielsenMLPClassifier(n_jobs=n_jobs, **options).get_params()["n_jobs"] == n_jobs


@needs_c
@needs_threads
def test_n_jobs_none_is_one_thread_unless_joblib_says_otherwise(threads_used):
    from joblib import parallel_config
    from sklearn.model_selection import GridSearchCV

    X, y = _small_problem()
    model = NielsenMLPClassifier(hidden_layer_sizes=(30,), epochs=1, random_state=0)
    model.fit(X, y)
    with parallel_config(n_jobs=2):
        model.fit(X, y)
    assert threads_used == [1, 2]
    # Inside a search's workers (threads here, so that the calls are seen): one thread.
    threads_used.clear()
    with parallel_config(backend="threading"):
        GridSearchCV(model, {"eta": [0.1, 0.5]}, cv=2, n_jobs=2).fit(X, y)
    assert threads_used and set(threads_used) == {1}


def _team_problem():
    """A problem on which two threads share the hidden layer (test_n_jobs_threads_...)."""
    X, y = mnist_like(seed=6, n=600)
    return sp.csr_matrix(X), y.argmax(axis=1)


TEAM_OPTIONS = {"hidden_layer_sizes": (30,), "epochs": 1, "random_state": 0, "engine": "c"}


@needs_c
@needs_threads
def test_n_jobs_minus_one_counts_the_processors_joblib_leaves_a_worker(threads_used, monkeypatch):
    # joblib's workers get OMP_NUM_THREADS = their share of the cores (cpu_count // n_jobs):
    # n_jobs=-1 started a team of every core in each of them, GridSearchCV(n_jobs=2) four
    # spinning threads on two cores. A count the user gives is theirs, as scikit-learn's
    # OpenMP estimators keep an explicit n_threads.
    X, y = _team_problem()
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    NielsenMLPClassifier(n_jobs=-1, **TEAM_OPTIONS).fit(X, y)
    assert threads_used == [1]
    NielsenMLPClassifier(n_jobs=2, **TEAM_OPTIONS).fit(X, y)
    assert threads_used == [1, 2]
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    NielsenMLPClassifier(n_jobs=-2, **TEAM_OPTIONS).fit(X, y)  # all but one of two
    assert threads_used == [1, 2, 1]
    monkeypatch.setenv("OMP_NUM_THREADS", "4,2")  # OpenMP's nested form: not a count here
    NielsenMLPClassifier(n_jobs=-1, **TEAM_OPTIONS).fit(X, y)
    assert threads_used[-1] >= 2  # every processor, as without the variable (two or more)


def _threads_of_a_fit(n_jobs):
    """In a joblib worker: the C engine's threads of one fit."""
    used = []
    run = CTrainer.run

    def recording(self, *args, **kwargs):
        run(self, *args, **kwargs)
        used.append(self.threads_used)

    CTrainer.run = recording
    try:
        NielsenMLPClassifier(n_jobs=n_jobs, **TEAM_OPTIONS).fit(*_team_problem())
    finally:
        CTrainer.run = run
    return used


@needs_c
@pytest.mark.slow
def test_n_jobs_minus_one_does_not_oversubscribe_joblibs_process_workers():
    from joblib import Parallel, cpu_count, delayed

    share = max(cpu_count() // 2, 1)  # what joblib leaves each of two workers
    runs = Parallel(n_jobs=2, backend="loky")(delayed(_threads_of_a_fit)(-1) for _ in range(2))
    assert all(0 < used <= share for run in runs for used in run), (runs, share)


def test_n_jobs_of_zero_is_refused_by_name():
    X, y = _small_problem()
    with pytest.raises(ValueError, match="'n_jobs' parameter"):
        NielsenMLPClassifier(n_jobs=0).fit(X, y)


@needs_c
def test_auto_trains_on_the_c_engine_where_it_has_kernels():
    X, y = _small_problem()
    assert NielsenMLPClassifier(epochs=1, random_state=0).fit(X, y).engine_ == "c"
    model = NielsenMLPClassifier(epochs=1, random_state=0, optimizer="lbfgs").fit(X, y)
    assert model.engine_ == "numpy"
    with pytest.raises(ValueError, match="engine='c' cannot train this configuration"):
        NielsenMLPClassifier(epochs=1, engine="c", optimizer="lbfgs").fit(X, y)


def test_engine_c_without_the_extension_trains_on_numpy_with_one_warning(monkeypatch):
    monkeypatch.setattr(_cengine, "load", lambda: (None, "the C engine is not built (test)"))
    X, y = _small_problem()
    options = {"hidden_layer_sizes": (10,), "epochs": 3, "random_state": 0}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = NielsenMLPClassifier(engine="c", **options).fit(X, y)
    ours = [w for w in caught if "engine='c'" in str(w.message)]
    assert len(ours) == 1 and "not built" in str(ours[0].message)
    assert model.engine_ == "numpy (the C engine is not built (test))"
    numpy = NielsenMLPClassifier(engine="numpy", **options).fit(X, y)
    for ours_, theirs in zip(model.coefs_, numpy.coefs_):
        np.testing.assert_array_equal(ours_, theirs)
    assert NielsenMLPClassifier(**options).fit(X, y).engine_ == "numpy"  # auto: no warning


def _kernels_in(folder, digest):
    """A stand-in for the built kernels in ``folder``: the modules ``load`` imports."""
    return lambda name: SimpleNamespace(
        __file__=str(folder / f"{name.rsplit('.', 1)[-1]}.so"),
        SOURCE_DIGEST=digest,
        cpu_level=lambda: 0,
    )


@pytest.mark.parametrize(
    ("machine", "build"), [("x86_64", "x86-64 baseline"), ("arm64", "portable build (arm64)")]
)
def test_the_portable_build_is_named_for_the_machine(machine, build, tmp_path, monkeypatch):
    # On Apple silicon and other machines the one build was called "x86-64 baseline".
    (tmp_path / "_ckernel.c").write_text("/* the kernels */\n")
    monkeypatch.setattr(
        _cengine,
        "importlib",
        SimpleNamespace(import_module=_kernels_in(tmp_path, source_digest(tmp_path))),
    )
    monkeypatch.setattr(_cengine.platform, "machine", lambda: machine)
    assert _cengine.load.__wrapped__()[1] == build


def test_kernels_built_from_other_sources_than_those_beside_them_do_not_run(tmp_path, monkeypatch):
    # An editable install or an in-place build after `git pull` (or an edit of
    # _ckernel.c) without a rebuild: the kernels beside the sources are older.
    source = tmp_path / "_ckernel.c"
    source.write_text("/* the kernels, as built */\n")
    built = source_digest(tmp_path)
    monkeypatch.setattr(
        _cengine, "importlib", SimpleNamespace(import_module=_kernels_in(tmp_path, built))
    )
    module, build = _cengine.load.__wrapped__()
    assert module is not None and build == "x86-64 baseline"
    source.write_text("/* the kernels, edited since */\n")
    module, note = _cengine.load.__wrapped__()
    assert module is None and isinstance(note, _cengine.StaleKernels)
    assert "built from other sources" in note
    assert "pip install -e ." in note and "setup.py build_ext --inplace --force" in note


@pytest.mark.parametrize(
    ("engine", "start"), [("auto", "the C engine's kernels"), ("c", "engine='c' trains on NumPy")]
)
def test_a_fit_on_kernels_of_other_sources_warns_once(engine, start, monkeypatch):
    # With engine='c' the first fit of a process said it twice: the kernels are
    # stale, then engine='c' trains on NumPy, with the same words.
    note = _cengine.StaleKernels("the C engine's kernels in /x were built from other sources")
    monkeypatch.setattr(_cengine, "load", lambda: (None, note))
    X, y = _small_problem()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = NielsenMLPClassifier((5,), epochs=1, engine=engine, random_state=0).fit(X, y)
    ours = [str(w.message) for w in caught if "other sources" in str(w.message)]
    assert len(ours) == 1 and ours[0].startswith(start), ours
    assert model.engine_.startswith("numpy")


def test_kernels_that_record_no_sources_beside_their_sources_do_not_run(tmp_path, monkeypatch):
    # Built by a setup.py older than the record: nothing says they are the sources' build.
    (tmp_path / "_ckernel.c").write_text("/* the kernels */\n")
    monkeypatch.setattr(
        _cengine, "importlib", SimpleNamespace(import_module=_kernels_in(tmp_path, None))
    )
    module, note = _cengine.load.__wrapped__()
    assert module is None and isinstance(note, _cengine.StaleKernels)


def test_the_digest_reads_the_kernels_sources_only(tmp_path):
    # Emacs marks a file being edited with a dangling link (.#_ckernel.c), and a
    # scratch file beside the sources is none of the build's.
    (tmp_path / "_ckernel.c").write_text("/* the kernels */\n")
    digest = source_digest(tmp_path)
    (tmp_path / ".#_ckernel.c").symlink_to(tmp_path / "nowhere")
    (tmp_path / "scratch.c").write_text("int main(void) { return 0; }\n")
    assert source_digest(tmp_path) == digest


def test_the_digest_covers_every_c_source_of_the_engine():
    engine = Path(_cengine.__file__).parent
    tracked = subprocess.run(
        ["git", "ls-files", "*.c", "*.h"], cwd=engine, capture_output=True, text=True, check=False
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert sorted(tracked.stdout.split()) == sorted(SOURCES)


def test_installed_kernels_without_their_sources_run(tmp_path, monkeypatch):
    # A wheel holds no C source (pyproject.toml): nothing to compare the kernels with.
    monkeypatch.setattr(
        _cengine, "importlib", SimpleNamespace(import_module=_kernels_in(tmp_path, None))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _cengine.load.__wrapped__()[0] is not None


def _no_kernels(name):
    raise ImportError(f"No module named {name!r}")


def test_kernels_not_built_in_a_source_checkout_say_how_to_build_them(monkeypatch):
    # A checkout on PYTHONPATH, or built for another Python: no install was made
    # without a compiler, and reinstalling is not what builds it.
    monkeypatch.setattr(_cengine, "importlib", SimpleNamespace(import_module=_no_kernels))
    module, note = _cengine.load.__wrapped__()
    assert module is None
    assert "not built in this source tree" in note and "_ckernel_base" in note
    assert "pip install -e ." in note and "installed" not in note


def test_kernels_not_installed_say_how_to_reinstall_past_pips_cache(tmp_path, monkeypatch):
    # An installed package (no C source beside it): pip reuses the wheel it built
    # without a compiler unless told not to.
    monkeypatch.setattr(_cengine, "__file__", str(tmp_path / "_cengine.py"))
    monkeypatch.setattr(_cengine, "importlib", SimpleNamespace(import_module=_no_kernels))
    module, note = _cengine.load.__wrapped__()
    assert module is None
    assert "installed without a working C compiler" in note
    assert "--force-reinstall" in note and "--no-cache-dir" in note


@pytest.mark.parametrize("installed", [False, True])
def test_kernels_not_built_on_windows_say_its_compiler_cannot(installed, tmp_path, monkeypatch):
    # Microsoft's C compiler, which builds extensions on Windows, has no GNU vector
    # extensions: every build fails there, and "installed without a working C
    # compiler: reinstall it with one" sent users with Visual Studio to reinstall.
    if installed:
        monkeypatch.setattr(_cengine, "__file__", str(tmp_path / "_cengine.py"))
    monkeypatch.setattr(_cengine, "importlib", SimpleNamespace(import_module=_no_kernels))
    monkeypatch.setattr(sys, "platform", "win32")
    module, note = _cengine.load.__wrapped__()
    assert module is None and "_ckernel_base" in note
    assert "Microsoft's C compiler" in note and "GCC or Clang" in note
    assert "without a working C compiler" not in note and "pip install -e ." not in note


def test_the_kernels_built_in_this_checkout_are_built_from_its_sources():
    # Else every test of the C engine would skip: rebuild them (the message says how).
    engine = Path(_cengine.__file__).parent
    if not list(engine.glob("_ckernel_base*" + sysconfig.get_config_var("EXT_SUFFIX"))):
        pytest.skip("no kernels are built in this checkout")
    assert MODULE is not None, BUILD


def test_the_build_without_a_c_compiler_succeeds_without_the_extension(tmp_path):
    pytest.importorskip("setuptools")
    env = dict(os.environ, CC="/bin/false", LDSHARED="/bin/false")
    result = subprocess.run(
        [
            sys.executable,
            "setup.py",
            "-q",
            "build_ext",
            "--build-lib",
            str(tmp_path / "lib"),
            "--build-temp",
            str(tmp_path / "temp"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "failed" in (result.stdout + result.stderr).lower()
    assert not list((tmp_path / "lib").rglob("_ckernel*"))


# ---------------------------------------------------------------------------
# Under AddressSanitizer and UndefinedBehaviorSanitizer
# ---------------------------------------------------------------------------

BUILD_RUN = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("sknielsen.engine._ckernel_base", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
sys.modules["sknielsen.engine._ckernel_base"] = module
import pytest
# -s: a sanitizer's report is written to stderr as the process stops, past pytest's capture.
sys.exit(pytest.main([sys.argv[2], "-q", "-s", "-x", "-p", "no:cacheprovider", "-m", "not slow",
                      "-k", sys.argv[3]]))
"""
#: The tests run on another build: all the fast ones but those that build or pick builds.
OTHER_BUILD_TESTS = "not sanitizer and not without_a_c_compiler and not every_build"


def _sanitizer_runtime(name):
    """The C compiler and the path of the sanitizer's runtime ``name``, or None."""
    compiler = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("gcc")
    if compiler is None:
        return None, None
    library = subprocess.run(
        [compiler, f"-print-file-name={name}"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return compiler, (library if os.path.isabs(library) and os.path.exists(library) else None)


def _run_sanitized(runtime, sanitizers, level, tmp_path, tests, environment):
    """Build the kernels with the flags ``sanitizers`` and run ``tests`` of this file on it."""
    compiler, library = _sanitizer_runtime(runtime)
    if library is None:
        pytest.skip(f"no C compiler with the sanitizer runtime {runtime} here")
    flags = ["-O1", "-g", "-fno-omit-frame-pointer", *sanitizers]
    environment = dict(environment, LD_PRELOAD=library)
    return _build_and_run(compiler, flags, level, tmp_path, tests, environment)


def _build_and_run(compiler, flags, level, tmp_path, tests, environment):
    """Build the kernels for x86-64 ``level`` with ``compiler`` and ``flags``; run ``tests``.

    The build is loaded as the baseline module (``SKNIELSEN_CPU_LEVEL=0``)
    in a process that runs the ``tests`` of this file; returns its output.
    """
    if MODULE.cpu_level() < level:
        pytest.skip(f"this CPU does not run x86-64-v{level}")
    target = tmp_path / ("_ckernel_base" + sysconfig.get_config_var("EXT_SUFFIX"))
    level_flags = {
        0: ["-DVEC_BYTES=16"],
        3: ["-DVEC_BYTES=32", "-march=x86-64-v3"],
        4: ["-DVEC_BYTES=64", "-march=x86-64-v4"],
    }[level]
    build = subprocess.run(
        [
            compiler,
            "-shared",
            "-fPIC",
            *flags,
            "-ffp-contract=fast",
            "-DMODULE=_ckernel_base",
            *level_flags,
            f"-I{sysconfig.get_paths()['include']}",
            str(ROOT / "sknielsen" / "engine" / "_ckernel.c"),
            "-o",
            str(target),
            "-lm",
            "-pthread",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    env = dict(os.environ, SKNIELSEN_CPU_LEVEL="0", **environment)
    result = subprocess.run(
        [sys.executable, "-c", BUILD_RUN, str(target), __file__, tests],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    return output


@needs_c
@pytest.mark.slow
@pytest.mark.parametrize("level", [0, 3, 4])
def test_the_kernels_under_address_and_undefined_behaviour_sanitizers(level, tmp_path):
    environment = {
        "ASAN_OPTIONS": "detect_leaks=0",
        "UBSAN_OPTIONS": "print_stacktrace=1",
        "SKNIELSEN_RANDOM_SHAPES": "300",
    }
    output = _run_sanitized(
        "libasan.so",
        ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"],
        level,
        tmp_path,
        OTHER_BUILD_TESTS,
        environment,
    )
    assert "runtime error" not in output and "AddressSanitizer" not in output, output[-5000:]


@needs_c
@pytest.mark.slow
@pytest.mark.parametrize("level", [3, 4])
def test_the_threads_under_the_thread_sanitizer(level, tmp_path):
    # Only the kernel is instrumented: the races it reports are the kernel's own.
    # BLAS on one thread: its own threads are not instrumented, and would be reported.
    # (When the threads came, 2026-12-05, GCC 12's ThreadSanitizer was seen to break the
    # AVX-512 build's compress instructions, the dense gather, even on one thread, and
    # this test ran the AVX2 build alone; on 2026-12-06 the AVX-512 build passed it
    # three times out of three, with the same compiler and the same gather.)
    environment = {
        "TSAN_OPTIONS": "halt_on_error=1",
        "SKNIELSEN_RANDOM_SHAPES": "300",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    tests = "threads or random_shapes or solo"
    sanitizers = ["-fsanitize=thread"]
    output = _run_sanitized("libtsan.so", sanitizers, level, tmp_path, tests, environment)
    assert "ThreadSanitizer" not in output, output[-5000:]


@needs_c
@pytest.mark.slow
@pytest.mark.parametrize("level", [0, 3, 4])
def test_the_kernels_built_by_clang_give_the_numpy_engine_s_numbers(level, tmp_path):
    # The install's note and the README say the kernels need "GCC or Clang" (macOS's C
    # compiler is Clang): Clang builds every level without a warning, and the build passes
    # the tests GCC's does. Debian: apt-get install clang.
    compiler = shutil.which("clang")
    if compiler is None:
        pytest.skip("no clang here")
    flags = ["-O3", "-fno-math-errno", "-Wall", "-Wextra", "-Werror"]
    environment = {"SKNIELSEN_RANDOM_SHAPES": "300"}
    _build_and_run(compiler, flags, level, tmp_path, OTHER_BUILD_TESTS, environment)


def _step(network, optimizer, penalty, state, grads):
    """One optimizer step as the training loop takes it (the penalty, then the update)."""
    trainer = SimpleNamespace(network=network, optimizer=optimizer, penalty=penalty, state=state)
    optimizer_step(trainer, grads)
    return trainer.state


@needs_c
def test_the_spec_kept_between_calls_follows_what_changed_since():
    # _spec is kept from call to call (one call per mini-batch when a callback watches
    # them): a change of anything but the positions must give the spec made afresh.
    run = Run()
    network, _ = run.start()
    trainer = run.trainer(network)

    def fresh(*call):
        made = run.trainer(network)
        made.batch_size, made.path, made.threads = trainer.batch_size, trainer.path, trainer.threads
        return made._spec(*call)

    calls = [
        (False, N_IMAGES, 0, 10, False, False),
        (False, N_IMAGES, 10, 20, False, False),
        (True, N_IMAGES, 10, 20, False, False),
        (True, N_IMAGES - 1, 10, 20, True, True),
        (True, N_IMAGES - 1, 10, 20, True, True, False),
    ]
    for call in calls:
        np.testing.assert_array_equal(trainer._spec(*call), fresh(*call))
    kept = trainer._spec(*calls[0])
    kept[:] = -1  # the spec handed out is a copy: writing into it changes no later one
    np.testing.assert_array_equal(trainer._spec(*calls[0]), fresh(*calls[0]))
    for name, value in [("batch_size", 7), ("path", 2), ("threads", 2)]:
        setattr(trainer, name, value)
        np.testing.assert_array_equal(trainer._spec(*calls[1]), fresh(*calls[1]))
    network.activations[-1] = plugins.get("activation", "softmax")
    np.testing.assert_array_equal(trainer._spec(*calls[1]), fresh(*calls[1]))
