"""Intersphinx without a network: inventories written at build time from a short table.

The build machines reach package registries but not the documentation sites,
so intersphinx cannot download ``objects.inv`` from python.org, numpy.org,
scipy.org or scikit-learn.org, and none of the installed packages ships one.
This extension writes, before intersphinx reads them, one small inventory per
project holding only the objects these docs refer to, with the URIs those
sites use, and points ``intersphinx_mapping`` at the local files: links go to
the real pages, nothing is fetched.

A reference to an object missing from the table is an unresolved reference,
which the nitpicky build reports as an error: add the object to the table.
NumPy, SciPy and scikit-learn name their API pages after the object
(``<prefix><name>.html#<name>``), so a name is enough; Python's pages are
listed with the URI in full.
"""

import zlib
from pathlib import Path

# Python's objects: (role, name, uri), with the anchor python.org gives them.
PYTHON = (
    "https://docs.python.org/3/",
    [
        ("py:class", "dict", "library/stdtypes.html#dict"),
        ("py:class", "float", "library/functions.html#float"),
        ("py:class", "int", "library/functions.html#int"),
        ("py:class", "list", "library/stdtypes.html#list"),
        ("py:class", "str", "library/stdtypes.html#str"),
        ("py:class", "tuple", "library/stdtypes.html#tuple"),
        ("py:data", "True", "library/constants.html#True"),
        ("py:data", "False", "library/constants.html#False"),
        ("py:class", "os.PathLike", "library/os.html#os.PathLike"),
        ("py:class", "pathlib.Path", "library/pathlib.html#pathlib.Path"),
    ],
)

# NumPy, SciPy and scikit-learn name an object's page after it:
# (base URL, URI prefix of those pages, {role: [names]}).
BY_NAME = {
    "numpy": (
        "https://numpy.org/doc/stable/",
        "reference/generated/",
        {"py:class": ["numpy.ndarray", "numpy.dtype"]},
    ),
    "scipy": (
        "https://docs.scipy.org/doc/scipy/",
        "reference/generated/",
        {"py:function": ["scipy.special.expit"]},
    ),
    "sklearn": (
        "https://scikit-learn.org/stable/",
        "modules/generated/",
        {
            "py:class": [
                "sklearn.base.BaseEstimator",
                "sklearn.compose.TransformedTargetRegressor",
                "sklearn.linear_model.LinearRegression",
                "sklearn.model_selection.GridSearchCV",
                "sklearn.multioutput.MultiOutputRegressor",
                "sklearn.neural_network.MLPClassifier",
                "sklearn.neural_network.MLPRegressor",
                "sklearn.pipeline.Pipeline",
                "sklearn.preprocessing.StandardScaler",
                "sklearn.svm.SVC",
                "sklearn.utils.Bunch",
                "sklearn.utils.metadata_routing.MetadataRequest",
            ],
            "py:function": [
                "sklearn.metrics.r2_score",
                "sklearn.model_selection.learning_curve",
                "sklearn.set_config",
                "sklearn.utils.estimator_checks.check_estimator",
                "sklearn.utils.estimator_checks.parametrize_with_checks",
            ],
            "py:method": ["sklearn.base.BaseEstimator.get_params"],
        },
    ),
}

# The rest: objects documented on shared pages, glossary terms and user-guide
# sections, which numpydoc and scikit-learn's inherited docstrings refer to:
# (role, name, uri, title).
PAGES = {
    "python": [
        ("std:term", "iterable", "glossary.html#term-iterable", "-"),
        ("std:term", "sequence", "glossary.html#term-sequence", "-"),
    ],
    "numpy": [
        ("py:module", "numpy", "reference/index.html#module-numpy", "-"),
        ("py:class", "numpy.float64", "reference/arrays.scalars.html#numpy.float64", "-"),
        ("py:class", "numpy.random.Generator",
         "reference/random/generator.html#numpy.random.Generator", "-"),
        ("py:function", "numpy.random.default_rng",
         "reference/random/generator.html#numpy.random.default_rng", "-"),
        ("py:class", "numpy.random.RandomState",
         "reference/random/legacy.html#numpy.random.RandomState", "-"),
        ("std:term", "array_like", "glossary.html#term-array_like", "-"),
    ],
    "sklearn": [
        ("std:term", "meta-estimator", "glossary.html#term-meta-estimator", "-"),
        ("std:label", "accuracy_score", "modules/model_evaluation.html#accuracy-score",
         "Accuracy score"),
        ("std:label", "r2_score", "modules/model_evaluation.html#r2-score",
         "R² score, the coefficient of determination"),
        ("std:label", "metadata_routing", "metadata_routing.html#metadata-routing",
         "Metadata routing"),
    ],
}  # fmt: skip


def entries():
    """Every project's ``(base_url, [(role, name, uri, display name)])``."""
    projects = {"python": (PYTHON[0], [(r, n, u, "-") for r, n, u in PYTHON[1]])}
    for project, (base, prefix, by_role) in BY_NAME.items():
        rows = [
            (role, name, _object_page(prefix, role, name), "-")
            for role, names in by_role.items()
            for name in names
        ]
        projects[project] = (base, rows)
    for project, rows in PAGES.items():
        projects[project][1].extend(rows)
    return projects


def _object_page(prefix, role, name):
    if role == "py:method":  # a method is an anchor on its class's page
        owner = name.rpartition(".")[0]
        return f"{prefix}{owner}.html#{name}"
    return f"{prefix}{name}.html#{name}"


def write_inventory(path, project, rows):
    """Write a version-2 Sphinx inventory (the format intersphinx reads)."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        "# Version: \n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(f"{name} {role} 1 {uri} {shown}\n" for role, name, uri, shown in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header.encode() + zlib.compress(body.encode()))


def _write_inventories(app, config):
    folder = Path(app.doctreedir) / "offline-inventories"
    mapping = {}
    for project, (base, rows) in entries().items():
        path = folder / f"{project}.inv"
        write_inventory(path, project, rows)
        mapping[project] = (base, str(path))
    config.intersphinx_mapping = mapping


def setup(app):
    # Before intersphinx validates the mapping (priority 800) and loads it.
    app.connect("config-inited", _write_inventories, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
