"""The public modules, as docs/api_reference.py lists them for the site's API pages."""

import importlib
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def public_module_names():
    """The names of the public modules, in docs/api_reference.py's order."""
    sys.path.insert(0, str(DOCS))
    try:
        api_reference = importlib.import_module("api_reference")
    finally:
        sys.path.remove(str(DOCS))
    return [entry["module"] for entry in api_reference.MODULES]
