"""NielsenMLPRegressor against scikit-learn's MLPRegressor on the diabetes data.

Usage::

    python benchmarks/regression.py

scikit-learn's embedded diabetes set (442 patients, 10 features;
California housing would need a download, which this machine cannot make).
Features and target standardised; 5 random 75/25 splits. Ours: [10, 30, 1],
sigmoid hidden layer, identity output, quadratic cost, η = 0.01, mini-batch
10, λ chosen from {0, 1, 10} by 3-fold cross-validation on the training
part, 100 epochs. Theirs: the same hidden layer, ``solver="sgd"`` with the
same η and batch size, and its default Adam solver, α from {1e-4, 1e-2, 1} by
the same cross-validation, 100 iterations. Test R², median over the splits,
and seconds per fit. Writes ``benchmarks/results/regression.json`` and ``.md``.
"""

import statistics
import time
import warnings
from pathlib import Path

from results_file import command_line, save_results
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from sknielsen import NielsenMLPRegressor

HERE = Path(__file__).resolve().parent
MODELS = {
    "NielsenMLPRegressor (sgd)": (
        NielsenMLPRegressor(hidden_layer_sizes=(30,), eta=0.01, epochs=100, mini_batch_size=10),
        {"lmbda": [0.0, 1.0, 10.0]},
    ),
    "MLPRegressor (sgd)": (
        MLPRegressor(
            hidden_layer_sizes=(30,),
            activation="logistic",
            solver="sgd",
            learning_rate_init=0.01,
            batch_size=10,
            momentum=0.0,
            max_iter=100,
        ),
        {"alpha": [1e-4, 1e-2, 1.0]},
    ),
    "MLPRegressor (adam)": (
        MLPRegressor(hidden_layer_sizes=(30,), activation="logistic", max_iter=100),
        {"alpha": [1e-4, 1e-2, 1.0]},
    ),
}


def main():
    X, y = load_diabetes(return_X_y=True)
    records = []
    started = time.perf_counter()
    for split in range(5):
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=split)
        scaler = StandardScaler().fit(X_train)
        mean, std = y_train.mean(), y_train.std()
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
        for name, (model, grid) in MODELS.items():
            search = GridSearchCV(model.set_params(random_state=split), grid, cv=3)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                search.fit(X_train, y_train)
                seconds = time.perf_counter() - start
            records.append(
                {
                    "model": name,
                    "split": split,
                    "r2": search.score(X_test, y_test),
                    "best_params": search.best_params_,
                    "seconds_per_fit": seconds / (3 * len(next(iter(grid.values()))) + 1),
                }
            )
            print(records[-1], flush=True)
    lines = [
        "| model | test R² (median of 5 splits) | range | seconds per fit |",
        "|---|---:|---:|---:|",
    ]
    for name in MODELS:
        runs = [r for r in records if r["model"] == name]
        r2 = [r["r2"] for r in runs]
        lines.append(
            f"| {name} | {statistics.median(r2):.3f} | {min(r2):.3f}–{max(r2):.3f} | "
            f"{statistics.median(r['seconds_per_fit'] for r in runs):.3f} |"
        )
    table = "\n".join(lines) + "\n"
    total = time.perf_counter() - started
    print(table, f"\nTotal {total:.0f} s")
    save_results(
        HERE / "results" / "regression.json",
        {"seconds": total, "records": records},
        command=command_line(__file__, []),
        table=table,
    )


if __name__ == "__main__":
    main()
