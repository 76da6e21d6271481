"""Sphinx configuration of sknielsen's documentation site.

Build it from the repository's root (the README gives the command)::

    python -m sphinx -W -b html docs docs/_build/html

The Markdown pages of docs/ (executed by tests/test_docs.py) are read by
myst-parser, the API reference is written from docs/api_reference.py and the
docstrings (docs/sphinxext/api_pages.py, autosummary, numpydoc), and the
gallery is made by running examples/ (sphinx-gallery).
"""

import importlib.util
import os
import sys
from pathlib import Path

import sphinx_gallery
import threadpoolctl
from packaging.version import Version

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

# Document the package of this checkout. An installed copy elsewhere (an
# editable install of another clone) would be documented instead otherwise.
_found = importlib.util.find_spec("sknielsen")
if _found is None or not Path(_found.origin).resolve().is_relative_to(ROOT):
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "sphinxext"))

import sknielsen

if not Path(sknielsen.__file__).resolve().is_relative_to(ROOT):
    raise RuntimeError(f"Documenting {sknielsen.__file__}, not the package of {ROOT}.")

# The examples draw with matplotlib, off screen.
os.environ.setdefault("MPLBACKEND", "Agg")

# The gallery's networks are small: BLAS threads gain them nothing and, on a
# busy machine, only spin waiting for cores (plot_optimizers.py took 50 s
# with them and 13 s without, on this project's shared 2-core machine).
threadpoolctl.threadpool_limits(limits=1, user_api="blas")

project = "sknielsen"
author = "the sknielsen developers"
copyright = "the sknielsen developers"
version = release = sknielsen.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "offline_inventories",
    "api_pages",
    "docstring_rules",
]

root_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "sphinxext",
    "_templates",
    "_static",
    # A table that benchmarks/book_figure.py writes beside the figures it
    # draws; network-vs-svm.md shows the figures and the same numbers.
    "comparison-mnist/*.md",
]

# -- Warnings are errors (-W); references must resolve ----------------------

nitpicky = True
nitpick_ignore = [
    # The training loop's object that every callback hook receives. Its class
    # is private; what a callback may read and set on it is described in
    # sknielsen.callbacks (the module's page) and docs/callbacks.md.
    ("py:class", "Trainer"),
    # The regularizer with its λ and n that the loop hands to Optimizer.step,
    # and the full-batch objective it hands to Solver.minimize: private
    # classes of the training loop, described where they are received.
    ("py:class", "Penalty"),
    ("py:class", "FullBatchObjective"),
]

# -- Markdown pages (myst-parser) -------------------------------------------

myst_heading_anchors = 3  # "[text](plugins.md#declaring-the-allowed-values)" links
myst_enable_extensions = ["deflist"]

# -- API reference ----------------------------------------------------------

autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # types are in the numpydoc sections
autodoc_member_order = "groupwise"
autodoc_inherit_docstrings = True

numpydoc_show_class_members = False  # autodoc lists the members (templates/class.rst)
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"  # link the known names below, leave other words as text


def _public_aliases():
    """Each public class's short name mapped to its public path, from the modules' ``__all__``."""
    import api_reference  # docs/api_reference.py, on sys.path through DOCS below

    aliases = {}
    for entry in api_reference.MODULES:
        module = importlib.import_module(entry["module"])
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type):
                aliases.setdefault(name, f"{entry['module']}.{name}")
    return aliases


sys.path.insert(0, str(DOCS))
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "dtype": "numpy.dtype",
    "Generator": "numpy.random.Generator",
    "RandomState": "numpy.random.RandomState",
    "callable": "callable",
    "path-like": "os.PathLike",
    "PathLike": "os.PathLike",
    "Path": "pathlib.Path",
    "dict": "dict",
    "list": "list",
    "tuple": "tuple",
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "object": "object",
    "None": "None",
    "estimator": "sklearn.base.BaseEstimator",
    "Bunch": "sklearn.utils.Bunch",
    **_public_aliases(),
}

# Which docstring rules the build enforces (numpydoc's codes; "all" minus
# the exceptions below). Every public docstring passes them, or -W fails.
numpydoc_validation_checks = {
    "all",
    # Where the summary starts: on the line of the opening quotes here (PEP
    # 257), which GL01 refuses before numpydoc 1.11, and the extras allow 1.8;
    # scikit-learn ignores GL01 too.
    "GL01",
    # An extended summary is optional: many docstrings say all in one line
    # and their Parameters section.
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
numpydoc_validation_exclude = {
    # Methods inherited unchanged from scikit-learn, whose docstrings it owns.
    r"\.get_metadata_routing$",
    r"\.set_\w+_request$",
    r"\.__sklearn_\w+__$",
}

# -- Gallery (sphinx-gallery) -----------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "gallery_order.ReadingOrder",
    "doc_module": ("sknielsen",),
    "backreferences_dir": "reference/generated/backreferences",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "min_reported_time": 0,
    # The summary page of all the times loads jQuery and DataTables from CDNs,
    # which an offline site cannot reach; each example's page keeps its time.
    "write_computation_times": False,
    "show_memory": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    # The bare Figures sknielsen's plotting returns, then pyplot's figures.
    "image_scrapers": ("figure_scraper.bare_figures", "matplotlib"),
    "matplotlib_animations": False,
}
# Before 0.22, sphinx-gallery linked the examples' names to this site's own
# pages only when asked; 0.22 does it itself and warns about the option.
if Version(sphinx_gallery.__version__) < Version("0.22"):
    sphinx_gallery_conf["reference_url"] = {"sknielsen": None}

# -- Intersphinx: Python, NumPy, SciPy, scikit-learn, offline ---------------

# Filled by docs/sphinxext/offline_inventories.py with local inventories of
# the objects these pages refer to: the build machines cannot download the
# projects' objects.inv.
intersphinx_mapping = {}

# -- HTML -------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sknielsen {release}"
html_static_path = ["_static"]
html_css_files = ["sknielsen.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 5,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
