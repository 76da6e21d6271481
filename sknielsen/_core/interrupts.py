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
    is watched. A watch may be used again, and entered again inside its
    own block (a function that watches, called where the same watch is
    active): the handler is set by the outermost block and restored when
    it ends.

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
        self._depth = 0

    def __enter__(self):
        self._depth += 1
        if self._depth > 1:
            # Entered again inside its own block: the handler now set is the watch's own,
            # which taken for the previous one passed SIGINT to itself for ever.
            return self
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler) and threading.current_thread() is threading.main_thread():
            self._previous = handler
            signal.signal(signal.SIGINT, self._on_interrupt)
        return self

    def _on_interrupt(self, signum, frame):
        self.interrupted = True
        self._previous(signum, frame)

    def __exit__(self, *exc_info):
        self._depth -= 1
        if not self._depth and self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            # Forgotten: a later block, in another thread say, sets (and restores) nothing.
            self._previous = None
        return False
