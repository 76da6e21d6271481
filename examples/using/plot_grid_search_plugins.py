"""
Searching over plugins with GridSearchCV
========================================

Every technique of the book is a plugin chosen by name, so scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV` searches over them like over
any parameter: the cost, the optimizer, and a plugin's own hyper-parameters
with the ``<parameter>__<hyper-parameter>`` names (``optimizer__mu``, the
momentum coefficient μ). A plugin given by name is turned into an instance
when its hyper-parameters are set.

Run time: about 5 seconds on 2 cores.
"""

# %%
# The search
# ----------
# Two costs, plain SGD and momentum with two values of μ, two learning rates:
# 12 candidates, each fitted on 3 folds for 15 epochs.
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import GridSearchCV

from sknielsen import NielsenMLPClassifier
from sknielsen.datasets import load_digits_split

digits = load_digits_split(random_state=0)
grid = [
    {"cost": ["quadratic", "cross_entropy"], "optimizer": ["sgd"], "eta": [0.1, 1.0]},
    {
        "cost": ["quadratic", "cross_entropy"],
        "optimizer": ["momentum"],
        "optimizer__mu": [0.5, 0.9],
        "eta": [0.1, 1.0],
    },
]
search = GridSearchCV(NielsenMLPClassifier(epochs=15, random_state=0), grid, cv=3)
search.fit(digits.X_train, digits.y_train)
print("best:", search.best_params_, f"cross-validated {search.best_score_:.3f}")
print(f"test accuracy of the refitted best: {search.score(digits.X_test, digits.y_test):.3f}")

# %%
# The results
# -----------
# One bar per candidate, grouped by optimizer, for each cost and η.
results = pd.DataFrame(search.cv_results_)
results["optimizer"] = [
    "sgd" if opt == "sgd" else f"momentum μ={mu}"
    for opt, mu in zip(results["param_optimizer"], results["param_optimizer__mu"])
]
table = results.pivot_table(
    index="optimizer", columns=["param_cost", "param_eta"], values="mean_test_score"
)
print(table.round(3))
ax = (100 * table).plot.bar(figsize=(8, 4), rot=0, ylim=(50, 100), width=0.8)
ax.set(
    ylabel="cross-validated accuracy (%)",
    xlabel="",
    title="Digits, 15 epochs: cost × η for each optimizer",
)
ax.legend(title="cost, η", bbox_to_anchor=(1.01, 1), loc="upper left", fontsize="small")
plt.tight_layout()
