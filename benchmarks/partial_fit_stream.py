"""What a call of ``partial_fit`` costs as a stream of calls grows long.

Usage::

    python benchmarks/partial_fit_stream.py --engine c --calls 20000 --repeats 200

Online learning calls ``partial_fit`` once per batch of new data, for as long
as data arrive: each call adds one epoch to the history, which the call
then copies into the model's state and reads for its summaries. Fits
``NielsenMLPClassifier(hidden_layer_sizes=(5,))`` on iris (150 rows, one
mini-batch a call) ``--calls`` times, and at 1,000, 5,000, 10,000 and
``--calls`` calls times ``--repeats`` more calls: a cost that stays flat is
the call's own, one that grows is paid for the history's length.
"""

import argparse
import time
import warnings

from sklearn.datasets import load_iris

from sknielsen import NielsenMLPClassifier


def milliseconds_per_call(model, X, y, repeats):
    """Mean milliseconds of ``repeats`` further calls of ``model.partial_fit``."""
    start = time.perf_counter()
    for _ in range(repeats):
        model.partial_fit(X, y)
    return 1000 * (time.perf_counter() - start) / repeats


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="auto", choices=["auto", "c", "numpy"])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    if args.calls < 1 or args.repeats < 1:
        parser.error("--calls and --repeats must be at least 1")
    X, y = load_iris(return_X_y=True)
    model = NielsenMLPClassifier((5,), mini_batch_size=150, engine=args.engine, random_state=0)
    marks = sorted({mark for mark in (1_000, 5_000, 10_000) if mark < args.calls} | {args.calls})
    done = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the few epochs of each call do not converge
        for mark in marks:
            for _ in range(mark - done):
                model.partial_fit(X, y, classes=[0, 1, 2])
            cost = milliseconds_per_call(model, X, y, args.repeats)
            done = mark + args.repeats
            print(f"after {mark:,} calls: {cost:.2f} ms a call", flush=True)


if __name__ == "__main__":
    main()
