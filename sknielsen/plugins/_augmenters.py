"""Augmenters: small rotations, shifts and elastic distortions of images.

Every augmenter moves the pixels of each image by a displacement field and
resamples the batch in one call of :func:`scipy.ndimage.map_coordinates` on
the (batch, height, width) stack, so a mini-batch costs one interpolation,
whatever its size. The batch coordinate is always an exact integer, so
images never bleed into each other.
"""

import numpy as np
from scipy import ndimage

from ._base import Augmenter
from ._registry import get, register


def warp(images, dy, dx, order=1):
    """Resample ``images`` (B, H, W) at (y + dy, x + dx); outside is 0 (black)."""
    batch, height, width = images.shape
    b, y, x = np.meshgrid(
        np.arange(batch), np.arange(height), np.arange(width), indexing="ij"
    )
    coordinates = np.stack([b.astype(float), y + dy, x + dx])
    out = ndimage.map_coordinates(images, coordinates, order=order, mode="constant", cval=0.0)
    return out.astype(images.dtype, copy=False)


def as_augmenter(augment):
    """An augmenter from a name, an instance, or a list of them applied in turn."""
    if isinstance(augment, (list, tuple)):
        return Compose(augmenters=tuple(get("augmenter", item) for item in augment))
    return get("augmenter", augment)


def image_shape_for(n_features, image_shape=None):
    """The (height, width) of images with ``n_features`` pixels; square by default."""
    if image_shape is None:
        side = int(round(n_features**0.5))
        shape = (side, side)
    else:
        shape = tuple(int(s) for s in image_shape)
    if len(shape) != 2 or shape[0] * shape[1] != n_features:
        square = " (not a square image)" if image_shape is None else ""
        raise ValueError(
            f"augment needs images: {n_features} features are not images of shape "
            f"{shape}{square}; pass image_shape=(height, width)."
        )
    return shape


def _centred_grid(shape):
    height, width = shape
    y, x = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    return y - (height - 1) / 2.0, x - (width - 1) / 2.0


@register("augmenter", "rotate")
class Rotate(Augmenter):
    """Rotate each image about its centre by a random angle in ±``max_degrees``.

    Parameters
    ----------
    max_degrees : float, default=15.0
    """

    def __init__(self, max_degrees=15.0):
        self.max_degrees = max_degrees

    def __call__(self, images, rng):
        angles = np.deg2rad(rng.uniform(-self.max_degrees, self.max_degrees, len(images)))
        y, x = _centred_grid(images.shape[1:])
        cos, sin = np.cos(angles)[:, None, None], np.sin(angles)[:, None, None]
        # Where each output pixel comes from: the inverse rotation of its position.
        source_y = cos * y - sin * x
        source_x = sin * y + cos * x
        return warp(images, source_y - y, source_x - x)


@register("augmenter", "shift")
class Shift(Augmenter):
    """Translate each image by a random whole number of pixels in ±``max_pixels``.

    The book's ``expand_mnist.py`` idea: the digit moves, its label does not.

    Parameters
    ----------
    max_pixels : int, default=2
    """

    def __init__(self, max_pixels=2):
        self.max_pixels = max_pixels

    def __call__(self, images, rng):
        shape = (len(images), 1, 1)
        dy = rng.integers(-self.max_pixels, self.max_pixels + 1, size=shape).astype(float)
        dx = rng.integers(-self.max_pixels, self.max_pixels + 1, size=shape).astype(float)
        ones = np.ones(images.shape[1:])
        return warp(images, dy * ones, dx * ones, order=0)


@register("augmenter", "elastic")
class Elastic(Augmenter):
    """Elastic distortion (Simard, Steinkraus and Platt, 2003).

    A random displacement field, uniform in [−1, 1] at every pixel, smoothed
    by a Gaussian of width ``sigma`` and scaled by ``alpha``.

    Parameters
    ----------
    alpha : float, default=34.0
        Strength of the distortion, in pixels before smoothing.
    sigma : float, default=4.0
        Width of the Gaussian, in pixels: larger is smoother.
    """

    def __init__(self, alpha=34.0, sigma=4.0):
        self.alpha = alpha
        self.sigma = sigma

    def __call__(self, images, rng):
        fields = rng.uniform(-1.0, 1.0, size=(2, *images.shape))
        smooth = ndimage.gaussian_filter(fields, sigma=(0, 0, self.sigma, self.sigma),
                                         mode="constant")  # fmt: skip
        return warp(images, self.alpha * smooth[0], self.alpha * smooth[1])


@register("augmenter", "compose")
class Compose(Augmenter):
    """Apply several augmenters in turn.

    Parameters
    ----------
    augmenters : tuple of str or Augmenter, default=('rotate', 'shift')
    """

    def __init__(self, augmenters=("rotate", "shift")):
        self.augmenters = augmenters

    def __call__(self, images, rng):
        for augmenter in self.augmenters:
            if not isinstance(augmenter, Augmenter):  # a name
                augmenter = get("augmenter", augmenter)
            images = augmenter(images, rng)
        return images
