"""Which engine runs a fit: the ``engine`` parameter, and what 'auto' decides."""

from .._core.warn import warn
from . import _cengine


def choose_engine(requested, network, plugins, *, dropout, augment):
    """The engine that runs a fit, 'numpy' or 'c', and why it is not the one asked.

    ``'auto'`` takes the C engine wherever it is built and has kernels for
    the configuration (measured faster than NumPy at every size tried,
    docs/performance.md), and NumPy otherwise.

    Parameters
    ----------
    requested : {'auto', 'numpy', 'c'}
        The estimator's ``engine`` parameter (the training layer's
        ``resolve`` has refused the retired ``'numba'`` before).
    network : Network
    plugins : Plugins
        The run's fitted plugins.
    dropout : float
    augment : callable or None

    Returns
    -------
    engine : str
    why : str
        Empty, or why NumPy trains instead, as a clause for the verbose line.

    Raises
    ------
    ValueError
        For 'c' with a configuration it has no kernels for.
    """
    if requested == "numpy":
        return "numpy", ""
    module, note = _cengine.load()
    if requested == "auto" and module is None:
        if isinstance(note, _cengine.StaleKernels):
            warn(f"{note}; training on NumPy until then.")
        return "numpy", f" ({note})"
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
    if module is None:
        warn(f"engine='c' trains on NumPy instead: {note}.")
        return "numpy", f" ({note})"
    return "c", ""
