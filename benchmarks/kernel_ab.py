"""Two builds of the C engine's kernels, their bare MNIST epochs alternating in one process.

Usage::

    python benchmarks/kernel_ab.py --save-build /tmp/before   # the build in place now
    # ... change the kernel, python setup.py build_ext --inplace ...
    python benchmarks/kernel_ab.py --save-build /tmp/after
    python benchmarks/kernel_ab.py /tmp/before /tmp/after --dtype float32 --pairs 10

A kernel change of a millisecond in a 30 ms epoch hides in the noise of two
processes on a shared machine. Here both builds are loaded into one
process (the module this CPU runs, from each folder) and train the same
network from the same weights, epoch after epoch, in turns (A B, B A, ...);
the difference of each pair's CPU times is taken, and its median printed
with each build's. The network is the book's ([784,30,10] unless
``--sizes``), sigmoid, cross-entropy, η = 0.5, λ = 5, plain SGD, on
MNIST's 50,000 training images as CSR: a bare ``CTrainer.run`` epoch,
without the estimator around it. Where the code lands moves an epoch by
about a millisecond too: build both alike (``CFLAGS='-falign-functions=64
-falign-loops=64'`` for both, say) to compare finer than that.
"""

import argparse
import importlib.machinery
import importlib.util
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from speed import DEFAULT_DATA, ETA, LMBDA

from sknielsen import plugins
from sknielsen.datasets import load_mnist
from sknielsen.engine import _cengine
from sknielsen.engine._network import Network

ENGINE = Path(_cengine.__file__).resolve().parent


def save_build(folder):
    """Copy the kernels built in place (``setup.py build_ext --inplace``) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    built = sorted(ENGINE.glob("_ckernel_*.so")) + sorted(ENGINE.glob("_ckernel_*.pyd"))
    if not built:
        raise SystemExit(f"no kernels built in {ENGINE}: run python setup.py build_ext --inplace")
    for path in built:
        shutil.copy2(path, folder / path.name)
    print(f"Copied {len(built)} kernel modules into {folder}")


def load_build(folder):
    """The kernel module this CPU runs, loaded from ``folder`` as a module of its own."""
    name = _cengine.load()[0].__name__  # e.g. sknielsen.engine._ckernel_v4
    stem = name.rsplit(".", 1)[1]
    if not Path(folder).is_dir():
        raise SystemExit(f"{folder} is not a folder")
    # Extension modules only: the engine's own folder holds the sources too (_ckernel_v4.c).
    found = [Path(folder) / (stem + suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES]
    found = [path for path in found if path.is_file()]
    if not found:
        raise SystemExit(f"{folder} holds no {stem} module for this Python")
    spec = importlib.util.spec_from_file_location(name, found[0])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def trainer(module, sizes, dtype, batch):
    """A C trainer of the book's network on ``module``, from fixed starting weights."""
    sigmoid = plugins.get("activation", "sigmoid")
    network = Network(sizes, [sigmoid] * (len(sizes) - 1), dtype)
    network.initialize(plugins.get("initializer", "default"), np.random.default_rng(1))
    trained = _cengine.CTrainer(
        network,
        plugins.CrossEntropyCost(),
        plugins.L2(),
        plugins.SGD(),
        lmbda=LMBDA,
        n_train=50_000,
        batch_size=batch,
        dropout=0.0,
        rng=np.random.default_rng(4),
    )
    trained.module = module
    return trained


def alternate(runs, X, Y, pairs):
    """CPU seconds of each build's epochs, taken in turns (A B, B A, ...) after a pair."""
    builds = list(runs)
    seconds = {folder: [] for folder in builds}
    costs = np.empty(X.shape[0])
    for repeat in range(pairs + 1):
        order = np.random.default_rng(repeat).permutation(X.shape[0])
        for folder in builds if repeat % 2 else builds[::-1]:
            start = time.process_time()
            runs[folder].run(X, Y, order, None, {"eta": ETA}, costs=costs)
            if repeat:
                seconds[folder].append(time.process_time() - start)
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("builds", nargs="*", help="two folders of built kernels: A and B")
    parser.add_argument("--save-build", metavar="FOLDER", help="copy the build in place there")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--sizes", default="784,30,10")
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    args = parser.parse_args(argv)
    if args.save_build:
        save_build(args.save_build)
        return
    if len(args.builds) != 2:
        parser.error("give two folders of built kernels (or --save-build FOLDER)")
    if Path(args.builds[0]).resolve() == Path(args.builds[1]).resolve():
        parser.error("A and B are one folder: copy it to compare a build with itself")
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    modules = [load_build(folder) for folder in args.builds]  # before the data: fail fast
    if modules[0] is modules[1]:  # Python handed back the first build: nothing to compare
        raise SystemExit("the two builds loaded as one module; compare them in two folders")
    mnist = load_mnist(args.data_dir)
    X = sp.csr_matrix(np.asarray(mnist.X_train, dtype=args.dtype))
    Y = np.eye(10, dtype=args.dtype)[mnist.y_train]
    sizes = tuple(int(size) for size in args.sizes.split(","))
    runs = {
        folder: trainer(module, sizes, args.dtype, args.batch)
        for folder, module in zip(args.builds, modules)
    }
    with threadpool_limits(1, user_api="blas"):  # no BLAS thread spinning beside
        seconds = alternate(runs, X, Y, args.pairs)
    a, b = args.builds
    for folder in (a, b):
        print(f"{folder}: median {1000 * statistics.median(seconds[folder]):.2f} ms")
    differences = [1000 * (y - x) for x, y in zip(seconds[a], seconds[b])]
    print(
        f"B - A, median of {args.pairs} pairs: {statistics.median(differences):+.2f} ms "
        f"({args.dtype}, mini-batch {args.batch}, {list(sizes)})"
    )


if __name__ == "__main__":
    main()
