"""The link from an estimator's HTML representation to its page of the API reference.

scikit-learn's HTML representation (in notebooks) shows a "?" that links an
estimator to its documentation, built from ``_doc_link_template`` and, for
classes of the package named by ``_doc_link_module``, the parameters that
``_doc_link_url_param_generator`` returns; an empty template gives no link.
sknielsen's documentation site is built with its API pages at
``reference/generated/<public name>.html``, but the address of the site is
only known when the project declares it: ``Documentation`` in
``[project.urls]`` of pyproject.toml, read from the installed package's
metadata. Until then the template is empty and the representation has no
link, rather than a link to nowhere.
"""

import functools
from importlib import metadata

#: Where the API reference puts each public name's page, below the site's root.
API_PAGE = "reference/generated/{estimator_module}.{estimator_name}.html"
#: The ``[project.urls]`` labels that name the documentation (normalized, PEP 753).
DOCUMENTATION_LABELS = ("documentation", "docs")


def _project_urls():
    """``(label, url)`` pairs of the installed package's metadata; none when not installed."""
    try:
        entries = metadata.metadata("sknielsen").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return []
    return [
        tuple(part.strip() for part in entry.split(",", 1)) for entry in entries if "," in entry
    ]


@functools.cache
def api_page_template():
    """Return the URL template of an API page, or ``''`` when no documentation URL is declared.

    Returns
    -------
    template : str
        ``<Documentation URL>/reference/generated/{estimator_module}.{estimator_name}.html``,
        or the empty string.
    """
    for label, url in _project_urls():
        normalized = "".join(c for c in label.lower() if c.isalnum())
        if normalized in DOCUMENTATION_LABELS and url:
            return url.rstrip("/") + "/" + API_PAGE
    return ""


class DocumentationLink:
    """Mixin linking an estimator's HTML representation to its API page.

    ``_public_module`` is the module users import the class from, which
    names its page; the class may live in a private module.
    """

    _doc_link_module = "sknielsen"
    _public_module = "sknielsen"

    @property
    def _doc_link_template(self):
        return api_page_template()

    def _doc_link_url_param_generator(self):
        return {"estimator_module": self._public_module, "estimator_name": type(self).__name__}
