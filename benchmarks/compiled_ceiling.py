"""How fast can a numba kernel train the book's network? A stripped-down probe.

Usage::

    python benchmarks/compiled_ceiling.py            # MNIST 50,000, 3 repeats
    python benchmarks/compiled_ceiling.py --quick    # 10,000 images

``compiled_speed.py`` times the compiled engine itself. This script asks what
is left to gain: it times the smallest numba kernel that trains one epoch of
the benchmark's workload (sigmoid [784, H, 10], cross-entropy, plain SGD with
the lazy L2 decay of the first layer, CSR input, mini-batch 10), with none of
the engine's generality (no plugin codes, no sample weights, no dropout, no
recorded outputs), and with parts of it switched off, to see where an epoch
goes:

* ``all``: the whole step;
* ``no forward``: without the first layer's product over the non-zero pixels;
* ``no exp``: without the exponentials of the sigmoids (linear units instead);
* ``no update``: without the first layer's weight update;
* ``all, W1 in L1``: the whole step with the pixel indices folded onto 32
  rows, so that the first layer's weights fit in the L1 cache: what is left
  is the cost of the instructions, not of the memory.

Hidden widths 30, 32, 64 and 100 separate the fixed cost of visiting a row of
W₁ from the cost per weight. Repeats are interleaved; medians are reported,
with the minimal NumPy loop of ``reference_loops.py`` timed in the same run.
Writes ``benchmarks/results/compiled_ceiling[-quick].json``.
"""

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from numba import njit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference_loops
from speed import DEFAULT_DATA, ETA, LMBDA

from sknielsen.datasets import load_mnist

WIDTHS = (30, 32, 64, 100)
PARTS = {  # name: (forward, exponentials, update, fold the pixels onto 32 rows)
    "all": (True, True, True, False),
    "no forward": (False, True, True, False),
    "no exp": (True, False, True, False),
    "no update": (True, True, False, False),
    "all, W1 in L1": (True, True, True, True),
}


@njit(error_model="numpy")
def _sigmoid(z, exponentials):
    return 1.0 / (1.0 + np.exp(-z)) if exponentials else z


@njit(error_model="numpy")
def _hidden(V, scale, bias, data, indices, lo, hi, z, forward, exponentials):
    """z ← σ(s·(x @ V) + b) over the non-zero inputs data[lo:hi] of one sample."""
    z[:] = 0.0
    if forward:
        for p in range(lo, hi):
            x, row = data[p], V[indices[p]]
            for j in range(z.size):
                z[j] += x * row[j]
    for j in range(z.size):
        z[j] = _sigmoid(scale * z[j] + bias[j], exponentials)


@njit(error_model="numpy")
def _update_rows(V, coefficient, data, indices, lo, hi, delta):
    """V[k] += coefficient · x_k · δ for the non-zero inputs x_k of one sample."""
    for p in range(lo, hi):
        x, row = coefficient * data[p], V[indices[p]]
        for j in range(delta.size):
            row[j] += x * delta[j]


@njit(error_model="numpy")
def stripped_epoch(net, data, indices, indptr, Y, order, batch, decay, parts):
    """One epoch of the stripped kernel; ``net`` is (V, b1, W2, b2), updated in place."""
    V, b1, W2, b2 = net
    forward, exponentials, update = parts
    hidden = np.zeros((batch, V.shape[1]), V.dtype)
    a1 = np.zeros((batch, V.shape[1]), V.dtype)
    delta2 = np.zeros((batch, W2.shape[1]), V.dtype)
    scale = 1.0
    for start in range(0, order.size, batch):
        m = min(batch, order.size - start)
        for i in range(m):
            r = order[start + i]
            lo, hi = indptr[r], indptr[r + 1]
            _hidden(
                V, V.dtype.type(scale), b1, data, indices, lo, hi, hidden[i], forward, exponentials
            )
            a1[i] = hidden[i]
            for o in range(W2.shape[1]):
                t = b2[o]
                for j in range(V.shape[1]):
                    t += a1[i, j] * W2[j, o]
                delta2[i, o] = (_sigmoid(t, exponentials) - Y[r, o]) / m
            for j in range(V.shape[1]):  # δ₁, without σ' (its cost is a few multiplications)
                t = 0.0
                for o in range(W2.shape[1]):
                    t += W2[j, o] * delta2[i, o]
                hidden[i, j] = t
        scale *= decay
        coefficient = V.dtype.type(-ETA / scale)
        for i in range(m):
            r = order[start + i]
            if update:
                _update_rows(V, coefficient, data, indices, indptr[r], indptr[r + 1], hidden[i])
            for j in range(V.shape[1]):
                for o in range(W2.shape[1]):
                    W2[j, o] = W2[j, o] * decay - ETA * a1[i, j] * delta2[i, o]
        if scale < 1e-3:
            V *= V.dtype.type(scale)
            scale = 1.0
    V *= V.dtype.type(scale)


def stripped_run(X_csr, Y, width, parts, rng):
    forward, exponentials, update, in_l1 = parts
    indices = X_csr.indices % 32 if in_l1 else X_csr.indices
    dtype = Y.dtype
    net = (
        (rng.standard_normal((784, width)) / 28).astype(dtype),
        np.zeros(width, dtype),
        rng.standard_normal((width, 10)).astype(dtype),
        np.zeros(10, dtype),
    )
    order = rng.permutation(Y.shape[0])
    decay = 1 - ETA * LMBDA / Y.shape[0]
    start = time.perf_counter()
    stripped_epoch(
        net, X_csr.data, indices, X_csr.indptr, Y, order, 10, decay, (forward, exponentials, update)
    )
    return time.perf_counter() - start


def minimal_run(X, Y, width, rng):
    weights, biases = reference_loops.init_params([784, width, 10], rng, Y.dtype)
    start = time.perf_counter()
    reference_loops.minimal_epoch(
        weights, biases, X, Y, eta=ETA, lmbda=LMBDA, mini_batch_size=10, rng=rng
    )
    return time.perf_counter() - start


def measure(X64, y, repeats):
    seconds = {}
    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        X = np.ascontiguousarray(X64, dtype=dtype)
        X_csr, Y = sp.csr_matrix(X), np.eye(10, dtype=dtype)[y]
        stripped_run(X_csr[:100], Y[:100], 30, PARTS["all"], rng)  # compile
        for _ in range(repeats):
            for width in WIDTHS:
                key = (np.dtype(dtype).name, width)
                seconds.setdefault((*key, "minimal NumPy loop"), []).append(
                    minimal_run(X, Y, width, rng)
                )
                for part, flags in PARTS.items():
                    if width != 30 and part == "all, W1 in L1":
                        continue
                    seconds.setdefault((*key, part), []).append(
                        stripped_run(X_csr, Y, width, flags, rng)
                    )
    return [
        {"dtype": d, "width": w, "row": r, "seconds": statistics.median(s)}
        for (d, w, r), s in seconds.items()
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    args = parser.parse_args(argv)
    n, repeats = (10_000, 3) if args.quick else (50_000, 3)
    mnist = load_mnist(args.data_dir)
    rows = measure(mnist.X_train[:n], mnist.y_train[:n], repeats)
    print(f"seconds per epoch of {n:,} images, median of {repeats} interleaved repeats")
    print("| dtype | H | row | s/epoch |\n|---|---:|---|---:|")
    for row in rows:
        print(f"| {row['dtype']} | {row['width']} | {row['row']} | {row['seconds']:.3f} |")
    out = HERE / "results" / f"compiled_ceiling{'-quick' if args.quick else ''}.json"
    out.write_text(
        json.dumps(
            {
                "command": "python benchmarks/compiled_ceiling.py"
                + (" --quick" if args.quick else ""),
                "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "images": n,
                "repeats": repeats,
                "rows": rows,
            },
            indent=1,
        )
    )
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
