"""Noticing Ctrl-C that a fit absorbs."""

import signal
import threading


class InterruptWatch:
    """Notices Ctrl-C even when an estimator's ``fit`` catches it and returns.

    ``NielsenMLPClassifier.fit`` turns Ctrl-C into a warning and keeps the
    last completed epoch, which is right for one fit, but a program around
    it (a study of many fits, a command that must exit 130) has to learn
    that the user stopped it. While active, SIGINT sets ``interrupted``
    before reaching the previous handler. Only the main thread may set
    handlers; elsewhere, and where SIGINT is ignored (``nohup``), nothing
    is watched.

    Attributes
    ----------
    interrupted : bool
        Whether SIGINT arrived while the watch was active.

    Examples
    --------
    >>> from sknielsen.utils import InterruptWatch
    >>> with InterruptWatch() as watch:
    ...     pass  # net.fit(X, y), which a Ctrl-C ends early
    >>> watch.interrupted
    False
    """

    def __init__(self):
        self.interrupted = False
        self._previous = None

    def __enter__(self):
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler) and threading.current_thread() is threading.main_thread():
            self._previous = handler
            signal.signal(signal.SIGINT, self._on_interrupt)
        return self

    def _on_interrupt(self, signum, frame):
        self.interrupted = True
        self._previous(signum, frame)

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False
