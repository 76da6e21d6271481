"""An exact smaller scale for sums of numbers near the largest float."""

import numpy as np


def power_of_two_scale(values):
    """The power of two at most ``values``' largest magnitude, or 1 below 2 (or for no number).

    Dividing by a power of two is exact: what is computed on that scale is
    what would be computed on the values' own, where that does not overflow.

    Parameters
    ----------
    values : array-like of float

    Returns
    -------
    scale : float
    """
    largest = float(np.max(np.abs(values), initial=0.0))
    if not np.isfinite(largest) or largest < 2.0:
        return 1.0
    return float(np.ldexp(1.0, np.frexp(largest)[1] - 1))
