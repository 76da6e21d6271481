"""scikit-learn's parameter protocol for small objects that are not estimators.

Plugins and callbacks keep their hyper-parameters as constructor arguments,
each stored unchanged under an attribute of the same name. This base gives
them ``get_params``/``set_params``, so that nested names such as
``optimizer__mu`` work in :class:`~sklearn.model_selection.GridSearchCV` and
:func:`sklearn.base.clone` copies them like estimators.
"""

import inspect


class HyperParameters:
    """Base class of objects configured by explicit constructor arguments.

    Subclasses accept no ``*args`` or ``**kwargs``.
    """

    @classmethod
    def _get_param_names(cls):
        if cls.__init__ is object.__init__:
            return []
        signature = inspect.signature(cls.__init__)
        names = []
        for parameter in signature.parameters.values():
            if parameter.name == "self":
                continue
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise TypeError(
                    f"{cls.__name__} must list its hyper-parameters explicitly "
                    "in __init__; *args and **kwargs are not supported."
                )
            names.append(parameter.name)
        return sorted(names)

    def _describe(self):
        """How error messages name this object."""
        return type(self).__name__

    def get_params(self, deep=True):
        """Return the hyper-parameters of this object.

        Parameters
        ----------
        deep : bool, default=True
            Ignored; these objects have no nested objects. Present for
            compatibility with :meth:`sklearn.base.BaseEstimator.get_params`.

        Returns
        -------
        params : dict
            Hyper-parameter names mapped to their values.
        """
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set hyper-parameters of this object.

        Parameters
        ----------
        **params : dict
            Hyper-parameter names and their new values.

        Returns
        -------
        self : object
            This object, changed in place.
        """
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                known = ", ".join(valid) if valid else "none"
                raise ValueError(
                    f"Invalid parameter {key!r} for {self._describe()}; "
                    f"its parameters are: {known}."
                )
            setattr(self, key, value)
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self.get_params() == other.get_params()

    def __hash__(self):
        return hash((type(self), tuple(sorted(self.get_params().items()))))
