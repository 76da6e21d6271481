"""
Weight initialization (chapter 3)
=================================

The book's first networks drew every weight and bias from N(0, 1). With 784
inputs, a hidden neuron's weighted input z then has a standard deviation of
about √(number of active inputs): far from 0, where the sigmoid is flat, so
the neuron saturates and learns slowly. Chapter 3 draws the weights from
N(0, 1/n_in) instead (``initializer="default"``; the old one is
``initializer="large"``) and shows the validation accuracy per epoch of both,
with η = 0.1 and λ = 5.0: the new initialization starts several points
higher, and the two meet later.

The book's record ships with the package; its replay needs MNIST, which this
documentation does not download, so the first figure plots the replay that
``benchmarks/book_replay.py`` ran on MNIST and stored in
``benchmarks/results/book_replay.json``. The others are computed here, on
the digits.

Run time: about 3 seconds on 2 cores.
"""

# %%
# The book's record and the stored replay
# ---------------------------------------
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import sknielsen
from sknielsen.book import load_replay, plot_replay

STORED = Path(sknielsen.__file__).resolve().parents[1] / "benchmarks/results/book_replay.json"


initialization = load_replay("weight_initialization_30", STORED)
print(initialization.summary())
fig = plot_replay(initialization)

# %%
# Why: the weighted inputs of the first layer
# -------------------------------------------
# The effect needs many inputs: with the 64 pixels of the 8×8 digits,
# N(0, 1) weights give weighted inputs of a few units, where the sigmoid
# still has a slope. So the digits are enlarged here to 32×32 (each pixel
# repeated over 4×4), 1,024 inputs, about MNIST's 784.
#
# The initializers are plugins: called with a layer's fan-in and fan-out, a
# random generator and a dtype, they return the weights and biases. Here are
# the weighted inputs z of 30 hidden neurons under both.
from sknielsen import plugins
from sknielsen.datasets import load_digits_split

digits = load_digits_split(random_state=0)


def enlarge(X):
    """8×8 images as 32×32 ones, each pixel repeated over 4×4."""
    return np.kron(X.reshape(-1, 8, 8), np.ones((4, 4))).reshape(len(X), -1)


X_train, X_test = enlarge(digits.X_train), enlarge(digits.X_test)
rng = np.random.default_rng(0)
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for name in ("large", "default"):
    weights, biases = plugins.get("initializer", name)(X_train.shape[1], 30, rng, np.float64)
    z = X_train @ weights + biases
    ax.hist(
        z.ravel(),
        bins=80,
        range=(-40, 40),
        histtype="step",
        density=True,
        label=f"{name!r}: standard deviation of z {z.std():.1f}",
    )
ax.axvspan(-4, 4, color="0.9", zorder=-1, label="where σ'(z) > 0.017")
ax.set(xlabel="weighted input z of a hidden neuron", ylabel="density")
ax.legend()

# %%
# The book's comparison on the enlarged digits
# --------------------------------------------
# η = 0.1 and the book's weight decay per step (λ = 5.0 for 50,000 images
# is about 0.12 for 1,198 digits), 30 epochs, accuracy on the test digits.
from sknielsen import NielsenMLPClassifier

fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for name in ("large", "default"):
    net = NielsenMLPClassifier(initializer=name, eta=0.1, lmbda=0.12, epochs=30, random_state=0)
    net.fit(X_train, digits.y_train, X_val=X_test, y_val=digits.y_test)
    accuracy = [100 * a for a in net.history_["validation_accuracy"]]
    ax.plot(range(1, len(accuracy) + 1), accuracy, label=f"initializer={name!r}")
    print(f"{name!r}: after 1 epoch {accuracy[0]:.1f} %, after 30 {accuracy[-1]:.1f} %")
ax.set(xlabel="epoch", ylabel="test accuracy (%)", title="[1024, 30, 10] on enlarged digits")
ax.legend()
