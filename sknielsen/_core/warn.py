"""Warnings that point at the user's line, however deep inside the library they start."""

import sys
import warnings
from pathlib import Path

import joblib
import sklearn

# Frames in these folders are the library's own (sknielsen's, and the
# scikit-learn wrappers around fit that stand between the user and us, with
# joblib's, through which cross_val_score and GridSearchCV call fit).
_LIBRARY_FOLDERS = (
    str(Path(__file__).resolve().parents[1]),
    str(Path(sklearn.__file__).resolve().parent),
    str(Path(joblib.__file__).resolve().parent),
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
