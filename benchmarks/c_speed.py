"""Speed of the C engine through the estimator against the NumPy floor, one MNIST epoch.

Usage::

    python benchmarks/c_speed.py                    # 50,000 images, 5 repeats
    python benchmarks/c_speed.py --quick            # 10,000 images, 3 repeats
    python benchmarks/c_speed.py --blas-threads 1   # the floor's BLAS on one thread
    python benchmarks/c_speed.py --larger           # also mini-batch 100 on larger networks
    python benchmarks/c_speed.py --threads 2        # also n_jobs=2 (wall clock only)

The workload is speed.py's: sigmoid neurons, cross-entropy cost, η = 0.5,
λ = 5.0 (L2), plain SGD, shuffled mini-batches, float64 and float32. Rows:

* **minimal NumPy loop**: ``reference_loops.minimal_epoch`` on dense input,
  the floor of NumPy (the targets are stated against it);
* **NumPy engine**: ``NielsenMLPClassifier(epochs=1, engine='numpy').fit``;
* **C engine, CSR** and **C engine, dense**: the same with ``engine='c'`` on
  CSR and on dense input: input checks, the training loop and the epoch's
  loss included;
* **C engine, CSR, later epochs**: the epochs after the first of a fit of
  ``1 + LATER_EPOCHS`` epochs, each timed from the end of the one before to
  its own end (a callback's ``on_epoch_end``): the training loop and the
  epoch's loss, without the checks and set-up that a fit pays once;
* **C engine, CSR, n_jobs=N** (with ``--threads N``): the C engine's first
  layer shared between N threads, which the CPU clock would add up: these
  runs time every row by the wall clock.

Repeats are interleaved (every row, then every row again) and the table
gives medians; ratios compare rows of the same run. The C engine trains on
one thread but in the n_jobs rows; ``--blas-threads`` limits the floor's BLAS threads (default: as
configured, as ``speed.py`` measures it), and ``--clock cpu`` times each
row by this process's CPU time instead of the wall clock, which other work
on a shared machine inflates. Also measured: the build of the
extension (``setup.py build_ext`` of its three variants, in a fresh
folder, with the environment's setuptools: 77 or later, as the ``test``
extra installs), and which variant this CPU runs. Writes
``benchmarks/results/c_speed[-quick][-threads].json``, or ``--out``: the
results of another processor beside those the docs' main table gives.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference_loops
from epoch_clock import EpochClock
from results_file import command_line, save_results
from speed import DEFAULT_DATA, ETA, LMBDA

from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_mnist
from sknielsen.engine import _cengine

#: (dtype, mini-batch, sizes) of the targets of the C engine issue, and the target ratio.
CONFIGURATIONS = [
    ("float64", 10, (784, 30, 10), 5.0),
    ("float32", 10, (784, 30, 10), 6.5),
    ("float64", 100, (784, 30, 10), 2.5),
    ("float32", 100, (784, 30, 10), 3.0),
    ("float64", 10, (784, 100, 10), 4.0),
]
#: Measured with --larger, to see where 'auto' should take the C engine.
LARGER = [
    ("float32", 10, (784, 100, 10), None),
    ("float64", 100, (784, 100, 10), None),
    ("float64", 100, (784, 300, 100, 10), None),
    ("float32", 100, (784, 300, 100, 10), None),
]


#: Epochs timed one by one after the first, in the "later epochs" rows.
LATER_EPOCHS = 2


class Row:
    """One line of the table: a name, a configuration and a function training one epoch.

    ``run(seed, clock)`` returns None, to be timed as a whole, or the
    seconds of the epochs it timed itself.
    """

    def __init__(self, name, dtype, batch, sizes, run, target=None):
        self.name, self.dtype, self.batch, self.sizes, self.run = name, dtype, batch, sizes, run
        self.target = target
        self.seconds = []


def minimal_epoch(X, Y, dtype, batch, sizes):
    def run(seed, clock):
        rng = np.random.default_rng(seed)
        weights, biases = reference_loops.init_params(sizes, rng, dtype)
        reference_loops.minimal_epoch(
            weights, biases, X, Y, eta=ETA, lmbda=LMBDA, mini_batch_size=batch, rng=rng
        )

    return run


def estimator_epoch(X, y, dtype, batch, sizes, engine, n_jobs=None, later=False):
    def run(seed, clock):
        model = NielsenMLPClassifier(
            hidden_layer_sizes=sizes[1:-1],
            eta=ETA,
            lmbda=LMBDA,
            mini_batch_size=batch,
            epochs=1 + LATER_EPOCHS if later else 1,
            dtype=dtype,
            random_state=seed,
            engine=engine,
            n_jobs=n_jobs,
            callbacks=[EpochClock(clock)] if later else None,
        ).fit(X, y)
        assert model.engine_ == engine, model.engine_
        if not later:
            return None
        # The estimator trains copies of its callbacks (as scikit-learn's clone would).
        (used,) = [c for c in model.callbacks_ if isinstance(c, EpochClock)]
        return np.diff(used.times).tolist()  # from one epoch's end to the next's

    return run


def make_rows(X64, y, configurations, threads=None):
    rows = []
    for dtype, batch, sizes, target in configurations:
        X = np.ascontiguousarray(X64, dtype=dtype)
        X_csr = sp.csr_matrix(X)
        Y = np.eye(10, dtype=dtype)[y]
        config = (dtype, batch, sizes)
        rows += [
            Row("minimal NumPy loop", *config, minimal_epoch(X, Y, dtype, batch, sizes)),
            Row("NumPy engine", *config, estimator_epoch(X, y, dtype, batch, sizes, "numpy")),
            Row(
                "C engine, CSR",
                *config,
                estimator_epoch(X_csr, y, dtype, batch, sizes, "c"),
                target,
            ),
            Row("C engine, dense", *config, estimator_epoch(X, y, dtype, batch, sizes, "c")),
            Row(
                "C engine, CSR, later epochs",
                *config,
                estimator_epoch(X_csr, y, dtype, batch, sizes, "c", later=True),
                target,
            ),
        ]
        if threads:
            run = estimator_epoch(X_csr, y, dtype, batch, sizes, "c", n_jobs=threads)
            rows.append(Row(f"C engine, CSR, n_jobs={threads}", *config, run, target))
    return rows


def run_interleaved(rows, repeats, started, clock):
    """Time every row once per repeat, all rows in turn, into ``row.seconds``."""
    for repeat in range(repeats):
        for row in rows:
            start = clock()
            timed = row.run(seed=repeat, clock=clock)
            row.seconds += [clock() - start] if timed is None else timed
        print(f"repeat {repeat + 1}/{repeats} done ({time.perf_counter() - started:.0f} s)")


def build_seconds():
    """Seconds for ``setup.py build_ext`` to compile the extension's variants from scratch."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "setup.py",
                "-q",
                "build_ext",
                "--force",
                "--build-lib",
                f"{folder}/lib",
                "--build-temp",
                f"{folder}/temp",
            ],
            cwd=HERE.parent,
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
        built = sorted(p.name.split(".")[0] for p in Path(folder, "lib").rglob("_ckernel*"))
    return {"seconds": seconds, "modules": built}


def table(rows):
    """One dict per row: medians and the ratio to the minimal loop of the same configuration."""
    minimal = {
        (r.dtype, r.batch, r.sizes): statistics.median(r.seconds)
        for r in rows
        if r.name == "minimal NumPy loop"
    }
    result = []
    for r in rows:
        seconds = statistics.median(r.seconds)
        result.append(
            {
                "name": r.name,
                "dtype": r.dtype,
                "mini_batch_size": r.batch,
                "sizes": list(r.sizes),
                "median_seconds": seconds,
                "seconds": r.seconds,
                "speedup_vs_minimal_loop": minimal[(r.dtype, r.batch, r.sizes)] / seconds,
                "target": r.target,
            }
        )
    return result


def print_table(result, n, repeats):
    print(f"\nOne epoch of MNIST ({n:,} images), medians of {repeats} interleaved runs")
    header = f"{'':28} {'dtype':8} {'batch':>5} {'sizes':18} {'s/epoch':>8} {'× minimal':>9} target"
    print(header)
    print("-" * len(header))
    for r in result:
        target = f"≥ {r['target']}×" if r["target"] else ""
        print(
            f"{r['name']:28} {r['dtype']:8} {r['mini_batch_size']:>5} "
            f"{str(r['sizes']).replace(' ', ''):18} {r['median_seconds']:8.3f} "
            f"{r['speedup_vs_minimal_loop']:9.2f} {target}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 images, 3 repeats")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--larger", action="store_true", help="also the larger networks")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="limit the floor's BLAS threads (default: as configured)",
    )
    parser.add_argument("--no-build", action="store_true", help="skip timing the build")
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="wall time, or this process's CPU time (steadier on a machine "
        "shared with other work; with --blas-threads 1 both sides run "
        "on one thread)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="also the C engine with n_jobs=THREADS (needs --clock wall: the CPU clock "
        "adds up the threads' times); results to c_speed-threads.json",
    )
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the results file (default: benchmarks/results/c_speed[-quick][-threads].json)",
    )
    args = parser.parse_args(argv)
    if args.threads and args.clock == "cpu":
        parser.error("--threads needs --clock wall: the CPU clock adds up the threads' times")
    repeats = args.repeats or (3 if args.quick else 5)
    n = 10_000 if args.quick else 50_000
    started = time.perf_counter()
    module, variant = _cengine.load()
    if module is None:
        sys.exit(f"The C engine is not available: {variant}.")
    print(f"C engine build: {variant}")
    build = None if args.no_build else build_seconds()
    if build:
        print(f"build_ext of {', '.join(build['modules'])}: {build['seconds']:.1f} s")

    mnist = load_mnist(args.data_dir)
    X, y = np.ascontiguousarray(mnist.X_train[:n]), mnist.y_train[:n]
    rows = make_rows(X, y, CONFIGURATIONS + (LARGER if args.larger else []), args.threads)
    limits = nullcontext()
    if args.blas_threads:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(args.blas_threads, user_api="blas")
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    with limits:
        for row in rows:
            row.run(seed=0, clock=clock)  # warm-up: buffers and caches hot
        run_interleaved(rows, repeats, started, clock)

    result = table(rows)
    print_table(result, n, repeats)
    suffix = ("-quick" if args.quick else "") + ("-threads" if args.threads else "")
    fields = {
        "variant": variant,
        "blas_threads": args.blas_threads,
        "clock": args.clock,
        "n_train": n,
        "repeats": repeats,
        "eta": ETA,
        "lmbda": LMBDA,
        "build": build,
        "rows": result,
        "total_seconds": time.perf_counter() - started,
    }
    out = save_results(
        args.out or HERE / "results" / f"c_speed{suffix}.json",
        fields,
        command=command_line(__file__, argv),
    )
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
