"""What the C engine needs beside its kernels: which plugins it can run, and dropout masks."""

import numpy as np

from .._core.params import is_builtin
from ..plugins import Plugin


def missing_kernel(engine, kernels, network, cost, regularizer, optimizer, *, dropout, augment):
    """Say why a compiled engine cannot train a configuration, or None when it can.

    Parameters
    ----------
    engine : str
        The engine's name in messages ("the C engine").
    kernels : dict
        The rules the engine implements, by plugin kind; a plugin runs when
        its kernel spec names one of them.
    network : Network
    cost, regularizer, optimizer : plugins
    dropout : float
    augment : callable or None
        Mini-batch augmentation; no compiled engine has a kernel for it.

    Returns
    -------
    reason : str or None
        One line naming what has no kernel.
    """
    if augment is not None:
        return "augmentation has no compiled kernel"
    if dropout and not 0.0 <= dropout < 1.0:
        return f"dropout must lie in [0, 1); got {dropout!r}"
    if network.dtype not in (np.float64, np.float32):
        return f"{engine} trains float64 and float32 networks, not {network.dtype}"
    chosen = [("cost", cost), ("regularizer", regularizer), ("optimizer", optimizer)]
    chosen += [("activation", activation) for activation in network.activations]
    for kind, plugin in chosen:
        spec = plugin.kernel_spec()
        if spec is None or spec.name not in kernels[kind]:
            return (
                f"the {kind} {type(plugin).__name__} has no compiled kernel "
                f"(those with kernels: {', '.join(kernels[kind])})"
            )
        reason = _other_maths(kind, plugin, spec) or _unread_parameters(
            kind, plugin, spec, kernels[kind][spec.name]
        )
        if reason is not None:
            return reason
    return None


def _other_maths(kind, plugin, spec):
    """Why a kernel cannot run ``plugin``, a class of other maths than the kernel's own.

    A class of one's own may declare a kernel to keep the compiled engine,
    where its maths are those of the package's class that declares that
    kernel (a subclass that adds a docstring); one that writes its own
    (a leaky ReLU declaring the ReLU's kernel), or inherits another class's,
    would train with the kernel's rule and predict with its own.

    Returns
    -------
    reason : str or None
    """
    cls = type(plugin)
    if is_builtin(cls):
        return None
    owner = next(
        (c for c in _our_classes(Plugin) if vars(c).get("kernel") == spec.name and c.kind == kind),
        None,
    )
    if owner is None:
        return None
    methods = sorted({*cls._contract, *cls._shortcuts})
    # By function, not by class: a redefined derivative gives the class the kind's
    # general backward, set on it by Plugin.__init_subclass__.
    written = [
        name
        for name in methods
        if callable(getattr(cls, name)) and not is_builtin(getattr(cls, name))
    ]
    other = [name for name in methods if getattr(cls, name) is not getattr(owner, name)]
    intro = f"the {kind} {cls.__name__} declares the kernel {spec.name!r} but"
    if written:
        return f"{intro} defines {', '.join(written)} itself, which the kernel does not run"
    if other:
        return (
            f"{intro} has the maths of {_defining(cls, other[0]).__name__}, not {owner.__name__}'s"
        )
    return None


def _defining(cls, name):
    """The class of ``cls``'s MRO whose body defines ``name``."""
    return next(klass for klass in cls.__mro__ if name in vars(klass))


def _our_classes(root):
    """The package's own subclasses of ``root``, at any depth."""
    for subclass in root.__subclasses__():
        if is_builtin(subclass):
            yield subclass
        yield from _our_classes(subclass)


def _unread_parameters(kind, plugin, spec, read):
    """Why a kernel cannot run ``plugin``, whose spec has other hyper-parameters than it reads.

    A kernel reads its own hyper-parameters only: one more (a ReLU subclass's
    ``leak``, declaring the kernel of the ReLU) would have no effect on the run,
    and one fewer is a value the kernel lacks.

    Returns
    -------
    reason : str or None
    """
    unread = sorted(set(spec.params) - set(read))
    if unread:
        return (
            f"the {kind} {type(plugin).__name__} declares the kernel {spec.name!r}, which does "
            f"not read {unread}"
        )
    lacking = sorted(set(read) - set(spec.params))
    if lacking:
        return (
            f"the {kind} {type(plugin).__name__} declares the kernel {spec.name!r} without "
            f"the hyper-parameters it reads, {lacking}"
        )
    return None


def dropout_masks(rng, dropout, widths, columns, n_columns, n_positions, batch_size, dtype):
    """The masks of the hidden units, drawn exactly as ``Backprop`` draws them.

    ``Backprop`` draws ``rng.random((m, width)) >= dropout`` for each
    hidden layer of each mini-batch in turn. The generator's stream is the
    same whether drawn in pieces or at once, so one draw is cut into those
    pieces.

    Parameters
    ----------
    rng : numpy.random.Generator
    dropout : float
        In (0, 1).
    widths : sequence of int
        The hidden layers' widths.
    columns : sequence of int
        The first column of each hidden layer's masks in a row of the result.
    n_columns : int
        The width of a row; columns no layer holds (padding) stay 0.
    n_positions, batch_size : int
        Rows of the result, one per trained position, and the mini-batch size.
    dtype : numpy dtype

    Returns
    -------
    masks : ndarray of shape (n_positions, n_columns)
        0 for a dropped unit, 1 / (1 − dropout) for a kept one.
    """
    masks = np.zeros((n_positions, n_columns), dtype=dtype)
    draws = rng.random(n_positions * sum(widths), dtype=dtype) >= dropout
    drawn = 0
    for batch_start in range(0, n_positions, batch_size):
        m = min(batch_size, n_positions - batch_start)
        for column, width in zip(columns, widths):
            piece = draws[drawn : drawn + m * width].reshape(m, width)
            masks[batch_start : batch_start + m, column : column + width] = piece
            drawn += m * width
    masks *= dtype.type(1.0 / (1.0 - dropout))
    return masks
