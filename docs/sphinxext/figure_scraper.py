"""Gallery scraper for the figures that sknielsen's plotting functions return.

:mod:`sknielsen.plotting` and :func:`sknielsen.book.plot_replay` draw on bare
``matplotlib.figure.Figure`` objects, never through pyplot (no global state,
no window). sphinx-gallery's matplotlib scraper only sees pyplot's figures,
so this one saves, after each code block, every new Figure that the
example's variables hold (directly, or in a list, tuple or dict) and that
pyplot does not manage. It runs before the matplotlib scraper (conf.py).
"""

from sphinx_gallery.scrapers import figure_rst


def _figures(value):
    from matplotlib.figure import Figure

    if isinstance(value, Figure):
        yield value
    elif isinstance(value, (list, tuple, dict)):
        items = value.values() if isinstance(value, dict) else value
        yield from (item for item in items if isinstance(item, Figure))


def bare_figures(block, block_vars, gallery_conf):
    """Save the Figures new in this block; return the reST that shows them."""
    import matplotlib.pyplot as plt

    # The figures themselves, not their ids: a freed figure's id may come back.
    # pyplot's open figures are the matplotlib scraper's, which runs after this
    # one: they count as seen, so a name still bound to one later is skipped.
    seen = block_vars.setdefault("sknielsen_figures_seen", [])
    seen.extend(plt.figure(number) for number in plt.get_fignums())
    new = []
    for value in list(block_vars["example_globals"].values()):
        for figure in _figures(value):
            if figure.get_axes() and not any(figure is old for old in seen + new):
                new.append(figure)
    seen.extend(new)
    paths = []
    for figure, path in zip(new, block_vars["image_path_iterator"]):
        figure.savefig(path, dpi=100)
        paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
