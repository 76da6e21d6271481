"""Warnings that point at the user's line, however deep inside the library they start."""

import contextlib
import contextvars
import os
import re
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


#: The (category, pattern) pairs that :func:`silenced` holds back here, in this thread.
_silenced = contextvars.ContextVar("sknielsen_silenced_warnings", default=())


@contextlib.contextmanager
def silenced(category=Warning, message=""):
    """Within: this thread's warnings of :func:`warn` that match are not issued.

    What ``warnings.catch_warnings`` with an "ignore" filter would do, for
    the library's own warnings, without touching the process's filters:
    those are shared by every thread (before Python 3.14), so a library
    that changed them inside ``save`` or ``fit`` hid the warnings of every
    other thread meanwhile, and two threads leaving in the wrong order left
    its filter in place for good. A context variable: each thread has its own.

    Parameters
    ----------
    category : type of Warning, default=Warning
        Warnings of this category or a subclass are held back.
    message : str, default=""
        A regular expression that the start of the message must match, as in
        :func:`warnings.filterwarnings`.
    """
    token = _silenced.set((*_silenced.get(), (category, re.compile(message, re.IGNORECASE))))
    try:
        yield
    finally:
        _silenced.reset(token)


def warn(message, category=UserWarning):
    """Issue a warning attributed to the first caller outside sknielsen and scikit-learn.

    Parameters
    ----------
    message : str
    category : type of Warning, default=UserWarning
    """
    if any(
        issubclass(category, held) and pattern.match(str(message))
        for held, pattern in _silenced.get()
    ):
        return
    frame, level = sys._getframe(1), 2  # stacklevel 2 is the caller of warn()
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_FOLDERS):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
