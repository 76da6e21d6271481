"""The model file's documentation page, written from its declaration.

``docs/model-format.md`` is this module's output::

    python -m sknielsen.io._reference > docs/model-format.md

and ``tests/test_model_format.py`` checks that the page in the repository
is what the declaration gives today, so the two cannot drift.
"""

from .._core.rules import (
    MAX_BYTES_PER_CONTAINER,
    MAX_INTEGER_DIGITS,
    SMALLEST_JUDGED_TEXT,
    Row,
)
from ..modelfile._schema import (
    ANY_PLUGIN,
    CLASSIFIER,
    CROSS_CHECKS,
    FORMAT_NAME,
    FORMAT_VERSION,
    MODEL_FILE,
    NETWORK2_FILE,
    READABLE_VERSIONS,
    CallbackDocument,
)

_INTRO = f"""\
# The model file format

<!-- Generated from sknielsen/modelfile/_schema.py by
     `python -m sknielsen.io._reference > docs/model-format.md`;
     tests/test_model_format.py checks that it matches. Do not edit by hand. -->

`sknielsen.save` writes a model as one JSON document and `sknielsen.load`
reads it back. Both use one declaration of the format,
`sknielsen/modelfile/_schema.py`, from which this page is written: every field with
its JSON value, then the rules across fields. `load` refuses a file that breaks
any of them with a `ModelFileError` (a `ValueError`) naming the file and the
field; `save` refuses to write one, and `fit` and `partial_fit` never return
one (see *Checks across fields*).

```python
import json

from sklearn.datasets import load_digits

from sknielsen import NielsenMLPClassifier, load, save

X, y = load_digits(return_X_y=True)
net = NielsenMLPClassifier(hidden_layer_sizes=(10,), epochs=2, random_state=0)
net.fit(X / 16, y)
save(net, "net.json")
with open("net.json") as file:
    document = json.load(file)
print(document["format"], document["format_version"], document["estimator"])
print(document["fitted"]["plugins"]["cost"])
assert (load("net.json").predict(X / 16) == net.predict(X / 16)).all()
# sknielsen-model {FORMAT_VERSION} NielsenMLPClassifier
# {{'plugin': 'cost', 'name': 'cross_entropy', 'params': {{}}}}
```

This sknielsen writes format version {FORMAT_VERSION} and reads versions
{", ".join(map(str, READABLE_VERSIONS))}; a file of a newer version is refused
with a message saying to upgrade. A version is never dropped from the readable
ones: each has a fixture in `tests/fixtures/`.
"""

_STATE_CHECKS = """\
Before those, the estimator checks the state against itself and its parameters,
as for any state given to `set_fitted_state` (`FittedState.check` and the
estimator's own checks): coefs and intercepts are finite arrays of one dtype,
float64 or float32, and agree layer by layer, the first layer has
`n_features_in` inputs, and no layer is empty; the hidden layers are
`params.hidden_layer_sizes`; there are as many feature names as features, and as
many target names as outputs, of strings, for targets in columns only (none for a 1-D
`y` or one label a row); the
optimizer state has the arrays, of the sizes, that the fitted optimizer makes
for this network, and a finite non-negative η; `n_iter` and `samples_seen` are
non-negative integers and the history lists hold numbers; a classifier has one class per
output neuron (at least two, or one when multilabel), sorted, distinct and of
one type, and multilabel targets have sigmoid outputs; a regressor with 1-D
targets has one output; an augmenter fits the inputs. `set_fitted_state` applies
the checks across fields too, with the state's own plugins, so that a state it
takes is one `save` writes.
"""


def _scope(row):
    versions = ", ".join(map(str, row.versions or READABLE_VERSIONS))
    if row.estimators:
        who = "classifier" if row.estimators == (CLASSIFIER,) else "regressor"
        versions += f", {who}"
    return versions


def _table(rows, with_scope=True):
    lines = ["| field | JSON value | holds |" + (" in |" if with_scope else "")]
    lines.append("|---|---|---|" + ("---|" if with_scope else ""))
    for row in rows:
        cells = [f"`{row.path}`", row.value, row.about or ""]
        if with_scope:
            cells.append(_scope(row))
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def reference():
    """The Markdown page documenting the model file format, from its declaration.

    Returns
    -------
    text : str
    """
    top = Row("", "", "")
    checks = "\n".join(
        f"{i}. **{check.name.capitalize()}.** {check.rule}"
        for i, check in enumerate(CROSS_CHECKS, 1)
    )
    sections = [
        _INTRO,
        f"## Fields\n\nA JSON object with `format` `{FORMAT_NAME!r}`; other top-level keys "
        "are ignored. `NAME` stands for any key, `[i]` for any element; the last column "
        "gives the format versions (and the estimator) whose files have the field.\n",
        _table(MODEL_FILE.rows("", top)),
        "## Plugin documents\n\nA plugin given to the estimator as an instance, and every "
        "fitted plugin, is written as a plugin document:\n",
        _table(ANY_PLUGIN.fields.rows("", top), with_scope=False),
        "## Callback documents\n",
        _table(CallbackDocument.fields.rows("", top), with_scope=False),
        "## Checks across fields\n\nAfter the fields, in this order:\n",
        checks + "\n",
        _STATE_CHECKS,
        _LIMITS,
        "## The book's network2.py files\n\nA JSON object with these keys (and no "
        "`format`) is read as the book's `Network.save` writes it: a sigmoid classifier "
        "over the classes 0..n-1. Each layer must have weights of shape (n_out, n_in) and "
        "biases of shape (n_out, 1), one layer after each size but the first.\n",
        _table(NETWORK2_FILE.rows("", top), with_scope=False),
    ]
    return "\n".join(sections)


_LIMITS = f"""
## Limits while parsing

A small file never makes `load` expensive. Before the fields are read, and
whatever they say:

- a file of more than {SMALLEST_JUDGED_TEXT:,} characters holding more than one JSON
  array or object per {MAX_BYTES_PER_CONTAINER} characters is refused before parsing
  (Python spends some 60 bytes on each `[]`, and real model files hold
  hundreds of characters of numbers per array; a shorter file costs nothing
  to parse, and is told what it lacks: `{{}}` has no `format`);
- NaN, `Infinity`, numbers beyond the float64 range and integers of more than
  {MAX_INTEGER_DIGITS} digits are refused while parsing, naming the field that
  holds the first of them; JSON nested too deeply to parse is refused as such,
  and so is an object holding a key twice (readers differ on which value wins);
- arrays are built from the numbers the file holds, never from a declared
  size, and a label dtype may not declare strings wider than the longest label.
"""

if __name__ == "__main__":
    print(reference(), end="")
