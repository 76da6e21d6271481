"""
The regressor
=============

:class:`~sknielsen.NielsenMLPRegressor` is the book's network with linear
output neurons: identity outputs and the quadratic cost, whose output error
is δᴸ = aᴸ − y, with no σ' factor to slow learning down (the case chapter 3
works out for linear neurons). Every plugin, schedule and callback of the
classifier works the same way; ``score`` is the coefficient of
determination R².

Run time: about 2 seconds on 2 cores.
"""

# %%
# A noisy curve
# -------------
# 300 points of sin(3x) with noise; 30 hidden neurons, sigmoid or tanh.
import matplotlib.pyplot as plt
import numpy as np

from sknielsen import NielsenMLPRegressor

rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, size=(300, 1))
y = np.sin(3 * X[:, 0]) + 0.1 * rng.normal(size=300)
grid = np.linspace(-1, 1, 200)[:, None]

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
left.plot(X[:, 0], y, ".", color="0.6", label="training data")
for activation in ("sigmoid", "tanh"):
    net = NielsenMLPRegressor(activation=activation, eta=0.05, epochs=300, random_state=0)
    net.fit(X, y)
    print(
        f"{activation}: R² on the training data {net.score(X, y):.3f}, "
        f"final loss {net.loss_curve_[-1]:.4f}"
    )
    left.plot(grid[:, 0], net.predict(grid), label=f"activation={activation!r}")
    right.plot(range(1, net.n_iter_ + 1), net.loss_curve_, label=f"activation={activation!r}")
left.set(xlabel="x", ylabel="y", title="Predictions")
right.set(xlabel="epoch", ylabel="mean quadratic cost", yscale="log", title="loss_curve_")
left.legend()
right.legend()

# %%
# Early stopping on R²
# --------------------
# Where the classifier watches the validation accuracy, the regressor
# watches the validation R²: ``early_stopping=10`` is the book's
# no-improvement-in-10 rule on a held-out ``validation_fraction``, and the
# model keeps the weights of its best epoch.
net = NielsenMLPRegressor(
    activation="tanh", eta=0.05, epochs=300, early_stopping=10, random_state=0
).fit(X, y)
print(
    f"stopped after {net.n_iter_} epochs; best validation R² "
    f"{net.best_validation_score_:.3f} at epoch {net.best_epoch_}"
)
