"""Layer 0: what every other layer may use, files, parameters, warnings and sparse input."""
