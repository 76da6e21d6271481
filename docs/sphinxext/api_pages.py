"""The API reference pages, written from ``docs/api_reference.py`` and the plugin registry.

When the build starts, ``reference/index.rst`` and one page per public module
are written into the source folder (they are build products, ignored by
git); autosummary then writes a page per name from the docstrings. The
plugins' page has one table per kind made from ``sknielsen.plugins``
itself: registered name, class and hyper-parameters with their defaults.

Two checks fail the build (as warnings, which ``-W`` makes errors):

- a name in a public module's ``__all__`` that the table leaves out or lists
  twice, when the pages are written;
- a public name that ended up without its own entry in the Python domain,
  once every page has been read.
"""

import importlib
import inspect
import sys
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

FOLDER = "reference"

# How the estimators take each kind of plugin.
KIND_TITLES = {
    "cost": ("Costs", "cost"),
    "activation": ("Activations", "activation / output_activation"),
    "regularizer": ("Regularizers", "regularizer"),
    "initializer": ("Initializers", "initializer"),
    "optimizer": ("Optimizers", "optimizer"),
    "augmenter": ("Augmenters", "augment"),
}


def _spec(srcdir):
    sys.path.insert(0, str(srcdir))
    try:
        return importlib.import_module("api_reference")
    finally:
        sys.path.remove(str(srcdir))


def _page_name(module):
    return "estimators" if module == "sknielsen" else module.removeprefix("sknielsen.")


def _underline(text, char):
    return f"{text}\n{char * len(text)}\n"


def _autosummary(module, names):
    lines = [
        f".. currentmodule:: {module}",
        "",
        ".. autosummary::",
        "   :toctree: generated/",
        "   :nosignatures:",
        "",
    ]
    return "\n".join(lines + [f"   {name}" for name in names]) + "\n"


def _data(module, name, description):
    value = getattr(importlib.import_module(module), name)
    shown = f"   :value: {value!r}\n" if isinstance(value, (str, int)) else ""
    kind = f"   :type: {type(value).__name__}\n"
    return f".. py:data:: {name}\n{kind}{shown}\n   {description}\n"


def _section(module, title, names, spec):
    imported = importlib.import_module(module)
    out = [_underline(title, "-")]
    documented = []
    for name in names:
        value = getattr(imported, name)
        full = f"{module}.{name}"
        if inspect.ismodule(value):
            out.append(
                f":mod:`{value.__name__}` — {_summary(value)} "
                f"(:doc:`{_page_name(value.__name__)}`)\n"
            )
        elif full in spec.DATA:
            out.append(_data(module, name, spec.DATA[full]))
        else:
            documented.append(name)
    if documented:
        out.insert(1, _autosummary(module, documented))
    return "\n".join(out)


def _summary(obj):
    doc = inspect.getdoc(obj) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


def _hyper_parameters(kind, name):
    """The plugin's hyper-parameters with their defaults, from a fresh instance."""
    from sknielsen import plugins

    params = plugins.get(kind, name).get_params()
    if not params:
        return "—"
    return ", ".join(f"``{key}={value!r}``" for key, value in params.items())


def builtin_plugins(kind):
    """``(name, class)`` of the plugins sknielsen registers for ``kind``, from the registry."""
    from sknielsen import plugins

    found = []
    for name in plugins.available(kind):
        cls = plugins.get_class(kind, name)
        if getattr(plugins, cls.__name__, None) is cls:  # public in sknielsen.plugins
            found.append((name, cls))
    return found


def _registry_sections():
    from sknielsen import plugins

    out = []
    classes = []
    # The book's order of the kinds; a kind added later comes after them.
    order = [k for k in KIND_TITLES if k in plugins.kinds()]
    order += sorted(set(plugins.kinds()) - set(order))
    for kind in order:
        title, parameter = KIND_TITLES.get(kind, (kind.title(), kind))
        base = type(plugins.get(kind, plugins.available(kind)[0])).__mro__
        base_name = next(c.__name__ for c in base if c.__dict__.get("kind") == kind)
        rows = builtin_plugins(kind)
        classes += [cls.__name__ for _, cls in rows]
        out.append(_underline(title, "-"))
        out.append(
            f"Subclasses of :class:`{base_name}`, given to the estimators by name or as "
            f"instances (``{parameter}=``). This table is made from "
            f"``sknielsen.plugins.available({kind!r})`` when the documentation is built.\n"
        )
        table = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 15 20 30 35",
            "",
            "   * - Name",
            "     - Class",
            "     - Hyper-parameters",
            "     - Summary",
        ]
        for name, cls in rows:
            table += [
                f"   * - ``{name!r}``",
                f"     - :class:`{cls.__name__}`",
                f"     - {_hyper_parameters(kind, name)}",
                f"     - {_summary(cls)}",
            ]
        out.append("\n".join(table) + "\n")
    out.append(_underline("Every plugin class", "-"))
    out.append(_autosummary("sknielsen.plugins", sorted(set(classes), key=str.lower)))
    return "\n".join(out), set(classes)


def _check_coverage(entry, extra):
    """The module's ``__all__``, each name once: what the table misses or repeats."""
    module = importlib.import_module(entry["module"])
    listed = [name for _, names in entry["sections"] for name in names] + sorted(extra)
    repeated = sorted({n for n in listed if listed.count(n) > 1})
    missing = sorted(set(module.__all__) - set(listed))
    unknown = sorted(set(listed) - set(module.__all__))
    for problem, names in (("leaves out", missing), ("repeats", repeated), ("adds", unknown)):
        if names:
            logger.warning(
                "docs/api_reference.py %s names of %s.__all__: %s",
                problem,
                entry["module"],
                ", ".join(names),
            )


def _module_page(entry, spec):
    module = entry["module"]
    parts = [
        f".. _api-{module}:\n",
        _underline(f"{entry['title']} (``{module}``)", "="),
        f".. automodule:: {module}\n   :no-members:\n",
        f".. currentmodule:: {module}\n",
    ]
    extra = set()
    for title, names in entry["sections"]:
        parts.append(_section(module, title, names, spec))
    if entry.get("registry"):
        text, extra = _registry_sections()
        parts.append(text)
    _check_coverage(entry, extra)
    return "\n".join(parts)


def write_pages(app, config):
    """Write ``reference/*.rst`` before autosummary reads them."""
    srcdir = Path(app.srcdir)
    spec = _spec(srcdir)
    folder = srcdir / FOLDER
    folder.mkdir(exist_ok=True)
    pages = []
    for entry in spec.MODULES:
        page = _page_name(entry["module"])
        pages.append(page)
        _write_if_changed(folder / f"{page}.rst", _module_page(entry, spec))
    index = [
        ".. _api-reference:\n",
        _underline("API reference", "="),
        (
            "Every public name of sknielsen, by the module it is imported from, generated "
            "from the docstrings. :doc:`Every public name on one page <../api>` lists them "
            "with what each is for.\n"
        ),
        ".. toctree::\n   :maxdepth: 2\n\n"
        + "\n".join(f"   {p}" for p in pages)
        + "\n   Every public name on one page <../api>\n",
    ]
    _write_if_changed(folder / "index.rst", "\n".join(index))


def _write_if_changed(path, text):
    # Unchanged pages keep their time stamp, so a rebuild reads only what changed.
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def check_every_name_documented(app, env):
    """Warn about a public name without its own entry in the Python domain."""
    spec = _spec(Path(app.srcdir))
    domain = env.get_domain("py")
    objects = {name for name, obj in domain.objects.items() if not obj.aliased}
    modules = set(domain.modules)
    for entry in spec.MODULES:
        module = importlib.import_module(entry["module"])
        for name in module.__all__:
            value = getattr(module, name)
            target = value.__name__ if inspect.ismodule(value) else f"{module.__name__}.{name}"
            if target not in objects and target not in modules:
                logger.warning("public name %s has no page in the API reference", target)


class PluginRegistration(SphinxDirective):
    """``.. sknielsen-registration:: sknielsen.plugins.Momentum``: how estimators name it."""

    required_arguments = 1

    def run(self):
        from sknielsen import plugins

        module, _, name = self.arguments[0].rpartition(".")
        cls = getattr(importlib.import_module(module), name, None)
        if not (inspect.isclass(cls) and issubclass(cls, plugins.Plugin)):
            return []
        kind = cls.kind
        names = [n for n, c in builtin_plugins(kind) if c is cls] if kind else []
        if not names:
            return []
        _, parameter = KIND_TITLES.get(kind, (kind, kind))
        parameter = parameter.split(" / ")[0]
        text = (
            f"Registered as ``{names[0]!r}``, a plugin of kind ``{kind!r}``: estimators take it "
            f"as ``{parameter}={names[0]!r}`` or ``{parameter}={cls.__name__}(...)``"
        )
        hyper = list(plugins.get(kind, names[0]).get_params())
        if hyper:
            text += (
                ", and its hyper-parameters as "
                + ", ".join(f"``{parameter}__{p}``" for p in hyper)
                + " (in ``set_params`` and ``GridSearchCV``)"
            )
        inline, messages = self.parse_inline(text + ".")
        paragraph = nodes.paragraph("", "", *inline)
        note = nodes.note()
        note += paragraph
        return [note, *messages]


def setup(app):
    app.connect("config-inited", write_pages)
    app.connect("env-check-consistency", check_every_name_documented)
    app.add_directive("sknielsen-registration", PluginRegistration)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
