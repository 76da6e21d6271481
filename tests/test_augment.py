"""Augmenters: labels and shapes kept, deterministic under a seed, identity at zero."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.utils._param_validation import InvalidParameterError

from sknielsen import NielsenMLPClassifier, load, plugins, save
from sknielsen.augment import expand, expand_mnist


@pytest.fixture
def images():
    batch = np.zeros((4, 12, 10))
    batch[:, 3:9, 4:7] = 1.0
    batch[1, 2, 2] = 0.5
    return batch


@pytest.mark.parametrize("name", ["rotate", "shift", "elastic", "compose"])
def test_shape_dtype_and_determinism(name, images):
    augmenter = plugins.get("augmenter", name)
    for dtype in (np.float64, np.float32):
        batch = images.astype(dtype)
        before = batch.copy()
        first = augmenter(batch, np.random.default_rng(3))
        second = augmenter(batch, np.random.default_rng(3))
        assert first.shape == batch.shape and first.dtype == dtype
        np.testing.assert_array_equal(first, second)
        np.testing.assert_array_equal(batch, before)  # input untouched
        assert not np.array_equal(first, augmenter(batch, np.random.default_rng(4)))


def test_zero_distortions_are_the_identity(images):
    rng = np.random.default_rng(0)
    np.testing.assert_allclose(plugins.Rotate(max_degrees=0)(images, rng), images, atol=1e-12)
    np.testing.assert_array_equal(plugins.Shift(max_pixels=0)(images, rng), images)
    np.testing.assert_allclose(plugins.Elastic(alpha=0)(images, rng), images, atol=1e-12)


def test_shift_moves_whole_pixels_and_rotation_by_90_degrees_is_exact():
    image = np.zeros((1, 5, 5))
    image[0, 1, 2] = 1.0
    shifted = plugins.Shift(max_pixels=1)(image, np.random.default_rng(1))
    assert shifted.sum() == 1.0 and set(np.unique(shifted)) == {0.0, 1.0}

    class QuarterTurn:
        """Stands in for the generator: every angle drawn is 90 degrees."""

        def uniform(self, low, high, size):
            return np.full(size, 90.0)

    out = plugins.Rotate(max_degrees=90)(image, QuarterTurn())
    turned = [np.rot90(image, k, axes=(1, 2)) for k in (1, -1)]
    assert any(np.allclose(out, t, atol=1e-9) for t in turned)


def _book_shifts(image):
    """expand_mnist.py's four displacements of one image, as the book writes them."""
    shifted = []
    for shift, axis, edge in [(1, 0, 0), (-1, 0, -1), (1, 1, 0), (-1, 1, -1)]:
        moved = np.roll(image, shift, axis)
        if axis == 0:
            moved[edge, :] = 0
        else:
            moved[:, edge] = 0
        shifted.append(moved)
    return shifted


def test_expand_mnist_makes_the_book_s_four_one_pixel_shifts():
    # expand_mnist.py: each image, then moved down, up, right and left by one pixel, the
    # row or column that rolled round set to 0; the pairs of one image stay together.
    rng = np.random.default_rng(0)
    X = rng.random((3, 20))  # 5 x 4 images, bright up to every edge
    y = np.array([7, 1, 3])
    X_big, y_big = expand_mnist(X, y, image_shape=(5, 4))
    expected = []
    for image in X.reshape(3, 5, 4):
        expected += [image, *_book_shifts(image)]
    np.testing.assert_array_equal(X_big, np.reshape(expected, (15, 20)))
    np.testing.assert_array_equal(y_big, np.repeat(y, 5))
    dot = np.zeros((1, 9))
    dot[0, 4] = 1.0  # the centre of a 3 x 3 image
    moved, _ = expand_mnist(dot, [0])
    where = [divmod(int(np.flatnonzero(row)[0]), 3) for row in moved]
    assert where == [(1, 1), (2, 1), (0, 1), (1, 2), (1, 0)]  # (row, column)


def test_expand_keeps_labels_and_originals():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(6, 64))
    y = np.array(list("abcabc"))
    X_big, y_big = expand(X, y, "shift", copies=3)
    assert X_big.shape == (24, 64) and y_big.tolist() == list("abcabc") * 4
    np.testing.assert_array_equal(X_big[:6], X)
    again, _ = expand(X, y, "shift", copies=3)
    np.testing.assert_array_equal(X_big, again)
    with pytest.raises(ValueError, match="not images of shape"):
        expand(X[:, :63], y)


def test_estimator_trains_with_augmentation(small_digits, tmp_path):
    X, X_test, y, y_test = small_digits
    # 8x8 digits: one pixel is an eighth of the image, so distortions stay small.
    params = {
        "augment": [plugins.Rotate(max_degrees=10), plugins.Shift(max_pixels=1)],
        "epochs": 10,
        "random_state": 0,
    }
    net = NielsenMLPClassifier(**params).fit(X, y)
    same = NielsenMLPClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(net.coefs_[0], same.coefs_[0])
    plain = NielsenMLPClassifier(epochs=10, random_state=0).fit(X, y)
    assert not np.array_equal(net.coefs_[0], plain.coefs_[0])
    assert net.score(X_test, y_test) > 0.8
    # Three epochs: after one, the distorted digits' cost had not yet fallen (a warning).
    named = NielsenMLPClassifier(augment=["rotate", "shift"], epochs=3, random_state=0).fit(X, y)
    save(named, tmp_path / "net.json")
    assert load(tmp_path / "net.json").get_params()["augment"] == ("rotate", "shift")
    save(net, tmp_path / "instances.json")
    restored = load(tmp_path / "instances.json").get_params()["augment"]
    assert restored == (plugins.Rotate(max_degrees=10), plugins.Shift(max_pixels=1))
    net.set_params(augment="rotate", augment__max_degrees=5.0)
    assert net.augment.max_degrees == 5.0


def test_augment_errors(small_digits):
    X, _, y, _ = small_digits
    with pytest.raises(ValueError, match=r"not a square image.*image_shape"):
        NielsenMLPClassifier(augment="shift").fit(X[:, :60], y)
    with pytest.raises(ValueError, match="Unknown augmenter 'blur'"):
        NielsenMLPClassifier(augment=["shift", "blur"]).fit(X, y)
    message = r"^augment=Shift\(\) makes the cost random, .* leave augment at None, or give"
    with pytest.raises(ValueError, match=message):
        NielsenMLPClassifier(augment="shift", optimizer="lbfgs").fit(X, y)


@pytest.mark.parametrize(
    ("keyword", "value", "match"),
    [
        ("copies", 0, "'copies' parameter of expand"),
        ("copies", -1, "'copies' parameter of expand"),
        ("copies", 2.5, "'copies' parameter of expand"),
        ("copies", True, "'copies' parameter of expand"),
        ("random_state", -1, "'random_state' parameter of expand"),
        ("random_state", "seed", "'random_state' parameter of expand"),
    ],
)
def test_expand_refuses_invalid_copies_and_random_state(keyword, value, match):
    X, y = np.zeros((5, 16)), np.arange(5)
    with pytest.raises(InvalidParameterError, match=match):
        expand(X, y, "shift", **{keyword: value})


def test_expand_takes_random_state_as_scikit_learn_does():
    X, y = np.random.default_rng(0).uniform(size=(5, 16)), np.arange(5)
    seeded = expand(X, y, "shift", copies=1, random_state=np.random.RandomState(3))[0]
    again = expand(X, y, "shift", copies=1, random_state=np.random.RandomState(3))[0]
    np.testing.assert_array_equal(seeded, again)
    assert expand(X, y, "shift", copies=1, random_state=None)[0].shape == (10, 16)


class _CropsAColumn(plugins.Augmenter):
    def __call__(self, images, rng):
        return images[:, :, :-1]


class _Rounds(plugins.Augmenter):
    def __call__(self, images, rng):
        return np.round(images).astype(np.int64)


class _Blanks(plugins.Augmenter):
    def __call__(self, images, rng):
        return np.full_like(images, np.nan)


class _ReturnsAList(plugins.Augmenter):
    def __call__(self, images, rng):
        return list(images)


class _Narrows(plugins.Augmenter):
    """Computes in half precision: a float64 fit took its pixels silently."""

    def __call__(self, images, rng):
        return images.astype(np.float16)


class _Widens(plugins.Augmenter):
    def __call__(self, images, rng):
        return images.astype(np.float64)


@pytest.mark.parametrize(
    ("augmenter", "error", "match"),
    [
        (
            _CropsAColumn(),
            ValueError,
            r"_CropsAColumn\(\) returned an array of shape \(\d+, 8, 7\)",
        ),
        (_ReturnsAList(), TypeError, r"_ReturnsAList\(\) returned a list; expected a numpy"),
        (["shift", _ReturnsAList()], TypeError, r"_ReturnsAList\(\) returned a list"),
        (_Rounds(), TypeError, r"_Rounds\(\) returned an array of int64; expected floating"),
        (_Blanks(), ValueError, r"_Blanks\(\) returned NaN or infinite pixels"),
        (_Narrows(), TypeError, r"_Narrows\(\) returned an array of float16 for images of float64"),
    ],
)
def test_augmenter_returning_other_than_the_images_shape_is_named(
    small_digits, augmenter, error, match
):
    X, _, y, _ = small_digits
    with pytest.raises(error, match=match):
        expand(X[:10], y[:10], augmenter, copies=1)
    with pytest.raises(error, match=match):
        NielsenMLPClassifier((5,), augment=augmenter, epochs=1, random_state=0).fit(X, y)


def test_an_augmenter_returning_a_wider_dtype_keeps_the_images_dtype(small_digits):
    X, _, y, _ = small_digits
    X_big, _ = expand(X[:10].astype(np.float32), y[:10], _Widens(), copies=1)
    assert X_big.dtype == np.float32


class _WritesItsInput(plugins.Augmenter):
    def __call__(self, images, rng):
        images += 1.0
        return images


def test_an_augmenter_writing_into_its_input_leaves_the_users_images_alone(small_digits):
    # fit without shuffling and expand handed it views of X, which it changed for good.
    X, _, y, _ = small_digits
    X, y, before = X[:20].copy(), y[:20], X[:20].copy()
    expanded, _ = expand(X, y, _WritesItsInput(), copies=2)
    NielsenMLPClassifier((3,), augment=_WritesItsInput(), shuffle=False, epochs=1).fit(X, y)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(expanded, np.concatenate([before, before + 1, before + 1]))


@pytest.mark.parametrize("augment", [3, lambda images, rng: images, {"shift": 1}])
def test_the_estimator_names_what_augment_accepts(augment):
    X, y = load_digits(return_X_y=True)
    net = NielsenMLPClassifier((5,), epochs=1, augment=augment)
    with pytest.raises(InvalidParameterError, match=r"'augment' .*an instance of .*Augmenter'"):
        net.fit(X[:20] / 16, y[:20])


@pytest.mark.parametrize("name", ["rotate", "shift", "elastic", "compose"])
def test_half_precision_images_are_distorted_in_their_dtype(name, images):
    # scipy's map_coordinates has no float16 loop: "RuntimeError: data type not supported".
    half = images.astype(np.float16)
    distorted = plugins.get("augmenter", name)(half, np.random.default_rng(3))
    wide = plugins.get("augmenter", name)(images.astype(np.float32), np.random.default_rng(3))
    assert distorted.dtype == np.float16
    np.testing.assert_allclose(distorted, wide, atol=1e-3)
    X_more, _ = expand(half.reshape(4, -1), np.arange(4), name, image_shape=(12, 10))
    assert X_more.dtype == np.float16 and X_more.shape == (20, 120)


@pytest.mark.parametrize("name", ["rotate", "shift", "elastic"])
def test_boolean_images_are_distorted_as_numbers_then_rounded(name, images):
    # scipy resampled booleans to False wherever a pixel moved by a fraction: a bar
    # shifted by 0.2 pixel vanished, and rotated digits kept a fifth of their ink.
    ink = images >= 0.5
    distorted = plugins.get("augmenter", name)(ink, np.random.default_rng(3))
    wide = plugins.get("augmenter", name)(ink.astype(float), np.random.default_rng(3))
    assert distorted.dtype == bool
    np.testing.assert_array_equal(distorted, wide >= 0.5)
    X_more, _ = expand(ink.reshape(4, -1), np.arange(4), name, image_shape=(12, 10))
    assert X_more.dtype == bool and X_more[4:].sum() > 0.8 * X_more[:4].sum()


@pytest.mark.parametrize("X", [np.array([["a"] * 4]), np.array([[1, 2, 3, 4]], dtype=object)])
def test_expand_refuses_images_that_are_not_numbers(X):
    # Not scipy's "data type 'str32' not understood" or "data type not supported".
    with pytest.raises(TypeError, match="expand needs images of numbers; X holds"):
        expand(X, [0])


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (np.arange(5)[:, None], r"y of shape \(5, 1\) is a column: pass y.ravel\(\)"),
        (np.zeros((5, 2, 1)), r"y must be a 1-D array of labels .*; got shape \(5, 2, 1\)"),
        (np.array([0.0, 1.0, np.nan, 1.0, 0.0]), "y contains NaN"),
        (np.array([0.0, np.inf, 2.0, 1.0, 0.0]), "y contains infinity"),
        (np.arange(4), r"y must hold one label per row of X: 4 labels for 5 rows"),
    ],
)
def test_expand_refuses_labels_that_are_not_one_per_image(y, match):
    # They were repeated as given: a (5, 1) y came back (25, 1), NaN labels stayed NaN.
    X = np.zeros((5, 16))
    with pytest.raises(ValueError, match=match):
        expand(X, y, "shift", copies=1)


def test_expand_refuses_complex_labels():
    with pytest.raises(TypeError, match="y holds complex128"):
        expand(np.zeros((5, 16)), np.arange(5) + 1j, "shift", copies=1)


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        (np.zeros((5, 16)) + 1j, TypeError, "expand needs real-valued images; X holds complex128"),
        (np.zeros((5, 4, 4)), ValueError, r"X must be 2-D, one image per row; got shape \(5, 4,"),
        (np.zeros(16), ValueError, r"X must be 2-D, one image per row; got shape \(16,\)"),
        (np.zeros((0, 16)), ValueError, "X holds no images"),
        (np.zeros((5, 0)), ValueError, r"X holds images of no pixels: shape \(5, 0\)"),
        (np.full((5, 16), np.nan), ValueError, "X contains NaN"),
        (np.full((5, 16), -np.inf), ValueError, "X contains infinity"),
    ],
)
def test_expand_refuses_images_it_cannot_distort(X, error, match):
    # Complex images were distorted into complex copies; empty X came back empty, and
    # (5, 0) as 25 rows of nothing; NaN pixels were spread over their neighbours.
    with pytest.raises(error, match=match):
        expand(X, np.arange(len(X)), "rotate", copies=1)


@pytest.mark.parametrize(
    "y",
    [
        np.array([True, False, True, False, True]),
        np.array(list("abcab"), dtype=object),
        np.eye(5, 3),  # a multilabel indicator matrix
        np.arange(10.0).reshape(5, 2),  # two regression targets
    ],
)
def test_expand_repeats_any_labels_the_estimators_take(y):
    X = np.random.default_rng(0).uniform(size=(5, 16))
    X_more, y_more = expand(X, y, "shift", copies=2)
    assert X_more.shape == (15, 16) and y_more.dtype == y.dtype
    np.testing.assert_array_equal(y_more, np.concatenate([y] * 3))


def test_expand_refuses_an_image_shape_of_other_pixels_than_the_rows():
    with pytest.raises(ValueError, match=r"16 features are not images of shape \(4, 5\)"):
        expand(np.zeros((5, 16)), np.arange(5), image_shape=(4, 5))


def test_elastic_of_any_width_draws_a_bounded_kernel_and_the_same_numbers_up_to_the_side():
    # sigma=1e9 asked scipy for a 60 GiB kernel (MemoryError); up to the images' side
    # the displacements are scipy's default filter's, to the bit.
    from scipy import ndimage

    from sknielsen.plugins import Elastic
    from sknielsen.plugins._augmenters import warp

    images = np.random.default_rng(0).random((3, 8, 8))
    for sigma in (0.5, 4.0, 8.0):
        fields = np.random.default_rng(1).uniform(-1.0, 1.0, size=(2, *images.shape))
        smooth = ndimage.gaussian_filter(fields, sigma=(0, 0, sigma, sigma), mode="constant")
        expected = warp(images, 2.0 * smooth[0], 2.0 * smooth[1])
        got = Elastic(alpha=2.0, sigma=sigma)(images, np.random.default_rng(1))
        np.testing.assert_array_equal(got, expected)
    assert Elastic(sigma=1e9)(images, np.random.default_rng(1)).shape == images.shape


def test_expand_refuses_more_copies_than_memory_holds_before_distorting_any():
    # Each copy was distorted and kept, then all were joined: copies=10**15 of two digits
    # ran until memory ran out, and any expansion held its result twice at the end.
    X, y = load_digits(return_X_y=True)
    message = r"^expand\(copies=1000000000000000\) would make 2,000,000,000,000,002 rows of 64"
    with pytest.raises(MemoryError, match=message):
        expand(X[:2], y[:2], copies=10**15)


def test_expand_takes_sparse_images_as_the_estimators_do():
    # Refused as "The 'X' parameter of expand must be an array-like", where the estimators
    # train on the same CSR images.
    from scipy import sparse

    X, y = load_digits(return_X_y=True)
    X = X[:20] / 16
    dense = expand(X, y[:20], "shift", copies=2, random_state=0)
    for matrix in (sparse.csr_matrix(X), sparse.csc_array(X)):
        X_more, y_more = expand(matrix, y[:20], "shift", copies=2, random_state=0)
        assert isinstance(X_more, np.ndarray)
        np.testing.assert_array_equal(X_more, dense[0])
        np.testing.assert_array_equal(y_more, dense[1])


class _AddsNoise(plugins.Augmenter):
    def __call__(self, images, rng):
        return images + rng.uniform(-0.4, 0.4, size=images.shape)


def test_expand_keeps_the_floats_an_augmenter_returns_for_integer_images():
    # Written into an array of the images' uint8, the copies were truncated to whole
    # numbers (and negative ones wrapped); joined, they were floats, and are again.
    X = (np.arange(32).reshape(2, 16) % 3).astype(np.uint8)
    X_more, _ = expand(X, [0, 1], _AddsNoise(), copies=2, image_shape=(4, 4))
    noise = np.random.default_rng(0).uniform(-0.4, 0.4, size=(2, 4, 4)).reshape(2, 16)
    assert X_more.dtype == np.float64
    np.testing.assert_array_equal(X_more[:2], X)
    np.testing.assert_allclose(X_more[2:4], X + noise)


@pytest.mark.parametrize("empty", [[], ()])
def test_an_empty_list_of_augmenters_is_refused(empty):
    # expand(augment=[]) returned copies identical to the originals, and a network
    # trained on undistorted batches, checking an image shape for nothing.
    X, y = load_digits(return_X_y=True)
    with pytest.raises(InvalidParameterError, match=r"augment.*of expand.*names no augmenter"):
        expand(X[:5], y[:5], empty, copies=2)
    with pytest.raises(InvalidParameterError, match=r"augment=None to train on the data"):
        NielsenMLPClassifier(augment=empty, epochs=1).fit(X[:50], y[:50])


def test_expand_allocates_the_floats_an_augmenter_returns_for_integer_images_at_once():
    # The result was made in the images' uint8 and widened to float64 when the first
    # copy came back: a size that fit as uint8 could fail mid-way, after distorting.
    X = (np.arange(32).reshape(2, 16) % 3).astype(np.uint8)
    message = r"would make 2,000,000,000,000,002 rows of 16 float64 pixels"
    with pytest.raises(MemoryError, match=message):
        expand(X, [0, 1], _AddsNoise(), copies=10**15, image_shape=(4, 4))


@pytest.mark.parametrize("augment", ["shift", "rotate", "elastic"])
def test_expand_resamples_within_scikit_learn_s_working_memory_not_every_image_at_once(augment):
    # The built-in augmenters resampled every image they were given at once, through
    # coordinates and displacements of some 80 bytes a pixel: expand of 5,000 MNIST images
    # in float32 (15 MiB) peaked at 374 to 494 MiB, and MNIST's 60,000 ran out of memory
    # in NumPy's meshgrid after the result was allocated.
    import tracemalloc

    import sklearn

    X = np.random.default_rng(0).uniform(size=(2000, 784)).astype(np.float32)  # 6 MiB
    y = np.arange(len(X))
    expected = expand(X, y, augment, copies=1, random_state=0)[0]
    tracemalloc.start()
    try:
        with sklearn.config_context(working_memory=1):
            X_more = expand(X, y, augment, copies=1, random_state=0)[0]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # What it needs: the result (twice X), the augmenter's copy of the images and what it
    # returns, Elastic's random fields (two float64 a pixel, drawn at once as before),
    # and chunks of 1 MiB.
    fields = 4 * X.nbytes if augment == "elastic" else 0
    assert peak < 4 * X.nbytes + fields + 4 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    np.testing.assert_array_equal(X_more, expected)  # the same distortions, to the bit


class _FloatsAfterTheFirstImage(plugins.Augmenter):
    """Returns the images as they are for one image, floats for several."""

    def __call__(self, images, rng):
        return images if len(images) == 1 else images + 0.5


def test_expand_keeps_floats_an_augmenter_returns_only_for_the_whole_batch():
    # The one image that told the dtype came back as integers: the copies' floats were
    # then written into integers, truncated.
    X = (np.arange(32).reshape(2, 16) % 3).astype(np.uint8)
    X_more, _ = expand(X, [0, 1], _FloatsAfterTheFirstImage(), copies=1, image_shape=(4, 4))
    assert X_more.dtype == np.float64
    np.testing.assert_array_equal(X_more[2:], X + 0.5)


@pytest.mark.parametrize("name", ["rotate", "shift", "elastic", "compose"])
def test_long_double_images_are_distorted_in_their_dtype(name, images):
    # scipy's map_coordinates has no loop for long doubles either: expand failed with
    # "RuntimeError: data type not supported".
    long = images.astype(np.longdouble)
    distorted = plugins.get("augmenter", name)(long, np.random.default_rng(3))
    wide = plugins.get("augmenter", name)(images, np.random.default_rng(3))
    assert distorted.dtype == np.longdouble
    np.testing.assert_allclose(distorted.astype(np.float64), wide, rtol=1e-12, atol=1e-12)
    X_more, _ = expand(long.reshape(4, -1), np.arange(4), name, image_shape=(12, 10))
    assert X_more.dtype == np.longdouble and X_more.shape == (20, 120)


@pytest.mark.parametrize("function", [expand, expand_mnist])
@pytest.mark.parametrize(
    "X",
    [
        np.zeros((2, 4), dtype="timedelta64[s]"),
        np.zeros((2, 4), dtype="datetime64[D]"),
        np.array([["a"] * 4] * 2),
        np.ones((2, 4), dtype=object),
    ],
)
def test_both_expansions_refuse_images_that_are_not_numbers_naming_themselves(function, X):
    # Durations are integers to NumPy: expand failed inside scipy ("data type not
    # supported") and expand_mnist shifted them; its refusals of others said "expand".
    with pytest.raises(TypeError, match=rf"^{function.__name__} needs images of numbers; X holds"):
        function(X, [0, 1], image_shape=(2, 2))


def _missing_labels():
    pd = pytest.importorskip("pandas")
    days = np.array(["2020-01-01"] * 4, dtype="datetime64[D]")
    days[2] = np.datetime64("NaT")
    return [
        ["a", "b", None, "a"],
        ["a", "b", pd.NA, "a"],
        np.array(["a", "b", np.nan, "a"], dtype=object),
        days,
    ]


@pytest.mark.parametrize("function", [expand, expand_mnist])
@pytest.mark.parametrize("index", range(4))
def test_both_expansions_refuse_missing_labels_of_any_kind(function, index):
    # None and NaT were repeated as labels; pd.NA failed in pandas' "boolean value of NA
    # is ambiguous", naming no argument. The estimators refuse them all.
    y = _missing_labels()[index]
    message = r"^y contains a missing label \(None, NaN, pd.NA or NaT\) at position 2: every"
    with pytest.raises(ValueError, match=message):
        function(np.zeros((4, 4)), y)


@pytest.mark.parametrize("function", [expand, expand_mnist])
def test_both_expansions_refuse_rows_of_different_lengths_by_name(function):
    # NumPy's "setting an array element with a sequence. The requested array has an
    # inhomogeneous shape..." named neither X nor y.
    with pytest.raises(ValueError, match=r"^X must be one image per row, all of one length"):
        function([[0.0] * 4, [0.0] * 3], [0, 1])
    with pytest.raises(ValueError, match=r"^y must be one label \(or row of targets\) per image"):
        function(np.zeros((2, 4)), [[0, 1], [0]])
