"""scikit-learn's parameter protocol for small objects that are not estimators.

Plugins and callbacks keep their hyper-parameters as constructor arguments,
each stored unchanged under an attribute of the same name. This base gives
them ``get_params``/``set_params``, so that nested names such as
``optimizer__mu`` work in :class:`~sklearn.model_selection.GridSearchCV` and
:func:`sklearn.base.clone` copies them like estimators, and validates their
values declaratively, as scikit-learn estimators do: a class lists the
allowed values of its hyper-parameters in ``_parameter_constraints`` with
scikit-learn's own constraint objects (``Interval``, ``StrOptions``, types,
``None``, ...).
"""

import functools
import inspect
import types

import numpy as np
from sklearn import get_config
from sklearn.utils._param_validation import (
    InvalidParameterError,
    make_constraint,
    validate_parameter_constraints,
    validate_params,
)


class HyperParameters:
    """Base class of objects configured by explicit constructor arguments.

    Subclasses accept no ``*args`` or ``**kwargs``.
    """

    #: Allowed values of each hyper-parameter, in scikit-learn's form: a name
    #: maps to a list of constraints, one of which a valid value must satisfy.
    #: Hyper-parameters left out are not checked.
    _parameter_constraints: dict = {}
    #: Attributes of the class that no hyper-parameter may replace.
    _reserved_names: tuple = ()

    def __setstate__(self, state):
        # A pickle of an earlier release lacks the hyper-parameters added since (0.1.0's
        # ProgressBar has no leave): they take their defaults, as the estimators' do.
        state, slots = state if isinstance(state, tuple) else (state, None)
        if state:  # (the instance's __dict__, its slots' values), as pickle's default
            self.__dict__.update(state)
        for name, value in (slots or {}).items():
            setattr(self, name, value)
        fill_in_defaults(self)

    @classmethod
    def _get_param_names(cls):
        if cls.__init__ is object.__init__:
            return []
        return list(init_parameter_names(cls.__name__, cls.__init__))

    @classmethod
    def _check_declaration(cls):
        """Refuse ``*args``/``**kwargs`` and constraints on parameters that do not exist.

        Raises
        ------
        TypeError
            Naming the class and what is wrong with its declaration.
        """
        _check_settable(cls)
        unknown = set(cls._parameter_constraints) - set(cls._get_param_names())
        if unknown:
            raise TypeError(
                f"{cls.__name__}._parameter_constraints names {sorted(unknown)}, which "
                "are not parameters of its __init__."
            )
        # Else a fit failed far from the class: "'Interval' object is not iterable".
        for name, allowed in cls._parameter_constraints.items():
            if not isinstance(allowed, list):
                raise TypeError(
                    f"{cls.__name__}._parameter_constraints[{name!r}] is {allowed!r}; give "
                    "a list of constraints, as scikit-learn's: [Interval(Real, 0, 1, "
                    "closed='both')]."
                )
            for constraint in allowed:
                try:
                    make_constraint(constraint)
                except ValueError as exc:
                    raise TypeError(
                        f"{cls.__name__}._parameter_constraints[{name!r}]: {exc}"
                    ) from None

    def validate(self, path="", owner=None):
        """Check the hyper-parameters, and those of nested objects, against their constraints.

        Parameters
        ----------
        path : str, default=''
            How the user reaches this object's hyper-parameters, written
            before each name in the error: ``"optimizer__"`` or
            ``"callbacks[0]."``.
        owner : str, default=None
            What the user configured, named in the error (the estimator's
            class); None names this object's class.

        Raises
        ------
        InvalidParameterError
            A ValueError naming the first invalid hyper-parameter by its full
            path, and the values it allows. A boolean is refused where the
            constraints do not allow booleans: ``bool`` is an ``int`` to
            scikit-learn's ``Interval``, which would take ``patience=True``
            for 1.
        """
        owner = owner or type(self).__name__
        self._check_faithful()
        params = self.get_params()
        validate_parameter_constraints(
            {path + name: allowed for name, allowed in self._parameter_constraints.items()},
            {path + name: value for name, value in params.items()},
            caller_name=owner,
        )
        refuse_booleans(self._parameter_constraints, params, owner, path)
        for name, value in params.items():
            if isinstance(value, HyperParameters):
                value.validate(f"{path}{name}__", owner)
            elif isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    if isinstance(item, HyperParameters):
                        item.validate(f"{path}{name}[{index}].", owner)

    def _check_faithful(self):
        """Refuse a constructor that changes its arguments, as scikit-learn's ``clone`` does.

        ``Plugin(k=3)`` storing ``2 * k`` trained with 6, while
        ``set_params(k=3)`` (a grid search's) set 3, and ``clone`` raised.
        So is a hyper-parameter that ``set_params`` cannot set.
        """
        _check_settable(type(self))
        params = self.get_params()
        rebuilt, changed = self._rebuilt(params)
        if changed is not None:
            raise TypeError(
                f"{type(self).__name__}.__init__ {how_changed(changed, params, rebuilt)}: "
                "store each argument as it is, under its own name, and derive values where "
                "they are used; clone and GridSearchCV rebuild it from its arguments."
            )

    def _rebuilt(self, params):
        """A new instance from ``params``, and the first of them it does not hold as given."""
        rebuilt = type(self)(**params)
        stored = rebuilt.get_params()
        changed = next((name for name in params if stored[name] is not params[name]), None)
        return rebuilt, changed

    def _describe(self):
        """How error messages name this object."""
        return type(self).__name__

    def get_params(self, deep=True):
        """Return the hyper-parameters of this object.

        Parameters
        ----------
        deep : bool, default=True
            Ignored: a plugin held by a hyper-parameter is returned as it is,
            not as its own parameters (:meth:`set_params` sets those by the
            path ``inner__mu``). Present for compatibility with
            :meth:`sklearn.base.BaseEstimator.get_params`.

        Returns
        -------
        params : dict
            Hyper-parameter names mapped to their values.
        """
        names = self._get_param_names()
        missing = [name for name in names if not _stored(self, name)]
        if missing:
            # A bare AttributeError ("no attribute 'lr'. Did you mean: '_lr'?") came from
            # here at fit, repr or clone, far from the constructor at fault; a class
            # attribute of the name trained with its value, whatever was given.
            shadow = next((name for name in missing if hasattr(self, name)), None)
            read = (
                f" (the class attribute {type(self).__name__}.{shadow} is read instead)"
                if shadow
                else ""
            )
            raise TypeError(
                f"{type(self).__name__}.__init__ takes {', '.join(map(repr, missing))} but "
                f"stores no attribute of that name{read}: store each argument unchanged "
                f"under its own name (self.{missing[0]} = {missing[0]}), which get_params, "
                "clone and GridSearchCV read, as for scikit-learn's estimators."
            )
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params):
        """Set hyper-parameters of this object.

        Parameters
        ----------
        **params : dict
            Hyper-parameter names and their new values; ``inner__mu`` sets
            ``mu`` of the plugin held by ``inner``.

        Returns
        -------
        self : object
            This object, changed in place.
        """
        valid = self._get_param_names()
        nested = {}
        for key, value in params.items():
            name, nests, inner = key.partition("__")
            if name not in valid:
                known = ", ".join(valid) if valid else "none"
                raise ValueError(
                    f"Invalid parameter {key!r} for {self._describe()}; "
                    f"its parameters are: {known}."
                )
            if nests:  # another plugin's, as validate names it: optimizer__inner__mu
                nested.setdefault(name, {})[inner] = value
            else:
                setattr(self, key, value)
        for name, inner in nested.items():  # after the objects they may replace
            target = getattr(self, name)
            if not isinstance(target, HyperParameters):
                raise ValueError(
                    f"Invalid parameter {name + '__' + next(iter(inner))!r} for "
                    f"{self._describe()}: its {name!r} is {target!r}, which has no parameters."
                )
            target.set_params(**inner)
        return self

    def __repr__(self):
        params = self.get_params()
        if get_config()["print_changed_only"]:  # as scikit-learn prints its estimators
            params = {k: v for k, v in params.items() if _changed(v, self._defaults().get(k))}
        args = ", ".join(f"{k}={v!r}" for k, v in params.items())
        return f"{type(self).__name__}({args})"

    @classmethod
    def _defaults(cls):
        signature = inspect.signature(cls.__init__).parameters.values()
        return {p.name: p.default for p in signature if p.default is not p.empty}

    def __eq__(self, other):
        return type(self) is type(other) and same_value(self.get_params(), other.get_params())

    def __hash__(self):
        # Not the values: a list or array has no hash, and set_params would change it
        # under a set or dict holding the object. Equal objects still hash alike.
        return hash((type(self), tuple(sorted(self.get_params()))))


def _stored(instance, name):
    """Whether ``instance`` holds ``name`` itself, not only its class.

    In its ``__dict__``, or through a descriptor of its class that stores
    per instance (a slot, a property); a plain class attribute of the name
    is the class's value, whatever the constructor was given.
    """
    if name in getattr(instance, "__dict__", ()):
        return True
    for klass in type(instance).__mro__:
        if name in vars(klass):
            stores = hasattr(type(vars(klass)[name]), "__set__")
            return stores and hasattr(instance, name)
    return False


@functools.lru_cache(maxsize=1024)
def _check_settable(cls):
    """Refuse a hyper-parameter that is a property without a setter: nothing could set it.

    ``set_params`` (a grid search's, ``load``'s) raised Python's
    AttributeError, and ``save`` refused the model as an invalid file. So is
    one that would replace a reserved attribute (a plugin's ``kind``): it
    trained, then ``save`` called the plugin "not registered".
    """
    for name in cls._get_param_names():
        if name in cls._reserved_names:
            raise TypeError(
                f"{cls.__name__} takes a hyper-parameter named {name!r}, an attribute the "
                f"registry and model files read to know the plugin ({cls.__name__}.{name} "
                f"is {getattr(cls, name)!r} for this {cls.kind}): name the hyper-parameter "
                "otherwise."
            )
        defined = inspect.getattr_static(cls, name, None)
        if isinstance(defined, property) and defined.fset is None:
            raise TypeError(
                f"{cls.__name__}.{name} is a property without a setter: set_params, "
                "GridSearchCV and load set each hyper-parameter by its name. Give the "
                f"property a setter, or store the argument as self.{name}."
            )


def same_value(a, b):
    """Whether two hyper-parameter values are equal: arrays by value, NaN equal to NaN.

    ``==`` of two dicts holding NumPy arrays raises ("the truth value of an
    array is ambiguous"), and NaN differs from itself: a plugin of either
    would differ from its own copy.
    """
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and (a.shape, a.dtype) == (b.shape, b.dtype)
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    if type(a) is not type(b):
        return _equal(a, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(same_value, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[key], b[key]) for key in a)
    if isinstance(a, (float, np.floating)) and np.isnan(a) and np.isnan(b):
        return True
    return _equal(a, b)


def _equal(a, b):
    """``a == b`` as one truth value; False where there is none."""
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def is_builtin(defined):
    """Whether a class, function or instance is the package's own, not a user's extension."""
    return getattr(defined, "__module__", "").partition(".")[0] == "sknielsen"


def how_changed(name, given, stored):
    """How a constructor failed to store the argument ``name``, for messages."""
    before, after = given[name], stored.get_params()[name]
    if repr(before) == repr(after):
        return f"stores a copy of its argument {name!r} ({before!r}), not the object given"
    return f"does not store its argument {name!r} unchanged (given {before!r}, it stores {after!r})"


def _changed(value, default):
    """Whether ``value`` differs from its default, as ``repr`` shows it (NaN equals NaN)."""
    return repr(value) != repr(default)


def refuse_booleans(constraints, params, owner, path=""):
    """Refuse a boolean given where the constraints allow none.

    ``bool`` is a subclass of ``int``, so scikit-learn's ``Interval`` takes
    ``True`` for 1 (``patience=True``, ``mini_batch_size=True``), which then
    fails deep in NumPy or trains on a number nobody chose.

    Parameters
    ----------
    constraints : dict
        Parameter names mapped to their lists of constraints, as
        ``_parameter_constraints`` declares them.
    params : dict
        The values, by the same names.
    owner : str
        What the user configured, named in the error.
    path : str, default=''
        How the user reaches the parameters, written before each name.

    Raises
    ------
    InvalidParameterError
        For a boolean where no constraint is ``bool``, ``"boolean"`` or
        ``"verbose"``.
    """
    for name, allowed in constraints.items():
        takes_booleans = any(c is bool or (isinstance(c, str) and c in _BOOLEANS) for c in allowed)
        if isinstance(params[name], bool) and not takes_booleans:
            raise InvalidParameterError(
                f"The {path + name!r} parameter of {owner} must not be a boolean; "
                f"got {params[name]!r}."
            )


#: scikit-learn's constraint names that take booleans.
_BOOLEANS = ("boolean", "verbose")


def check_bool(value, name):
    """Refuse ``value`` unless it is True or False (NumPy's too): a truthy "no" would act.

    Parameters
    ----------
    value : object
    name : str
        The argument's name, for the message.

    Raises
    ------
    TypeError
        For anything but a boolean.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}.")


def fill_in_defaults(obj):
    """Give ``obj`` the hyper-parameters its pickle lacked, at their defaults.

    Only names that are no attribute of its class (a property, a slot) and
    that it does not hold; a parameter without a default is left missing.
    """
    for name, default in constructor_defaults(type(obj)).items():
        if not hasattr(type(obj), name) and name not in getattr(obj, "__dict__", {}):
            setattr(obj, name, default)


def constructor_defaults(cls):
    """The defaults of the constructor of ``cls``, by parameter name (those it has)."""
    return _init_defaults(cls.__init__)


@functools.lru_cache(maxsize=1024)
def _init_defaults(init):
    """:func:`constructor_defaults` of the constructor ``init``, read-only.

    Cached by the function itself, as :func:`init_parameter_names`: every fit
    asks (the unread parameters' check), and inspect.signature costs 70 µs.
    """
    parameters = inspect.signature(init).parameters.values()
    defaults = {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}
    return types.MappingProxyType(defaults)


def validate_arguments(constraints):
    """scikit-learn's ``validate_params`` for a public function, refusing booleans too.

    ``validate_params`` takes ``True`` for an ``Interval`` of integers;
    :func:`refuse_booleans` refuses it first, for every argument whose
    constraints are a list none of which takes booleans.

    Parameters
    ----------
    constraints : dict
        As for ``validate_params``: argument names mapped to lists of
        constraints, or to ``"no_validation"``.

    Returns
    -------
    decorator : callable
    """

    def decorate(function):
        @functools.wraps(function)
        def body(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except InvalidParameterError as exc:
                raise _FromTheBody(exc) from None

        checked = validate_params(constraints, prefer_skip_nested_validation=True)(body)
        signature = inspect.signature(function)
        listed = {
            name: allowed for name, allowed in constraints.items() if isinstance(allowed, list)
        }

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                return checked(*args, **kwargs)  # Python's own error for a wrong call
            bound.apply_defaults()
            given = {name: bound.arguments[name] for name in listed if name in bound.arguments}
            refuse_booleans({name: listed[name] for name in given}, given, function.__name__)
            try:
                return checked(*args, **kwargs)
            except _FromTheBody as carried:
                # The error takes the carrier as its __context__: the carrier lets go of
                # it, or the two make a cycle that keeps the call's frames (its data).
                try:
                    raise carried.error from None  # as the estimator worded it
                finally:
                    carried.error = None

        return wrapper

    return decorate


class _FromTheBody(Exception):
    """An ``InvalidParameterError`` of a decorated function's body, carried past validation.

    ``validate_params`` renames the owner of every such error after the
    function: "The 'mini_batch_size' parameter of find_eta_threshold" was an
    estimator's parameter, which the function does not have.
    """

    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


@functools.lru_cache(maxsize=1024)
def init_parameter_names(owner, init):
    """The sorted parameter names of the constructor ``init`` of class ``owner``.

    Cached by the function itself: get_params, clone and every fit ask, and
    inspect.signature costs tens of microseconds a call.
    """
    names = []
    for parameter in inspect.signature(init).parameters.values():
        if parameter.name == "self":
            continue
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            raise TypeError(
                f"{owner} must list its hyper-parameters explicitly "
                "in __init__; *args and **kwargs are not supported."
            )
        names.append(parameter.name)
    return tuple(sorted(names))
