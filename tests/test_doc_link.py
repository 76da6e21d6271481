"""The estimators' HTML representation links to their API page only when docs have an address"""

import re

import pytest
import sklearn

from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor, _doclink

ESTIMATORS = [NielsenMLPClassifier, NielsenMLPRegressor]


def _sklearn_release():
    """scikit-learn's (major, minor) release, read from ``sklearn.__version__``."""
    major, minor = re.match(r"(\d+)\.(\d+)", sklearn.__version__).groups()
    return int(major), int(minor)


@pytest.fixture
def project_urls(monkeypatch):
    """Replace the package metadata's ``[project.urls]`` with the given pairs."""

    def use(pairs):
        monkeypatch.setattr(_doclink, "_project_urls", lambda: pairs)
        _doclink.api_page_template.cache_clear()

    yield use
    _doclink.api_page_template.cache_clear()


def links(estimator):
    return re.findall(r'href="([^"]+)"', estimator._repr_html_())


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_no_documentation_url_no_link(project_urls, Estimator):
    project_urls([("Homepage", "https://example.org")])
    assert Estimator()._get_doc_link() == ""
    assert links(Estimator()) == []


@pytest.mark.parametrize("label", ["Documentation", "documentation", "Docs"])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_documentation_url_links_the_api_page(project_urls, Estimator, label):
    project_urls([("Homepage", "https://example.org"), (label, "https://docs.example.org/sk/")])
    page = f"https://docs.example.org/sk/reference/generated/sknielsen.{Estimator.__name__}.html"
    assert Estimator()._get_doc_link() == page
    assert page in links(Estimator())
    # The parameter table links each parameter to its entry on the same page (the table
    # has links from scikit-learn 1.8 on).
    if _sklearn_release() >= (1, 8):
        assert any(link.startswith(page + "#") for link in links(Estimator(eta=0.1)))


def test_a_subclass_outside_sknielsen_gets_no_link(project_urls):
    project_urls([("Documentation", "https://docs.example.org")])

    class MyNetwork(NielsenMLPClassifier):
        pass

    MyNetwork.__module__ = "mypackage.models"
    assert MyNetwork()._get_doc_link() == ""


def test_the_installed_metadata_is_read():
    """Without a stub: the metadata of this installation, whatever it declares, gives a str."""
    _doclink.api_page_template.cache_clear()
    assert isinstance(_doclink.api_page_template(), str)
