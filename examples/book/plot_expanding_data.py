"""
Expanding the training data
===========================

The book's last cure for overfitting: make more training data by distorting
the images there are. A digit shifted by a pixel, turned by a few degrees or
elastically distorted (Simard, Steinkraus and Platt, 2003) is still the same
digit. sknielsen has the distortions as augmenter plugins
(:class:`~sknielsen.plugins.Shift`, :class:`~sknielsen.plugins.Rotate`,
:class:`~sknielsen.plugins.Elastic`): the estimators' ``augment=`` distorts
every mini-batch anew, and :func:`sknielsen.augment.expand` makes a fixed,
larger data set once. The measurements on MNIST are in
:doc:`/expanding-data`.

Run time: about 5 seconds on 2 cores.
"""

# %%
# What the distortions do
# -----------------------
# The defaults are made for MNIST's 28×28 images: Simard's elastic
# distortion (``alpha=34``, ``sigma=4``) would scramble an 8×8 digit, so the
# digits get a gentler one, and shifts of one pixel (an eighth of the image).
import matplotlib.pyplot as plt
import numpy as np

from sknielsen import plugins
from sknielsen.datasets import load_digits_split

digits = load_digits_split(random_state=0)
augmenters = {
    "shift": plugins.Shift(max_pixels=1),
    "rotate": plugins.Rotate(max_degrees=10),
    "elastic": plugins.Elastic(alpha=4, sigma=1.2),
}
images = digits.X_train[:6].reshape(-1, 8, 8)
rng = np.random.default_rng(0)
fig, axes = plt.subplots(4, 6, figsize=(7, 5), layout="constrained")
for row, (name, distorted) in zip(
    axes, [("original", images)] + [(n, a(images, rng)) for n, a in augmenters.items()]
):
    for ax, image in zip(row, distorted):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        ax.set(xticks=[], yticks=[])
    row[0].set_ylabel(name)

# %%
# Training on distorted mini-batches
# ----------------------------------
# 200 training digits, 300 epochs: without augmentation the network learns
# them by heart. With ``augment=`` each epoch sees new distortions of them.
# On images this small, not every distortion helps as it does on MNIST
# (:doc:`/expanding-data`): a one-pixel shift moves an 8×8 digit by an
# eighth of its width. The printed numbers say which help here.
from sknielsen import NielsenMLPClassifier

X, y = digits.X_train[:200], digits.y_train[:200]
scores = {}
for name, augment in [("none", None), *augmenters.items()]:
    net = NielsenMLPClassifier(eta=0.5, lmbda=0.02, epochs=300, augment=augment, random_state=0)
    net.fit(X, y)
    scores[name] = net.score(digits.X_test, digits.y_test)
    print(f"{name:8} training {net.score(X, y):.3f}, test {scores[name]:.3f}")

fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
ax.barh(list(scores), [100 * s for s in scores.values()], color=["0.5", "C0", "C1", "C2"])
ax.set(xlim=(70, 100), xlabel="test accuracy (%)", title="200 training digits, 300 epochs")

# %%
# A fixed expanded set
# --------------------
# :func:`~sknielsen.augment.expand` returns the originals followed by
# ``copies`` distorted copies of each, as the book's ``expand_mnist.py``
# does with one-pixel shifts.
from sknielsen.augment import expand

X_big, y_big = expand(X, y, augment=augmenters["shift"], copies=4, random_state=0)
print(f"{len(X)} images expanded to {len(X_big)}")
net = NielsenMLPClassifier(eta=0.5, lmbda=0.1, epochs=60, random_state=0).fit(X_big, y_big)
print(f"trained on the expanded set: test {net.score(digits.X_test, digits.y_test):.3f}")
