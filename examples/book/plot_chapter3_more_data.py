"""
More training data (chapter 3)
==============================

"Sometimes more data beats a better algorithm": the book trains its network
and a support vector machine on the first N MNIST images, N from 100 to
50,000, with the network's λ and epochs scaled to N (λ = 0.0001·N and
1,500,000/N epochs, so that every N gets the same number of gradient steps),
and plots the validation accuracy against N.

Both records ship with the package; replaying them needs MNIST, which this
documentation does not download, so the first figure plots the replays that
``benchmarks/book_replay.py`` ran on MNIST and stored in
``benchmarks/results/book_replay.json``, beside the book's numbers. The
second runs the book's scaling rule on the digits with scikit-learn's own
:func:`~sklearn.model_selection.learning_curve`, through the
:class:`~sknielsen.comparison.BookScaling` meta-estimator.

Run time: about 5 seconds on 2 cores.
"""

# %%
# The book's records and the stored replays
# -----------------------------------------
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import sknielsen
from sknielsen.book import load_replay

STORED = Path(sknielsen.__file__).resolve().parents[1] / "benchmarks/results/book_replay.json"
SIZES = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]  # the book's N


fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for name, color in (("more_data", "C0"), ("more_data_svm", "C1")):
    result = load_replay(name, STORED)
    print(result.summary())
    (series,) = result.series
    who = "network" if name == "more_data" else "SVM"
    ax.plot(SIZES, series.book, "o", color=color, label=f"{who}: the book's record")
    ax.plot(SIZES, series.ours, "-", color=color, label=f"{who}: sknielsen's replay")
ax.set(
    xscale="log",
    xlabel="training images N",
    ylabel="validation accuracy (%)",
    title="MNIST: stored replays beside the book's records",
)
ax.legend()

# %%
# The book's rule with scikit-learn's learning curve
# --------------------------------------------------
# :class:`~sknielsen.comparison.BookScaling` fits a clone of the network with
# λ = ``lmbda_per_sample``·N and ``samples_per_run``/N epochs for the N
# examples it is given, so any scikit-learn tool that varies N applies the
# book's rule. On the 1,797 digits, 30 passes over 1,200 examples:
# ``samples_per_run=36_000``.
from sklearn.model_selection import learning_curve
from sklearn.svm import SVC

from sknielsen import NielsenMLPClassifier
from sknielsen.comparison import BookScaling
from sknielsen.datasets import load_digits_split

digits = load_digits_split()
network = BookScaling(NielsenMLPClassifier(eta=0.5, random_state=0), samples_per_run=36_000)
sizes = np.array([0.05, 0.1, 0.2, 0.4, 0.7, 1.0])
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for label, estimator in (("network (BookScaling)", network), ("SVC()", SVC())):
    n, _, test = learning_curve(estimator, digits.X, digits.y, train_sizes=sizes, cv=3)
    ax.errorbar(n, 100 * test.mean(axis=1), yerr=100 * test.std(axis=1), capsize=3, label=label)
ax.set(
    xscale="log",
    xlabel="training digits N",
    ylabel="cross-validated accuracy (%)",
    title="Digits: scikit-learn's learning_curve",
)
ax.legend()
