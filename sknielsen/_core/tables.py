"""Tables as the dataframe libraries hand them: pandas, polars and pyarrow.

What the estimators read of a table before scikit-learn's validation makes
it an array: the names of its columns, and what each column holds where
that is no amounts (categories, strings, dates, durations), which the
network must not read as numbers. Each library describes its columns in
its own words (pandas' ``dtypes``, polars' and pyarrow's ``schema``); they
are read here, in one place, without importing any of the libraries.
"""

import sys

import numpy as np

#: What a column holds, where that is no amounts.
CATEGORIES, STRINGS, DATES, DURATIONS = "categories", "strings", "dates", "durations"

#: The polars data types of those columns, by their class's name.
_POLARS = {
    "Categorical": CATEGORIES,
    "Enum": CATEGORIES,
    "String": STRINGS,
    "Utf8": STRINGS,
    "Date": DATES,
    "Datetime": DATES,
    "Duration": DURATIONS,
}
#: pyarrow's names of its types of strings (dictionaries, dates and durations have prefixes).
_ARROW_STRINGS = frozenset({"string", "large_string", "string_view"})
#: The first pyarrow whose tables NumPy reads row by row (``Table.__array__``): before,
#: NumPy read a table as the sequence of its columns, the table's transpose.
_ARROW_ROWS_SINCE = 13


def column_names(table):
    """The names of a 2-D table's columns as plain Python values, or None for anything else.

    Parameters
    ----------
    table : object
        A pandas, polars or pyarrow table; arrays, Series and lists name
        no columns.

    Returns
    -------
    names : list or None
    """
    if getattr(table, "ndim", 2) != 2:
        return None
    # A pyarrow table's columns are its data: its names are column_names. Asked of
    # pyarrow's alone: pandas reads a name it has no attribute of as a column's.
    if library(table) == "pyarrow":
        refuse_read_as_columns(table)
        names = getattr(table, "column_names", None)
    else:
        names = getattr(table, "columns", None)
    if names is None:
        return None
    return [name.item() if isinstance(name, np.generic) else name for name in names]


def refuse_read_as_columns(table):
    """Refuse a pyarrow table that NumPy, and so scikit-learn, would read transposed.

    With pyarrow 12 and older a table of 3 rows and 2 columns became an
    array of shape (2, 3): a square table trained with its rows and
    columns exchanged, without a word. Anything else passes.
    """
    if library(table) != "pyarrow" or not hasattr(table, "column_names"):
        return
    version = getattr(sys.modules.get("pyarrow"), "__version__", "")
    major = version.split(".")[0]
    if major.isdigit() and int(major) < _ARROW_ROWS_SINCE:
        raise ValueError(
            f"pyarrow {version} hands a {type(table).__name__} to NumPy column by column, "
            "so that it would be read transposed (its rows as columns): upgrade pyarrow "
            f"(to {_ARROW_ROWS_SINCE} or later), or pass table.to_pandas()."
        )


def column_dtypes(data):
    """``(name, dtype)`` of each column of a table, or of a 1-D Series or array.

    Parameters
    ----------
    data : object
        A pandas, polars or pyarrow table, Series or array, or a NumPy
        array (one entry, named None).

    Returns
    -------
    dtypes : list of tuple
        Empty for what has no dtype (a list, say).
    """
    package = library(data)
    # Each library asked in its own words: pandas reads ``data.schema`` as a column
    # named "schema", where it has one.
    schema = getattr(data, "schema", None) if package in ("pyarrow", "polars") else None
    if hasattr(schema, "types"):  # a pyarrow Table or RecordBatch
        return list(zip(schema.names, schema.types))
    if hasattr(schema, "items"):  # a polars DataFrame (its dtypes are a list)
        return list(schema.items())
    dtypes = getattr(data, "dtypes", None)
    if hasattr(dtypes, "items"):  # a pandas DataFrame
        return list(dtypes.items())
    dtype = getattr(data, "dtype", None)
    if dtype is None and package == "pyarrow":
        dtype = getattr(data, "type", None)  # an Array or a ChunkedArray
    return [] if dtype is None else [(getattr(data, "name", None), dtype)]


def holds(dtype):
    """What a column of ``dtype`` holds where that is no amounts, else None.

    Parameters
    ----------
    dtype : object
        A NumPy, pandas, polars or pyarrow data type.

    Returns
    -------
    held : {CATEGORIES, STRINGS, DATES, DURATIONS} or None
        None for numbers, booleans, and what is not known here.
    """
    arrow = getattr(dtype, "pyarrow_dtype", None)  # pandas' ArrowDtype
    if arrow is not None:
        return _arrow_holds(arrow)
    kind = dtype if isinstance(dtype, type) else type(dtype)  # polars takes classes too
    if _package(kind) == "polars":
        return _POLARS.get(kind.__name__)
    if _package(kind) == "pyarrow":
        return _arrow_holds(dtype)
    name = getattr(dtype, "name", None)
    if name == "category":
        return CATEGORIES
    if name in ("str", "string"):  # pandas 3's strings, and its nullable ones
        return STRINGS
    return {"M": DATES, "m": DURATIONS}.get(getattr(dtype, "kind", None))


def dtype_name(dtype):
    """A data type as its library names it: ``'category'``, ``'String'``, ``'timestamp[us]'``."""
    name = getattr(dtype, "name", None)
    return name if isinstance(name, str) else str(dtype)


def library(value):
    """The top-level package of ``value``'s class: ``'pandas'``, ``'polars'``, ``'pyarrow'``.

    Read from the class, never from the value: a pandas table answers an
    attribute it lacks with a column of that name.
    """
    return _package(type(value))


def _package(cls):
    return cls.__module__.partition(".")[0]


def _arrow_holds(dtype):
    text = str(dtype)
    if text in _ARROW_STRINGS:
        return STRINGS
    if text.startswith("dictionary<"):
        return CATEGORIES
    if text.startswith(("timestamp[", "date32", "date64")):
        return DATES
    if text.startswith("duration["):
        return DURATIONS
    return None
