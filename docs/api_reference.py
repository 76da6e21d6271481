"""What the API reference shows: each public module, its sections and their names.

``docs/sphinxext/api_pages.py`` writes ``docs/reference/*.rst`` from this
table when the docs are built, and refuses to build when a name of a
module's ``__all__`` is missing here or listed twice, so a new public name
cannot go undocumented. The plugins' page is made from the registry itself
(``sknielsen.plugins.available(kind)``), so only its registry functions and
base classes are listed here.

Names are public import paths; the modules behind them may move.
"""

# Constants have no docstring of their own: their descriptions are here.
DATA = {
    "sknielsen.__version__": "The version of the package.",
    "sknielsen.plugins.ENTRY_POINT_GROUP": (
        "The entry-point group through which other packages add plugins; entry names "
        'are ``"<kind>.<name>"``.'
    ),
    "sknielsen.persistence.FORMAT_VERSION": (
        "The version of the model file format that :func:`save` writes; every earlier "
        "version still loads."
    ),
    "sknielsen.datasets.DATASETS": (
        "The names :func:`load_dataset` knows (``digits``, ``mnist``, ``fashion-mnist``); "
        "any other name is read as a ``.csv`` or ``.npz`` file."
    ),
    "sknielsen.comparison.BOOK_SIZES": (
        "The training-set sizes of the book's MNIST figure, the command line's default there."
    ),
    "sknielsen.comparison.DIGITS_SIZES": (
        "The training-set sizes the command line compares on scikit-learn's digits."
    ),
    "sknielsen.comparison.ESTIMATOR_LABELS": (
        "The command line's estimator names (``--estimators``) and what each stands for."
    ),
    "sknielsen.callbacks.SMALLEST_ETA": (
        "The smallest η the schedules set, the smallest normal float64 (about 2.2e-308): "
        "where their formula underflows, η stays there."
    ),
    "sknielsen.book.RECORDS": (
        "The nine records of the book's chapter 3 runs that :func:`replay` replays, "
        "a dict mapping each name to its :class:`Record`."
    ),
}

MODULES = [
    {
        "module": "sknielsen",
        "title": "Estimators",
        "sections": [
            ("Estimators", ["NielsenMLPClassifier", "NielsenMLPRegressor"]),
            (
                "Saving and loading (the functions of :mod:`sknielsen.persistence`)",
                ["save", "load"],
            ),
            ("Sub-packages and version", ["plugins", "__version__"]),
        ],
    },
    {
        "module": "sknielsen.plugins",
        "title": "Plugins",
        "sections": [
            (
                "Registry",
                [
                    "register",
                    "get",
                    "get_class",
                    "available",
                    "kinds",
                    "name_of",
                    "refresh_entry_points",
                    "ignored_entry_points",
                    "ENTRY_POINT_GROUP",
                ],
            ),
            (
                "Base classes",
                [
                    "Plugin",
                    "Cost",
                    "Activation",
                    "Regularizer",
                    "Initializer",
                    "Optimizer",
                    "Solver",
                    "Augmenter",
                ],
            ),
            ("Engines", ["KernelSpec"]),
        ],
        # One section per kind, generated from the registry.
        "registry": True,
    },
    {
        "module": "sknielsen.callbacks",
        "title": "Callbacks",
        "sections": [
            ("Writing a callback", ["Callback", "StopTraining", "CallbackError"]),
            (
                "Stopping and learning-rate schedules",
                [
                    "EarlyStopping",
                    "HalveOnPlateau",
                    "StepDecay",
                    "ExponentialDecay",
                    "InverseScaling",
                    "SMALLEST_ETA",
                ],
            ),
            ("Saving and logging", ["Checkpoint", "CSVLogger", "ProgressBar"]),
            (
                "What the estimators' ``monitor``, ``verbose`` and ``monitor_every`` add",
                ["Monitor", "VerbosePrinter", "MonitorEvery"],
            ),
        ],
    },
    {
        "module": "sknielsen.persistence",
        "title": "Saving and loading",
        "sections": [
            ("Functions", ["save", "load"]),
            ("Format", ["FORMAT_VERSION", "ModelFileError"]),
            ("Refusals to write", ["UnsavableModelError", "NotARegularFileError"]),
        ],
    },
    {
        "module": "sknielsen.datasets",
        "title": "Datasets",
        "sections": [
            ("Loaders", ["load_digits_split", "load_mnist", "load_fashion_mnist"]),
            ("Any data set, by name or file", ["load_dataset", "load_table", "DATASETS"]),
            ("Files", ["read_idx", "DataFileError", "DownloadError"]),
        ],
    },
    {
        "module": "sknielsen.augment",
        "title": "Expanding the data",
        "sections": [("Functions", ["expand", "expand_mnist"])],
    },
    {
        "module": "sknielsen.comparison",
        "title": "Comparison with other estimators",
        "sections": [
            ("The study", ["training_size_comparison", "check_plan", "ComparisonInterrupted"]),
            (
                "Reading the results",
                ["summarize", "conclusions", "crossover_statements"],
            ),
            (
                "The book's scaling and planning",
                ["BookScaling", "scaled_params", "planned_runs", "estimate_seconds_left"],
            ),
            (
                "Running a study to completion (what ``python -m sknielsen compare`` calls)",
                [
                    "run_study",
                    "StudyOutput",
                    "StudyResult",
                    "StudyTiming",
                    "study_backend",
                    "check_backend",
                    "study_workers",
                    "time_left_text",
                    "book_estimators",
                    "gamma_note",
                    "BOOK_SIZES",
                    "DIGITS_SIZES",
                    "ESTIMATOR_LABELS",
                ],
            ),
        ],
    },
    {
        "module": "sknielsen.tuning",
        "title": "Choosing hyper-parameters",
        "sections": [
            ("Searches", ["simplify", "find_eta_threshold", "search_lmbda"]),
            ("Results", ["EtaSearch", "LmbdaSearch"]),
        ],
    },
    {
        "module": "sknielsen.book",
        "title": "The book's recorded runs",
        "sections": [
            ("Replays", ["replay", "load_replay", "Replay", "SeriesComparison", "plot_replay"]),
            ("Records", ["RECORDS", "Record", "load_record", "BookRandom"]),
        ],
    },
    {
        "module": "sknielsen.plotting",
        "title": "Plotting",
        "sections": [
            (
                "Figures",
                [
                    "plot_history",
                    "plot_weights",
                    "plot_training_size_comparison",
                    "plot_eta_search",
                    "plot_lmbda_search",
                ],
            ),
            ("Checks", ["check_figure_path"]),
        ],
    },
    {
        "module": "sknielsen.gradcheck",
        "title": "Gradient check",
        "sections": [("Functions", ["check_gradients", "GradientCheck"])],
    },
    {
        "module": "sknielsen.utils",
        "title": "Utilities",
        "sections": [
            (
                "Functions",
                [
                    "check_params",
                    "expected_failed_checks",
                    "canonical_csr",
                    "check_outputs",
                    "write_atomically",
                ],
            ),
            ("Classes", ["InterruptWatch"]),
            ("Exceptions", ["SparseInputError"]),
        ],
    },
    {
        "module": "sknielsen.training",
        "title": "Training",
        "sections": [("Values", ["FittedState", "RunConfig"])],
    },
]
