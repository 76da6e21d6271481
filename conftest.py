"""Set-up shared by the tests and the package's doctests (``--doctest-modules``)."""

import pytest


@pytest.fixture(autouse=True)
def _doctests_write_in_a_temporary_folder(request, tmp_path, monkeypatch):
    """Run each doctest in its own empty folder, so that examples that save a file run."""
    if isinstance(request.node, pytest.DoctestItem):
        monkeypatch.chdir(tmp_path)
