"""Warnings that point at the user's line, however deep inside the library they start."""

import concurrent.futures
import contextlib
import contextvars
import multiprocessing
import os
import re
import sys
import threading
import warnings
from pathlib import Path

import joblib
import scipy
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
# joblib's, through which cross_val_score and GridSearchCV call fit, and
# scipy's minimizer, which runs L-BFGS's epochs and so their callbacks).
_LIBRARY_FOLDERS = _folders(
    Path(__file__).parents[1],
    Path(sklearn.__file__).parent,
    Path(joblib.__file__).parent,
    Path(scipy.__file__).parent,
)
# Python's own threads and pools, which run a worker thread's calls from below.
_MACHINERY = (
    *_folders(Path(multiprocessing.__file__).parent, Path(concurrent.futures.__file__).parent),
    *{str(Path(threading.__file__).absolute()), str(Path(threading.__file__).resolve())},
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
    while frame is not None and _is_library(frame):
        frame, level = frame.f_back, level + 1
    if frame is not None and not _is_thread_machinery(frame):
        warnings.warn(message, category, stacklevel=level)
        return
    # A worker thread (joblib's, through GridSearchCV(n_jobs=2) under its threading
    # backend) holds no line of the user's: only the pool's loop that called the
    # library. The user's line is where the main thread waits inside the library.
    user = _users_frame_in_main_thread()
    if user is None:
        warnings.warn(message, category, stacklevel=2)  # the library's own line, at least
        return
    module_globals = user.f_globals
    warnings.warn_explicit(
        message,
        category,
        user.f_code.co_filename,
        user.f_lineno,
        module=module_globals.get("__name__", "<string>"),
        registry=module_globals.setdefault("__warningregistry__", {}),
        module_globals=module_globals,
    )


def _is_library(frame):
    return frame.f_code.co_filename.startswith(_LIBRARY_FOLDERS)


def _is_thread_machinery(frame):
    """Whether ``frame`` and every frame below it are Python's thread and pool machinery."""
    while frame is not None:
        if not frame.f_code.co_filename.startswith(_MACHINERY):
            return False
        frame = frame.f_back
    return True


def _users_frame_in_main_thread():
    """The first frame of the user's that the main thread waits in, inside the library.

    None when this is the main thread, or when it is not inside the library
    now (then nothing says which of the user's lines started this thread's work).
    """
    main = threading.main_thread()
    if threading.current_thread() is main:
        return None
    frame = sys._current_frames().get(main.ident)
    while frame is not None and frame.f_code.co_filename.startswith(_MACHINERY):
        frame = frame.f_back
    if frame is None or not _is_library(frame):
        return None
    while frame is not None and _is_library(frame):
        frame = frame.f_back
    return frame
