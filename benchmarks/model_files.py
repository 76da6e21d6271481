"""How long saving and loading the model file of a large network takes.

Usage::

    python benchmarks/model_files.py --repeats 5

A ``NielsenMLPClassifier(hidden_layer_sizes=(1000, 1000))`` on 784 inputs
and 10 classes holds 1,794,000 weights and 2,010 biases, a JSON file of 40 MB; a
:class:`~sknielsen.callbacks.Checkpoint` writes one every epoch. The model
is fitted for one epoch on 200 random samples (the weights' digits, not the
fit, make the file), then saved with :func:`sknielsen.save` and loaded with
:func:`sknielsen.load` ``--repeats`` times, save and load interleaved; prints
each one's median and the file's size.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import sknielsen

N_FEATURES, N_CLASSES, HIDDEN = 784, 10, (1000, 1000)


def fitted_network(seed=0):
    """The large network, fitted for one epoch on a few random samples."""
    rng = np.random.default_rng(seed)
    X = rng.random((200, N_FEATURES))
    y = np.arange(200) % N_CLASSES
    net = sknielsen.NielsenMLPClassifier(
        hidden_layer_sizes=HIDDEN, epochs=1, mini_batch_size=50, random_state=seed
    )
    return net.fit(X, y)


def seconds(action):
    """Seconds ``action()`` takes, by the wall clock."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    net = fitted_network()
    saves, loads = [], []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.json"
        for _ in range(args.repeats):
            saves.append(seconds(lambda: sknielsen.save(net, path)))
            loads.append(seconds(lambda: sknielsen.load(path)))
        size = path.stat().st_size
    n_params = sum(w.size + b.size for w, b in zip(net.coefs_, net.intercepts_))
    print(f"{n_params:,} parameters, a file of {size / 1e6:.1f} MB")
    print(f"save: median {statistics.median(saves):.2f} s of {args.repeats}")
    print(f"load: median {statistics.median(loads):.2f} s of {args.repeats}")


if __name__ == "__main__":
    main()
