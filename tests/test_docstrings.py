"""Every public docstring passes numpydoc's validation, as scikit-learn's do.

The public objects are the classes and functions of the public modules'
``__all__`` (the modules docs/api_reference.py lists, which the site
documents) and the public methods and properties those classes define;
what a class inherits from scikit-learn or Python is theirs to document.
The rules are the site's (``numpydoc_validation_checks`` in docs/conf.py,
and docs/sphinxext/docstring_rules.py for the objects it treats apart), so
that pytest fails where ``sphinx -W`` would, without building the site.
A few things are checked further here: a method that overrides a
documented one without a docstring, against the parameters of the
docstring it shows; a result's dataclass, for the fields its Attributes
section leaves out; and every Attributes section, by numpydoc's rules for
a parameter's entry (its type and a description, a sentence).

Unlike scikit-learn's test, GL02 (where the text ends against the closing
quotes) is kept, as the site keeps it, and properties get no exemption from
PR02 and GL08: none needs one.
"""

import ast
import dataclasses
import functools
import importlib
import inspect
import os
import sys
from pathlib import Path

import pytest

# numpydoc comes with the docs extra, not the test extra (it brings Sphinx):
# without it this file is skipped, and .ci/docs, which installs the docs extra,
# runs it with SKNIELSEN_DOCS_REQUIRED=1, where its absence is a failure.
if os.environ.get("SKNIELSEN_DOCS_REQUIRED") != "1":
    pytest.importorskip("numpydoc", reason="numpydoc (the docs extra) validates the docstrings")
from numpydoc.docscrape import get_doc_object
from numpydoc.validate import Validator, validate
from public_modules import public_module_names

from sknielsen.callbacks import StepDecay

ROOT = Path(__file__).resolve().parents[1]

# The codes numpydoc reports that no docstring here is held to, each with its
# reason; docs/conf.py's numpydoc_validation_checks excepts the same ones.
IGNORED = {
    # Where the summary starts: on the line of the opening quotes here (PEP
    # 257), which GL01 refuses before numpydoc 1.11, and the extras allow 1.8;
    # scikit-learn ignores GL01 too.
    "GL01",
    # An extended summary is optional: many docstrings say all in their
    # summary line and their Parameters section.
    "ES01",
    # See Also sections are written where they help, not on every object.
    "SA01",
    # Examples sections are on the estimators and the main functions, run by
    # pytest --doctest-modules; the gallery shows the rest in context.
    "EX01",
    # Named return values ("self : object", "delta : ndarray") are the
    # numpydoc standard's own form and scikit-learn's; RT02 forbids them.
    "RT02",
}

# The special methods the site documents (docs/sphinxext/docstring_rules.py).
DOCUMENTED_SPECIAL_MEMBERS = ("__call__",)


def _documented_member(value):
    """The function, property or cached property a class attribute holds, else None."""
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if inspect.isfunction(value) or isinstance(value, (property, functools.cached_property)):
        return value
    return None  # plain class attributes are documented by ``#:`` comments


def _inherits_docstring(owner, name, member):
    """Whether ``member`` is a method without a docstring that overrides a documented one."""
    if not inspect.isfunction(member) or member.__doc__:
        return False
    return any(getattr(vars(base).get(name), "__doc__", None) for base in owner.__mro__[1:])


def _members(cls):
    """``(name, defining class, member)`` of each public method and property ``cls`` defines."""
    names = [name for name in dir(cls) if not name.startswith("_")]
    names += [name for name in DOCUMENTED_SPECIAL_MEMBERS if hasattr(cls, name)]
    for name in sorted(names):
        owner = next((c for c in cls.__mro__ if name in vars(c)), None)
        if owner is None or not owner.__module__.startswith("sknielsen"):
            continue  # scikit-learn's or Python's, or made by a metaclass
        member = _documented_member(vars(owner)[name])
        if member is not None:
            yield name, owner, member


def public_objects():
    """``{public path: how to check it}``, each object once, under its first public path.

    ``how`` is ``"docstring"``, ``"inherited"`` (an override without a
    docstring) or ``"dataclass"`` (whose fields, without a Parameters
    section, are documented under Attributes).
    """
    found, seen = {}, set()
    for module_name in public_module_names():
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            path = f"{module_name}.{name}"
            if not (inspect.isclass(value) or inspect.isfunction(value)) or value in seen:
                continue  # data is described in docs/api_reference.py; a module has its pages
            seen.add(value)
            is_dataclass = inspect.isclass(value) and dataclasses.is_dataclass(value)
            found[path] = "dataclass" if is_dataclass else "docstring"
            if not inspect.isclass(value):
                continue
            for member_name, owner, member in _members(value):
                if (owner, member_name) in seen:
                    continue
                seen.add((owner, member_name))
                inherited = _inherits_docstring(owner, member_name, member)
                found[f"{path}.{member_name}"] = "inherited" if inherited else "docstring"
    return found


PUBLIC_OBJECTS = public_objects()


def _load(path):
    """The object at a public path: a module's name, then attributes."""
    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        if module_name in sys.modules:
            value = sys.modules[module_name]
            for part in parts[split:]:
                value = getattr(value, part)
            return value
    raise LookupError(f"no imported module holds {path}")


def _written_sections(cls):
    """The sections of the docstring of ``cls`` as written, without the members numpydoc adds."""
    return get_doc_object(cls, config={"show_class_members": False})


def _attribute_errors(cls):
    """numpydoc's rules for a parameter (PR04, PR07 to PR09), for each entry of Attributes.

    numpydoc does not check the Attributes section, which the site renders
    as a table beside Parameters.
    """
    errors = []
    for entry in _written_sections(cls)["Attributes"]:
        description = " ".join(entry.desc).strip()
        if not entry.type:
            errors.append(("PR04", f'Attribute "{entry.name}" has no type'))
        if not description:
            errors.append(("PR07", f'Attribute "{entry.name}" has no description'))
            continue
        if description[0].isalpha() and not description[0].isupper():
            errors.append(
                ("PR08", f'Attribute "{entry.name}" description should start with a capital letter')
            )
        if not description.endswith("."):
            errors.append(("PR09", f'Attribute "{entry.name}" description should finish with "."'))
    return errors


def _dataclass_field_errors(cls):
    """The fields of a result's dataclass that its Attributes section leaves out.

    A result's constructor is not for users, so its docstring documents the
    fields under Attributes, not Parameters, and numpydoc's PR01 (every
    constructor argument under Parameters) does not apply: this is the same
    rule for the section users read.
    """
    documented = {
        name.strip()
        for entry in _written_sections(cls)["Attributes"]
        for name in entry.name.split(",")
    }
    missing = {field.name for field in dataclasses.fields(cls) if field.init} - documented
    return [("PR01", f"Fields {sorted(missing)} not under Attributes")] if missing else []


def docstring_errors(path, how):
    """``[(code, message)]``: what numpydoc finds wrong with the docstring of ``path``."""
    if how == "inherited":
        # help() and the site show the overridden method's docstring, which is
        # validated where it is written: here only its parameters are checked,
        # against the override's (PR01 to PR03).
        return Validator(get_doc_object(_load(path))).parameter_mismatches
    report = validate(path)
    errors = [(code, text) for code, text in report["errors"] if code not in IGNORED]
    obj = _load(path)
    if how == "dataclass" and not _written_sections(obj)["Parameters"]:
        errors = [(code, text) for code, text in errors if code != "PR01"]
        errors += _dataclass_field_errors(obj)
    if inspect.isclass(obj):
        errors += _attribute_errors(obj)
    return errors


@pytest.mark.parametrize("path", sorted(PUBLIC_OBJECTS))
def test_docstring(path):
    errors = docstring_errors(path, PUBLIC_OBJECTS[path])
    if errors:
        obj = inspect.unwrap(_load(path))
        target = getattr(obj, "fget", None) or getattr(obj, "func", None) or obj
        where = f"{inspect.getsourcefile(target)}:{inspect.getsourcelines(target)[1]}"
        listed = "\n".join(f"  {code}: {text}" for code, text in errors)
        pytest.fail(f"{path} ({where}), {PUBLIC_OBJECTS[path]}:\n{listed}", pytrace=False)


def test_the_public_objects_are_all_there():
    """The list is the API, not a few names: a mistake there would pass every check."""
    expected = {
        "sknielsen.NielsenMLPClassifier",
        "sknielsen.NielsenMLPClassifier.fit",
        "sknielsen.NielsenMLPClassifier.predict_proba",
        "sknielsen.NielsenMLPRegressor",
        "sknielsen.save",
        "sknielsen.plugins.Sigmoid",
        "sknielsen.plugins.Cost.delta",
        "sknielsen.plugins.register",
        "sknielsen.callbacks.Callback.on_epoch_end",
        "sknielsen.callbacks.EarlyStopping",
        "sknielsen.callbacks.EarlyStopping.on_epoch_end",
        "sknielsen.persistence.ModelFileError",
        "sknielsen.datasets.load_mnist",
        "sknielsen.augment.expand",
        "sknielsen.comparison.training_size_comparison",
        "sknielsen.comparison.StudyOutput.save",
        "sknielsen.tuning.find_eta_threshold",
        "sknielsen.book.replay",
        "sknielsen.book.Replay.summary",
        "sknielsen.plotting.plot_history",
        "sknielsen.gradcheck.check_gradients",
        "sknielsen.utils.check_params",
        "sknielsen.training.FittedState",
    }
    assert expected <= set(PUBLIC_OBJECTS), sorted(expected - set(PUBLIC_OBJECTS))
    modules = {path.rsplit(".", 1)[0] for path in PUBLIC_OBJECTS}
    assert set(public_module_names()) <= modules, set(public_module_names()) - modules
    assert set(PUBLIC_OBJECTS.values()) == {"docstring", "inherited", "dataclass"}
    assert len(PUBLIC_OBJECTS) > 200


def test_the_site_ignores_the_same_codes():
    """docs/conf.py's numpydoc_validation_checks: "all" but the codes ignored here."""
    tree = ast.parse((ROOT / "docs" / "conf.py").read_text(encoding="utf-8"))
    (checks,) = [
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and [getattr(target, "id", None) for target in node.targets]
        == ["numpydoc_validation_checks"]
    ]
    assert checks == {"all"} | IGNORED


class _RenamedHook(StepDecay):
    """A callback whose hook's parameter is not the one its inherited docstring names."""

    def on_epoch_begin(self, model):
        pass


@dataclasses.dataclass
class _Result:
    """A result with a field its docstring leaves out.

    Attributes
    ----------
    score : float
        The score.
    """

    score: float
    trace: list


class _UndescribedAttribute(ValueError):
    """An error with an attribute.

    Parameters
    ----------
    reason : str
        Why.

    Attributes
    ----------
    reason : str
    """

    def __init__(self, reason):
        self.reason = reason


def _wrong_docstring(X, y, *, image_shape=None):
    """Expand the data set.

    Parameters
    ----------
    X : ndarray
        The images.
    y : ndarray
        The labels.
    shape : tuple of int
        Misnamed.

    Returns
    -------
    X, y : ndarray
        The expanded data set.
    """


@pytest.mark.parametrize(
    "attribute, path, how, expected",
    [
        ("expand_mnist", "sknielsen.augment.expand_mnist", "docstring", ["PR01", "PR02"]),
        (
            "StepDecay",
            "sknielsen.callbacks.StepDecay.on_epoch_begin",
            "inherited",
            ["PR01", "PR02"],
        ),
        ("GradientCheck", "sknielsen.gradcheck.GradientCheck", "dataclass", ["PR01"]),
        (
            "UnsavableModelError",
            "sknielsen.persistence.UnsavableModelError",
            "docstring",
            ["PR07"],
        ),
    ],
)
def test_a_wrong_docstring_is_reported(monkeypatch, attribute, path, how, expected):
    """The check itself: each kind of object fails it with a wrong docstring."""
    wrong = {
        "expand_mnist": _wrong_docstring,
        "StepDecay": _RenamedHook,
        "GradientCheck": _Result,
        "UnsavableModelError": _UndescribedAttribute,
    }
    module = importlib.import_module(path.split(f".{attribute}")[0])
    monkeypatch.setattr(module, attribute, wrong[attribute])
    assert [code for code, _ in docstring_errors(path, how)] == expected
