"""Collection rules for the whole repository (tests and the package's doctests)."""

import importlib.util

# The numba kernels are imported only where numba is installed (the [fast]
# extra); pytest's --doctest-modules would import them everywhere.
collect_ignore = [] if importlib.util.find_spec("numba") else ["sknielsen/engine/_kernels.py"]
