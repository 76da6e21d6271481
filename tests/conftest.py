import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

# Headless, whatever the shell says: a figure of pyplot's (the tests of ax=, the docs'
# blocks that end in plt.show()) opens no window, and plt.show() waits for none.
os.environ["MPLBACKEND"] = "Agg"

# Profiles of the fuzz tests (tests/test_callback_fuzz.py): the default suite,
# as CI runs it, tries the same derandomized cases every time; `-m slow` runs
# random ones. Neither keeps a database of examples in the checkout.
_FUZZ = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
settings.register_profile("ci", derandomize=True, **_FUZZ)
settings.register_profile("slow", derandomize=False, **_FUZZ)


def pytest_configure(config):
    # Tests that ask for engine="c" without needing it (the same checks on either engine)
    # train on NumPy where no compiler built the kernels (.ci/without_c), and the fit says
    # so each time: expected there, 140 lines of it in the run's summary. The tests of that
    # warning itself catch it with pytest.warns, which sees past this filter.
    from sknielsen.engine import _cengine

    if not _cengine.available():
        config.addinivalue_line(
            "filterwarnings", "ignore:engine='c' trains on NumPy instead:UserWarning"
        )


@pytest.fixture(autouse=True)
def _global_random_state():
    """Each test starts from the same state of NumPy's global generator.

    An estimator given no ``random_state`` draws its seed there, as
    scikit-learn's do; about ninety fits in these tests give none, and
    their draws depended on the tests that ran before them: now and then
    one epoch raised its cost and left a ConvergenceWarning in one run and
    not the next. Within a test, successive draws still differ.
    """
    np.random.seed(0)


@pytest.fixture(scope="session")
def digits_split():
    """scikit-learn's digits scaled to [0, 1]: 2/3 train, 1/3 test, fixed seed."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=1 / 3, random_state=0, stratify=y)


@pytest.fixture(scope="session")
def small_digits(digits_split):
    """The first 300 training digits of classes 0, 1 and 2, for fast tests."""
    X_train, X_test, y_train, y_test = digits_split
    train_mask, test_mask = y_train < 3, y_test < 3
    return (
        X_train[train_mask][:300],
        X_test[test_mask],
        y_train[train_mask][:300],
        y_test[test_mask],
    )


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _close_pyplot_figures():
    """Close what pyplot holds after each test: a docs block's plt.subplots() too."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")  # never imported for the tests that need none
    if pyplot is not None:
        pyplot.close("all")


@pytest.fixture
def pyplot():
    """matplotlib's pyplot, its figures closed before and after (scikit-learn's fixture).

    sknielsen draws on bare Figures; only the tests of figures a user made
    through pyplot need it. On Agg (above): no window, with or without a display.
    """
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.close("all")  # closed after by _close_pyplot_figures
    return plt
