"""A small language for declaring a JSON format: each rule checks a value and converts it.

A format is declared as a tree of rules (:class:`Record` of :class:`Field`,
:class:`ListOf`, :class:`NumberArray`, ...). Reading a parsed document
through the tree checks every value and returns it converted (arrays as
NumPy arrays, plugins as instances found by name), or raises a
:class:`ModelFileError` naming the first field that is wrong, such as
``fitted.history.loss must be a list of numbers.`` The same tree lists its
fields for the documentation (:meth:`Rule.rows`), so neither can drift.

Reading never allocates from a size the file declares: arrays are built
from the numbers the file holds, and a rule that could allocate more (a
label dtype's width) checks the declared size against the data first.
:func:`parse_json` refuses, while parsing, the numbers and the nesting that
no model file holds.
"""

import json
import math
import re
from dataclasses import dataclass

import numpy as np

# Fewest characters per JSON array or object in a model file (real ones hold
# hundreds of characters of numbers per array), judged in texts longer than
# SMALLEST_JUDGED_TEXT: a shorter one ("{}", say) costs nothing to parse, and is
# told what it lacks instead.
MAX_BYTES_PER_CONTAINER = 8
SMALLEST_JUDGED_TEXT = 4096
# Most digits of an integer in a model file: labels and counts need 20, a PCG64 state 39.
MAX_INTEGER_DIGITS = 40
# What _may_hold_unreadable_numbers looks for, in the text with every ASCII digit
# written 0, "E" written "e" and the signs left out.
_SCANNED = bytes.maketrans(b"0123456789E", b"0000000000e")
_LONG_DIGIT_RUN = b"0" * (MAX_INTEGER_DIGITS + 1)
# re finds this literal 8 times faster than `in` does in a text of digits.
_LONG_EXPONENT = re.compile(rb"e000")


class ModelFileError(ValueError):
    """A file that is not a valid saved model, with the reason in the message.

    Examples
    --------
    A saved model cut in half, as an interrupted copy would leave it:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn.datasets import load_digits
    >>> import sknielsen
    >>> from sknielsen.persistence import ModelFileError
    >>> X, y = load_digits(return_X_y=True)
    >>> net = sknielsen.NielsenMLPClassifier(hidden_layer_sizes=(5,), epochs=1).fit(X / 16.0, y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "net.json"
    ...     sknielsen.save(net, path)
    ...     text = path.read_text()
    ...     _ = path.write_text(text[: len(text) // 2])
    ...     try:
    ...         sknielsen.load(path)
    ...     except ModelFileError as error:
    ...         print(f"{type(error).__name__}: {error}")
    ModelFileError: ...net.json: not a model file (invalid or truncated JSON: ...).
    >>> issubclass(ModelFileError, ValueError)
    True
    """


def refuse(message):
    """Raise the :class:`ModelFileError` of a declared rule (rules raise only through here).

    Parameters
    ----------
    message : str
        Names the field and what is wrong.
    """
    raise ModelFileError(message)


class Context:
    """What reading one document knows: the values read so far, by path, and settings.

    Parameters
    ----------
    **settings
        Values the declaration refers to by name (``estimators``: the
        parameter names of each estimator), fixed for the whole read.
    """

    def __init__(self, **settings):
        self.settings = settings
        self.values = {}


@dataclass(frozen=True)
class Row:
    """One line of a format's documentation table."""

    path: str
    value: str
    about: str
    versions: tuple = None
    estimators: tuple = None


class Rule:
    """Base of the rules: what a JSON value must be, and what it becomes.

    Attributes
    ----------
    expected : str
        What the value must be, completing "``field`` must be ...".
    message : str or None
        A message of its own, a template with ``{path}`` and ``{value}``,
        replacing ``"{path} must be {expected}."``.
    summary : str or None
        The value's form in the documentation; None: ``expected``.
    """

    expected = "a valid value"
    message = None
    summary = None

    def read(self, value, path, context):
        """Check ``value`` found at ``path`` and return it converted, or refuse it."""
        raise NotImplementedError

    def fail(self, path, value=None):
        """Refuse the value at ``path`` with this rule's message."""
        template = self.message or "{path} must be {expected}."
        refuse(template.format(path=path, value=value, expected=self.expected))

    def rows(self, path, scope):
        """Documentation rows of the fields below ``path`` (``scope``: a Row to narrow)."""
        return []

    def describe(self):
        """The value's form in the documentation."""
        return self.summary or self.expected


@dataclass(frozen=True)
class Scalar(Rule):
    """A JSON scalar of the given Python types (``true`` is not a number here)."""

    types: tuple
    expected: str = "a number, string, boolean or null"
    message: str = None

    def accepts(self, value):
        """Whether ``value`` is of this rule's types, without converting it."""
        return type(value) in self.types

    def read(self, value, path, context):
        if not self.accepts(value):
            self.fail(path, value)
        return value


@dataclass(frozen=True)
class Number(Scalar):
    """A JSON number, read as a float (the parser already refused NaN and infinities)."""

    types: tuple = (int, float)
    expected: str = "a number"

    def read(self, value, path, context):
        return float(super().read(value, path, context))


@dataclass(frozen=True)
class Integer(Scalar):
    """A JSON integer in ``[minimum, below)``; None: unbounded."""

    types: tuple = (int,)
    expected: str = "a non-negative integer"
    minimum: int = 0
    below: int = None

    def accepts(self, value):
        return (
            type(value) is int
            and (self.minimum is None or value >= self.minimum)
            and (self.below is None or value < self.below)
        )


@dataclass(frozen=True)
class Choice(Rule):
    """One of a few JSON values, each of its own type (``1`` is not ``true``)."""

    choices: tuple
    message: str = None

    @property
    def expected(self):
        return " or ".join(map(repr, self.choices))

    def read(self, value, path, context):
        if not any(type(value) is type(c) and value == c for c in self.choices):
            self.fail(path, value)
        return value


@dataclass(frozen=True)
class AllOf(Rule):
    """A value that every rule accepts, read by each in turn."""

    rules: tuple

    @property
    def expected(self):
        return self.rules[-1].expected

    def read(self, value, path, context):
        for rule in self.rules:
            value = rule.read(value, path, context)
        return value


@dataclass(frozen=True)
class Nullable(Rule):
    """``null``, or a value of ``rule``."""

    rule: Rule

    @property
    def expected(self):
        return f"null or {self.rule.describe()}"

    def read(self, value, path, context):
        return None if value is None else self.rule.read(value, path, context)

    def rows(self, path, scope):
        return self.rule.rows(path, scope)


@dataclass(frozen=True)
class ListOf(Rule):
    """A JSON list of values of ``item``, at least ``min_items`` and at most ``max_items``.

    A list of scalars is checked, and refused, as a whole (``fitted.history.loss
    must be a list of numbers``); its numbers become floats in place, so that
    reading a long list allocates no second list.
    """

    item: Rule
    expected: str
    min_items: int = 0
    max_items: int = None

    def read(self, value, path, context):
        if type(value) is not list or len(value) < self.min_items:
            self.fail(path, value)
        if self.max_items is not None and len(value) > self.max_items:
            self.fail(path, value)
        if not isinstance(self.item, Scalar):
            return [self.item.read(v, f"{path}[{i}]", context) for i, v in enumerate(value)]
        if not all(map(self.item.accepts, value)):
            self.fail(path, value)
        if isinstance(self.item, Number):
            _floats_in_place(value)
        return value

    def rows(self, path, scope):
        return self.item.rows(f"{path}[i]", scope)


# A "0," in a list costs an 8-byte slot; a new 24-byte float for each such
# integer would take loading a long list beyond 20 bytes per byte of the file.
_SMALL_FLOATS = {i: float(i) for i in range(-5, 257)}


def _floats_in_place(values):
    for i, v in enumerate(values):
        if type(v) is int:
            small = _SMALL_FLOATS.get(v)
            values[i] = float(v) if small is None else small


@dataclass(frozen=True)
class Field:
    """One key of a :class:`Record`: its rule, its meaning, and where it appears.

    Attributes
    ----------
    name : str
    rule : Rule
    about : str
        What it holds, for the documentation.
    versions : tuple of int or None
        The format versions that have this key; None: all.
    estimators : tuple of str or None
        The estimators whose files have this key; None: all.
    """

    name: str
    rule: Rule
    about: str
    versions: tuple = None
    estimators: tuple = None

    def applies(self, context):
        """Whether a document read in ``context`` has this key."""
        version, estimator = context.values.get("format_version"), context.values.get("estimator")
        return (self.versions is None or version in self.versions) and (
            self.estimators is None or estimator in self.estimators
        )


class Record(Rule):
    """A JSON object with exactly the keys of its fields, read in their order.

    Parameters
    ----------
    *fields : Field
    open : bool, default=False
        Whether other keys are allowed (and ignored); a missing key then
        reads as ``null``, which its rule refuses or accepts.
    summary : str, default='object'
    """

    expected = "an object"

    def __init__(self, *fields, open=False, summary="object"):
        self.fields = fields
        self.open = open
        self.summary = summary

    def read(self, value, path, context):
        fields = [field for field in self.fields if field.applies(context)]
        keys = sorted(field.name for field in fields)
        if type(value) is not dict or (not self.open and set(value) != set(keys)):
            refuse(f"{path} should have exactly the keys {keys}.")
        read = {}
        for field in fields:
            where = f"{path}.{field.name}" if path else field.name
            read[field.name] = field.rule.read(value.get(field.name), where, context)
            context.values[where] = read[field.name]
        return read

    def rows(self, path, scope):
        rows = []
        for field in self.fields:
            where = f"{path}.{field.name}" if path else field.name
            row = Row(
                where,
                field.rule.describe(),
                field.about,
                field.versions or scope.versions,
                field.estimators or scope.estimators,
            )
            rows += [row, *field.rule.rows(where, row)]
        return rows


@dataclass(frozen=True)
class MapOf(Rule):
    """A JSON object with any keys, each value of ``rule``."""

    rule: Rule
    about: str = ""
    expected: str = "an object"

    def read(self, value, path, context):
        if type(value) is not dict:
            self.fail(path, value)
        return {key: self.rule.read(v, f"{path}.{key}", context) for key, v in value.items()}

    def rows(self, path, scope):
        where = f"{path}.NAME"
        row = Row(where, self.rule.describe(), self.about, scope.versions, scope.estimators)
        return [row, *self.rule.rows(where, scope)]


@dataclass(frozen=True)
class ByType(Rule):
    """A value read by the rule of its JSON type (``{list: ..., dict: ...}``; ``None``: other)."""

    rules: dict
    expected: str

    def read(self, value, path, context):
        rule = self.rules.get(type(value), self.rules.get(None))
        if rule is None:
            self.fail(path, value)
        return rule.read(value, path, context)

    def rows(self, path, scope):
        return [row for rule in self.rules.values() for row in rule.rows(path, scope)]


@dataclass(frozen=True)
class Explained(Rule):
    """``rule``, with one message for whatever it refuses (``... is not a PCG64 state``)."""

    rule: Rule
    message: str

    @property
    def expected(self):
        return self.rule.describe()

    def read(self, value, path, context):
        try:
            return self.rule.read(value, path, context)
        except ModelFileError:
            self.fail(path, value)

    def rows(self, path, scope):
        return self.rule.rows(path, scope)


@dataclass(frozen=True)
class Converted(Rule):
    """``rule``'s value passed through ``convert`` (pairs into a dict, say)."""

    rule: Rule
    convert: object

    def read(self, value, path, context):
        return self.convert(self.rule.read(value, path, context))

    def rows(self, path, scope):
        return self.rule.rows(path, scope)


@dataclass(frozen=True)
class NumberArray(Rule):
    """Nested lists of JSON numbers, ``ndim`` deep, read as an array of finite numbers.

    Attributes
    ----------
    ndim : int
    dtype : str
        The dtype's name, or the path of the field, read before, that names it.
    """

    ndim: int
    dtype: str = "float64"

    def describe(self):
        return "list of numbers" if self.ndim == 1 else f"{self.ndim}-deep lists of numbers"

    def read(self, value, path, context):
        dtype = context.values.get(self.dtype, self.dtype)
        try:
            raw = np.array(value, dtype=object)  # JSON values as they are: no bool or str converted
        except (TypeError, ValueError) as exc:
            refuse(f"{path} is not an array of numbers: {exc}")
        if raw.ndim != self.ndim:
            refuse(f"{path} should have {self.ndim} dimensions; it has {raw.ndim}.")
        # One pass in C over what may be millions of entries (a set comprehension took
        # 0.4 s for a network of 1.8 million weights).
        others = sorted({kind.__name__ for kind in set(map(type, raw.flat))} - {"int", "float"})
        if others:
            refuse(f"{path} is not an array of numbers: it holds {', '.join(others)}.")
        with np.errstate(over="ignore"):  # a value beyond float32 becomes inf, refused below
            array = raw.astype(dtype)
        if not np.all(np.isfinite(array)):
            refuse(f"{path} holds NaN or infinite values.")
        return array


class _Unreadable:
    """Stands in, while parsing, for a number that no model file holds."""

    def __init__(self, reason):
        self.reason = reason


def parse_json(text):
    """The JSON document of ``text``, refusing numbers no model file holds, by field.

    NaN, infinities, floats beyond the float64 range and integers of more
    than ``MAX_INTEGER_DIGITS`` digits (Python refuses to convert 4,300
    digits and more) become markers while parsing, so that the error can
    name the field holding the first of them; a text that cannot hold such
    numbers (:func:`_may_hold_unreadable_numbers`), as every saved model, is
    parsed without a Python call per number. An object holding a key
    twice is refused too: Python's reader keeps the last value, others the
    first, so such a file has no one meaning.

    Raises
    ------
    ModelFileError
    """
    # Python builds an object of some 60 bytes for every 2-byte "[]"; a model
    # file is mostly numbers, so many containers per byte mean a hostile file
    # whose parsing alone would cost over 20 times its size.
    containers = text.count("[") + text.count("{")
    if len(text) > SMALLEST_JUDGED_TEXT and containers > len(text) / MAX_BYTES_PER_CONTAINER:
        refuse(f"not a model file ({containers:,} arrays or objects in {len(text):,} characters).")
    found = []

    def unreadable(reason):
        found.append(_Unreadable(reason))
        return found[-1]

    def parse_int(digits):
        if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
            return unreadable(f"an integer of {len(digits.lstrip('-'))} digits")
        return int(digits)

    def parse_float(literal):
        value = float(literal)
        return value if math.isfinite(value) else unreadable("a number beyond the float range")

    twice = []  # (object, key): a key written twice, which readers resolve differently

    def parse_object(pairs):
        value = dict(pairs)
        if len(value) < len(pairs) and not twice:
            twice.append((value, _repeated_key(pairs)))
        return value

    hooks = {"parse_constant": unreadable, "object_pairs_hook": parse_object}
    if _may_hold_unreadable_numbers(text):
        # A hook per number costs a Python call each (1.8 million in a large network's
        # file); without these, json's C parser makes the ints and floats itself.
        hooks.update(parse_int=parse_int, parse_float=parse_float)
    try:
        document = json.loads(text, **hooks)
    except RecursionError:
        refuse("not a model file (JSON nested too deeply).")
    except json.JSONDecodeError as exc:
        refuse(f"not a model file (invalid or truncated JSON: {exc}).")
    if twice:
        value, key = twice[0]
        refuse(
            f"{_field_of(document, value)} holds the key {key!r} twice (an edited file?); "
            "keep one of them."
        )
    if found:
        refuse(f"{_field_of(document, found[0])} holds {found[0].reason}.")
    return document


def _may_hold_unreadable_numbers(text):
    """Whether ``text`` may hold a number beyond the float range or a too long integer.

    False guarantees that it holds neither, so that :func:`parse_json` can let
    json's parser make every number without a hook. A JSON number is
    ``-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?``: without a run of more
    than ``MAX_INTEGER_DIGITS`` digits, its integer part is below ``10**40``,
    and without an exponent of three digits or more its exponent is at most
    99, so it is below ``10**139``, finite as a float (below ``1.8e308``),
    and an integer has at most 40 digits. Either run found anywhere, in a
    string too, only sends the text to the hooks that name the field.

    Done in C over a copy of the text (0.1 s for a 40 MB file): every ASCII
    digit is written ``0``, ``E`` is written ``e`` and the signs are left out.

    Parameters
    ----------
    text : str

    Returns
    -------
    bool
    """
    scanned = text.encode("utf-8", "surrogatepass").translate(_SCANNED, b"+-")
    return _LONG_DIGIT_RUN in scanned or _LONG_EXPONENT.search(scanned) is not None


def _repeated_key(pairs):
    """The first key of ``(key, value)`` pairs that an earlier pair holds already."""
    seen = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    return None


def _field_of(document, target):
    """The path, such as ``fitted.coefs[0][2][1]``, of the value ``target`` in ``document``."""
    pending = [("", document)]  # iterative: a document may be nested deeply
    while pending:
        path, value = pending.pop()
        if value is target:
            return path or "the document"
        if isinstance(value, dict):
            pending.extend((f"{path}.{key}" if path else key, item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return "a value"
