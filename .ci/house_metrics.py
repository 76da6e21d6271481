"""Measure the package's shape: the numbers the frame issue is judged by.

Prints package lines, the largest class, functions over 60 lines, private
reaches across modules, and the estimators' constructor parameters.
Run from the repository root: ``python .ci/house_metrics.py``.
"""

import ast
import inspect
import pathlib

PACKAGE = pathlib.Path("sknielsen")
LONG_FUNCTION = 60
# scikit-learn's own idioms, which every estimator and parameter check uses.
SKLEARN_IDIOMS = {
    "_parameter_constraints",
    "_validate_params",
    "_fit_context",
    "_check_sample_weight",
    "_more_tags",
    "_get_tags",
    "_doc_link_module",
    "_doc_link_template",
    "_doc_link_url_param_generator",
    "_repr_html_",
    "_estimator_type",
    "_get_param_names",
    "_param_validation",
}


# Python's own private-looking names (sys._getframe) are not our modules'.
STDLIB_OWNERS = {"sys"}


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "_build" not in p.parts)


def _is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined_here(tree):
    """Private names this module defines: functions, classes, methods, attributes it sets."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _private_reaches(tree):
    """Private names of other modules: taken from objects other than self/cls, or imported.

    A module's own private names (a class's method called on an instance
    of it, say) are not reaches; nor are scikit-learn's idioms.
    """
    reaches = []
    own = _defined_here(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr) and node.attr not in own:
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in {"self", "cls"}:
                continue
            if isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == "super":
                continue
            if isinstance(owner, ast.Name) and owner.id in STDLIB_OWNERS:
                continue
            if node.attr in SKLEARN_IDIOMS:
                continue
            reaches.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.ImportFrom) and node.level > 0 and node.module:
            # A private module of the package may be imported; its private names not.
            for alias in node.names:
                if _is_private(alias.name) and alias.name not in SKLEARN_IDIOMS:
                    reaches.append((node.lineno, f"import {alias.name}"))
    return reaches


def _docstring_lines(node):
    """Lines of the docstrings of a class and of its methods: text, not code."""
    total = 0
    for inner in ast.walk(node):
        body = getattr(inner, "body", None)
        if isinstance(inner, ast.ClassDef | ast.FunctionDef) and body:
            first = body[0]
            value = getattr(first, "value", None)
            if isinstance(first, ast.Expr) and isinstance(getattr(value, "value", None), str):
                total += first.end_lineno - first.lineno + 1
    return total


def main():
    lines = classes = 0
    largest = (0, "")
    long_functions, reaches = [], []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        lines += len(text.splitlines())
        tree = ast.parse(text)
        for node in ast.walk(tree):
            size = getattr(node, "end_lineno", 0) - getattr(node, "lineno", 0) + 1
            if isinstance(node, ast.ClassDef):
                classes += 1
                largest = max(largest, (size - _docstring_lines(node), f"{path}:{node.name}"))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size -= _docstring_lines(node)
                if size > LONG_FUNCTION:
                    long_functions.append(f"{path}:{node.name} ({size})")
        reaches += [f"{path}:{line}: {what}" for line, what in _private_reaches(tree)]
    from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor

    print(f"package lines: {lines} in {len(_modules())} modules, {classes} classes")
    print(f"largest class: {largest[1]} ({largest[0]} lines without docstrings)")
    print(f"functions over {LONG_FUNCTION} lines without docstrings: {len(long_functions)}")
    for name in long_functions:
        print(f"  {name}")
    print(f"private reaches across modules: {len(reaches)}")
    for reach in reaches:
        print(f"  {reach}")
    for estimator in (NielsenMLPClassifier, NielsenMLPRegressor):
        count = len(inspect.signature(estimator).parameters)
        print(f"constructor parameters of {estimator.__name__}: {count}")


if __name__ == "__main__":
    main()
