"""Speed of one training epoch on MNIST: sknielsen vs scikit-learn vs the book.

Usage::

    python benchmarks/speed.py            # full: 50,000 images, 5 repeats
    python benchmarks/speed.py --quick    # 10,000 images, 3 repeats, < 1 minute
    python benchmarks/speed.py --engine c # our rows on the C engine (default: NumPy)

Every row trains the network once per repeat, and the repeats are
interleaved (row A, row B, ..., then again) so that the machine's drift hits
every row alike; the table reports medians. Ratios compare rows of the same
run only. Writes ``benchmarks/results/speed[-quick].json``.

The workload is the book's: sigmoid neurons, cross-entropy cost, η = 0.5,
λ = 5.0 (L2), shuffled mini-batches. scikit-learn's ``MLPClassifier`` gets
the closest settings: ``solver="sgd"``, ``momentum=0``, the same batch size
and η, ``alpha = λ·m/n`` (its L2 term is scaled per mini-batch, the book's
per training set), no early stopping, one iteration. It differs in its
output layer: softmax with the log-loss instead of sigmoids with the
cross-entropy (same δᴸ = a − y, ten more exponentials per sample).
"""

import argparse
import itertools
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference_loops
from epoch_clock import timed_fit
from results_file import command_line, save_results
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import sknielsen
from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_mnist

ETA, LMBDA = 0.5, 5.0
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "mnist"


def epoch_flops(sizes, n):
    """FLOPs of one epoch: forward, weight gradients and hidden-layer errors.

    Each weight costs 2 FLOPs per sample in the forward pass and 2 in its
    gradient; the errors δ of the hidden layers cost 2 more per weight of the
    layers above the first (the input layer needs no δ).
    """
    weights = [i * o for i, o in itertools.pairwise(sizes)]
    return 2 * n * (2 * sum(weights) + sum(weights[1:]))


def matmul_gflops(dtype, size=2048, repeats=5):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size)).astype(dtype)
    b = rng.standard_normal((size, size)).astype(dtype)
    a @ b  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times) / 1e9


class Row:
    """One line of the table: a name and a function that trains one epoch."""

    def __init__(self, name, kind, dtype, batch, sizes, run):
        self.name, self.kind, self.dtype, self.batch = name, kind, dtype, batch
        self.sizes, self.run = sizes, run
        self.seconds = []


def ours_network(engine, **params):
    """Our classifier on the book's workload, trained by ``engine``."""
    return NielsenMLPClassifier(eta=ETA, lmbda=LMBDA, engine=engine, **params)


def make_rows(data, quick, engine):
    X64, y = data["X"], data["y"]
    X32 = X64.astype(np.float32)
    Y = {np.float64: np.eye(10)[y], np.float32: np.eye(10, dtype=np.float32)[y]}
    X = {np.float64: X64, np.float32: X32}
    n = len(y)
    rows = []

    def ours(dtype, batch, hidden):
        def run(seed):
            net = ours_network(
                engine,
                hidden_layer_sizes=hidden,
                mini_batch_size=batch,
                epochs=1,
                dtype=np.dtype(dtype).name,
                random_state=seed,
            )
            net.fit(X[dtype], y)

        return run

    def sklearn(dtype, batch, hidden):
        def run(seed):
            net = MLPClassifier(
                hidden_layer_sizes=hidden,
                activation="logistic",
                solver="sgd",
                learning_rate_init=ETA,
                batch_size=batch,
                momentum=0.0,
                nesterovs_momentum=False,
                alpha=LMBDA * batch / n,
                max_iter=1,
                shuffle=True,
                early_stopping=False,
                tol=0.0,
                random_state=seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                net.fit(X[dtype], y)

        return run

    def reference(epoch, dtype, batch, hidden):
        def run(seed):
            rng = np.random.default_rng(seed)
            weights, biases = reference_loops.init_params((784, *hidden, 10), rng, dtype)
            epoch(
                weights,
                biases,
                X[dtype],
                Y[dtype],
                eta=ETA,
                lmbda=LMBDA,
                mini_batch_size=batch,
                rng=rng,
            )

        return run

    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        for batch in (10, 100):
            hidden = (30,)
            sizes = (784, 30, 10)
            rows.append(Row("sknielsen", "ours", name, batch, sizes, ours(dtype, batch, hidden)))
            rows.append(
                Row(
                    "minimal NumPy loop",
                    "minimal",
                    name,
                    batch,
                    sizes,
                    reference(reference_loops.minimal_epoch, dtype, batch, hidden),
                )
            )
            rows.append(
                Row(
                    "scikit-learn MLPClassifier",
                    "sklearn",
                    name,
                    batch,
                    sizes,
                    sklearn(dtype, batch, hidden),
                )
            )
    rows.append(
        Row(
            "book per-example loop",
            "book",
            "float64",
            10,
            (784, 30, 10),
            reference(reference_loops.book_epoch, np.float64, 10, (30,)),
        )
    )
    for hidden in ((100,), (300, 100)):
        sizes = (784, *hidden, 10)
        for dtype in (np.float64, np.float32):
            name = np.dtype(dtype).name
            rows.append(Row("sknielsen", "ours", name, 100, sizes, ours(dtype, 100, hidden)))
            rows.append(
                Row(
                    "minimal NumPy loop",
                    "minimal",
                    name,
                    100,
                    sizes,
                    reference(reference_loops.minimal_epoch, dtype, 100, hidden),
                )
            )
            rows.append(
                Row(
                    "scikit-learn MLPClassifier",
                    "sklearn",
                    name,
                    100,
                    sizes,
                    sklearn(dtype, 100, hidden),
                )
            )
    if quick:
        rows = [r for r in rows if r.sizes != (784, 300, 100, 10) or r.dtype == "float32"]
    return rows


def run_interleaved(rows, repeats, started):
    """Time every row once per repeat, all rows in turn, into ``row.seconds``."""
    for repeat in range(repeats):
        for row in rows:
            start = time.perf_counter()
            row.run(seed=repeat)
            row.seconds.append(time.perf_counter() - start)
        print(f"repeat {repeat + 1}/{repeats} done ({time.perf_counter() - started:.0f} s)")


def first_epoch_vs_rest(X, y, dtype, engine, epochs=4):
    """Seconds of each epoch of one fit."""
    net = ours_network(engine, epochs=epochs, dtype=dtype, random_state=0)
    return timed_fit(net, X, y).durations


def peak_memory(X, y, dtype, engine):
    """Peak bytes allocated by a fit, beyond the training data already in memory."""
    tracemalloc.start()
    ours_network(engine, epochs=1, dtype=dtype, random_state=0).fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def loss_curve_seconds(n, dtype, repeats):
    """Seconds per epoch of what ``loss_curve_`` adds to training, timed alone.

    The forward passes write their outputs straight into an epoch buffer (no
    copy), so what ``loss_curve_`` costs is its mean cost, once per epoch:
    this repeats exactly that, through the loop's own code, on the shapes of
    the book's network.
    """
    from sknielsen.engine._network import Network
    from sknielsen.plugins import L2, SGD, CrossEntropyCost, Sigmoid
    from sknielsen.training._loop import Batching, Penalty, Trainer, TrainingData, _MiniBatches

    rng = np.random.default_rng(0)
    network = Network((784, 30, 10), [Sigmoid(), Sigmoid()], dtype=dtype)
    Y = np.eye(10, dtype=dtype)[rng.integers(10, size=n)]
    penalty = Penalty(L2(), LMBDA, n, network.n_weights, network.dtype)
    trainer = Trainer(
        network,
        cost=CrossEntropyCost(),
        penalty=penalty,
        optimizer=SGD(),
        state={"eta": ETA, "eta0": ETA},
    )
    X = np.broadcast_to(np.zeros(1, dtype=dtype), (n, 784))  # only its shape is read
    batches = _MiniBatches(trainer, TrainingData(X, Y), Batching(10), rng)
    batches.outputs[...] = rng.uniform(0.01, 0.99, Y.shape)
    batches.order = rng.permutation(n)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        batches.epoch_loss()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def prediction_throughput(net, X, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        net.predict(X)
        times.append(time.perf_counter() - start)
    return len(X) / statistics.median(times)


def markdown_table(result):
    """The table of a result as Markdown, for docs/performance.md."""
    lines = [
        "| row | dtype | batch | sizes | s/epoch | GFLOP/s | % of matmul peak "
        "| × faster than sklearn | ÷ minimal loop | × faster than book loop |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]

    def fmt(value):
        return "–" if value is None else f"{value:.2f}"

    for r in result["rows"]:
        lines.append(
            f"| {r['name']} | {r['dtype']} | {r['mini_batch_size']} | "
            f"{str(r['sizes']).replace(' ', '')} | {r['median_seconds']:.3f} | "
            f"{r['gflops']:.1f} | {r['percent_of_matmul_peak']:.1f} | "
            f"{fmt(r['speedup_vs_sklearn'])} | {fmt(r['ratio_to_minimal_loop'])} | "
            f"{fmt(r['speedup_vs_book_loop'])} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 images, 3 repeats")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    parser.add_argument("--out", default=None, help="JSON file to write")
    parser.add_argument(
        "--engine",
        default="numpy",
        choices=["numpy", "c", "auto"],
        help="the engine of our rows (default numpy: the C engine's table is c_speed.py's)",
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    n = 10_000 if args.quick else 50_000

    started = time.perf_counter()
    mnist = load_mnist(args.data_dir)
    data = {"X": np.ascontiguousarray(mnist.X_train[:n]), "y": mnist.y_train[:n]}
    peaks = {dt: matmul_gflops(dt) for dt in (np.float32, np.float64)}
    print(
        f"matmul peak (2048×2048): float32 {peaks[np.float32]:.0f} GFLOP/s, "
        f"float64 {peaks[np.float64]:.0f} GFLOP/s"
    )

    rows = make_rows(data, args.quick, args.engine)
    run_interleaved(rows, repeats, started)

    def median(kind, dtype, batch, sizes):
        for row in rows:
            if (row.kind, row.dtype, row.batch, row.sizes) == (kind, dtype, batch, sizes):
                return statistics.median(row.seconds)
        return None

    book_sizes = (784, 30, 10)
    book = median("book", "float64", 10, book_sizes)
    table = []
    for row in rows:
        seconds = statistics.median(row.seconds)
        flops = epoch_flops(row.sizes, n)
        peak = peaks[np.float32 if row.dtype == "float32" else np.float64]
        sk = median("sklearn", row.dtype, row.batch, row.sizes)
        minimal = median("minimal", row.dtype, row.batch, row.sizes)
        table.append(
            {
                "name": row.name,
                "dtype": row.dtype,
                "mini_batch_size": row.batch,
                "sizes": list(row.sizes),
                "median_seconds": seconds,
                "seconds": row.seconds,
                "gflops": flops / seconds / 1e9,
                "percent_of_matmul_peak": 100 * flops / seconds / 1e9 / peak,
                "speedup_vs_sklearn": sk / seconds if sk else None,
                "ratio_to_minimal_loop": seconds / minimal if minimal else None,
                "speedup_vs_book_loop": book / seconds if row.sizes == book_sizes else None,
            }
        )

    X_test = mnist.X_test
    net = ours_network(args.engine, epochs=1, random_state=0).fit(data["X"], data["y"])
    throughput = {
        "float64": prediction_throughput(net, X_test, repeats),
        "float32": prediction_throughput(
            ours_network(args.engine, epochs=1, dtype="float32", random_state=0).fit(
                data["X"].astype(np.float32), data["y"]
            ),
            X_test.astype(np.float32),
            repeats,
        ),
    }
    epochs = {
        dt: first_epoch_vs_rest(data["X"].astype(dt), data["y"], dt, args.engine)
        for dt in ("float64", "float32")
    }
    memory = {
        dt: peak_memory(data["X"].astype(dt), data["y"], dt, args.engine)
        for dt in ("float64", "float32")
    }
    loss_overhead = {
        dt: 100
        * loss_curve_seconds(n, np.dtype(dt), repeats)
        / median("ours", dt, 10, (784, 30, 10))
        for dt in ("float64", "float32")
    }

    print()
    print(
        f"One epoch of MNIST ({n:,} images), medians of {repeats} runs; "
        f"FLOPs per epoch for [784,30,10]: {epoch_flops((784, 30, 10), n) / 1e9:.2f} G"
    )
    header = (
        f"{'':28} {'dtype':8} {'batch':>5} {'sizes':18} {'seconds':>8} {'GFLOP/s':>8} "
        f"{'%peak':>6} {'vs sklearn':>10} {'vs minimal':>10} {'vs book':>8}"
    )
    print(header)
    print("-" * len(header))

    def fmt(value, pattern):
        return format(value, pattern) if value is not None else "-"

    for r in table:
        print(
            f"{r['name']:28} {r['dtype']:8} {r['mini_batch_size']:>5} "
            f"{str(r['sizes']).replace(' ', ''):18} {r['median_seconds']:8.3f} {r['gflops']:8.1f} "
            f"{r['percent_of_matmul_peak']:6.1f} {fmt(r['speedup_vs_sklearn'], '9.2f')}x "
            f"{fmt(r['ratio_to_minimal_loop'], '9.2f')}x {fmt(r['speedup_vs_book_loop'], '7.2f')}x"
        )
    print()
    for dt in ("float64", "float32"):
        times = epochs[dt]
        print(
            f"{dt}: epoch seconds of one 4-epoch fit {[round(t, 3) for t in times]}; "
            f"fit peak memory {memory[dt] / 2**20:.1f} MiB "
            f"(training data {data['X'].astype(dt).nbytes / 2**20:.1f} MiB); "
            f"prediction {throughput[dt]:,.0f} images/s; loss_curve_ bookkeeping "
            f"{loss_overhead[dt]:.1f} % of the batch-10 epoch"
        )
    elapsed = time.perf_counter() - started
    print(f"\nTotal {elapsed:.0f} s.")

    result = {
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "sknielsen": sknielsen.__version__,
        },
        "engine": args.engine,
        "n_train": n,
        "repeats": repeats,
        "eta": ETA,
        "lmbda": LMBDA,
        "matmul_gflops": {"float32": peaks[np.float32], "float64": peaks[np.float64]},
        "epoch_flops_784_30_10": epoch_flops((784, 30, 10), n),
        "rows": table,
        "epoch_seconds_of_one_fit": epochs,
        "fit_peak_memory_bytes": memory,
        "prediction_images_per_second": throughput,
        "loss_curve_percent_of_batch_10_epoch": loss_overhead,
        "total_seconds": elapsed,
    }
    out = Path(args.out or HERE / "results" / f"speed{'-quick' if args.quick else ''}.json")
    save_results(out, result, command=command_line(__file__, argv), table=markdown_table(result))
    print(f"Wrote {out} and {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
