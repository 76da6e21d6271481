"""The C engine's first layer alone on MNIST, by where its input rows come from.

Usage::

    python benchmarks/first_layer_bound.py             # 50,000 images, 7 repeats

The first layer's forward passes and weight updates are about three quarters
of the C engine's epoch at mini-batch 10 (23 of 31 ms in float32, 45 of 57
ms in float64, against a bare epoch). ``first_layer_bound.c`` runs the
kernel's two loops alone (the network [784,30,10], its 30 units padded to
32, in float64 and float32) over MNIST's CSR rows in five ways: shuffled
with the next mini-batch's rows prefetched at once after the forward passes,
with the kernel's own prefetch (the kernel spreads them among its sigmoids,
which are not here); shuffled without that prefetch; in storage order, where
the hardware prefetchers stream the rows; 2,000 rows over and over, held in
L3; and shuffled with W₁ folded into 64 rows, which L1 holds. Each line
gives the milliseconds of a pass over the samples and the cycles per
non-zero input (its forward and its update), at the clock a chain of dependent
additions measures. The C file is compiled for the instruction set the
engine runs here (its vector width), with the compiler that builds the
engine (``cc`` unless ``CC`` is set). Medians of the process's CPU time.
With a few thousand images the rows fit in L3 and the five ways differ
little. Writes
``benchmarks/results/first_layer_bound.json``, or
``first_layer_bound-quick.json`` for fewer images or repeats than the
defaults.
"""

import argparse
import os
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from results_file import command_line, save_results
from speed import DEFAULT_DATA

from sknielsen.datasets import load_mnist
from sknielsen.engine import _cengine

#: The engine's C sources: the benchmark includes their _prefetch.h.
ENGINE_SOURCES = HERE.parent / "sknielsen" / "engine"
#: The engine's builds: their compiler flags and vector width in bytes.
BUILDS = {
    "x86-64-v4": (["-march=x86-64-v4"], 64),
    "x86-64-v3": (["-march=x86-64-v3"], 32),
    "x86-64 baseline": ([], 16),
}

#: The C program's mini-batch: a pass needs one at least.
BATCH = 10
#: A full run's images and repeats; fewer write the ``-quick`` results file.
DEFAULTS = {"n_train": 50_000, "repeats": 7}


def compiler():
    """The C compiler, as setuptools would find it: ``CC``, else the interpreter's."""
    found = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return found.split()


def build(folder, dtype, variant):
    """Compile first_layer_bound.c for ``dtype`` and the engine's ``variant``."""
    flags, vector_bytes = BUILDS.get(variant, BUILDS["x86-64 baseline"])
    real = "float" if dtype == "float32" else "double"
    program = folder / f"first_layer_{dtype}"
    subprocess.run(
        [
            *compiler(),
            "-O3",
            "-ffp-contract=fast",
            *flags,
            f"-DREAL={real}",
            f"-DVEC_BYTES={vector_bytes}",
            f"-I{ENGINE_SOURCES}",  # _prefetch.h, the kernels' own prefetches
            str(HERE / "first_layer_bound.c"),
            "-o",
            str(program),
        ],
        check=True,
    )
    return program


def write_rows(folder, X):
    """The CSR arrays of ``X`` as the C program reads them."""
    X.indptr.astype(np.int64).tofile(folder / "indptr.bin")
    X.indices.astype(np.int32).tofile(folder / "indices.bin")
    X.data.tofile(folder / "data.bin")


def run(program, folder, n_samples, repeats):
    """The program's lines: the clock (GHz) and each mode's milliseconds and cycles."""
    done = subprocess.run(
        [str(program), str(folder), str(n_samples), str(repeats)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{program.name} failed: {done.stderr.strip()}")
    output = done.stdout
    modes = {}
    for line in output.splitlines():
        if line.startswith("clock"):
            ghz = float(line.split()[1])
        elif line.startswith("mode"):
            _, name, ms, cycles = line.split("\t")
            modes[name] = {"ms": float(ms), "cycles_per_nonzero": float(cycles)}
    return ghz, modes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-train", type=int, default=DEFAULTS["n_train"])
    parser.add_argument("--repeats", type=int, default=DEFAULTS["repeats"])
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA))
    args = parser.parse_args(argv)
    if args.n_train < BATCH or args.repeats < 1:
        parser.error(f"--n-train must be at least {BATCH} and --repeats at least 1")
    mnist = load_mnist(args.data_dir)
    variant = _cengine.load()[1]
    results = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for dtype in ("float64", "float32"):
            X = sp.csr_matrix(np.asarray(mnist.X_train[: args.n_train], dtype=dtype))
            write_rows(folder, X)
            ghz, modes = run(build(folder, dtype, variant), folder, X.shape[0], args.repeats)
            results[dtype] = {"clock_ghz": ghz, "modes": modes}
            print(f"{dtype} ({variant}, {ghz:.2f} GHz), {X.shape[0]:,} samples:")
            for mode, numbers in modes.items():
                print(
                    f"  {numbers['ms']:7.1f} ms  {numbers['cycles_per_nonzero']:5.2f} "
                    f"cycles per non-zero  {mode}"
                )
    fields = {
        "variant": variant,
        "n_train": X.shape[0],
        "repeats": args.repeats,
        "results": results,
    }
    quick = X.shape[0] < DEFAULTS["n_train"] or args.repeats < DEFAULTS["repeats"]
    name = "first_layer_bound-quick.json" if quick else "first_layer_bound.json"
    out = save_results(HERE / "results" / name, fields, command=command_line(__file__, argv))
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
