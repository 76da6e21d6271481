"""Warnings that point at the user's line, however deep inside the library they start."""

import os
import sys
import warnings
from pathlib import Path

import joblib
import sklearn


def _folders(*packages):
    """The packages' folders as frames name their files: as imported, and resolved.

    With a final separator: ``.../sknielsen_demo.py`` beside the package is
    the user's. Both forms: a package imported through a link names its
    files by the link's path, which resolving would miss.
    """
    forms = {form for package in packages for form in (package.absolute(), package.resolve())}
    return tuple(str(form) + os.sep for form in forms)


# Frames in these folders are the library's own (sknielsen's, and the
# scikit-learn wrappers around fit that stand between the user and us, with
# joblib's, through which cross_val_score and GridSearchCV call fit).
_LIBRARY_FOLDERS = _folders(
    Path(__file__).parents[1], Path(sklearn.__file__).parent, Path(joblib.__file__).parent
)


def warn(message, category=UserWarning):
    """Issue a warning attributed to the first caller outside sknielsen and scikit-learn.

    Parameters
    ----------
    message : str
    category : type of Warning, default=UserWarning
    """
    frame, level = sys._getframe(1), 2  # stacklevel 2 is the caller of warn()
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_FOLDERS):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
