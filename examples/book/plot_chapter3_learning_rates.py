"""
Three learning rates (chapter 3)
================================

To choose the learning rate η, the book trains its [784, 30, 10] network
with η = 0.025, 0.25 and 2.5 and compares the training cost per epoch: with
η = 0.025 the cost falls slowly, with 0.25 fast, and with 2.5 it oscillates
from the start, because the steps overshoot the minimum. The threshold η,
where the cost stops falling steadily, sets the scale; the book then takes
about half of it.

The book's record of that figure ships with the package; the replay of it
needs MNIST, which this documentation does not download, so the first
figure plots the replay that ``benchmarks/book_replay.py`` ran on MNIST and
stored in ``benchmarks/results/book_replay.json``. The η = 2.5 run is chaotic
enough that the book's machine's rounding decided its course (the
η = 0.025 and 0.25 runs are replayed to the last digits; see
:func:`sknielsen.book.replay`). The second figure is computed here, on the
digits, and the third applies the book's procedure with
:func:`sknielsen.tuning.find_eta_threshold`.

Run time: about 3 seconds on 2 cores.
"""

# %%
# The book's record and the stored replay
# ---------------------------------------
from pathlib import Path

import matplotlib.pyplot as plt

import sknielsen
from sknielsen.book import load_replay, plot_replay

STORED = Path(sknielsen.__file__).resolve().parents[1] / "benchmarks/results/book_replay.json"


multiple_eta = load_replay("multiple_eta", STORED)
for series in multiple_eta.series:
    print(f"{series.label}: largest relative difference {series.differences().max():.1e}")
fig = plot_replay(multiple_eta)

# %%
# The same three learning rates on the digits
# -------------------------------------------
# The book's λ = 5.0 was for 50,000 images; the regularization term is
# λ/2n Σw², so the same weight decay per step on 1,198 digits is about
# λ = 0.12.
from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_digits_split

digits = load_digits_split(random_state=0)
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for eta in (0.025, 0.25, 2.5):
    net = NielsenMLPClassifier(
        eta=eta, lmbda=0.12, epochs=30, monitor=("training_cost",), random_state=0
    ).fit(digits.X_train, digits.y_train)
    cost = net.history_["training_cost"]
    ax.plot(range(1, len(cost) + 1), cost, label=f"η = {eta}")
ax.set(xlabel="epoch", ylabel="training cost", yscale="log", title="1,198 training digits")
ax.legend()

# %%
# The book's procedure for η
# --------------------------
# :func:`~sknielsen.tuning.find_eta_threshold` multiplies η by 10 while the
# training cost falls at every one of the first epochs, then narrows the
# interval by bisection; :func:`~sknielsen.plotting.plot_eta_search` draws
# every trial.
from sknielsen.plotting import plot_eta_search
from sknielsen.tuning import find_eta_threshold

search = find_eta_threshold(
    NielsenMLPClassifier(lmbda=0.12, random_state=0), digits.X_train, digits.y_train
)
print(
    f"threshold η ≈ {search.threshold:.3g}; the book's advice, half of it: {search.recommended:.3g}"
)
fig = plot_eta_search(search)
