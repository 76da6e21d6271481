"""
What the hidden neurons look for
================================

Each hidden neuron of the first layer weighs every pixel: drawn as an image,
its weights show the pattern that excites it (positive weights) and the one
that inhibits it (negative weights).
:func:`~sknielsen.plotting.plot_weights` draws them for a fitted network
whose inputs are images, here the 8×8 digits.

Run time: about 2 seconds on 2 cores.
"""

# %%
# Regularization changes the patterns: without it, weights of pixels
# that are almost always blank (the borders) keep their random start; the
# weight decay of L2 shrinks whatever the data does not support.
from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_digits_split
from sknielsen.plotting import plot_weights

digits = load_digits_split(random_state=0)
figures = []
for lmbda in (0.0, 5.0):
    net = NielsenMLPClassifier(hidden_layer_sizes=(20,), lmbda=lmbda, epochs=40, random_state=0)
    net.fit(digits.X_train, digits.y_train)
    print(f"λ = {lmbda}: test accuracy {net.score(digits.X_test, digits.y_test):.3f}")
    figures.append(plot_weights(net, max_neurons=20))
    figures[-1].suptitle(f"First-layer weights of 20 hidden neurons, λ = {lmbda}")
