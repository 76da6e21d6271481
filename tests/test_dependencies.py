"""The dependencies pyproject.toml declares: what the package imports, and their floors.

``.ci/floors`` installs the releases ``.ci/floors.txt`` pins, the oldest that
pyproject.toml allows, and runs the suite on them. These fast tests keep the
two files in step, so that a floor raised (or lowered) in one is in the other.
"""

import ast
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / ".ci" / "floors.txt"


def _project():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11's")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _declared(project, *extras):
    """The requirements of the package and of ``extras``, by canonical name."""
    texts = project["dependencies"] + [
        text for extra in extras for text in project["optional-dependencies"][extra]
    ]
    return {canonicalize_name(Requirement(text).name): Requirement(text) for text in texts}


def _floor(requirement):
    """The version a requirement's ``>=`` names."""
    (floor,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
    return Version(floor)


def _pins():
    """``.ci/floors.txt`` as canonical name -> (pinned version, the comment after it)."""
    pins = {}
    for line in FLOORS.read_text(encoding="utf-8").splitlines():
        text, _, comment = line.partition("#")
        if text.strip():
            requirement = Requirement(text)
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"{FLOORS.name}: pin {line!r} with =="
            pins[canonicalize_name(requirement.name)] = (Version(spec.version), comment.strip())
    return pins


def test_the_ci_floors_are_the_oldest_releases_pyproject_allows():
    """Each requirement of the README's test line is pinned at its floor, or says why not."""
    declared = _declared(_project(), "test")
    pins = _pins()
    assert sorted(declared) <= sorted(pins), f"{FLOORS.name} misses {set(declared) - set(pins)}"
    for name, requirement in declared.items():
        version, why = pins[name]
        assert version in requirement.specifier, f"{name} {version} is not {requirement}"
        assert version == _floor(requirement) or why, (
            f"{FLOORS.name} pins {name} {version} above the floor {_floor(requirement)} "
            "of pyproject.toml without saying why"
        )
    for name in set(pins) - set(declared):
        assert pins[name][1], f"{FLOORS.name} pins {name}, which is not declared, without why"


def _imported_at_load(path):
    """The top-level names of the modules a file imports when it is loaded."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_every_package_imported_at_load_is_declared():
    """A dependency of a dependency can go: what the package imports it declares itself."""
    declared = _declared(_project())
    imported = set().union(*map(_imported_at_load, (ROOT / "sknielsen").rglob("*.py")))
    third_party = imported - set(sys.stdlib_module_names) - {"sknielsen"}
    distributions = packages_distributions()
    for module in sorted(third_party):
        names = {canonicalize_name(name) for name in distributions.get(module, [module])}
        assert names & set(declared), f"sknielsen imports {module}, which pyproject.toml lacks"
