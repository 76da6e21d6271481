"""One epoch of the book's MNIST workload in sknielsen, scikit-learn, PyTorch and JAX.

Usage::

    flock /tmp/bench.lock python benchmarks/frameworks.py            # 50,000 images, 5 repeats
    flock /tmp/bench.lock python benchmarks/frameworks.py --n 5000 --repeats 2   # a quick look

PyTorch and JAX are not dependencies of sknielsen. Install them (CPU builds)
in the environment that runs this script, beside the package's own
dependencies; a framework that does not import is skipped, with the reason
printed::

    pip install torch --index-url https://download.pytorch.org/whl/cpu
    pip install "jax[cpu]"

The workload is the book's (chapter 3): MNIST's first ``--n`` training
images, the network [784, 30, 10] of sigmoid neurons, the cross-entropy cost
(summed over the ten outputs, averaged over the mini-batch), η = 0.5 and the
L2 weight decay W ← (1 − ηλ/n)·W with λ = 5 and n the training set's size,
applied to weights and not to biases at every mini-batch step; mini-batches
of 10 and 100, float64 and float32, a fresh shuffle each epoch. Rows, each
one epoch:

* **minimal NumPy loop**: ``reference_loops.minimal_epoch``, the floor; every
  ratio in the table is this row's time divided by the other row's, in the
  same run;
* **sknielsen, C engine, CSR / dense** and **sknielsen, NumPy engine**:
  ``NielsenMLPClassifier(epochs=1, engine=...).fit``, as ``c_speed.py``
  measures it (input checks, the training loop and the epoch's loss
  included), and **sknielsen, C kernel alone**: one ``CTrainer.run`` over the
  epoch on CSR input, without the estimator around it;
* **scikit-learn MLPClassifier, sigmoid outputs**: ``solver='sgd'``,
  ``activation='logistic'``, ``momentum=0``, ``max_iter=1``, fitted on the
  labels as a one-hot indicator matrix, so that its output layer is ten
  sigmoids with the binary log-loss summed over the outputs: the book's cost.
  Its L2 term is ``alpha / (2 m) Σw²`` per mini-batch of m samples, so its
  decay per step is 1 − η·alpha/m; ``alpha = λ·m/n`` gives the book's
  1 − ηλ/n exactly (for mini-batches of equal size, as here);
* **scikit-learn MLPClassifier, softmax outputs**: the same fitted on the
  class labels, as a user would: a softmax output layer with the log-loss,
  another network (the same δᴸ = a − y, but ten more exponentials per
  sample), so its weights are not compared;
* **PyTorch, autograd + optim.SGD**: the idiomatic loop, single-threaded
  (``torch.set_num_threads(1)``): ``nn.Sequential(Linear, Sigmoid, Linear)``,
  ``binary_cross_entropy_with_logits(..., reduction='sum') / m``,
  ``zero_grad``, ``backward``, ``torch.optim.SGD`` with two parameter groups:
  the weights with ``weight_decay = λ/n`` (SGD adds wd·w to the gradient, so
  a step is w ← (1 − η·λ/n)·w − η·g, the book's decay) and the biases with
  none; the data as tensors made once, each mini-batch indexed out of them
  with the epoch's shuffled index;
* **PyTorch, hand-written backprop**: the minimal loop in PyTorch, no autograd,
  every buffer preallocated and every operation in place or with ``out=``;
* **JAX, jit + lax.scan**: one jitted function trains the whole epoch, a
  ``lax.scan`` over the mini-batches' index rows, each step
  ``jax.grad`` of the same cost and the decayed update; float64 rows with
  ``jax_enable_x64``. Timed after compiling; the compile time
  (``lower(...).compile()``) is reported apart.

Single thread everywhere: the BLAS of NumPy, SciPy and scikit-learn through
``threadpoolctl`` (and ``OPENBLAS_NUM_THREADS=1``), ``torch.set_num_threads(1)``
and ``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false
intra_op_parallelism_threads=1``; the C engine runs on one thread. And the
whole process is pinned to one core (``os.sched_setaffinity``, before any
library starts a thread; ``--all-cores`` leaves it free): with the flags
alone, XLA's CPU client still ran each epoch on two worker threads in turn,
which cost 1.7–2× the CPU time of the same epoch on one core. Each row is
timed by this process's CPU clock (``time.process_time``, which counts every
thread; the wall clock of each repeat is recorded too). Repeats are
interleaved (every row, then every row again) after one warm-up run of each;
the table gives medians.

Before timing, every row that trains the book's network is checked against
the minimal loop: from the same initial weights and in the same shuffled
order (the estimators are given both through ``warm_start`` and a
pre-shuffled training set with ``shuffle=False``), one epoch's weights and
biases must agree with the floor's: ``max |w − w_floor| / max |w_floor|``
over all of them, ≤ 1e-10 in float64 and ≤ 1e-4 in float32, printed and
saved (a row beyond that is still timed, and the script then exits with an
error naming it). Writes ``benchmarks/results/frameworks[-n<n>].json``.
"""

import os
import sys

# Before NumPy, PyTorch or JAX start their thread pools: one core for the whole
# process and every thread it starts (XLA's CPU client, told to use one thread,
# still ran each epoch on two worker threads in turn, at 1.7–2× the CPU time).
PINNED = None
if "--all-cores" not in sys.argv and hasattr(os, "sched_setaffinity"):
    PINNED = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {PINNED})
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
)

import argparse
import platform
import statistics
import time
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_info, threadpool_limits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference_loops
from results_file import command_line, save_results
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from speed import DEFAULT_DATA, ETA, LMBDA

import sknielsen
from sknielsen import NielsenMLPClassifier, plugins
from sknielsen.datasets import load_mnist
from sknielsen.engine import _cengine
from sknielsen.engine._cengine import CTrainer
from sknielsen.engine._network import Network

SIZES = (784, 30, 10)
#: (dtype, mini-batch) of the table, in its order.
CONFIGURATIONS = [("float64", 10), ("float32", 10), ("float64", 100), ("float32", 100)]
#: Largest relative difference from the floor's weights after one epoch.
TOLERANCE = {"float64": 1e-10, "float32": 1e-4}
#: The algorithm's bound on one core of this machine kind, quoted in the C engine issue.
MACHINE_BOUND_SECONDS = {"float64": 0.035, "float32": 0.020}
FLOOR = "minimal NumPy loop"


def optional_frameworks():
    """Import PyTorch and JAX where installed: ({name: module}, {name: why skipped})."""
    found, skipped = {}, {}
    try:
        import torch

        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        found["torch"] = torch
    except ImportError as error:
        skipped["PyTorch"] = f"not importable ({error}); pip install torch"
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        found["jax"] = jax
    except ImportError as error:
        skipped["JAX"] = f"not importable ({error}); pip install 'jax[cpu]'"
    return found, skipped


class FixedOrder:
    """Stands in for a generator: ``permutation`` returns the given order."""

    def __init__(self, order):
        self.order = order

    def permutation(self, n):
        assert n == len(self.order)
        return self.order


class Data:
    """One configuration's training set in every form the rows need, made once."""

    def __init__(self, X64, y, dtype, batch):
        self.dtype, self.batch = np.dtype(dtype), batch
        self.X = np.ascontiguousarray(X64, dtype=dtype)
        self.X_csr = sp.csr_matrix(self.X)
        self.y = y
        self.Y = np.eye(10, dtype=dtype)[y]
        self.n = len(y)
        self.decay = 1 - ETA * LMBDA / self.n

    def start(self, seed):
        """The floor's initial weights and the epoch's order, as every loop row draws them."""
        rng = np.random.default_rng(seed)
        weights, biases = reference_loops.init_params(SIZES, rng, self.dtype)
        return weights, biases, rng.permutation(self.n)


class Row:
    """One line of the table: trains one epoch per call of ``run(seed)``.

    The loop rows implement ``train(weights, biases, order)``; the estimators
    draw their own start and order, and override ``run``.

    ``agree(weights, biases, order)`` trains one epoch from the given start in
    the given order and returns the final (weights, biases) as NumPy arrays,
    or is None where the row trains another network.
    """

    name = ""
    note = ""

    def __init__(self, data):
        self.data = data
        self.cpu_seconds, self.wall_seconds = [], []

    def run(self, seed):
        """One epoch from the floor's start for ``seed``, shuffled as the floor shuffles."""
        self.train(*self.data.start(seed))

    def train(self, weights, biases, order):
        raise NotImplementedError

    agree = None


class MinimalLoop(Row):
    name = FLOOR
    note = "reference_loops.minimal_epoch"

    def run(self, seed):
        d = self.data
        rng = np.random.default_rng(seed)
        weights, biases = reference_loops.init_params(SIZES, rng, d.dtype)
        reference_loops.minimal_epoch(
            weights, biases, d.X, d.Y, eta=ETA, lmbda=LMBDA, mini_batch_size=d.batch, rng=rng
        )

    def agree(self, weights, biases, order):
        d = self.data
        reference_loops.minimal_epoch(
            weights,
            biases,
            d.X,
            d.Y,
            eta=ETA,
            lmbda=LMBDA,
            mini_batch_size=d.batch,
            rng=FixedOrder(order),
        )
        return weights, biases


class Estimator(Row):
    """``NielsenMLPClassifier(epochs=1, engine=...).fit``, as c_speed.py times it."""

    def __init__(self, data, engine, sparse):
        super().__init__(data)
        self.engine, self.sparse = engine, sparse
        form = "CSR" if sparse else "dense"
        self.name = f"sknielsen, {'C' if engine == 'c' else 'NumPy'} engine" + (
            f", {form}" if engine == "c" else ""
        )
        self.note = f"NielsenMLPClassifier(epochs=1, engine={engine!r}).fit on {form} input"

    def model(self, seed, **params):
        d = self.data
        return NielsenMLPClassifier(
            hidden_layer_sizes=SIZES[1:-1],
            eta=ETA,
            lmbda=LMBDA,
            mini_batch_size=d.batch,
            epochs=1,
            dtype=d.dtype.name,
            random_state=seed,
            engine=self.engine,
            **params,
        )

    def run(self, seed):
        d = self.data
        model = self.model(seed).fit(d.X_csr if self.sparse else d.X, d.y)
        assert model.engine_ == self.engine, model.engine_

    def agree(self, weights, biases, order):
        d = self.data
        X = d.X_csr[order] if self.sparse else d.X[order]
        model = self.model(0, shuffle=False, warm_start=True)
        model.fit(X[:1000], d.y[order][:1000])  # sets up the fitted state, then replaced
        model.coefs_ = [w.copy() for w in weights]
        model.intercepts_ = [b.copy() for b in biases]
        model.fit(X, d.y[order])
        assert model.engine_ == self.engine, model.engine_
        return model.coefs_, model.intercepts_


class CKernel(Row):
    """One ``CTrainer.run`` over the epoch on CSR input: the C engine without the estimator."""

    name = "sknielsen, C kernel alone, CSR"
    note = "one CTrainer.run over the epoch (set-up and shuffle included, no estimator)"

    def train(self, weights, biases, order):
        d = self.data
        network = Network(SIZES, [plugins.Sigmoid(), plugins.Sigmoid()], d.dtype)
        network.set_coefs(weights, biases)
        trainer = CTrainer(
            network,
            plugins.CrossEntropyCost(),
            plugins.L2(),
            plugins.SGD(),
            lmbda=LMBDA,
            n_train=d.n,
            batch_size=d.batch,
            dropout=0.0,
            rng=None,
        )
        trainer.run(d.X_csr, d.Y, order, None, {"eta": ETA})
        return network

    def agree(self, weights, biases, order):
        network = self.train(weights, biases, order)
        return [w.copy() for w in network.weights], [b.copy() for b in network.biases]


class SklearnMLP(Row):
    """scikit-learn's MLPClassifier with plain SGD, one epoch."""

    def __init__(self, data, sigmoid_outputs):
        super().__init__(data)
        self.sigmoid_outputs = sigmoid_outputs
        if sigmoid_outputs:
            self.name = "scikit-learn MLPClassifier, sigmoid outputs"
            self.note = "fit on the one-hot indicator matrix: logistic outputs, binary log-loss"
            self.targets = data.Y.astype(np.int8)
        else:
            self.name = "scikit-learn MLPClassifier, softmax outputs"
            self.note = "fit on the class labels: softmax outputs, log-loss (another network)"
            self.targets = data.y
            self.agree = None

    def model(self, seed, **params):
        d = self.data
        return MLPClassifier(
            hidden_layer_sizes=SIZES[1:-1],
            activation="logistic",
            solver="sgd",
            learning_rate_init=ETA,
            batch_size=d.batch,
            momentum=0.0,
            nesterovs_momentum=False,
            alpha=LMBDA * d.batch / d.n,
            max_iter=1,
            early_stopping=False,
            tol=0.0,
            random_state=seed,
            **params,
        )

    def fit(self, model, X, targets):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return model.fit(X, targets)

    def run(self, seed):
        self.fit(self.model(seed), self.data.X, self.targets)

    def agree(self, weights, biases, order):
        d = self.data
        model = self.model(0, shuffle=False, warm_start=True)
        self.fit(model, d.X[order][:1000], self.targets[order][:1000])
        assert model.out_activation_ == "logistic", model.out_activation_
        model.coefs_ = [w.copy() for w in weights]
        model.intercepts_ = [b.copy() for b in biases]
        self.fit(model, d.X[order], self.targets[order])
        return model.coefs_, model.intercepts_


class TorchAutograd(Row):
    """The idiomatic PyTorch loop: a module, autograd and ``torch.optim.SGD``."""

    name = "PyTorch, autograd + optim.SGD"
    note = "nn.Sequential, BCE-with-logits (sum / m), optim.SGD with weight_decay=λ/n on weights"

    def __init__(self, data, torch):
        super().__init__(data)
        self.torch = torch
        nn = torch.nn
        dtype = getattr(torch, data.dtype.name)
        self.X, self.Y = torch.from_numpy(data.X), torch.from_numpy(data.Y)
        self.model = nn.Sequential(
            nn.Linear(SIZES[0], SIZES[1]), nn.Sigmoid(), nn.Linear(SIZES[1], SIZES[2])
        ).to(dtype)
        self.linears = [self.model[0], self.model[2]]
        self.optimizer = torch.optim.SGD(
            [
                {"params": [lin.weight for lin in self.linears], "weight_decay": LMBDA / data.n},
                {"params": [lin.bias for lin in self.linears], "weight_decay": 0.0},
            ],
            lr=ETA,
        )

    def train(self, weights, biases, order):
        torch, model, optimizer = self.torch, self.model, self.optimizer
        loss_function = torch.nn.functional.binary_cross_entropy_with_logits
        with torch.no_grad():
            for lin, w, b in zip(self.linears, weights, biases):
                lin.weight.copy_(torch.from_numpy(w.T))
                lin.bias.copy_(torch.from_numpy(b))
        order = torch.from_numpy(order)
        m = self.data.batch
        for start in range(0, len(order), m):
            index = order[start : start + m]
            x, y = self.X[index], self.Y[index]
            optimizer.zero_grad()
            loss = loss_function(model(x), y, reduction="sum") / len(index)
            loss.backward()
            optimizer.step()

    def agree(self, weights, biases, order):
        self.train(weights, biases, order)
        return (
            [lin.weight.detach().numpy().T.copy() for lin in self.linears],
            [lin.bias.detach().numpy().copy() for lin in self.linears],
        )


class TorchByHand(Row):
    """The minimal loop in PyTorch: backprop written out, buffers preallocated, no autograd."""

    name = "PyTorch, hand-written backprop"
    note = "no autograd; index_select/addmm/mm with out=, in-place sigmoid and updates"

    def __init__(self, data, torch):
        super().__init__(data)
        self.torch = torch
        dtype = getattr(torch, data.dtype.name)
        self.X, self.Y = torch.from_numpy(data.X), torch.from_numpy(data.Y)
        m, (n_in, n_hidden, n_out) = data.batch, SIZES
        self.W1, self.W2 = (
            torch.empty(n_in, n_hidden, dtype=dtype),
            torch.empty(n_hidden, n_out, dtype=dtype),
        )
        self.b1, self.b2 = torch.empty(n_hidden, dtype=dtype), torch.empty(n_out, dtype=dtype)
        self.buffers = {
            "x": torch.empty(m, n_in, dtype=dtype),
            "y": torch.empty(m, n_out, dtype=dtype),
            "a1": torch.empty(m, n_hidden, dtype=dtype),
            "a2": torch.empty(m, n_out, dtype=dtype),
            "d1": torch.empty(m, n_hidden, dtype=dtype),
            "s1": torch.empty(m, n_hidden, dtype=dtype),
            "gW1": torch.empty(n_in, n_hidden, dtype=dtype),
            "gW2": torch.empty(n_hidden, n_out, dtype=dtype),
            "gb1": torch.empty(n_hidden, dtype=dtype),
            "gb2": torch.empty(n_out, dtype=dtype),
        }

    def train(self, weights, biases, order):
        torch, d = self.torch, self.data
        W1, W2, b1, b2 = self.W1, self.W2, self.b1, self.b2
        for target, source in zip((W1, W2, b1, b2), (*weights, *biases)):
            target.copy_(torch.from_numpy(source))
        order = torch.from_numpy(order)
        m, decay = d.batch, d.decay
        assert len(order) % m == 0, "the preallocated loop takes whole mini-batches"
        buf = self.buffers
        x, y, a1, a2, d1, s1 = (buf[k] for k in ("x", "y", "a1", "a2", "d1", "s1"))
        gW1, gW2, gb1, gb2 = (buf[k] for k in ("gW1", "gW2", "gb1", "gb2"))
        step = ETA / m
        for start in range(0, len(order), m):
            index = order[start : start + m]
            torch.index_select(self.X, 0, index, out=x)
            torch.index_select(self.Y, 0, index, out=y)
            torch.addmm(b1, x, W1, out=a1).sigmoid_()
            torch.addmm(b2, a1, W2, out=a2).sigmoid_()
            a2.sub_(y)  # δ² of the cross-entropy cost
            torch.mm(a1.T, a2, out=gW2)
            torch.sum(a2, 0, out=gb2)
            torch.mm(a2, W2.T, out=d1)
            torch.mul(a1, a1, out=s1)
            torch.sub(a1, s1, out=s1)  # σ' = a − a²
            d1.mul_(s1)
            torch.mm(x.T, d1, out=gW1)
            torch.sum(d1, 0, out=gb1)
            W2.mul_(decay).sub_(gW2, alpha=step)
            b2.sub_(gb2, alpha=step)
            W1.mul_(decay).sub_(gW1, alpha=step)
            b1.sub_(gb1, alpha=step)

    def agree(self, weights, biases, order):
        self.train(weights, biases, order)
        return [self.W1.numpy().copy(), self.W2.numpy().copy()], [
            self.b1.numpy().copy(),
            self.b2.numpy().copy(),
        ]


class JaxScan(Row):
    """One jitted epoch: ``lax.scan`` of a ``jax.grad`` step over the mini-batches."""

    name = "JAX, jit + lax.scan"
    note = "jax.jit of one epoch: lax.scan over index rows, jax.grad of the same cost"

    def __init__(self, data, jax):
        super().__init__(data)
        self.jax = jax
        jnp = jax.numpy
        self.X, self.Y = jnp.asarray(data.X), jnp.asarray(data.Y)
        decay, m = data.decay, data.batch

        def cost(params, x, y):
            (W1, b1), (W2, b2) = params
            z = jax.nn.sigmoid(x @ W1 + b1) @ W2 + b2
            # −y·log σ(z) − (1 − y)·log(1 − σ(z)) = softplus(z) − y·z: the book's cost.
            return jnp.sum(jax.nn.softplus(z) - y * z) / m

        def step(params, index, X, Y):
            grads = jax.grad(cost)(params, X[index], Y[index])
            new = [(decay * W - ETA * gW, b - ETA * gb) for (W, b), (gW, gb) in zip(params, grads)]
            return new, None

        def epoch(params, X, Y, batches):
            return jax.lax.scan(lambda p, index: step(p, index, X, Y), params, batches)[0]

        self.epoch = jax.jit(epoch, donate_argnums=0)
        self.compiled = None

    def arguments(self, weights, biases, order):
        jnp = self.jax.numpy
        params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in zip(weights, biases)]
        return params, self.X, self.Y, jnp.asarray(order.reshape(-1, self.data.batch))

    def compile(self):
        """Seconds to lower and compile the epoch, once per configuration."""
        start = time.perf_counter()
        self.compiled = self.epoch.lower(*self.arguments(*self.data.start(0))).compile()
        return time.perf_counter() - start

    def train(self, weights, biases, order):
        params = self.compiled(*self.arguments(weights, biases, order))
        return self.jax.block_until_ready(params)

    def agree(self, weights, biases, order):
        params = self.train(weights, biases, order)
        return [np.asarray(W) for W, _ in params], [np.asarray(b) for _, b in params]


def make_rows(X64, y, frameworks):
    """Every row of every configuration, in the table's order; JAX compile times apart."""
    rows, compile_seconds = [], {}
    for dtype, batch in CONFIGURATIONS:
        data = Data(X64, y, dtype, batch)
        rows += [
            MinimalLoop(data),
            Estimator(data, "c", sparse=True),
            Estimator(data, "c", sparse=False),
            CKernel(data),
            Estimator(data, "numpy", sparse=False),
            SklearnMLP(data, sigmoid_outputs=True),
            SklearnMLP(data, sigmoid_outputs=False),
        ]
        if "torch" in frameworks:
            rows += [
                TorchAutograd(data, frameworks["torch"]),
                TorchByHand(data, frameworks["torch"]),
            ]
        if "jax" in frameworks:
            row = JaxScan(data, frameworks["jax"])
            compile_seconds[f"{dtype}, mini-batch {batch}"] = row.compile()
            rows.append(row)
    return rows, compile_seconds


def relative_difference(trained, reference):
    """max |w − w_ref| / max |w_ref| over every weight and bias of the network."""
    trained = [np.asarray(a, dtype=np.float64) for a in (*trained[0], *trained[1])]
    reference = [np.asarray(a, dtype=np.float64) for a in (*reference[0], *reference[1])]
    assert [a.shape for a in trained] == [a.shape for a in reference]
    largest = max(float(np.max(np.abs(r))) for r in reference)
    return max(float(np.max(np.abs(t - r))) for t, r in zip(trained, reference)) / largest


def check_agreement(rows):
    """Train one epoch from one start and order per configuration; compare with the floor."""
    result, floors = {}, {}
    for row in rows:  # each configuration's floor comes first
        d = row.data
        if row.name == FLOOR:
            weights, biases, order = d.start(seed=12345)
            reference = row.agree([w.copy() for w in weights], [b.copy() for b in biases], order)
            floors[id(d)] = (weights, biases, order, reference)
            continue
        key = f"{row.name} | {d.dtype.name}, mini-batch {d.batch}"
        if row.agree is None:
            result[key] = None
            print(f"  {key}: not compared ({row.note})")
            continue
        weights, biases, order, reference = floors[id(d)]
        trained = row.agree([w.copy() for w in weights], [b.copy() for b in biases], order)
        difference = relative_difference(trained, reference)
        result[key] = difference
        verdict = "ok" if difference <= TOLERANCE[d.dtype.name] else "DIFFERS"
        print(f"  {key}: {difference:.2e} {verdict}")
    return result


def run_interleaved(rows, repeats, started):
    """Time every row once per repeat, all rows in turn: CPU and wall clock."""
    for repeat in range(repeats):
        for row in rows:
            wall, cpu = time.perf_counter(), time.process_time()
            row.run(seed=repeat)
            row.cpu_seconds.append(time.process_time() - cpu)
            row.wall_seconds.append(time.perf_counter() - wall)
        print(f"repeat {repeat + 1}/{repeats} done ({time.perf_counter() - started:.0f} s)")


def table(rows, agreement):
    """One dict per row: medians, the floor's time divided by the row's, the agreement."""
    floor = {
        (r.data.dtype.name, r.data.batch): statistics.median(r.cpu_seconds)
        for r in rows
        if r.name == FLOOR
    }
    result = []
    for r in rows:
        d = r.data
        seconds = statistics.median(r.cpu_seconds)
        key = f"{r.name} | {d.dtype.name}, mini-batch {d.batch}"
        result.append(
            {
                "name": r.name,
                "note": r.note,
                "dtype": d.dtype.name,
                "mini_batch_size": d.batch,
                "median_cpu_seconds": seconds,
                "median_wall_seconds": statistics.median(r.wall_seconds),
                "cpu_seconds": r.cpu_seconds,
                "wall_seconds": r.wall_seconds,
                "speedup_vs_minimal_loop": floor[(d.dtype.name, d.batch)] / seconds,
                "times_machine_bound": seconds / MACHINE_BOUND_SECONDS[d.dtype.name],
                # None: the floor itself, or a row that trains another network.
                "relative_difference_from_floor": agreement.get(key),
                "compared": r.name != FLOOR and key in agreement and agreement[key] is not None,
            }
        )
    return result


def print_table(result, n, repeats):
    print(f"\nOne epoch of MNIST ({n:,} images), [784,30,10], CPU-clock medians of {repeats}")
    header = (
        f"{'':45} {'dtype':8} {'batch':>5} {'s/epoch':>8} {'× floor':>8} "
        f"{'wall s':>7} {'agrees':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in result:
        difference = r["relative_difference_from_floor"]
        agrees = f"{difference:.1e}" if r["compared"] else "floor" if r["name"] == FLOOR else "–"
        print(
            f"{r['name']:45} {r['dtype']:8} {r['mini_batch_size']:>5} "
            f"{r['median_cpu_seconds']:8.3f} {r['speedup_vs_minimal_loop']:8.2f} "
            f"{r['median_wall_seconds']:7.3f} {agrees:>9}"
        )


def versions(frameworks):
    found = {"python": platform.python_version(), "sknielsen": sknielsen.__version__}
    for name in ("numpy", "scipy", "scikit-learn", "torch", "jax", "jaxlib"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    found["c_engine_build"] = _cengine.load()[1]
    if "torch" in frameworks:
        torch = frameworks["torch"]
        found["torch_threads"] = torch.get_num_threads()
        found["torch_mkl"] = torch.backends.mkl.is_available()
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50_000, help="training images (default 50,000)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--all-cores",
        action="store_true",
        help="do not pin the process to one core (by default it runs on the last one it may use)",
    )
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    frameworks, skipped = optional_frameworks()
    for name, reason in skipped.items():
        print(f"Skipping {name}: {reason}")
    module, variant = _cengine.load()
    if module is None:
        sys.exit(f"The C engine is not available: {variant}.")
    mnist = load_mnist(args.data_dir)
    X, y = np.ascontiguousarray(mnist.X_train[: args.n]), mnist.y_train[: args.n]
    with threadpool_limits(1):
        rows, compile_seconds = make_rows(X, y, frameworks)
        for key, seconds in compile_seconds.items():
            print(f"JAX compile, {key}: {seconds:.2f} s")
        print("Weights after one epoch against the floor's (max |Δw| / max |w|):")
        agreement = check_agreement(rows)
        for row in rows:
            row.run(seed=100)  # warm-up: buffers and caches hot
        run_interleaved(rows, args.repeats, started)
        blas = [
            {k: info.get(k) for k in ("internal_api", "num_threads", "version")}
            for info in threadpool_info()
        ]

    result = table(rows, agreement)
    print_table(result, args.n, args.repeats)
    suffix = "" if args.n == 50_000 else f"-n{args.n}"
    fields = {
        "versions": versions(frameworks),
        "skipped": skipped,
        "blas_thread_pools": blas,
        "xla_flags": os.environ.get("XLA_FLAGS"),
        "pinned_to_cpu": PINNED,
        "clock": "cpu (time.process_time); wall clock recorded too",
        "n_train": args.n,
        "repeats": args.repeats,
        "eta": ETA,
        "lmbda": LMBDA,
        "sizes": list(SIZES),
        "machine_bound_seconds": MACHINE_BOUND_SECONDS,
        "tolerance": TOLERANCE,
        "jax_compile_seconds": compile_seconds,
        "agreement": agreement,
        "rows": result,
        "total_seconds": time.perf_counter() - started,
    }
    out = save_results(
        HERE / "results" / f"frameworks{suffix}.json", fields, command=command_line(__file__, argv)
    )
    print(f"Wrote {out}")
    differ = [
        f"{r['name']} ({r['dtype']}, mini-batch {r['mini_batch_size']})"
        for r in result
        if r["compared"] and r["relative_difference_from_floor"] > TOLERANCE[r["dtype"]]
    ]
    if differ:
        sys.exit(f"Trained other weights than the floor: {', '.join(differ)}.")


if __name__ == "__main__":
    main()
