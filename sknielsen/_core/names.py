"""Names: of target columns, checked against a model's, and the nearest of a mistyped one.

scikit-learn records the names of X's columns (``feature_names_in_``) and
checks them at ``predict``; the targets' names it does not keep. A model of
several outputs fitted on a table of targets keeps them here, so that the
same columns given in another order are refused instead of trained on or
scored as swapped outputs.
"""

import difflib

import numpy as np

from .tables import column_names
from .warn import warn


def did_you_mean(name, choices):
    """`` (did you mean 'mnist'?)`` for the choice nearest a mistyped ``name``, or ``""``.

    Parameters
    ----------
    name : str
        What was given; compared in lower case, as the choices are written.
    choices : iterable of str

    Returns
    -------
    hint : str
        To follow the name in a message.
    """
    close = difflib.get_close_matches(name.lower(), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def target_names(y):
    """The column names of a table of targets, or None.

    Parameters
    ----------
    y : array-like
        Targets as given: a pandas (or other dataframe library's) table
        keeps its column names.

    Returns
    -------
    names : ndarray of object or None
        The names, when ``y`` has columns all named by strings (as
        scikit-learn keeps feature names); None for arrays, Series, and
        columns numbered or of mixed names.
    """
    columns = column_names(y)
    if not columns or not all(isinstance(name, str) for name in columns):
        return None
    return np.asarray(columns, dtype=object)


def check_target_names(y, fitted, name="y"):
    """Refuse a table of targets whose columns are not the model's, in the model's order.

    Parameters
    ----------
    y : array-like
        Targets as given. Arrays name no columns, and are read by position.
    fitted : ndarray of str or None
        The names the model was fitted with (``target_names_in_``), None for
        none.
    name : str, default="y"
        What ``y`` is called in the message.

    Raises
    ------
    ValueError
        Naming both lists of names, and how to select the columns.
    """
    given = target_names(y)
    if given is None or fitted is None:
        return
    if len(given) == len(fitted) and all(a == b for a, b in zip(given, fitted)):
        return
    model = _listed(fitted)
    raise ValueError(
        f"{name}'s columns are {_listed(given)}; the model's targets are {model}, in that "
        f"order: select them as {name}[[{model}]], each output's own column."
    )


def warn_if_named_on_one_side(y, fitted, name="y"):
    """Warn when ``y``'s columns are named and the model's targets not, or the reverse.

    As scikit-learn warns of feature names on one side only: the columns are
    then read by position, and a table in another order would go unnoticed.

    Parameters
    ----------
    y : array-like
        Targets as given to a continued fit, or a validation set.
    fitted : ndarray of str or None
        The model's target names (``target_names_in_``), None for none.
    name : str, default="y"
        What ``y`` is called in the message.
    """
    given = target_names(y)
    # Measured only without names (a table is 2-D): _ndim converts a list's values.
    # Other shapes than 2-D are refused by the shape checks, named.
    if given is None and fitted is not None and _ndim(y) == 2:
        warn(
            f"{name} has no column names, but the model's targets are named "
            f"{_listed(fitted)}: its columns are read by position, as those."
        )
    elif given is not None and fitted is None:
        warn(
            f"{name} names its columns {_listed(given)}, but the model's targets are "
            "without names: they are read by position."
        )


def check_same_columns(y, y_val):
    """Refuse a table ``y_val`` whose columns are not ``y``'s, in ``y``'s order.

    Within one fit both tables are at hand, so their columns are compared
    whatever the names: numbered, tuples of a MultiIndex or mixed, which
    :func:`target_names` keeps none of.

    Parameters
    ----------
    y, y_val : array-like
        The training and validation targets as given; an array names no
        columns, and is read by position.

    Raises
    ------
    ValueError
        Naming both lists of columns, and how to select them.
    """
    given, expected = column_names(y_val), column_names(y)
    if given is None or expected is None or given == expected:
        return
    raise ValueError(
        f"y_val's columns are {_listed(given)}; y's are {_listed(expected)}, in that order: "
        f"select them as y_val[[{_listed(expected)}]], each output's own column."
    )


def _ndim(y):
    """The dimensions of ``y``: a table's, an array's, or those of nested lists."""
    ndim = getattr(y, "ndim", None)
    return np.asarray(y, dtype=object).ndim if ndim is None else ndim


def _listed(names):
    # str() first: NumPy 2 writes np.str_('a') as its repr.
    return ", ".join(repr(str(name) if isinstance(name, str) else name) for name in names)
