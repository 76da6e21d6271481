"""
Overfitting and regularization (chapter 3)
==========================================

The book's chapter 3 trains its [784, 30, 10] network on only the first 1,000
MNIST images for 400 epochs and watches the cost and accuracy on the training
and test data at each epoch: the training cost keeps falling while the test
accuracy stops improving and the test cost turns up — overfitting. Then it
adds L2 regularization (λ = 0.1) and the test accuracy rises from about 82 %
to 87 %.

The book's repository keeps the numbers of both runs, and
:mod:`sknielsen.book` replays them exactly with
:class:`~sknielsen.NielsenMLPClassifier`. A replay needs MNIST, which this
documentation does not download: the first figures below plot the replays
that ``benchmarks/book_replay.py`` ran on MNIST and stored in
``benchmarks/results/book_replay.json``, beside the book's records that ship
with the package (:func:`~sknielsen.book.load_record`). The last figures are
computed here, on scikit-learn's 8×8 digits.

Run time: about 5 seconds on 2 cores.
"""

# %%
# The book's records and the stored replays
# -----------------------------------------
# :class:`~sknielsen.book.Replay` puts each list of numbers of a record
# beside ours; :func:`~sknielsen.book.plot_replay` draws them.
from pathlib import Path

import matplotlib.pyplot as plt

import sknielsen
from sknielsen.book import load_replay, plot_replay

STORED = Path(sknielsen.__file__).resolve().parents[1] / "benchmarks/results/book_replay.json"


overfitting = load_replay("overfitting", STORED)
print(overfitting.summary())
fig = plot_replay(overfitting)

# %%
# With λ = 0.1 the same network, from the same weights and in the same
# order, ends about five points higher on the test images.
regularized = load_replay("regularized", STORED)
print(regularized.summary())
fig = plot_replay(regularized)

# %%
# The same experiment on the digits, run here
# -------------------------------------------
# 300 training digits, the book's network shape with 64 inputs, its large
# N(0, 1) initialization, η = 0.5 and 300 epochs; the test digits play the
# book's ``evaluation_data``. ``monitor="all"`` records the four lists the
# book's ``network2.py`` returns.
from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_digits_split
from sknielsen.plotting import plot_history

digits = load_digits_split(random_state=0)
X, y = digits.X_train[:300], digits.y_train[:300]
runs = {}
for lmbda in (0.0, 0.1):
    net = NielsenMLPClassifier(
        eta=0.5, epochs=300, lmbda=lmbda, initializer="large", monitor="all", random_state=0
    )
    runs[lmbda] = net.fit(X, y, X_val=digits.X_test, y_val=digits.y_test)

history = runs[0.0].history_
best = history["validation_cost"].index(min(history["validation_cost"])) + 1
print(
    f"λ = 0: test cost smallest at epoch {best}, training accuracy at the end "
    f"{history['training_accuracy'][-1]:.1%}"
)
fig = plot_history(runs[0.0])

# %%
# The test accuracy per epoch, without and with regularization.
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for lmbda, net in runs.items():
    accuracy = [100 * a for a in net.history_["validation_accuracy"]]
    ax.plot(range(1, len(accuracy) + 1), accuracy, label=f"λ = {lmbda}")
ax.set(xlabel="epoch", ylabel="test accuracy (%)", title="300 training digits")
ax.legend()
for lmbda, net in runs.items():
    print(
        f"λ = {lmbda}: last epoch {net.history_['validation_accuracy'][-1]:.1%}, "
        f"best {net.best_validation_score_:.1%}"
    )
