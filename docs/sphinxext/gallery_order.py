"""The order of the gallery's examples within a section: the book's, then by file name."""

# The chapter's order: overfitting, the cures for it, then the choice of
# hyper-parameters, more data, and the optimizers at the chapter's end.
READING_ORDER = [
    "plot_chapter3_overfitting.py",
    "plot_expanding_data.py",
    "plot_chapter3_initialization.py",
    "plot_chapter3_learning_rates.py",
    "plot_chapter3_more_data.py",
    "plot_network_vs_svm.py",
    "plot_optimizers.py",
    "plot_hidden_weights.py",
    "plot_custom_callback.py",
    "plot_grid_search_plugins.py",
    "plot_regressor.py",
]


class ReadingOrder:
    """Sort key for sphinx-gallery's ``within_subsection_order``."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        if filename in READING_ORDER:
            return (0, READING_ORDER.index(filename), filename)
        return (1, 0, filename)

    def __repr__(self):  # sphinx-gallery compares configurations by their repr
        return "ReadingOrder"
