"""The compiled engine gives the NumPy engine's numbers.

Every configuration with kernels trains one epoch from the same weights in
the same mini-batch order on both engines: the NumPy engine's pieces
(``Backprop``, the regularizer and the optimizer plugins, composed in the
small reference loop below) and ``CompiledTrainer``, on dense and on CSR
input.
"""

import functools
import inspect
import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from sknielsen import plugins
from sknielsen.engine._compiled import KERNELS, CompiledTrainer, numba_available, unsupported
from sknielsen.engine._network import Backprop, Network

pytestmark = pytest.mark.skipif(
    not numba_available(), reason="numba is not installed (pip install sknielsen[fast])"
)

N_IMAGES, N_PIXELS, N_CLASSES = 1000, 784, 10
LMBDA = 5.0
# η per optimizer, small enough that no pairing below diverges in one epoch.
ETAS = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adam": 0.002}
TOLERANCE = {np.float64: 1e-9, np.float32: 1e-4}
OUTPUTS = [
    (cost, output)
    for cost in ("quadratic", "cross_entropy", "log_likelihood")
    for output in plugins.get("cost", cost).output_activations
]


def mnist_like(seed=0):
    """1,000 sparse 784-pixel images (about 19 % non-zero) and their one-hot labels.

    Each class lights its own random pixels more often, so the labels can be
    learnt and predictions are not ties.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(N_CLASSES, size=N_IMAGES)
    favourite = rng.random((N_CLASSES, N_PIXELS)) < 0.25
    on = rng.random((N_IMAGES, N_PIXELS)) < np.where(favourite[labels], 0.6, 0.05)
    X = np.where(on, rng.random((N_IMAGES, N_PIXELS)), 0.0)
    return X, np.eye(N_CLASSES)[labels]


X_DATA, Y_DATA = mnist_like()


@functools.cache
def data(dtype):
    """The images (dense and CSR) and one-hot labels in ``dtype``."""
    X = X_DATA.astype(dtype)
    return X, sp.csr_matrix(X), Y_DATA.astype(dtype)


@functools.cache
def _takes_eta(optimizer_class):
    return "eta" in inspect.signature(optimizer_class.update).parameters


def optimizer_update(optimizer, grads, state, params):
    """The optimizer's step: the one call that issue 10 changes (η moves into ``state``)."""
    if _takes_eta(type(optimizer)):
        return optimizer.update(grads, state, params, state["eta"])
    return optimizer.update(grads, state, params)


def reference_run(network, run, state):
    """The NumPy engine's mini-batch steps, as the training loop composes them."""
    plugin = run.plugins
    backprop = Backprop(network, plugin["cost"], run.batch_size, run.dropout, run.rng())
    eta, n, lmbda = state["eta"], N_IMAGES, run.lmbda
    X, _, Y = data(run.dtype)
    weights = network.weight_params
    scratch = np.empty_like(weights)  # the regularizer's gradient, as Penalty holds it
    for start in range(0, run.positions, run.batch_size):
        index = run.order[start : start + run.batch_size]
        m = len(index)
        scale = 1.0 / m if run.scales is None else (run.scales[index] / m)[:, None]
        grads = backprop.gradient(X[index], Y[index], scale)
        if isinstance(plugin["optimizer"], plugins.SGD) and not isinstance(
            plugin["regularizer"], plugins.L1
        ):
            # Plain SGD takes the book's decay w ← (1 − ηλ/n)w in one pass.
            if isinstance(plugin["regularizer"], plugins.L2) and lmbda:
                weights *= 1.0 - eta * lmbda / n
        else:
            penalty = plugin["regularizer"].gradient(weights, lmbda, n, out=scratch)
            if penalty is not None:
                backprop.grads[: network.n_weights] += penalty
        updates, state = optimizer_update(plugin["optimizer"], grads, state, network.params)
        network.params += updates


class Run:
    """One configuration trained for one epoch from fixed weights in a fixed order."""

    def __init__(
        self,
        cost,
        output,
        hidden,
        regularizer,
        optimizer,
        dtype,
        *,
        sizes=(N_PIXELS, 30, N_CLASSES),
        dropout=0.0,
        weighted=False,
        positions=N_IMAGES,
        batch_size=10,
        lmbda=LMBDA,
    ):
        self.config = (cost, output, hidden, regularizer, optimizer, dtype)
        self.names = {"cost": cost, "regularizer": regularizer, "optimizer": optimizer}
        self.activations = [hidden] * (len(sizes) - 2) + [output]
        self.sizes, self.dtype, self.dropout = sizes, dtype, dropout
        self.batch_size, self.lmbda = batch_size, lmbda
        #: Train on the first ``positions`` images of the order.
        self.positions = positions
        self.order = np.random.default_rng(2).permutation(N_IMAGES)
        weights = np.random.default_rng(3).random(N_IMAGES) + 0.5
        self.scales = (weights / weights.mean()).astype(dtype) if weighted else None
        # A linear network diverges at the η that suits the others.
        self.eta = ETAS[optimizer] / (20 if hidden == output == "identity" else 1)

    @property
    def plugins(self):
        return {kind: plugins.get(kind, name) for kind, name in self.names.items()}

    def rng(self):
        """The source of the dropout masks, the same for both engines."""
        return np.random.default_rng(4)

    def start(self):
        """A freshly initialized network and its optimizer state."""
        activations = [plugins.get("activation", name) for name in self.activations]
        network = Network(self.sizes, activations, self.dtype)
        network.initialize(plugins.get("initializer", "default"), np.random.default_rng(1))
        state = plugins.get("optimizer", self.names["optimizer"]).init(network.params)
        state["eta"] = self.eta
        return network, state

    def reference(self):
        network, state = self.start()
        reference_run(network, self, state)
        return network

    def trainer(self, network):
        return CompiledTrainer(
            network,
            **self.plugins,
            lmbda=self.lmbda,
            n_train=N_IMAGES,
            batch_size=self.batch_size,
            dropout=self.dropout,
            rng=self.rng(),
        )

    def compiled(self, sparse, batches_per_call=None):
        """Train on the compiled engine, in one call or ``batches_per_call`` at a time."""
        network, state = self.start()
        X, X_csr, Y = data(self.dtype)
        trainer = self.trainer(network)
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
            )
        return network


def accuracy(network, dtype):
    X = data(dtype)[0]
    return np.mean(network.feedforward(X).argmax(axis=1) == Y_DATA.argmax(axis=1))


def assert_same_training(reference, network, run):
    """Weights within the dtype's tolerance and the same predictions."""
    assert np.isfinite(reference.params).all()
    difference = np.max(np.abs(network.params - reference.params))
    assert difference <= TOLERANCE[run.dtype], f"max |Δw| = {difference:.3g}"
    X = data(run.dtype)[0]
    np.testing.assert_array_equal(
        network.feedforward(X).argmax(axis=1), reference.feedforward(X).argmax(axis=1)
    )


def assert_engines_agree(run):
    """Both engines give the same weights and predictions, on dense and CSR input.

    Except over a whole epoch with L1 in float32, which is ill-conditioned:
    L1 pins weights at zero, where sgn(w) flips at every step, so a rounding
    difference can move a weight by a whole step 2ηλ/n, which momentum
    carries on, and a ReLU unit fed by a shifted weight can switch on or off
    for a sample. The NumPy engine itself, started one ulp away, ends the
    epoch up to 5e-3 away; the compiled engine training linear outputs over
    ReLUs with momentum ends at 68.4 % training accuracy, or at 70.7 % from
    one ulp away, where NumPy ends at 70.8 %. There the engines must agree
    over the first ten mini-batches, and reach the same training accuracy
    within 3 points after the epoch.
    """
    reference = run.reference()
    if run.names["regularizer"] == "l1" and run.dtype == np.float32:
        start = Run(*run.config, positions=10 * run.batch_size)
        start_reference = start.reference()
        for sparse in (False, True):
            assert_same_training(start_reference, start.compiled(sparse), start)
            network = run.compiled(sparse)
            assert abs(accuracy(network, run.dtype) - accuracy(reference, run.dtype)) <= 0.03
        return
    for sparse in (False, True):
        assert_same_training(reference, run.compiled(sparse), run)


FACTORS = (
    OUTPUTS,
    ["sigmoid", "tanh", "relu", "identity"],
    ["none", "l2", "l1"],
    ["sgd", "momentum", "nesterov", "adam"],
    [np.float64, np.float32],
)


def pairwise(factors):
    """Configurations in which every pair of values of two factors occurs at least once.

    Greedy: each new configuration, from the whole product in order, is the
    one covering the most pairs not covered yet. About 30 of the 672.
    """
    indices = [range(len(values)) for values in factors]
    product = list(itertools.product(*indices))

    def pairs(combination):
        return {
            (i, combination[i], j, combination[j])
            for i, j in itertools.combinations(range(len(factors)), 2)
        }

    uncovered = set().union(*(pairs(combination) for combination in product))
    chosen = []
    while uncovered:
        best = max(product, key=lambda combination: len(pairs(combination) & uncovered))
        uncovered -= pairs(best)
        chosen.append(best)
    return {tuple(values[i] for values, i in zip(factors, c)) for c in chosen}


DEFAULT_SUBSET = pairwise(FACTORS)


def one_epoch_configurations():
    """The whole product; all but the pairwise subset only with ``-m slow``."""
    return [
        pytest.param(
            *values[0], *values[1:], marks=() if values in DEFAULT_SUBSET else pytest.mark.slow
        )
        for values in itertools.product(*FACTORS)
    ]


@pytest.mark.parametrize(
    "cost, output, hidden, regularizer, optimizer, dtype", one_epoch_configurations()
)
def test_one_epoch_equals_the_numpy_engine(cost, output, hidden, regularizer, optimizer, dtype):
    assert_engines_agree(Run(cost, output, hidden, regularizer, optimizer, dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_dropout_sample_weights_and_depth_equal_the_numpy_engine(optimizer, dtype):
    for options in (
        {"dropout": 0.3},
        {"weighted": True},
        {"sizes": (N_PIXELS, 40, 20, N_CLASSES), "dropout": 0.5, "weighted": True},
    ):
        assert_engines_agree(
            Run("cross_entropy", "sigmoid", "sigmoid", "l2", optimizer, dtype, **options)
        )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_widths_off_the_vector_size_and_no_hidden_layer_equal_the_numpy_engine(optimizer, dtype):
    # The kernels pad the first layer's rows to whole vector registers (8
    # float64 or 16 float32 numbers): 10 output units with no hidden layer,
    # and a first layer of 17 units, exercise the padding at both ends.
    for sizes in ((N_PIXELS, N_CLASSES), (N_PIXELS, 17, N_CLASSES)):
        assert_engines_agree(
            Run(
                "cross_entropy",
                "sigmoid",
                "sigmoid",
                "l2",
                optimizer,
                dtype,
                sizes=sizes,
                dropout=0.2 if len(sizes) > 2 else 0.0,
            )
        )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_hidden_layers_equal_the_numpy_engine(dtype):
    for optimizer in ("sgd", "momentum"):
        assert_engines_agree(Run("quadratic", "sigmoid", "softmax", "l2", optimizer, dtype))


@pytest.mark.parametrize("optimizer", ["sgd", "nesterov"])
def test_batch_by_batch_equals_one_call(optimizer):
    run = Run("cross_entropy", "sigmoid", "relu", "l2", optimizer, np.float64, dropout=0.2)
    whole = run.compiled(sparse=True)
    for batches_per_call in (1, 7):
        pieces = run.compiled(sparse=True, batches_per_call=batches_per_call)
        # Only the lazy decay's scale, folded back at the end of each call, rounds differently.
        np.testing.assert_allclose(pieces.params, whole.params, rtol=0, atol=1e-12)


@pytest.mark.parametrize("lmbda", [0.0, 2000.0, 15000.0])
def test_lazy_decay_folds_back_when_small_and_steps_aside_when_negative(lmbda):
    # ηλ/n = 0.2: the scale s of W₁ = s·V passes 1e-3 every 31 steps and is
    # folded back; ηλ/n = 1.5: a negative decay, applied to W₁ directly.
    run = Run("cross_entropy", "sigmoid", "sigmoid", "l2", "sgd", np.float64, lmbda=lmbda)
    assert_engines_agree(run)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dropout_masks_are_drawn_segment_by_segment_as_numpy_draws_them(dtype):
    # 1,000 mini-batches of one image: two kernel calls of at most 512 mini-batches.
    run = Run(
        "cross_entropy",
        "sigmoid",
        "sigmoid",
        "l2",
        "sgd",
        dtype,
        sizes=(N_PIXELS, 20, 20, N_CLASSES),
        dropout=0.4,
        batch_size=1,
    )
    assert_engines_agree(run)


def test_arrays_the_kernels_would_copy_are_refused():
    run = Run("cross_entropy", "sigmoid", "sigmoid", "l2", "sgd", np.float32)
    network, state = run.start()
    X, X_csr, Y = data(np.float32)
    trainer = run.trainer(network)
    for bad_X in (X.astype(np.float64), np.asfortranarray(X)):
        with pytest.raises(TypeError, match="C-contiguous in the network's dtype float32"):
            trainer.run(bad_X, Y, run.order, None, state)
    with pytest.raises(TypeError, match="CSR; got CSC"):
        trainer.run(X_csr.tocsc(), Y, run.order, None, state)


def test_every_supported_plugin_has_a_kernel_code():
    from sknielsen.engine import _kernels

    for kind, names in KERNELS.items():
        assert sorted(names) == sorted(_kernels.CODES[kind])


def test_unsupported_names_what_has_no_kernel():
    class Halved(plugins.Sigmoid):
        """A third-party variant: a subclass may change the maths."""

    network = Network((4, 3, 2), [plugins.Sigmoid(), Halved()])
    usual = {
        "cost": plugins.CrossEntropyCost(),
        "regularizer": plugins.L2(),
        "optimizer": plugins.SGD(),
    }
    assert "Halved" in unsupported(network, **usual, dropout=0.0, augment=None)
    plain = Network((4, 3, 2), [plugins.Sigmoid(), plugins.Sigmoid()])
    assert unsupported(plain, **usual, dropout=0.5, augment=None) is None
    assert "augmentation" in unsupported(plain, **usual, dropout=0.0, augment=np.flip)
    newton = dict(usual, optimizer=plugins.Newton())
    assert "Newton" in unsupported(plain, **newton, dropout=0.0, augment=None)
    with pytest.raises(ValueError, match="Newton has no compiled kernel"):
        CompiledTrainer(plain, **newton, lmbda=1.0, n_train=4, batch_size=2, dropout=0.0, rng=None)
