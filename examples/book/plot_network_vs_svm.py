"""
The network against SVMs as the training set grows
==================================================

The book's chapter 3 ends its discussion of more training data with a
figure: the network and a support vector machine trained on the first N
MNIST images, for N from 100 to 50,000. This example draws the same study on
scikit-learn's embedded 8×8 digits (1,198 training images), with
:func:`sknielsen.comparison.training_size_comparison`, the function behind
``python -m sknielsen compare``. The MNIST version, with the book's numbers
beside ours, is :doc:`/network-vs-svm`.

As in the book, the network's λ and epochs follow the size of its training
set (λ = 0.0001·N and the same number of gradient steps at every N:
``scale_rule=True``), so that each N gets the book's treatment.

Run time: about 5 seconds on 2 cores.
"""

# %%
# The study
# ---------
# Three seeds for the network (its weights and the mini-batch order change);
# the SVMs are deterministic on the first N examples, so they run once.
from sklearn.svm import SVC

from sknielsen import NielsenMLPClassifier
from sknielsen.comparison import conclusions, summarize, training_size_comparison
from sknielsen.datasets import load_digits_split
from sknielsen.plotting import plot_training_size_comparison

digits = load_digits_split(random_state=0)
n_full = len(digits.y_train)
estimators = {
    "network": NielsenMLPClassifier(
        hidden_layer_sizes=(30,), eta=0.5, epochs=30, lmbda=0.0001 * n_full, random_state=0
    ),
    "SVC()": SVC(),
    "SVC(gamma='auto')": SVC(gamma="auto"),
}
records = training_size_comparison(
    estimators,
    digits.X_train,
    digits.y_train,
    digits.X_test,
    digits.y_test,
    sizes=[50, 100, 200, 400, 800, n_full],
    seeds=range(3),
    scale_rule=True,
    deterministic=["SVC()", "SVC(gamma='auto')"],
)

# %%
# The book's figure, on a logarithmic axis
# ----------------------------------------
# Each line is the mean test accuracy over the seeds at each N.
fig = plot_training_size_comparison(
    records, log=True, title="Digits: accuracy against training size"
)

# %%
# What the numbers say
# --------------------
# :func:`~sknielsen.comparison.summarize` gives the mean and spread per
# estimator and size; :func:`~sknielsen.comparison.conclusions` says where
# the lead changes hands.
for row in summarize(records):
    print(f"{row['estimator']:18} N={row['size']:>5}  {row['mean']:.3f} ± {row['std']:.3f}")
print()
for sentence in conclusions(summarize(records)):
    print(sentence)
