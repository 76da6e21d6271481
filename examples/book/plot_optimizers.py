"""
Optimizers: SGD, momentum and the rest
======================================

Chapter 3 ends with other ways to descend the cost: momentum (a velocity
v ← μv − η∇C that the weights follow), and the Hessian technique (Newton's
method: a step to the minimum of the cost's quadratic approximation, which
needs the n × n matrix of second derivatives). sknielsen has them as
optimizer plugins, with Nesterov's momentum, and, not in the book, Adam and
L-BFGS. The per-step optimizers run once per mini-batch; the full-batch
solvers (``'newton'``, ``'lbfgs'``) once per epoch on the whole training set.
Their measurements on MNIST are in :doc:`/optimizers`.

Run time: about 10 seconds on 2 cores.
"""

# %%
# The training cost per epoch
# ---------------------------
# A small [64, 5, 10] network, so that Newton's Hessian (385 × 385 here) is
# cheap; each optimizer with a learning rate that suits it. L-BFGS finds its
# step by a line search and ignores η.
import matplotlib.pyplot as plt

from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_digits_split

digits = load_digits_split(random_state=0)
X, y = digits.X_train, digits.y_train
settings = {
    "sgd": {"eta": 0.5},
    "momentum": {"eta": 0.1},
    "nesterov": {"eta": 0.1},
    "adam": {"eta": 0.01},
    "lbfgs": {},
    "newton": {"eta": 1.0},
}
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for name, params in settings.items():
    net = NielsenMLPClassifier(
        hidden_layer_sizes=(5,),
        optimizer=name,
        epochs=30,
        monitor=("training_cost",),
        random_state=0,
        **params,
    )
    net.fit(X, y)
    cost = net.history_["training_cost"]
    ax.plot(range(1, len(cost) + 1), cost, label=name)
    print(
        f"{name:9} {net.n_iter_:>2} epochs, training cost {cost[-1]:.3f}, "
        f"test accuracy {net.score(digits.X_test, digits.y_test):.3f}"
    )
ax.set(xlabel="epoch (full-batch solvers: iteration)", ylabel="training cost", yscale="log")
ax.legend()

# %%
# Each of Newton's iterations costs 2 × 385 gradient evaluations over the
# whole training set, to build the Hessian, where an epoch of SGD costs one;
# and far from a minimum the Hessian is not positive definite, so the damping
# keeps the steps short. These are the book's reasons for leaving the
# technique aside, seen here with 385 parameters; the book's [784, 30, 10]
# network has 23,860, and a Hessian 3,800 times as large as this one.
#
# Momentum's μ is a hyper-parameter of the plugin: an instance takes it
# directly, and an estimator given the name takes it as ``optimizer__mu``.
from sknielsen.plugins import Momentum

a = NielsenMLPClassifier(optimizer=Momentum(mu=0.5))
b = NielsenMLPClassifier(optimizer="momentum").set_params(optimizer__mu=0.5)
print(a.get_params()["optimizer"], b.get_params()["optimizer"])
