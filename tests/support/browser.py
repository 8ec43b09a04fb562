"""Headless Chromium for the browser tests: the dashboard server, page checks, artefacts.

The browser is Debian's ``chromium`` (``make browser-setup`` installs it; ``CHROMIUM_PATH``
points elsewhere), driven by Playwright's sync API. Without it the browser tests are
skipped, except in CI (``CI=true``), where that is a failure.

- ``launched_browser()``: Chromium with the project's flags (``FLAGS``);
- ``serve()`` / ``dashboard_server()``: a server on a free port, in its own process group,
  stopped afterwards, its output kept for failure messages;
- ``wait_for_page()``: until a Streamlit page has finished running and drawn its charts;
- ``assert_no_error_text()``: no exception, no ``st.error``, no error text on the page;
- ``watch()``: the requests and uncaught JavaScript errors of a page;
- ``artifacts_dir()`` / ``fresh_artifacts_dir()``: where the screenshots go.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.postgres import in_ci

REPO = Path(__file__).resolve().parents[2]
#: Debian's package puts its launcher here.
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: The launch flags of the issue: no sandbox (containers), no GPU, nothing phoning home.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
VIEWPORT = {"width": 1400, "height": 1000}

#: Selectors of what Streamlit shows for an exception or ``st.error``.
ERROR_SELECTORS = (
    '[data-testid="stException"]',
    '[data-testid="stAlertContentError"]',
)
#: Every Streamlit alert (``st.error``, ``st.warning``, ``st.info``, ``st.success``).
ALERT_SELECTOR = '[data-testid="stAlert"], [data-testid="stAlertContainer"]'
#: Text that is an error wherever it is visible.
ERROR_TEXT = re.compile(r"Traceback|Error:|Exception")
#: An alert (warning or info included) saying the dashboard has no warehouse to show.
WAREHOUSE_MISSING = re.compile(
    r"warehouse\W+(?:\w+\W+){0,6}?(?:missing|not found|does not exist|is empty|rebuil|being built)"
    r"|(?:no|missing|empty)\W+warehouse|rebuilding|being rebuilt|not built yet|cannot be reached",
    re.IGNORECASE,
)
#: Streamlit's dialogs for a page that does not exist or a lost server.
DIALOG_TEXT = re.compile(r"Page not found|Connection error|Is Streamlit still running", re.I)


# --- Chromium ------------------------------------------------------------------------------


def chromium_path() -> str:
    """The Chromium executable; skip without it (fail in CI, where it must be installed)."""
    path = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        message = f"Chromium is not at {path}: run `make browser-setup` (or set CHROMIUM_PATH)"
        if in_ci():
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)
    return path


@contextmanager
def launched_browser() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``) with ``FLAGS``, closed afterwards."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh temporary profile of its own.
        browser = playwright.chromium.launch(executable_path=executable, args=list(FLAGS))
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watch:
    """What a page asked the network for, and the JavaScript errors it did not catch."""

    requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def requests_outside(self, *prefixes: str) -> list[str]:
        """The requested URLs that start with none of ``prefixes``."""
        return [url for url in self.requests if not url.startswith(prefixes)]


def watch(page: Any) -> Watch:
    """Record the requests and uncaught JavaScript errors of ``page`` from now on."""
    seen = Watch()
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    return seen


LOCAL_SCHEMES = ("file:", "data:", "blob:")


def offline(page: Any) -> None:
    """Abort every request of ``page`` that is not ``file:``, ``data:`` or ``blob:``."""

    def handle(route: Any) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", handle)


# --- a server to test ----------------------------------------------------------------------


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A running server: its URL, its process and the file its output goes to."""

    url: str
    command: list[str]
    process: subprocess.Popen[bytes] = field(repr=False)
    log: Path

    def output(self, limit: int = 6000) -> str:
        """The end of what the server printed (stdout and stderr)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[-limit:]

    def describe(self) -> str:
        """The command, whether it still runs, and its output: for failure messages."""
        state = "running" if self.process.poll() is None else f"exited {self.process.returncode}"
        return f"$ {' '.join(self.command)}  ({state})\n--- output ---\n{self.output()}"


def _healthy(url: str) -> bool:
    # No proxy: the server is on the loopback interface.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as response:
            body: bytes = response.read()
            return response.status == 200 and body.strip() == b"ok"
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@contextmanager
def serve(
    command: Sequence[str], port: int, environment: dict[str, str], *, timeout: float = 60
) -> Iterator[Server]:
    """Run a Streamlit ``command`` listening on ``port``; yield once its health check says ok.

    The server runs in its own session (process group), which is killed afterwards; a
    server that exits or does not answer within ``timeout`` seconds fails the test with
    its output.
    """
    log_dir = Path(tempfile.mkdtemp(prefix="browser-server-"))
    log = log_dir / "server.log"
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            list(command),
            cwd=REPO,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(url, list(command), process, log)
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"the server exited before answering on {url}\n{server.describe()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the server did not answer on {url} in {timeout:.0f} s\n" + server.describe()
                )
            time.sleep(0.25)
        yield server
    finally:
        _stop(process)
        shutil.rmtree(log_dir, ignore_errors=True)


@contextmanager
def dashboard_server(
    target: str, environment: dict[str, str], *, timeout: float = 120
) -> Iterator[Server]:
    """``python -m analytics dashboard --target <target>`` on a free port, stopped afterwards.

    The command compiles the business questions with dbt before it starts Streamlit: the
    server may take a while to answer.
    """
    port = free_port()
    command = [sys.executable, "-m", "analytics", "dashboard", "--target", target]
    with serve([*command, "--port", str(port)], port, environment, timeout=timeout) as server:
        yield server


# --- pages ---------------------------------------------------------------------------------

#: The state of a Streamlit page: is a script run going on, what has been drawn. The app
#: element carries the script and connection states; the status widget (an icon whose
#: aria-label says "Running...") is shown during a run.
_PAGE_STATE = """(selectors) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const status = [...document.querySelectorAll('[data-testid="stStatusWidget"]')]
    .map(e => e.innerText + ' ' + [...e.querySelectorAll('[aria-label]')]
      .map(i => i.getAttribute('aria-label')).join(' ')).join(' ');
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return {
    script: app ? app.getAttribute('data-test-script-state') : null,
    connection: app ? app.getAttribute('data-test-connection-state') : null,
    running: /Running|Connecting/i.test(status),
    elements: document.querySelectorAll('[data-testid="stElementContainer"]').length,
    charts: charts.length,
    drawn: charts.filter(e => e.querySelector('svg.main-svg')).length,
    errors: document.querySelectorAll(selectors.errors).length,
    dialog: document.querySelectorAll('[data-testid="stDialog"]').length,
    alerts: document.querySelectorAll(selectors.alerts).length,
  };
}"""


def wait_for_page(page: Any, *, timeout: float = 60, settle: float = 1.0) -> dict[str, Any]:
    """Wait until a Streamlit page has finished: charts drawn (or an error shown), not running.

    Finished is: the app connected and its script not running (``data-test-script-state``
    of ``stApp``, no "Running..." status widget), every chart drawn (``svg.main-svg``), and
    something shown (a chart, an error, an alert or a dialog); the state must hold over
    ``settle`` seconds, as plotly draws after the script has ended.

    Returns:
        The last state (``_PAGE_STATE``): ``charts`` (chart elements), ``drawn`` (with an
        svg), ``errors`` (exceptions and ``st.error``), ``dialog``, ``alerts``, ...

    Raises:
        AssertionError: the page did not finish within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    previous: dict[str, Any] | None = None
    while True:
        selectors = {"errors": ", ".join(ERROR_SELECTORS), "alerts": ALERT_SELECTOR}
        state: dict[str, Any] = page.evaluate(_PAGE_STATE, selectors)
        finished = (
            state["script"] == "notRunning"
            and state["connection"] == "CONNECTED"
            and not state["running"]
            and (state["drawn"] or state["errors"] or state["dialog"] or state["alerts"])
            and state["drawn"] == state["charts"]
        )
        if finished and state == previous:
            page.wait_for_timeout(500)  # plotly's last layout pass
            return state
        previous = state if finished else None
        if time.monotonic() > deadline:
            shown = "\n".join(error_texts(page) or page.locator(ALERT_SELECTOR).all_inner_texts())
            raise AssertionError(
                f"{page.url} did not finish in {timeout:.0f} s (last state {state})\n{shown}"
            )
        page.wait_for_timeout(settle * 1000 if finished else 250)


def error_texts(page: Any) -> list[str]:
    """Every error the page shows: exceptions, ``st.error``, alarming alerts, error text."""
    found: list[str] = []

    def texts(selector: str) -> list[str]:
        return [text.strip() for text in page.locator(selector).all_inner_texts()]

    for selector in ERROR_SELECTORS:
        found += [f"{selector}: {text[:500]}" for text in texts(selector)]
    for text in texts(ALERT_SELECTOR):
        if ERROR_TEXT.search(text) or WAREHOUSE_MISSING.search(text):
            found.append(f"alert: {text[:500]}")
    for text in texts('[data-testid="stDialog"], [role="dialog"]'):
        if DIALOG_TEXT.search(text) or ERROR_TEXT.search(text):
            found.append(f"dialog: {text[:500]}")
    body = page.locator("body").inner_text()
    for match in ERROR_TEXT.finditer(body):
        start, end = max(match.start() - 120, 0), min(match.end() + 200, len(body))
        found.append(f"text {match.group()!r}: ...{body[start:end].strip()}...")
    return list(dict.fromkeys(found))


def assert_no_error_text(page: Any) -> None:
    """Fail when the page shows an exception, ``st.error`` or error text (see ``error_texts``)."""
    found = error_texts(page)
    assert not found, f"{page.url} shows errors:\n" + "\n".join(found)


def chart_count(page: Any, selector: str = '[data-testid="stPlotlyChart"]') -> int:
    """How many charts (``selector``) hold a drawn plotly figure (``svg.main-svg``)."""
    return int(
        page.evaluate(
            "(selector) => [...document.querySelectorAll(selector)]"
            ".filter(e => e.querySelector('svg.main-svg')).length",
            selector,
        )
    )


#: How tall the page is, scrolled containers included: Streamlit scrolls its main area
#: inside the window, so a "full page" screenshot of the window alone shows one screen.
_CONTENT_HEIGHT = """() => Math.max(
  document.documentElement.scrollHeight,
  ...[...document.querySelectorAll('body *')]
    .filter(e => /auto|scroll/.test(getComputedStyle(e).overflowY)
      && e.scrollHeight > e.clientHeight)
    .map(e => e.scrollHeight + e.getBoundingClientRect().top + window.scrollY))"""


def screenshot(page: Any, path: Path, *, max_height: int = 20_000) -> None:
    """A screenshot of the whole page, also of content scrolled inside a container.

    The window is made as tall as the content for the shot (at most ``max_height``
    pixels), then given back its size.
    """
    viewport = page.viewport_size or VIEWPORT
    height = min(int(page.evaluate(_CONTENT_HEIGHT)), max_height)
    if height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": height})
        page.wait_for_timeout(750)  # Streamlit and plotly lay out again
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)


# --- artefacts -----------------------------------------------------------------------------


def artifacts_dir() -> Path:
    """Where the screenshots go: ``BROWSER_ARTIFACTS_DIR``, else ``logs/browser-test``."""
    root = Path(os.environ.get("BROWSER_ARTIFACTS_DIR") or REPO / "logs" / "browser-test")
    root.mkdir(parents=True, exist_ok=True)
    return root


def fresh_artifacts_dir(name: str) -> Path:
    """``artifacts_dir() / name``, emptied: each run leaves only its own screenshots."""
    directory = artifacts_dir() / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory
