"""Augmenters: small rotations, shifts and elastic distortions of images.

Every augmenter moves the pixels of each image by a displacement field and
resamples the batch in one call of :func:`scipy.ndimage.map_coordinates` on
the (batch, height, width) stack, so a mini-batch costs one interpolation,
whatever its size. The batch coordinate is always an exact integer, so
images never bleed into each other. A batch larger than scikit-learn's
``working_memory`` holds (``expand`` of a whole data set) is resampled in
chunks of images, after the random draws of the whole batch: the same
numbers, in bounded memory.
"""

import math
from numbers import Integral, Real

import numpy as np
from scipy import ndimage
from sklearn.utils._param_validation import Interval, InvalidParameterError

from .._core.arrays import stacked_in_chunks, working_memory
from ._base import Augmenter
from ._registry import get, register

#: Bytes a pixel takes while a chunk is resampled: its three float64 coordinates, its
#: two displacements and what an augmenter computes them from (40 by tracemalloc, for
#: each built-in augmenter), and the chunk's output.
RESAMPLED_PIXEL_BYTES = 48


def warp(images, dy, dx, order=1):
    """Resample ``images`` (B, H, W) at (y + dy, x + dx); outside is 0 (black).

    Integer images are rounded to their dtype, as boolean ones are (a
    pixel is True where it resamples to a half or more).
    """
    batch, height, width = images.shape
    # Written in place: meshgrids of the three axes and their stack held 72 bytes a pixel.
    coordinates = np.empty((3, batch, height, width))
    coordinates[0] = np.arange(batch)[:, None, None]
    np.add(np.arange(height)[:, None], dy, out=coordinates[1])
    np.add(np.arange(width), dx, out=coordinates[2])
    # map_coordinates has no float16 or long double loop ("data type not supported"), and
    # resamples booleans to False wherever a pixel moves by a fraction: float16 and
    # booleans resample in float32, long doubles in float64 (the coordinates' precision).
    source = images
    if images.dtype in (np.float16, np.bool_):
        source = images.astype(np.float32)
    elif images.dtype == np.longdouble and np.longdouble != np.float64:
        source = images.astype(np.float64)
    out = ndimage.map_coordinates(source, coordinates, order=order, mode="constant", cval=0.0)
    if images.dtype == np.bool_:
        return out >= 0.5
    return out.astype(images.dtype, copy=False)


def resampled(images, displacement, order=1):
    """:func:`warp` of ``images`` by ``displacement``, in chunks that hold ``working_memory``.

    Each pixel is resampled alone: chunks of images give the numbers of one
    call on them all, which held 80 to 100 bytes a pixel of the whole batch
    at once (3.6 to 4.3 GiB for MNIST's 60,000 images).

    Parameters
    ----------
    images : ndarray of shape (batch, height, width)
    displacement : callable
        ``displacement(rows)``: ``(dy, dx)`` of the images ``images[rows]``
        (a slice), each broadcastable to their shape.
    order : int, default=1
        As for :func:`warp`.

    Returns
    -------
    distorted : ndarray of the shape of ``images``
    """
    image_bytes = math.prod(images.shape[1:]) * RESAMPLED_PIXEL_BYTES
    max_images = max(1, working_memory() // max(image_bytes, 1))
    if len(images) <= max_images:
        return warp(images, *displacement(slice(None)), order=order)

    def distorted(rows):
        return warp(images[rows], *displacement(rows), order=order)

    return stacked_in_chunks(len(images), max_images, distorted)


def apply_augmenter(augmenter, images, rng):
    """Return ``augmenter(images, rng)``, checked to be an array of the images' shape.

    The augmenter is handed a copy of ``images``, which are never changed.

    Parameters
    ----------
    augmenter : Augmenter
        The augmenter to call.
    images : ndarray of shape (batch, height, width)
        A mini-batch of images.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    distorted : ndarray of shape (batch, height, width)
        What the augmenter returned.

    Raises
    ------
    TypeError
        If the augmenter returned something other than a NumPy array,
        integers for floating-point images, or floats narrower than theirs
        (float16 for float64 images); wider ones are rounded to the images'
        dtype.
    ValueError
        If it returned an array of another shape, or NaN or infinity.
    """
    # Its own copy: an augmenter that writes into its input, against the contract, would
    # otherwise change the caller's X (fit without shuffle, expand hand it views of X).
    distorted = augmenter(images.copy(), rng)
    if not isinstance(distorted, np.ndarray):
        raise TypeError(
            f"The augmenter {augmenter!r} returned a {type(distorted).__name__}; "
            f"expected a numpy array of the images' shape {images.shape}."
        )
    if distorted.shape != images.shape:
        raise ValueError(
            f"The augmenter {augmenter!r} returned an array of shape {distorted.shape}; "
            f"expected the images' shape {images.shape}."
        )
    # Integers would truncate pixels in [0, 1] to 0 or 1; NaN would train on as a
    # divergence blamed on eta (the images given are finite: fit and expand check them).
    if images.dtype.kind == "f" and distorted.dtype.kind != "f":
        raise TypeError(
            f"The augmenter {augmenter!r} returned an array of {distorted.dtype}; "
            f"expected floating-point images, of the images' dtype {images.dtype}."
        )
    if distorted.dtype.kind == "f" and not np.isfinite(distorted).all():
        raise ValueError(
            f"The augmenter {augmenter!r} returned NaN or infinite pixels; expected finite images."
        )
    if distorted.dtype != images.dtype and images.dtype.kind == "f":
        # A narrower dtype trains on its precision; a wider one loses nothing rounded back.
        if not np.can_cast(images.dtype, distorted.dtype):
            raise TypeError(
                f"The augmenter {augmenter!r} returned an array of {distorted.dtype} for images "
                f"of {images.dtype}, which would train on {distorted.dtype}'s precision: "
                "compute in the dtype of the images it is given."
            )
        distorted = distorted.astype(images.dtype)
    return distorted


def as_augmenter(augment, owner):
    """An augmenter from a name, an instance, or a list of them applied in turn.

    Parameters
    ----------
    augment : str, Augmenter, or list or tuple of them
        The ``augment`` parameter of ``owner``.
    owner : str
        What the user configured (an estimator's class, a function), named
        in errors.

    Returns
    -------
    augmenter : Augmenter
        A fresh instance, its hyper-parameters validated.

    Raises
    ------
    InvalidParameterError
        For an unknown name, an object that is not an augmenter, an empty
        list, or an invalid hyper-parameter, named by its path (``augment__max_degrees``,
        ``augment[1].max_pixels``).
    """
    if isinstance(augment, (list, tuple)):
        if not augment:
            # An empty Compose distorts nothing: copies equal to the originals, or a
            # network trained on the data as given at the cost of its image checks.
            raise InvalidParameterError(
                f"The 'augment' parameter of {owner} names no augmenter: {augment!r}. "
                "Name at least one, such as 'shift'; an estimator takes augment=None to "
                "train on the data as given."
            )
        augmenters = tuple(_resolve(item, owner) for item in augment)
        for index, augmenter in enumerate(augmenters):
            augmenter.validate(f"augment[{index}].", owner)
        return Compose(augmenters=augmenters)
    augmenter = _resolve(augment, owner)
    augmenter.validate("augment__", owner)
    return augmenter


def _resolve(augment, owner):
    """A fresh augmenter from a name or an instance; anything else is ``owner``'s error."""
    try:
        return get("augmenter", augment)
    except (ValueError, TypeError) as exc:
        raise InvalidParameterError(
            f"The 'augment' parameter of {owner} is invalid: {exc}"
        ) from exc


#: What each entry of an ``image_shape`` must be.
IMAGE_SIDE = Interval(Integral, 1, None, closed="left")


def check_image_shape(image_shape, owner):
    """Return ``image_shape`` as a tuple of two positive ints, or None when it is None.

    Raises
    ------
    InvalidParameterError
        Naming ``owner`` and what an image shape must be.
    """
    if image_shape is None:
        return None
    if not (
        isinstance(image_shape, (tuple, list))
        and len(image_shape) == 2
        # bool is an int to Python, and to scikit-learn's Interval: True read as 1.
        and not any(isinstance(side, bool) for side in image_shape)
        and all(IMAGE_SIDE.is_satisfied_by(side) for side in image_shape)
    ):
        raise InvalidParameterError(
            f"The 'image_shape' parameter of {owner} must be (height, width), two "
            f"entries each {IMAGE_SIDE}. Got {image_shape!r} instead."
        )
    return tuple(int(side) for side in image_shape)


def image_shape_for(n_features, image_shape=None):
    """The (height, width) of images with ``n_features`` pixels; square by default.

    ``image_shape`` is None or checked by :func:`check_image_shape`.
    """
    if image_shape is None:
        side = round(n_features**0.5)
        shape = (side, side)
    else:
        shape = image_shape
    if shape[0] * shape[1] != n_features:
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
        In [0, 180].

    Examples
    --------
    A horizontal bar turned by a random angle, resampled bilinearly:

    >>> import numpy as np
    >>> from sknielsen.plugins import Rotate
    >>> bar = np.zeros((1, 3, 3))
    >>> bar[0, 1, :] = 1.0
    >>> print(np.round(Rotate(max_degrees=90)(bar, np.random.default_rng(0)), 1))
    [[[0.  0.1 0. ]
      [0.6 1.  0.6]
      [0.  0.1 0. ]]]

    In the estimator, images that are not square need their shape:

    >>> from sknielsen import NielsenMLPClassifier
    >>> NielsenMLPClassifier(augment=Rotate(max_degrees=10), image_shape=(20, 30))
    NielsenMLPClassifier(augment=Rotate(max_degrees=10), image_shape=(20, 30))
    """

    _parameter_constraints = {"max_degrees": [Interval(Real, 0, 180, closed="both")]}

    def __init__(self, max_degrees=15.0):
        self.max_degrees = max_degrees

    def __call__(self, images, rng):
        angles = np.deg2rad(rng.uniform(-self.max_degrees, self.max_degrees, len(images)))
        y, x = _centred_grid(images.shape[1:])
        cos, sin = np.cos(angles)[:, None, None], np.sin(angles)[:, None, None]

        def displacement(rows):
            # Where each output pixel comes from: the inverse rotation of its position.
            source_y = cos[rows] * y - sin[rows] * x
            source_x = sin[rows] * y + cos[rows] * x
            return source_y - y, source_x - x

        return resampled(images, displacement)


@register("augmenter", "shift")
class Shift(Augmenter):
    """Translate each image by a random whole number of pixels in ±``max_pixels``.

    The book's ``expand_mnist.py`` idea: the digit moves, its label does not.

    Parameters
    ----------
    max_pixels : int, default=2
        In [0, 2**31 − 1]. A shift as wide as the image moves the digit out
        of it; the bound only keeps the random draw within a machine integer.

    Examples
    --------
    Whole pixels, so nothing is blurred; the input is left as it was:

    >>> import numpy as np
    >>> from sknielsen.plugins import Shift
    >>> dot = np.zeros((1, 3, 3))
    >>> dot[0, 1, 1] = 1.0
    >>> Shift(max_pixels=1)(dot, np.random.default_rng(0))[0]
    array([[0., 1., 0.],
           [0., 0., 0.],
           [0., 0., 0.]])
    >>> float(dot[0, 1, 1])
    1.0
    >>> from sknielsen import NielsenMLPClassifier
    >>> NielsenMLPClassifier(augment="shift")
    NielsenMLPClassifier(augment='shift')
    """

    _parameter_constraints = {"max_pixels": [Interval(Integral, 0, 2**31 - 1, closed="both")]}

    def __init__(self, max_pixels=2):
        self.max_pixels = max_pixels

    def __call__(self, images, rng):
        shape = (len(images), 1, 1)
        dy = rng.integers(-self.max_pixels, self.max_pixels + 1, size=shape).astype(float)
        dx = rng.integers(-self.max_pixels, self.max_pixels + 1, size=shape).astype(float)
        ones = np.ones(images.shape[1:])
        return resampled(images, lambda rows: (dy[rows] * ones, dx[rows] * ones), order=0)


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
        Width of the Gaussian, in pixels: larger is smoother; 0 does not smooth.

    Examples
    --------
    The defaults suit MNIST's 28 × 28 images; the 8 × 8 digits of
    scikit-learn want a smaller ``alpha``:

    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sknielsen.plugins import Elastic
    >>> images, rng = load_digits().images[:4] / 16, np.random.default_rng(0)
    >>> distorted = Elastic(alpha=8.0, sigma=2.0)(images, rng)
    >>> distorted.shape, distorted.dtype
    ((4, 8, 8), dtype('float64'))
    >>> np.array_equal(Elastic(alpha=0.0)(images, rng), images)  # no displacement
    True
    >>> from sknielsen import NielsenMLPClassifier
    >>> NielsenMLPClassifier(augment=Elastic(alpha=8.0, sigma=2.0))
    NielsenMLPClassifier(augment=Elastic(alpha=8.0, sigma=2.0))
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, np.inf, closed="left")],
        "sigma": [Interval(Real, 0, np.inf, closed="left")],
    }

    def __init__(self, alpha=34.0, sigma=4.0):
        self.alpha = alpha
        self.sigma = sigma

    def __call__(self, images, rng):
        fields = rng.uniform(-1.0, 1.0, size=(2, *images.shape))
        # The kernel reaches 4 sigma, as scipy's default, but no further than four times the
        # images' side: the same numbers for any sigma up to that side, and a bounded kernel
        # beyond it (sigma=1e9 asked scipy for 60 GiB).
        reach = min(int(4.0 * self.sigma + 0.5), 4 * max(images.shape[1:]))

        def displacement(rows):
            # Smoothed within each image only (sigma 0 across images and fields).
            smooth = ndimage.gaussian_filter(
                fields[:, rows],
                sigma=(0, 0, self.sigma, self.sigma),
                mode="constant",
                radius=(0, 0, reach, reach),
            )
            return self.alpha * smooth[0], self.alpha * smooth[1]

        return resampled(images, displacement)


@register("augmenter", "compose")
class Compose(Augmenter):
    """Apply several augmenters in turn.

    Parameters
    ----------
    augmenters : tuple of str or Augmenter, default=('rotate', 'shift')
        The augmenters, by registered name or instance, in the order applied.

    Examples
    --------
    >>> import numpy as np
    >>> from sknielsen.plugins import Compose, Shift
    >>> rotate_then_shift = Compose(("rotate", Shift(max_pixels=1)))
    >>> images = np.ones((5, 8, 8), dtype=np.float32)
    >>> distorted = rotate_then_shift(images, np.random.default_rng(0))
    >>> distorted.shape, distorted.dtype
    ((5, 8, 8), dtype('float32'))

    A list passed as ``augment`` is composed in the same way, here to
    expand a data set once (:func:`sknielsen.augment.expand`):

    >>> from sklearn.datasets import load_digits
    >>> from sknielsen.augment import expand
    >>> X, y = load_digits(return_X_y=True)
    >>> X_big, y_big = expand(X[:100] / 16, y[:100], ["rotate", "shift"], copies=2)
    >>> X_big.shape, y_big.shape
    ((300, 64), (300,))
    """

    _parameter_constraints = {"augmenters": [tuple, list]}

    def __init__(self, augmenters=("rotate", "shift")):
        self.augmenters = augmenters

    def validate(self, path="", owner=None):
        # The base checks the instances among the augmenters; the names are checked here.
        super().validate(path, owner)
        for index, item in enumerate(self.augmenters):
            try:
                get("augmenter", item)
            except (ValueError, TypeError) as exc:
                raise InvalidParameterError(
                    f"The '{path}augmenters[{index}]' parameter of "
                    f"{owner or type(self).__name__} is invalid: {exc}"
                ) from exc

    def __call__(self, images, rng):
        for augmenter in self.augmenters:
            if not isinstance(augmenter, Augmenter):  # a name
                augmenter = get("augmenter", augmenter)
            images = apply_augmenter(augmenter, images, rng)
        return images
