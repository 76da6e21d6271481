"""Which engine runs a fit: the ``engine`` parameter, and what 'auto' decides."""

from .._core.warn import warn
from . import _cengine
from ._compiled import numba_available, unsupported

#: From this mini-batch size on, 'auto' trains with NumPy: at 100 the compiled
#: engine, through the estimator, was measured 0.74× as fast as the NumPy
#: engine in float32 and 1.02× in float64, no gain (docs/performance.md).
SLOWER_COMPILED_BATCH = 100
#: Below this many samples times epochs, 'auto' trains with NumPy: loading the
#: kernels from numba's cache costs about 0.25 s per process (compiling them,
#: once per installation, 10 s per dtype), while they save about 3 µs per
#: sample at mini-batch 10 (0.35 → 0.19 s per 50,000 MNIST images, float64).
AUTO_MIN_SAMPLE_PASSES = 100_000


def choose_engine(requested, network, plugins, *, dropout, augment, batch_size, sample_passes):
    """The engine that runs a fit, 'numpy', 'c' or 'numba', and why it is not the one asked.

    Parameters
    ----------
    requested : {'auto', 'numpy', 'c', 'numba'}
        The estimator's ``engine`` parameter.
    network : Network
    plugins : Plugins
        The run's fitted plugins.
    dropout : float
    augment : callable or None
    batch_size : int
    sample_passes : int
        The number of samples times the epochs of the fit.

    Returns
    -------
    engine : str
    why : str
        Empty, or why 'auto' chose NumPy, as a clause for the verbose line.

    Raises
    ------
    ImportError
        For 'numba' without numba installed.
    ValueError
        For 'numba' with a configuration it has no kernels for.
    """
    if requested == "numpy":
        return "numpy", ""
    if requested == "c" or (requested == "auto" and _cengine.available()):
        return _c_engine(requested, network, plugins, dropout=dropout, augment=augment)
    reason = unsupported(
        network,
        plugins.cost,
        plugins.regularizer,
        plugins.optimizer,
        dropout=dropout,
        augment=augment,
    )
    if requested == "numba":
        if not numba_available():
            raise ImportError(
                "engine='numba' needs numba, which is not installed: "
                "pip install \"sknielsen[fast]\", or use engine='auto' or 'numpy'."
            )
        if reason is not None:
            raise ValueError(
                f"engine='numba' cannot train this configuration: {reason}. "
                "Use engine='auto' (which falls back to NumPy) or engine='numpy'."
            )
        return "numba", ""
    if reason is not None:
        return "numpy", f" ({reason})"
    if sample_passes < AUTO_MIN_SAMPLE_PASSES:  # decided before numba is imported
        return "numpy", " (too little training to repay loading the compiled kernels)"
    if not numba_available():
        return "numpy", ' (numba is not installed: pip install "sknielsen[fast]")'
    if batch_size >= SLOWER_COMPILED_BATCH:
        return "numpy", " (measured as fast or faster than the compiled engine at this size)"
    return "numba", ""


def _c_engine(requested, network, plugins, *, dropout, augment):
    """'c' where the C engine is built and has kernels; NumPy, and why, otherwise.

    ``engine='c'`` on an installation made without a C compiler trains on
    NumPy with one warning; a configuration it has no kernels for is refused.
    """
    reason = _cengine.unsupported(
        network,
        plugins.cost,
        plugins.regularizer,
        plugins.optimizer,
        dropout=dropout,
        augment=augment,
    )
    if requested == "auto":
        return ("numpy", f" ({reason})") if reason else ("c", "")
    if reason is not None:
        raise ValueError(
            f"engine='c' cannot train this configuration: {reason}. "
            "Use engine='auto' (which falls back to NumPy) or engine='numpy'."
        )
    module, note = _cengine.load()
    if module is None:
        warn(f"engine='c' trains on NumPy instead: {note}.")
        return "numpy", f" ({note})"
    return "c", ""
