"""A fitted model's predictions of a study's sets, each made once and shared by every scorer.

scikit-learn's scorers each ask the model for what they need: ``predict``
(accuracy, F1), ``predict_proba`` (log loss, ROC AUC) or
``decision_function``. Its multimetric scorer shares them within one call,
but not a custom scorer that calls ``predict`` itself, nor predictions made
elsewhere: a kernel SVM's prediction of 10,000 MNIST images takes a minute,
and the study may have made it in pieces on other workers. Scored through
:class:`SharedResponses`, the model answers each (set, method) once.
"""

import time

from sklearn.metrics import get_scorer
from sklearn.utils.metaestimators import available_if

__all__ = ["SharedResponses", "predict_rows", "response_methods"]


def _kept(method):
    """The view's ``method``: the model's, computed once per known set; absent as the model's is.

    A function named as the method, not a partial: scikit-learn's scorers
    read its ``__name__`` to know what the responses are.
    """

    def respond(self, X):
        return self._response(method, X)

    respond.__name__ = respond.__qualname__ = method
    respond.__doc__ = f"The model's ``{method}`` of ``X``, computed once for a known set."
    return available_if(lambda view: hasattr(view.model, method))(respond)


class SharedResponses:
    """A fitted model as the scorers see it: each response to each known set computed once.

    ``predict``, ``predict_proba``, ``predict_log_proba`` and
    ``decision_function`` of one of the ``sets`` are computed on first use
    (or taken from ``known``) and kept; any other input goes to the model
    each time. Everything else (``classes_``, ``fit``, the tags) is the
    model's own, so that scikit-learn's scorers treat the view as the model.

    Parameters
    ----------
    model : estimator
        The fitted model.
    sets : dict of str to array-like
        The inputs to keep responses for, by name; recognised by identity.
    known : dict of (str, str) to ndarray, optional
        Responses already computed, by (set name, method).
    """

    def __init__(self, model, sets, known=None):
        self.model = model
        self._names = {id(X): name for name, X in sets.items()}
        self._known = dict(known or {})

    def __getattr__(self, attribute):
        if attribute == "model":  # not set yet: no recursion through the line below
            raise AttributeError(attribute)
        return getattr(self.model, attribute)

    def _response(self, method, X):
        name = self._names.get(id(X))
        if name is None:
            return getattr(self.model, method)(X)
        if (name, method) not in self._known:
            self._known[name, method] = getattr(self.model, method)(X)
        return self._known[name, method]

    predict = _kept("predict")
    predict_proba = _kept("predict_proba")
    predict_log_proba = _kept("predict_log_proba")
    decision_function = _kept("decision_function")


def response_methods(scorers, model):
    """The response methods of ``model`` that the scorers will ask for.

    A scikit-learn scorer names what it needs (``_response_method``, a
    method or a list in order of preference, of which the first the model
    has is used); a plain callable is assumed to call ``predict``. A method
    not listed here is still computed once, when a scorer first asks.

    Parameters
    ----------
    scorers : dict of str to str or callable
        The study's scorers.
    model : estimator
        The fitted model.

    Returns
    -------
    methods : list of str
        Distinct, in the scorers' order.
    """
    methods = []
    for scorer in scorers.values():
        wanted = getattr(get_scorer(scorer), "_response_method", "predict")
        wanted = [wanted] if isinstance(wanted, str) else list(wanted)
        method = next((m for m in wanted if hasattr(model, m)), None)
        if method is not None and method not in methods:
            methods.append(method)
    return methods


def predict_rows(model, rows, methods):
    """The responses of a fitted model to some rows, and the seconds they took.

    Parameters
    ----------
    model : estimator
        The fitted model.
    rows : array-like
        The rows, a piece of a set.
    methods : sequence of str
        Response methods of the model.

    Returns
    -------
    responses : dict of str to ndarray
        By method.
    seconds : float
    """
    start = time.perf_counter()
    responses = {method: getattr(model, method)(rows) for method in methods}
    return responses, time.perf_counter() - start
