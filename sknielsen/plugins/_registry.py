"""Registries: plugin classes found by name.

One dict per kind maps a name to a class. It is the single source of truth
for lookup (:func:`get`), listing (:func:`available`) and the error message
of an unknown name. Third-party plugins come in through the
``sknielsen.plugins`` entry-point group, whose entry names are
``"<kind>.<name>"`` (for example ``"optimizer.adamw = mypkg.optim:AdamW"``);
they are listed without being imported and imported on first use.

Nothing is ever resolved by ``getattr`` on a module or by ``eval``: a name
that is not registered raises, so a saved model can only name code that
was registered on purpose.
"""

import copy
import pickle
from importlib import metadata

from .._core.names import did_you_mean
from .._core.params import is_builtin
from ._base import BASES, Plugin
from ._returns import with_article

ENTRY_POINT_GROUP = "sknielsen.plugins"

_REGISTRY = {kind: {} for kind in BASES}
# Entry points not yet imported, by kind and name.
_PENDING = None
# (kind, name) registered here from an unpickled estimator, not by this process's own code.
_CARRIED = set()


def kinds():
    """Return the names of the plugin kinds.

    Returns
    -------
    kinds : list of str
        Sorted names, such as ``'cost'`` and ``'optimizer'``.

    Examples
    --------
    >>> from sknielsen.plugins import available, kinds
    >>> kinds()
    ['activation', 'augmenter', 'cost', 'initializer', 'optimizer', 'regularizer']

    Every plugin there is, by kind:

    >>> for kind in kinds():
    ...     print(f"{kind}: {', '.join(available(kind))}")
    activation: identity, relu, sigmoid, softmax, tanh
    augmenter: compose, elastic, rotate, shift
    cost: cross_entropy, log_likelihood, quadratic
    initializer: default, large
    optimizer: adam, lbfgs, momentum, nesterov, newton, sgd
    regularizer: l1, l2, none
    """
    return sorted(_REGISTRY)


def _check_kind(kind):
    if kind not in _REGISTRY:
        raise ValueError(f"Unknown plugin kind {kind!r}; the kinds are: {', '.join(kinds())}.")


def register(kind, name, *, replace=False):
    """Register a plugin class under ``name``: a class decorator.

    Parameters
    ----------
    kind : str
        One of :func:`kinds`. The class must derive from that kind's base
        class (:class:`~sknielsen.plugins.Cost`, ...).
    name : str
        The name users pass to the estimator, e.g. ``"momentum"``.
    replace : bool, default=False
        Allow replacing a plugin already registered under ``name``; never
        one of sknielsen's own, whose names are theirs.

    Returns
    -------
    decorator : callable
        Registers the class and returns it unchanged.

    Raises
    ------
    ValueError
        For a ``name`` that is not an identifier, the name of one of
        sknielsen's own plugins (even with ``replace``), a name already taken
        without ``replace``, or a class whose body sets another ``name``
        than ``name``.
    TypeError
        When the decorator is applied: for a class that is not a subclass of
        the kind's base class, a hyper-parameter named ``kind`` or ``name``
        or held by a property without a setter, and a method the engine
        cannot call as it does (see :meth:`Plugin.check_contract`).

    Examples
    --------
    >>> from sknielsen.plugins import Optimizer, register
    >>> @register("optimizer", "halfstep")  # doctest: +SKIP
    ... class HalfStep(Optimizer):
    ...     def update(self, grads, state, params):
    ...         grads *= -0.5 * state["eta"]
    ...         return grads, state
    """
    _check_kind(kind)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"A plugin name must be an identifier; got {name!r}.")

    def decorator(cls):
        if not (isinstance(cls, type) and issubclass(cls, BASES[kind])):
            raise TypeError(
                f"{with_article(kind).capitalize()} plugin must be a subclass of "
                f"{_base_names(kind)}; got {cls!r}."
            )
        current = _REGISTRY[kind].get(name)
        if current is not None and current is not cls and is_builtin(current):
            # Entry points cannot take these names either: a model file names its plugins.
            raise ValueError(
                f"{with_article(kind).capitalize()} named {name!r} is sknielsen's own "
                f"({current.__qualname__}), which a model file naming {name!r} loads "
                "wherever yours is not registered (a search's worker processes too): "
                "register yours under another name."
            )
        if current is not None and current is not cls and not replace:
            raise ValueError(
                f"{with_article(kind).capitalize()} named {name!r} is already registered "
                f"({current.__module__}.{current.__qualname__}); "
                "pass replace=True to replace it."
            )
        _check_body_name(cls, kind, name)
        cls._check_declaration()  # a faulty declaration fails here, not at a user's fit
        cls.check_contract()  # so does a method the engine cannot call
        _REGISTRY[kind][name] = cls
        _CARRIED.discard((kind, name))  # registered by this process's own code now
        if cls.__dict__.get("name") is None:
            cls.name = name
        return cls

    return decorator


def _check_body_name(cls, kind, name):
    """Refuse a ``name`` set in the class body that is not one the class is registered under.

    ``register`` keeps it (a class registered under a second name keeps its
    first), and :func:`name_of` looks the plugin up by it: a class that
    trained under the registered name could not be saved.
    """
    declared = cls.__dict__.get("name")
    if declared in (None, name) or _REGISTRY[kind].get(declared) is cls:
        return
    raise ValueError(
        f"{cls.__name__} sets name = {declared!r} in its body but is registered as "
        f"{name!r}: register sets the name. Leave name out of the class body, or register "
        f"the class as {declared!r} first."
    )


def _pending():
    global _PENDING
    if _PENDING is None:
        # Filled before it is published: a thread looking up a name while another reads
        # the entry points found an empty list, and the plugin unknown.
        pending = {kind: {} for kind in _REGISTRY}
        for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
            kind, _, name = entry.name.partition(".")
            if kind in pending and name:
                pending[kind].setdefault(name, entry)
        _PENDING = pending
    return _PENDING


def ignored_entry_points():
    """The entry points of the plugins' group that no lookup will load for their names, and why.

    Returns
    -------
    ignored : list of (str, str)
        Each entry point's name and the reason: a kind that is none of
        :func:`kinds`, no name after the kind, or a name one of sknielsen's
        own plugins holds (which wins), or a name an earlier entry point gives
        too (another distribution's, found first on ``sys.path``: the one loaded).

    Examples
    --------
    >>> from sknielsen.plugins import ignored_entry_points
    >>> for name, reason in ignored_entry_points():  # none, without plugin packages
    ...     print(f"{name}: {reason}")
    """
    ignored, first = [], {}
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        kind, dot, name = entry.name.partition(".")
        loaded = first.setdefault(entry.name, entry)  # as _pending keeps the first
        if kind not in _REGISTRY:
            reason = (
                f"its kind {kind!r} is none of {', '.join(_REGISTRY)}"
                if dot
                else ("it names no kind: write kind.name, as optimizer.fancy")
            )
        elif not name:
            reason = "it names no plugin after the kind"
        elif (kind, name) not in _CARRIED and is_builtin(_REGISTRY[kind].get(name)):
            reason = f"sknielsen's own {kind} {name!r} holds that name"
        # Whether or not the first was loaded (and registered) since.
        elif loaded is not entry and loaded.value != entry.value:
            reason = (
                f"{_distribution(loaded)} gives it too ({loaded.value}), and that one is "
                f"loaded; this one is {entry.value}"
            )
        else:
            continue
        ignored.append((entry.name, reason))
    return ignored


def _distribution(entry):
    """The name of the distribution that gives ``entry``, where metadata tells it."""
    return getattr(getattr(entry, "dist", None), "name", None) or "another distribution"


def refresh_entry_points():
    """Forget the cached list of entry points, to see newly installed plugins.

    The entry points are read once, on the first lookup; a plugin package
    installed later in the same session is seen after this call.

    Examples
    --------
    >>> from sknielsen.plugins import available, refresh_entry_points
    >>> refresh_entry_points()  # after ``pip install`` of a plugin package, say
    >>> "momentum" in available("optimizer")  # read again, registered names kept
    True
    """
    global _PENDING
    _PENDING = None


def _load_entry_point(kind, name):
    # Kept pending until it loads: a second lookup says why again, not "Unknown".
    entry = _pending()[kind].get(name)
    if entry is None:  # loaded by another thread since the caller looked (registered first)
        return _REGISTRY[kind][name]
    try:
        cls = entry.load()
    except Exception as exc:
        raise ImportError(
            f"Could not import the {kind} plugin {name!r} from entry point "
            f"{entry.value!r} of group {ENTRY_POINT_GROUP!r}: {exc}"
        ) from exc
    if _REGISTRY[kind].get(name) is not cls:
        register(kind, name)(cls)
    _pending()[kind].pop(name, None)  # a thread that loaded it at once may have popped it
    return cls


def available(kind):
    """Return the registered names of a kind, entry points included.

    Parameters
    ----------
    kind : str
        One of :func:`kinds`.

    Returns
    -------
    names : list of str
        Sorted names.

    Examples
    --------
    The names a parameter of the estimator accepts:

    >>> from sknielsen import NielsenMLPClassifier
    >>> from sknielsen.plugins import available
    >>> available("cost")
    ['cross_entropy', 'log_likelihood', 'quadratic']
    >>> NielsenMLPClassifier(cost="log_likelihood")
    NielsenMLPClassifier(cost='log_likelihood')
    """
    _check_kind(kind)
    return sorted(set(_REGISTRY[kind]) | set(_pending()[kind]))


def get_class(kind, name):
    """Return the class registered under ``name``.

    Parameters
    ----------
    kind : str
        One of :func:`kinds`.
    name : str
        A registered name; an entry point's plugin is imported on first use.

    Returns
    -------
    cls : type
        The plugin class.

    Raises
    ------
    ValueError
        If no plugin of that kind has that name; the message lists the known
        names.

    Examples
    --------
    The class, to build with other hyper-parameters than :func:`get`'s
    defaults:

    >>> from sknielsen.plugins import get_class
    >>> get_class("optimizer", "momentum")(mu=0.5)
    Momentum(mu=0.5)
    >>> get_class("cost", "quadratc")
    Traceback (most recent call last):
    ...
    ValueError: Unknown cost 'quadratc' (did you mean 'quadratic'?). Known ...: 'cross_entropy', ...
    """
    _check_kind(kind)
    if not isinstance(name, str):
        raise TypeError(
            f"{with_article(kind).capitalize()} name must be a string; got {type(name).__name__}."
        )
    if name in _REGISTRY[kind]:
        return _REGISTRY[kind][name]
    if name in _pending()[kind]:
        return _load_entry_point(kind, name)
    raise ValueError(
        f"Unknown {kind} {name!r}{_hint(kind, name)}. Known {kind} names: "
        f"{', '.join(repr(n) for n in available(kind))}."
    )


#: scikit-learn's MLP's names for built-ins of ours, which its users reach for first.
_SKLEARN_NAMES = {
    "activation": {"logistic": "sigmoid"},
    "cost": {"squared_error": "quadratic"},
}


def _hint(kind, name):
    """What an unknown ``name`` of ``kind`` is, where it is near a known one, or ``""``."""
    ours = _SKLEARN_NAMES.get(kind, {}).get(name)
    if ours is not None:
        return f" (scikit-learn's {name!r} is {ours!r} here)"
    return did_you_mean(name, available(kind))


def get(kind, name_or_instance):
    """Return a fresh plugin instance from a name or an instance.

    Parameters
    ----------
    kind : str
        One of :func:`kinds`.
    name_or_instance : str or Plugin
        A registered name, which gives a new instance with default
        hyper-parameters, or an instance of the kind, which gives a deep copy
        (so that training never changes the user's object).

    Returns
    -------
    plugin : Plugin
        A new instance, or a copy of ``name_or_instance``.

    Raises
    ------
    ValueError
        For an unknown kind or name; the message lists the known ones.
    TypeError
        For an object that is neither a name nor a plugin of that kind.

    Examples
    --------
    >>> from sknielsen.plugins import get
    >>> get("optimizer", "momentum")  # shown as scikit-learn shows estimators: changes only
    Momentum()
    >>> get("optimizer", "momentum").mu
    0.9
    """
    _check_kind(kind)
    if isinstance(name_or_instance, str):
        return get_class(kind, name_or_instance)()
    if isinstance(name_or_instance, BASES[kind]):
        return copy.deepcopy(name_or_instance)
    if isinstance(name_or_instance, Plugin):
        raise TypeError(
            f"Expected {with_article(kind)} plugin; got the {name_or_instance.kind} "
            f"{type(name_or_instance).__name__}."
        )
    names = ", ".join(map(repr, available(kind)))
    raise TypeError(
        f"{with_article(kind).capitalize()} must be a name ({names}) or "
        f"an instance of {_base_names(kind)}; got "
        f"{type(name_or_instance).__name__}."
    )


def name_of(plugin):
    """Return the registered name of a plugin instance.

    Parameters
    ----------
    plugin : Plugin
        An instance of a registered plugin class.

    Returns
    -------
    name : str
        The name its class is registered under.

    Raises
    ------
    ValueError
        If the plugin's class is not the one registered under its name, so it
        could not be found again by name (when loading a saved model, say).

    Examples
    --------
    >>> from sknielsen.plugins import Momentum, name_of
    >>> name_of(Momentum(mu=0.5))
    'momentum'

    A subclass is not its parent: it must be registered under a name of its
    own before a model that uses it can be saved.

    >>> class SlowMomentum(Momentum):
    ...     pass
    >>> name_of(SlowMomentum())
    Traceback (most recent call last):
    ...
    ValueError: The optimizer SlowMomentum is not registered; register it with ...
    """
    cls = type(plugin)
    name = cls.__dict__.get("name") or getattr(cls, "name", None)
    if name is None or _REGISTRY.get(plugin.kind, {}).get(name) is not cls:
        raise ValueError(
            f"The {plugin.kind} {cls.__name__} is not registered; register it "
            "with sknielsen.plugins.register so that it can be found by name."
        )
    return name


def _base_names(kind):
    """The base classes of ``kind`` as users import them, for messages."""
    return " or ".join(f"sknielsen.plugins.{base.__name__}" for base in BASES[kind])


class Registrations:
    """The plugins registered in this process that another process may not know.

    A worker process (``GridSearchCV(n_jobs=2)``'s) unpickles an estimator
    whose parameters name plugins by name; it knows sknielsen's own and
    those of installed entry points, but not a plugin registered in the
    user's script or notebook (``__main__``) or in a module the worker never
    imports. An estimator's pickle carries these registrations, each class
    as cloudpickle writes it (by value from ``__main__``, else by
    reference), and its unpickling registers them where they are unknown.
    """

    def __init__(self, entries):
        self.entries = entries

    @classmethod
    def current(cls):
        """The registrations of this process not made by sknielsen, or None for none."""
        # list() copies each dict in one step: a thread registering a plugin meanwhile
        # changed it under the iteration ("dictionary changed size during iteration").
        entries = [
            (kind, name, plugin)
            for kind, registry in list(_REGISTRY.items())
            for name, plugin in list(registry.items())
            if not is_builtin(plugin)
        ]
        return cls(entries) if entries else None

    def __reduce__(self):
        dumps = _cloudpickle().dumps
        pickled = []
        # Each class apart: one that cannot be pickled or rebuilt loses only its own name,
        # and never the estimator's pickle.
        for kind, name, plugin in self.entries:
            try:
                pickled.append((kind, name, dumps(plugin)))
            except Exception:  # a fit naming it elsewhere says it is unknown
                continue
        return (_registrations_from, (pickled,))

    def __deepcopy__(self, memo):
        return self  # classes are not copied; nor is a list of them

    def restore(self):
        """Register each plugin here, unless this process registered that name itself."""
        for kind, name, plugin in self.entries:
            current = _REGISTRY[kind].get(name)
            if current is plugin or (current is not None and (kind, name) not in _CARRIED):
                continue
            register(kind, name, replace=True)(plugin)
            _CARRIED.add((kind, name))


def _cloudpickle():
    """cloudpickle: its own package since joblib 1.5, vendored by joblib before."""
    try:
        import cloudpickle
    except ImportError:
        from joblib.externals import cloudpickle
    return cloudpickle


def _registrations_from(pickled):
    """Unpickle :class:`Registrations`, leaving out classes this process cannot rebuild."""
    entries = []
    for kind, name, data in pickled:
        try:
            entries.append((kind, name, pickle.loads(data)))
        except Exception:  # a fit naming it then says the name is unknown
            continue
    return Registrations(entries)
