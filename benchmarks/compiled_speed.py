"""Speed of the compiled engine's kernels against NumPy, one MNIST epoch.

Usage::

    python benchmarks/compiled_speed.py            # 50,000 images, 5 repeats
    python benchmarks/compiled_speed.py --quick    # 10,000 images, 3 repeats

The workload is speed.py's: sigmoid neurons, cross-entropy cost, η = 0.5,
λ = 5.0 (L2), plain SGD, shuffled mini-batches, float64 and float32. Rows:

* **minimal NumPy loop**: ``reference_loops.minimal_epoch``, the floor of NumPy;
* **NumPy engine**: ``NielsenMLPClassifier(epochs=1, engine='numpy').fit``, input
  checks included;
* **estimator, numba, CSR**: the same with ``engine='numba'`` on CSR input: the
  compiled engine through the training loop, input checks and the epoch's loss included;
* **compiled, dense input** and **compiled, CSR input**: one
  ``CompiledTrainer.run`` over the epoch (trainer set-up and shuffling included).

Repeats are interleaved (every row, then every row again) and the table gives
medians; ratios compare rows of the same run. "% limit" is the arithmetic
rate against the measured matmul peak (speed.py's ``epoch_flops``, which
counts every input); "% limit, non-zeros" counts only the multiplications by
non-zero inputs in the first layer, the work the kernels actually do.
Compile time is measured separately, in fresh processes: with an empty
numba cache, then loading the cache that run left. Writes
``benchmarks/results/compiled_speed[-quick].json``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference_loops
from speed import (
    DEFAULT_DATA,
    ETA,
    LMBDA,
    epoch_flops,
    matmul_gflops,
    run_interleaved,
)

from sknielsen import NielsenMLPClassifier, plugins
from sknielsen.datasets import load_mnist
from sknielsen.engine._compiled import CompiledTrainer
from sknielsen.engine._network import Network

CONFIGURATIONS = [(10, (784, 30, 10)), (10, (784, 100, 10)), (100, (784, 30, 10))]

# Run in a fresh process: the time to compile (or load from the cache) and run
# the kernels once on a tiny problem, and where numba put its cache.
FIRST_CALL = """
import time
start = time.perf_counter()
import numpy as np
from sknielsen import plugins
from sknielsen.engine._compiled import CompiledTrainer
from sknielsen.engine._network import Network
for dtype in (np.float64, np.float32):
    net = Network((4, 3, 2), [plugins.Sigmoid(), plugins.Sigmoid()], dtype)
    trainer = CompiledTrainer(net, plugins.CrossEntropyCost(), plugins.L2(), plugins.SGD(),
                              lmbda=1.0, n_train=4, batch_size=2, dropout=0.0, rng=None)
    trainer.run(np.ones((4, 4), dtype), np.ones((4, 2), dtype), np.arange(4), None, {"eta": 0.1})
print(time.perf_counter() - start)
"""


def first_call_seconds(cache_dir):
    """Seconds for a fresh process to get the f64 and f32 kernels running once."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    result = subprocess.run(
        [sys.executable, "-c", FIRST_CALL], env=env, capture_output=True, text=True, check=True
    )
    return float(result.stdout.split()[-1])


def compile_times():
    """First call with an empty numba cache, then twice with the cache it left."""
    with tempfile.TemporaryDirectory() as cache_dir:
        cold = first_call_seconds(cache_dir)
        warm = [first_call_seconds(cache_dir) for _ in range(2)]
    baseline = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; s = time.perf_counter(); import sknielsen.engine._network, "
            "sknielsen.plugins; print(time.perf_counter() - s)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        "empty_cache_seconds": cold,
        "cached_seconds": min(warm),
        "import_without_kernels_seconds": float(baseline.stdout.split()[-1]),
    }


class Row:
    """One line of the table: a name, a configuration and a function training one epoch."""

    def __init__(self, name, dtype, batch, sizes, run):
        self.name, self.dtype, self.batch, self.sizes, self.run = name, dtype, batch, sizes, run
        self.seconds = []


def compiled_epoch(X, Y, dtype, batch, sizes):
    def run(seed):
        rng = np.random.default_rng(seed)
        network = Network(sizes, [plugins.Sigmoid()] * (len(sizes) - 1), dtype)
        network.initialize(plugins.DefaultInitializer(), rng)
        trainer = CompiledTrainer(
            network,
            plugins.CrossEntropyCost(),
            plugins.L2(),
            plugins.SGD(),
            lmbda=LMBDA,
            n_train=Y.shape[0],
            batch_size=batch,
            dropout=0.0,
            rng=rng,
        )
        trainer.run(X, Y, rng.permutation(Y.shape[0]), None, {"eta": ETA})

    return run


def minimal_epoch(X, Y, dtype, batch, sizes):
    def run(seed):
        rng = np.random.default_rng(seed)
        weights, biases = reference_loops.init_params(sizes, rng, dtype)
        reference_loops.minimal_epoch(
            weights, biases, X, Y, eta=ETA, lmbda=LMBDA, mini_batch_size=batch, rng=rng
        )

    return run


def estimator_epoch(X, y, dtype, batch, sizes, engine):
    def run(seed):
        NielsenMLPClassifier(
            hidden_layer_sizes=sizes[1:-1],
            eta=ETA,
            lmbda=LMBDA,
            mini_batch_size=batch,
            epochs=1,
            dtype=np.dtype(dtype).name,
            random_state=seed,
            engine=engine,
        ).fit(X, y)

    return run


def make_rows(X64, y):
    rows = []
    for dtype in (np.float64, np.float32):
        X = np.ascontiguousarray(X64, dtype=dtype)
        X_csr = sp.csr_matrix(X)
        Y = np.eye(10, dtype=dtype)[y]
        name = np.dtype(dtype).name
        for batch, sizes in CONFIGURATIONS:
            rows += [
                Row(
                    "minimal NumPy loop",
                    name,
                    batch,
                    sizes,
                    minimal_epoch(X, Y, dtype, batch, sizes),
                ),
                Row(
                    "NumPy engine",
                    name,
                    batch,
                    sizes,
                    estimator_epoch(X, y, dtype, batch, sizes, "numpy"),
                ),
                Row(
                    "estimator, numba, CSR",
                    name,
                    batch,
                    sizes,
                    estimator_epoch(X_csr, y, dtype, batch, sizes, "numba"),
                ),
                Row(
                    "compiled, dense input",
                    name,
                    batch,
                    sizes,
                    compiled_epoch(X, Y, dtype, batch, sizes),
                ),
                Row(
                    "compiled, CSR input",
                    name,
                    batch,
                    sizes,
                    compiled_epoch(X_csr, Y, dtype, batch, sizes),
                ),
            ]
    return rows


def nonzero_epoch_flops(sizes, n, nonzeros):
    """:func:`epoch_flops` counting only the first layer's products with non-zero inputs."""
    dense_first = 2 * 2 * n * sizes[0] * sizes[1]
    return epoch_flops(sizes, n) - dense_first + 2 * 2 * nonzeros * sizes[1]


def table(rows, n, nonzeros, peaks):
    """One dict per row: medians, speed-ups and fractions of the arithmetic limit."""
    minimal = {
        (r.dtype, r.batch, r.sizes): statistics.median(r.seconds)
        for r in rows
        if r.name == "minimal NumPy loop"
    }
    result = []
    for r in rows:
        seconds = statistics.median(r.seconds)
        peak = peaks[r.dtype]
        result.append(
            {
                "name": r.name,
                "dtype": r.dtype,
                "mini_batch_size": r.batch,
                "sizes": list(r.sizes),
                "median_seconds": seconds,
                "seconds": r.seconds,
                "speedup_vs_minimal_loop": minimal[(r.dtype, r.batch, r.sizes)] / seconds,
                "percent_of_limit": 100 * epoch_flops(r.sizes, n) / seconds / 1e9 / peak,
                "percent_of_limit_nonzeros": 100
                * nonzero_epoch_flops(r.sizes, n, nonzeros)
                / seconds
                / 1e9
                / peak,
            }
        )
    return result


def print_table(result, n, repeats):
    print(f"\nOne epoch of MNIST ({n:,} images), medians of {repeats} interleaved runs")
    header = (
        f"{'':24} {'dtype':8} {'batch':>5} {'sizes':14} {'s/epoch':>8} "
        f"{'× minimal':>9} {'% limit':>8} {'% limit nz':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in result:
        print(
            f"{r['name']:24} {r['dtype']:8} {r['mini_batch_size']:>5} "
            f"{str(r['sizes']).replace(' ', ''):14} {r['median_seconds']:8.3f} "
            f"{r['speedup_vs_minimal_loop']:9.2f} {r['percent_of_limit']:8.1f} "
            f"{r['percent_of_limit_nonzeros']:10.1f}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 images, 3 repeats")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    n = 10_000 if args.quick else 50_000
    started = time.perf_counter()

    compile_seconds = compile_times()
    print(
        f"kernels, f64 + f32, fresh process: {compile_seconds['empty_cache_seconds']:.1f} s with "
        f"an empty numba cache, {compile_seconds['cached_seconds']:.2f} s from the cache "
        f"(importing the package without them: "
        f"{compile_seconds['import_without_kernels_seconds']:.2f} s)"
    )
    mnist = load_mnist(args.data_dir)
    X, y = np.ascontiguousarray(mnist.X_train[:n]), mnist.y_train[:n]
    nonzeros = int(np.count_nonzero(X))
    peaks = {
        name: matmul_gflops(dt) for name, dt in (("float64", np.float64), ("float32", np.float32))
    }
    print(
        f"matmul peak: float64 {peaks['float64']:.0f}, float32 {peaks['float32']:.0f} GFLOP/s; "
        f"{100 * nonzeros / X.size:.1f} % of the pixels are non-zero"
    )

    rows = make_rows(X, y)
    for row in rows:
        row.run(seed=0)  # warm-up: kernels loaded, buffers and caches hot
    run_interleaved(rows, repeats, started)

    result = table(rows, n, nonzeros, peaks)
    print_table(result, n, repeats)
    out = HERE / "results" / f"compiled_speed{'-quick' if args.quick else ''}.json"
    out.write_text(
        json.dumps(
            {
                "command": "python benchmarks/compiled_speed.py"
                + (" --quick" if args.quick else ""),
                "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "n_train": n,
                "repeats": repeats,
                "eta": ETA,
                "lmbda": LMBDA,
                "nonzero_fraction": nonzeros / X.size,
                "matmul_gflops": peaks,
                "compile": compile_seconds,
                "rows": result,
                "total_seconds": time.perf_counter() - started,
            },
            indent=1,
        )
    )
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
