"""The layers of the package hold: no module imports a higher layer, and no import circle.

The layers are those of docs/design-notes.md; each module's layer is read
from its path. Imports inside functions count too: a lazy import up the
layers is still an import up the layers.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sknielsen"

#: Layer of each module, by the first rule (a path prefix) that matches it.
LAYERS = [
    ("_core/", 0),
    ("plugins/", 1),
    ("engine/", 2),
    ("callbacks.py", 3),
    ("training/", 3),
    # The model file's declaration, rules and writer sit below the estimators: a
    # checkpoint writes during a fit, and a fit checks that a file can hold it.
    ("modelfile/", 3),
    ("_base.py", 4),
    ("_doclink.py", 4),
    ("_classifier.py", 4),
    ("_regressor.py", 4),
    ("utils.py", 4),
    ("augment.py", 4),
    ("io/", 5),
    ("persistence.py", 5),
    ("datasets.py", 5),
    ("studies/", 6),
    ("comparison.py", 6),
    ("tuning.py", 6),
    ("book.py", 6),
    ("plotting.py", 6),
    ("gradcheck.py", 6),
    ("__main__.py", 7),
    ("__init__.py", 8),  # the package's face imports its public names
]


def _layer(relative):
    for prefix, layer in LAYERS:
        if relative == prefix or (prefix.endswith("/") and relative.startswith(prefix)):
            return layer
    raise AssertionError(f"{relative} has no layer in tests/test_layers.py")


def _module_path(module):
    """The file of a dotted module name under sknielsen, or None outside it."""
    parts = module.split(".")
    if parts[0] != "sknielsen":
        return None
    base = PACKAGE.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imports(path):
    """The sknielsen modules that ``path`` imports, as files."""
    package = ".".join(("sknielsen", *path.relative_to(PACKAGE).parent.parts))
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:  # 'from . import x' may import a module x
                found.add(_module_path(f"{target}.{alias.name}") or _module_path(target))
        elif isinstance(node, ast.Import):
            found.update(_module_path(alias.name) for alias in node.names)
    found.discard(None)
    found.discard(path)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))
GRAPH = {path: _imports(path) for path in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path):
    relative = str(path.relative_to(PACKAGE))
    if relative.endswith("/__init__.py") and relative != "__init__.py":
        return  # a sub-package's face belongs to its package's layer
    own = _layer(relative)
    higher = sorted(
        str(target.relative_to(PACKAGE))
        for target in GRAPH[path]
        if not str(target).endswith("/__init__.py")
        and _layer(str(target.relative_to(PACKAGE))) > own
    )
    assert not higher, f"{relative} (layer {own}) imports higher layers: {higher}"


def test_no_import_circle():
    state = {}

    def visit(path, trail):
        state[path] = "open"
        for target in GRAPH[path]:
            if target.name == "__init__.py" and target.parent == PACKAGE:
                continue  # the face imports everything; 'from . import plugins' is not a loop
            if state.get(target) == "open":
                loop = [*trail[trail.index(target) :], target]
                raise AssertionError(" -> ".join(str(p.relative_to(PACKAGE)) for p in loop))
            if target not in state:
                visit(target, [*trail, target])
        state[path] = "done"

    for path in MODULES:
        if path not in state:
            visit(path, [path])
