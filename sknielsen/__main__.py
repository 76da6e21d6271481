"""Command line: ``python -m sknielsen [train|plugins] ...``.

With no arguments it trains the book's [64, 30, 10] network on
scikit-learn's embedded digits (no files needed) and prints one line per
epoch, as the book's program does.
"""

import argparse
import sys
import time

from . import __version__, plugins
from ._classifier import NielsenMLPClassifier
from .datasets import load_digits_split


def _train(args):
    digits = load_digits_split(random_state=args.random_state)
    X_train, X_test, y_train, y_test = digits.X_train, digits.X_test, digits.y_train, digits.y_test
    net = NielsenMLPClassifier(
        hidden_layer_sizes=tuple(args.hidden),
        cost=args.cost,
        activation=args.activation,
        regularizer=args.regularizer,
        lmbda=args.lmbda,
        optimizer=args.optimizer,
        eta=args.eta,
        mini_batch_size=args.mini_batch_size,
        epochs=args.epochs,
        monitor=("training_cost", "validation_accuracy"),
        random_state=args.random_state,
        verbose=1,
    )
    sizes = [X_train.shape[1], *args.hidden, 10]
    print(
        f"Training {sizes} on scikit-learn's digits ({len(X_train)} training, "
        f"{len(X_test)} test images) with cost={args.cost}, eta={args.eta}, "
        f"lmbda={args.lmbda}, mini_batch_size={args.mini_batch_size}; "
        "validation = the test images, as the book's evaluation_data."
    )
    start = time.perf_counter()
    net.fit(X_train, y_train, X_val=X_test, y_val=y_test)
    seconds = time.perf_counter() - start
    print(f"Test accuracy {net.score(X_test, y_test):.2%} after {net.n_iter_} epochs "
          f"({seconds:.1f} s).")
    if args.save:
        from .persistence import save

        save(net, args.save)
        print(f"Saved the model to {args.save}")
    return 0


def _list_plugins(args):
    for kind in plugins.kinds():
        print(f"{kind}:")
        for name in plugins.available(kind):
            params = plugins.get(kind, name).get_params()
            shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
            print(f"  {name}" + (f"({shown})" if shown else ""))
    return 0


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m sknielsen",
        description="Nielsen's neural networks, as a scikit-learn classifier.",
    )
    parser.add_argument("--version", action="version", version=f"sknielsen {__version__}")
    commands = parser.add_subparsers(dest="command")
    train = commands.add_parser("train", help="train on scikit-learn's digits (the default)")
    train.add_argument("--hidden", type=int, nargs="*", default=[30], metavar="N")
    train.add_argument("--cost", default="cross_entropy")
    train.add_argument("--activation", default="sigmoid")
    train.add_argument("--regularizer", default="l2")
    train.add_argument("--lmbda", type=float, default=0.0)
    train.add_argument("--optimizer", default="sgd")
    train.add_argument("--eta", type=float, default=0.5)
    train.add_argument("--mini-batch-size", type=int, default=10)
    train.add_argument("--epochs", type=int, default=30)
    train.add_argument("--random-state", type=int, default=0)
    train.add_argument("--save", metavar="PATH", help="save the trained model as JSON")
    train.set_defaults(func=_train)
    listing = commands.add_parser("plugins", help="list every registered plugin")
    listing.set_defaults(func=_list_plugins)
    return parser


def main(argv=None):
    """Run the command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["train", *(argv or [])])
    try:
        return args.func(args)
    except (ValueError, TypeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def run():
    """Entry point of the ``sknielsen`` console script."""
    sys.exit(main())


if __name__ == "__main__":
    run()
