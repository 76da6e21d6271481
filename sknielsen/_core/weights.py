"""Sample weights, checked alike wherever they enter: fit, a monitor's data, check_gradients."""

import numpy as np
from sklearn.utils.validation import _check_sample_weight

from .arrays import refusing_huge_integers


def check_sample_weight(sample_weight, X):
    """Return the sample weights of ``X`` as float64, refusing those no fit can take.

    scikit-learn's check refuses a wrong shape or length, negative, NaN and
    infinite weights; weights that are all zero it refuses only from 1.9 on,
    and before that they reached the training, where their mean of zero
    failed inside NumPy or recorded a NaN cost.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,)
        One weight per row of ``X``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The rows the weights are of.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,), dtype float64
        The weights, checked.

    Raises
    ------
    ValueError
        For weights scikit-learn refuses, every weight zero, or an integer
        beyond the largest float.
    """
    with refusing_huge_integers("sample_weight"):
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
    if not sample_weight.any():
        # scikit-learn's words from 1.9 on, so that every supported release says the same.
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sample_weight
