"""Held-out sets: stratified when the classes allow it."""

from sklearn.model_selection import train_test_split


def hold_out(*arrays, test_size, random_state, stratify=None):
    """``train_test_split(*arrays)``, stratified by ``stratify`` when every class can be.

    A class with too few examples to appear on both sides makes scikit-learn's
    stratified split fail, with an error about a stratification the caller did
    not ask of the user: the split is then made without it.

    Parameters
    ----------
    *arrays : sequence of indexables of the same length
    test_size : float
        The share held out.
    random_state : int
    stratify : array-like or None, default=None
        The class of each row, or None for no stratification.

    Returns
    -------
    parts : list
        As ``train_test_split``'s: each array's kept rows, then its held-out rows.
    """
    if stratify is not None:
        try:
            return train_test_split(
                *arrays, test_size=test_size, random_state=random_state, stratify=stratify
            )
        except ValueError:  # too few samples of some class to stratify
            pass
    return train_test_split(*arrays, test_size=test_size, random_state=random_state)
