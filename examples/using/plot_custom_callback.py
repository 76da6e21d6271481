"""
Writing a callback
==================

Anything that should happen while the network trains is a callback: a
subclass of :class:`~sknielsen.callbacks.Callback` that overrides the hooks
it needs (``on_train_begin``, ``on_epoch_begin``, ``on_batch_end``,
``on_epoch_end``, ``on_train_end``). Each hook receives the trainer, which
it reads (``trainer.epoch``, ``trainer.history``, the current weights in
``trainer.network.weights``) and steers (``trainer.eta``, raising
:class:`~sknielsen.callbacks.StopTraining`).

This one records the size of every layer's weights after each epoch, to
watch what L2 regularization does to them: the book's weight decay
w ← (1 − ηλ/n)·w keeps them small.

Run time: about 2 seconds on 2 cores.
"""

# %%
# The callback
# ------------
# Its constructor arguments are parameters (here ``every``), stored under the
# same names, so that ``clone`` and ``get_params`` work. What it measures
# goes into attributes set in ``on_train_begin``: each fit trains with fresh
# copies of the callbacks, which the estimator keeps in ``callbacks_``.
import matplotlib.pyplot as plt
import numpy as np

from sknielsen import NielsenMLPClassifier
from sknielsen.callbacks import Callback, HalveOnPlateau
from sknielsen.datasets import load_digits_split


class WeightNorms(Callback):
    """Record the root mean square of each layer's weights every ``every`` epochs."""

    def __init__(self, every=1):
        self.every = every

    def on_train_begin(self, trainer):
        self.epochs_, self.norms_, self.etas_ = [], [], []

    def on_epoch_end(self, trainer):
        if trainer.epoch % self.every == 0:
            self.epochs_.append(trainer.epoch)
            self.norms_.append([np.sqrt(np.mean(w**2)) for w in trainer.network.weights])
            self.etas_.append(trainer.eta)


# %%
# Training with it
# ----------------
# Without and with L2 regularization, and with the book's learning-rate
# schedule (:class:`~sknielsen.callbacks.HalveOnPlateau`, which halves η
# when the validation accuracy stops improving) beside it.
digits = load_digits_split(random_state=0)
fitted = {}
for lmbda in (0.0, 1.0):
    net = NielsenMLPClassifier(
        eta=0.5,
        lmbda=lmbda,
        epochs=60,
        initializer="large",
        random_state=0,
        callbacks=[WeightNorms(), HalveOnPlateau(patience=5)],
    )
    fitted[lmbda] = net.fit(
        digits.X_train, digits.y_train, X_val=digits.X_test, y_val=digits.y_test
    )
    print(
        f"λ = {lmbda}: {net.n_iter_} epochs, "
        f"test accuracy {net.score(digits.X_test, digits.y_test):.3f}"
    )

# %%
# What it recorded
# ----------------
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for (lmbda, net), style in zip(fitted.items(), ("-", "--")):
    norms = net.callbacks_[0]
    for layer, values in enumerate(np.transpose(norms.norms_)):
        left.plot(
            norms.epochs_, values, style, color=f"C{layer}", label=f"layer {layer + 1}, λ = {lmbda}"
        )
    right.step(norms.epochs_, norms.etas_, style, where="post", label=f"λ = {lmbda}")
left.set(xlabel="epoch", ylabel="root mean square of the weights", title="Weights")
right.set(xlabel="epoch", ylabel="η", yscale="log", title="η under HalveOnPlateau(patience=5)")
left.legend()
right.legend()
