"""What the C engine needs beside its kernels: which plugins it can run, and dropout masks."""

import numpy as np


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
        reason = _unread_parameters(kind, plugin, spec, kernels[kind][spec.name])
        if reason is not None:
            return reason
    return None


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
