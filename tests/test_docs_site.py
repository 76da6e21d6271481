"""The built documentation site: every public name has a page, the gallery drew its figures,
internal links resolve, and the index and estimator pages render in headless Chromium.

These tests read ``docs/_build/html``, which ``python -m sphinx -W -b html docs
docs/_build/html`` writes (README: "Documentation"); without it they are skipped,
so the default ``python -m pytest`` needs no Sphinx. Without Chromium the two
rendering tests are skipped. ``.ci/docs`` builds the site and runs them with
``SKNIELSEN_DOCS_REQUIRED=1`` (no site is a failure) and, where Chromium is
installed, ``SKNIELSEN_CHROMIUM_REQUIRED=1`` (a Chromium that cannot render is a
failure, not a skip).
"""

import base64
import contextlib
import fcntl
import html.parser
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zlib
from pathlib import Path
from typing import ClassVar

import pytest
from public_modules import public_module_names

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "docs" / "_build" / "html"
SITE_REQUIRED = os.environ.get("SKNIELSEN_DOCS_REQUIRED") == "1"
CHROMIUM_REQUIRED = os.environ.get("SKNIELSEN_CHROMIUM_REQUIRED") == "1"
BUILD = "python -m sphinx -W -b html docs docs/_build/html"


def _skip_or_fail(reason, required, variable):
    if required:
        pytest.fail(f"{reason} ({variable}=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site():
    if not (SITE / "index.html").is_file():
        _skip_or_fail(
            f"the documentation site has not been built (build it with `{BUILD}`)",
            SITE_REQUIRED,
            "SKNIELSEN_DOCS_REQUIRED",
        )
    return SITE


# -- what was built ------------------------------------------------------------


def read_inventory(path):
    """``{(role, name): uri}`` of a Sphinx ``objects.inv`` (version 2)."""
    data = path.read_bytes()
    lines = data.split(b"\n", 4)
    assert lines[0].startswith(b"# Sphinx inventory version 2"), lines[0]
    entries = {}
    for line in zlib.decompress(lines[4]).decode().splitlines():
        match = re.match(r"(.+?)\s+(\S+:\S+)\s+(-?\d+)\s+(\S*)\s+(.*)", line)
        if match:
            name, role, _, uri, _ = match.groups()
            entries[(role, name)] = uri.replace("$", name) if uri.endswith("$") else uri
    return entries


def public_names():
    """``(module, name, object)`` of every name in a public module's ``__all__``."""
    for module_name in public_module_names():
        module = importlib.import_module(module_name)
        for name in module.__all__:
            yield module_name, name, getattr(module, name)


def test_every_public_name_has_a_page(site):
    inventory = read_inventory(site / "objects.inv")
    pages = {}
    for (role, name), uri in inventory.items():
        if role.startswith("py:"):
            pages[name] = uri
    missing, unbuilt = [], []
    for module, name, value in public_names():
        full = value.__name__ if getattr(value, "__spec__", None) else f"{module}.{name}"
        if full not in pages:
            missing.append(full)
        elif not (site / pages[full].split("#")[0]).is_file():
            unbuilt.append(f"{full} -> {pages[full]}")
    assert not missing, f"public names without an entry in the API reference: {missing}"
    assert not unbuilt, f"entries whose page was not written: {unbuilt}"


def test_classes_and_functions_have_their_own_page(site):
    lonely = []
    for module, name, value in public_names():
        page = site / "reference" / "generated" / f"{module}.{name}.html"
        if (isinstance(value, type) or callable(value)) and not page.is_file():
            lonely.append(f"{module}.{name}")
    assert not lonely, f"no page of their own: {lonely}"


def test_the_api_reference_documents_no_private_path(site):
    """Pages are named by public import paths, however the modules behind them move."""
    private = [p.name for p in (site / "reference" / "generated").glob("*.html") if "._" in p.stem]
    assert not private, private


def test_the_estimators_doc_link_names_a_built_page(site):
    """The HTML repr's link (with a Documentation URL) points at pages the site has."""
    from sknielsen import NielsenMLPClassifier, NielsenMLPRegressor, _doclink

    for estimator in (NielsenMLPClassifier(), NielsenMLPRegressor()):
        page = _doclink.API_PAGE.format(**estimator._doc_link_url_param_generator())
        assert (site / page).is_file(), page


GALLERY_MINIMUM = 8


def test_the_gallery_ran_every_example_and_drew_figures(site):
    examples = sorted((ROOT / "examples").rglob("plot_*.py"))
    assert len(examples) >= GALLERY_MINIMUM, [e.name for e in examples]
    problems = []
    for example in examples:
        source = example.read_text(encoding="utf-8")
        relative = example.relative_to(ROOT / "examples").with_suffix(".html")
        page = site / "auto_examples" / relative
        if not re.search(r"^Run time: about \d+ seconds", source, flags=re.MULTILINE):
            problems.append(f"{example.name}: no 'Run time: about N seconds' line")
        if not page.is_file():
            problems.append(f"{example.name}: no page {page.relative_to(site)}")
            continue
        text = page.read_text(encoding="utf-8")
        if "sphx-glr-single-img" not in text and "sphx-glr-multi-img" not in text:
            problems.append(f"{example.name}: no figure")
        if "Total running time of the script" not in text:
            problems.append(f"{example.name}: no measured run time")
    assert not problems, problems


# -- internal links --------------------------------------------------------------


class _Links(html.parser.HTMLParser):
    """The links and the ids of one HTML page."""

    ATTRIBUTES: ClassVar = {
        "a": "href",
        "link": "href",
        "img": "src",
        "script": "src",
        "iframe": "src",
    }

    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        wanted = self.ATTRIBUTES.get(tag)
        if wanted and attrs.get(wanted):
            self.links.append(attrs[wanted])


def _parse(path, cache):
    if path not in cache:
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = parser
    return cache[path]


def broken_links(site):
    """``(page, link, why)`` of every internal link of the site that leads nowhere."""
    cache, broken = {}, []
    for page in sorted(site.rglob("*.html")):
        if page.relative_to(site).parts[0] == "_static":
            continue  # the theme's assets (a Jinja template among them), not pages
        for link in _parse(page, cache).links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # http(s), mailto, data: the build machine cannot check them
            target = page
            if parts.path:
                target = (page.parent / urllib.parse.unquote(parts.path)).resolve()
                if parts.path.endswith("/") or target.is_dir():
                    target = target / "index.html"
            where = page.relative_to(site)
            if not target.is_relative_to(site.resolve()) and not target.is_relative_to(site):
                broken.append((where, link, "outside the site"))
            elif not target.is_file():
                broken.append((where, link, "no such file"))
            elif parts.fragment and target.suffix == ".html":
                anchor = urllib.parse.unquote(parts.fragment)
                if not anchor.startswith(":~:") and anchor not in _parse(target, cache).ids:
                    broken.append((where, link, "no such anchor"))
    return broken


def test_internal_links_resolve(site):
    broken = broken_links(site)
    shown = "\n".join(f"{page}: {link} ({why})" for page, link, why in broken[:30])
    assert not broken, f"{len(broken)} broken internal links:\n{shown}"


def test_the_link_checker_finds_a_broken_link(tmp_path):
    (tmp_path / "index.html").write_text(
        '<a href="page.html#here">ok</a><a href="page.html#gone">anchor</a>'
        '<a href="missing.html">file</a><img src="_images/x.png"><a href="https://x.org">out</a>'
    )
    (tmp_path / "page.html").write_text('<h1 id="here">Here</h1>')
    found = {(link, why) for _, link, why in broken_links(tmp_path)}
    assert found == {
        ("page.html#gone", "no such anchor"),
        ("missing.html", "no such file"),
        ("_images/x.png", "no such file"),
    }


# -- rendering in Chromium -----------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
]


# Put the descriptors given as the first two arguments on 3 and 4, then run the rest.
LAUNCHER = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)


class Chromium:
    """Headless Chromium driven through the DevTools protocol on a pipe (no extra package).

    Chromium reads commands on its file descriptor 3 and writes replies and
    events on 4, as JSON messages ended by a NUL byte.
    """

    def __init__(self, executable, timeout=60):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="sknielsen-chromium-")
        # Chromium's ends of the pipes go above any descriptor they could be
        # confused with, then a small launcher puts them on 3 and 4 and
        # becomes Chromium.
        to_chromium, self._commands = os.pipe()
        self._replies, from_chromium = os.pipe()
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100) for fd in (to_chromium, from_chromium)]
        os.close(to_chromium)
        os.close(from_chromium)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                LAUNCHER,
                *map(str, ends),
                executable,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={self.profile}",
            ],
            pass_fds=ends,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for fd in ends:
            os.close(fd)
        self._buffer, self._next_id, self.events = b"", 0, []

    def _read_message(self, deadline):
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                stderr = self.process.stderr.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"Chromium closed its pipe:\n{stderr}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, session=None, **params):
        """Send a command and return its result, keeping the events that arrive meanwhile."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method, session):
        deadline = time.monotonic() + self.timeout
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self.events.remove(event)
                    return event
            self.events.append(self._read_message(deadline))

    def close(self):
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()
        os.close(self._commands)
        os.close(self._replies)
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """What a page showed: its screenshot, the answers to some questions, its errors."""

    def __init__(self, screenshot, answers, errors):
        self.screenshot, self.answers, self.errors = screenshot, answers, errors


def render(browser, path, questions, width=1280, height=900):
    """Open ``path``, answer the JavaScript ``questions``, and take a screenshot."""
    target = browser.send("Target.createTarget", url="about:blank")["targetId"]
    session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        browser.send(f"{domain}.enable", session)
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        session,
        width=width,
        height=height,
        deviceScaleFactor=1,
        mobile=False,
    )
    browser.send("Page.navigate", session, url=path.as_uri())
    browser.wait_for("Page.loadEventFired", session)
    # Scripts that run after the load (the theme's) and the fonts, settled.
    browser.send(
        "Runtime.evaluate",
        session,
        expression="document.fonts.ready.then(() => new Promise(r => setTimeout(r, 300)))",
        awaitPromise=True,
    )
    answers = {}
    for name, expression in questions.items():
        result = browser.send(
            "Runtime.evaluate", session, expression=expression, returnByValue=True
        )
        answers[name] = result["result"].get("value")
    shot = browser.send("Page.captureScreenshot", session, format="png")
    errors = []
    for event in browser.events:
        if event.get("sessionId") != session:
            continue
        params = event.get("params", {})
        if event["method"] == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            errors.append(details.get("exception", {}).get("description") or details.get("text"))
        elif event["method"] == "Runtime.consoleAPICalled" and params["type"] in (
            "error",
            "assert",
        ):
            errors.append(
                " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            )
        elif event["method"] == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")
    browser.events = [e for e in browser.events if e.get("sessionId") != session]
    browser.send("Target.closeTarget", targetId=target)
    return Page(base64.b64decode(shot["data"]), answers, errors)


def chromium_executable():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser(site):
    executable = chromium_executable()
    if executable is None:
        _skip_or_fail(
            "Chromium is not installed (Debian: apt-get install chromium)",
            CHROMIUM_REQUIRED,
            "SKNIELSEN_CHROMIUM_REQUIRED",
        )
    chromium = Chromium(executable)
    try:
        yield chromium
    finally:
        chromium.close()


def assert_not_blank(png):
    image = pytest.importorskip("PIL.Image").open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.tobytes()
    dark = sum(1 for value in pixels if value < 128)
    assert (width, height) == (1280, 900), image.size
    assert len(set(pixels)) > 16, "the screenshot has almost a single colour"
    assert dark > 0.005 * len(pixels), f"only {dark} dark pixels: no text on the page"


NAVIGATION = {
    "header_links": "[...document.querySelectorAll('.bd-header .navbar-nav a')]"
    ".map(a => a.textContent.trim())",
    "title": "document.title",
}


def test_the_index_page_renders(browser):
    page = render(browser, SITE / "index.html", NAVIGATION)
    assert not page.errors, page.errors
    assert "sknielsen" in page.answers["title"]
    for link in ("User guide", "API reference", "Examples"):
        assert link in page.answers["header_links"], page.answers["header_links"]
    assert_not_blank(page.screenshot)


def test_the_estimator_page_renders_its_parameters(browser):
    from sknielsen import NielsenMLPClassifier

    questions = {
        **NAVIGATION,
        "heading": "document.querySelector('h1').textContent",
        "sections": "[...document.querySelectorAll('dl.field-list > dt')]"
        ".map(dt => dt.textContent.trim())",
        "parameters": "[...document.querySelectorAll('dl.field-list > dd')][0]"
        ".querySelectorAll(':scope > dl > dt strong')"
        ".length",
        "parameter_names": "[...document.querySelectorAll('dl.field-list > dd')][0].innerText",
        "sidebar_links": "document.querySelectorAll('.bd-sidebar-primary nav a').length",
    }
    path = SITE / "reference" / "generated" / "sknielsen.NielsenMLPClassifier.html"
    page = render(browser, path, questions)
    assert not page.errors, page.errors
    assert "NielsenMLPClassifier" in page.answers["heading"]
    assert page.answers["sections"][:2] == ["Parameters:", "Attributes:"], page.answers["sections"]
    names = NielsenMLPClassifier().get_params(deep=False)
    missing = [name for name in names if name not in page.answers["parameter_names"]]
    assert not missing, f"parameters not in the table: {missing}"
    assert page.answers["parameters"] >= len(names)
    assert page.answers["sidebar_links"] > 10
    assert "API reference" in page.answers["header_links"]
    assert_not_blank(page.screenshot)


def test_a_page_with_an_error_is_caught(browser, tmp_path):
    """The check itself: a script error and a missing image are reported."""
    bad = tmp_path / "bad.html"
    bad.write_text("<h1>x</h1><img src='missing.png'><script>undefined_function()</script>")
    page = render(browser, bad, {})
    assert any("undefined_function" in error for error in page.errors), page.errors
    assert any("missing.png" in error or "ERR_FILE_NOT_FOUND" in error for error in page.errors)
