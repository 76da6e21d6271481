"""Which docstrings numpydoc's validation reads, decided from the code, not typed.

``numpydoc_validation_checks`` (docs/conf.py) is enforced on every public
class, function, method and property, with three kinds of object handled
apart, each found by looking at the public classes when the build starts:

- a method that overrides another without a docstring of its own: autodoc
  shows the docstring of the method it overrides (``autodoc_inherit_docstrings``),
  which is validated where it is written, so the override is not validated
  twice (numpydoc would report it as having no docstring);
- a plain class attribute (``Plugin.kind``, ``Cost.output_activation``): it
  is documented by a ``#:`` comment, to which numpydoc's rules for docstrings
  do not apply;
- a dataclass that holds a result (``Replay``, ``EtaSearch``): its fields are
  documented under Attributes, which is what users read; its constructor
  is not for users, so the rule that every constructor argument appears
  under Parameters (PR01) is the one check it skips. Its other checks run here.
"""

import dataclasses
import importlib
import inspect
import re
import sys
from pathlib import Path

from numpydoc.docscrape import get_doc_object
from numpydoc.validate import validate
from sphinx.util import logging

logger = logging.getLogger(__name__)

_RESULTS = set()
#: The special methods the class pages document (templates/autosummary/class.rst).
DOCUMENTED_SPECIAL_MEMBERS = ("__call__",)


def public_classes(srcdir):
    """``{public path: class}`` of every class named in a public module's ``__all__``."""
    sys.path.insert(0, str(srcdir))
    try:
        spec = importlib.import_module("api_reference")
    finally:
        sys.path.remove(str(srcdir))
    found = {}
    for entry in spec.MODULES:
        module = importlib.import_module(entry["module"])
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value):
                found[f"{entry['module']}.{name}"] = value
    return found


def _defining_class(cls, name):
    return next((c for c in cls.__mro__ if name in vars(c)), None)


def _inherits_docstring(cls, name):
    """Whether ``cls.name`` is a method without a docstring that overrides a documented one."""
    owner = _defining_class(cls, name)
    value = vars(owner)[name]
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if not inspect.isfunction(value) or value.__doc__:
        return False
    later = owner.__mro__[1:]
    return any(getattr(vars(c).get(name), "__doc__", None) for c in later)


def _is_plain_attribute(cls, name):
    owner = _defining_class(cls, name)
    value = vars(owner)[name]
    return not (
        inspect.isfunction(value)
        or isinstance(value, (property, staticmethod, classmethod))
        or inspect.isclass(value)
    )


def _excluded(classes):
    patterns = set()
    for path, cls in classes.items():
        if dataclasses.is_dataclass(cls):
            _RESULTS.add(path)
            patterns.add(f"^{re.escape(path)}$")
        for name in dir(cls):
            public = not name.startswith("_") or name in DOCUMENTED_SPECIAL_MEMBERS
            if not public or _defining_class(cls, name) is None:
                continue
            if _inherits_docstring(cls, name) or _is_plain_attribute(cls, name):
                patterns.add(f"^{re.escape(path)}\\.{name}$")
    return patterns


def add_exclusions(app, config):
    classes = public_classes(Path(app.srcdir))
    config.numpydoc_validation_exclude = set(config.numpydoc_validation_exclude) | _excluded(
        classes
    )


def validate_results(app, what, name, obj, options, lines):
    """Validate the result dataclasses, all checks but PR01."""
    if name not in _RESULTS:
        return
    checks = app.config.numpydoc_validation_checks - {"PR01"}
    errors = [(code, text) for code, text in validate(get_doc_object(obj))["errors"]]
    errors = [(code, text) for code, text in errors if code in checks]
    if errors:
        listed = "".join(f"\n  {code}: {text}" for code, text in errors)
        logger.warning("[numpydoc] Validation warnings for %r:%s", name, listed)


def setup(app):
    # Before numpydoc compiles numpydoc_validation_exclude (priority 500).
    app.connect("config-inited", add_exclusions, priority=100)
    app.connect("autodoc-process-docstring", validate_results)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
