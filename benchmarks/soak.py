"""Soak test: train, save, load and predict in a loop, watching memory.

Usage::

    python benchmarks/soak.py                # 10 minutes
    python benchmarks/soak.py --minutes 1

Each round fits a fresh network on the digits (with dropout and momentum,
so every code path allocates), saves it atomically, loads it back, checks
that the predictions are identical, and pickles it. The resident set size
(RSS) is sampled after every round; the report compares the median RSS of
the first and the last tenth of the run, which is what a leak would grow.
Writes ``benchmarks/results/soak.json``.
"""

import argparse
import json
import pickle
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from results_file import command_line, save_results

import sknielsen
from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_digits_split

HERE = Path(__file__).resolve().parent


def rss_mib():
    """Current resident set size in MiB (Linux /proc, else the peak)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_round(digits, path, seed):
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(30,),
        optimizer="momentum",
        eta=0.1,
        dropout=0.2,
        epochs=3,
        monitor="all",
        random_state=seed,
    )
    net.fit(digits.X_train, digits.y_train, X_val=digits.X_test, y_val=digits.y_test)
    sknielsen.save(net, path)
    loaded = sknielsen.load(path)
    if not np.array_equal(loaded.predict_proba(digits.X_test), net.predict_proba(digits.X_test)):
        raise AssertionError("a loaded model predicts differently")
    pickle.loads(pickle.dumps(loaded)).predict(digits.X_test)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args(argv)
    digits = load_digits_split()
    samples = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        rounds = 0
        while time.perf_counter() - start < args.minutes * 60:
            one_round(digits, path, rounds)
            rounds += 1
            samples.append(rss_mib())
            if rounds % 100 == 0:
                print(
                    f"{rounds} rounds, {time.perf_counter() - start:.0f} s, "
                    f"RSS {samples[-1]:.1f} MiB",
                    flush=True,
                )
    tenth = max(1, len(samples) // 10)
    first, last = statistics.median(samples[:tenth]), statistics.median(samples[-tenth:])
    result = {
        "minutes": args.minutes,
        "rounds": rounds,
        "rss_mib_first_tenth_median": first,
        "rss_mib_last_tenth_median": last,
        "rss_mib_growth": last - first,
        "rss_mib_max": max(samples),
    }
    print(json.dumps(result, indent=1))
    out = save_results(HERE / "results" / "soak.json", result, command=command_line(__file__, argv))
    print(f"Wrote {out}")


if __name__ == "__main__":
    main()
