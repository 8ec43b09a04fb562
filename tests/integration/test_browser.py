"""The dashboard and the static report in a real browser (headless Chromium), on both targets.

On the generated build (dbt build and the statistics step done), for DuckDB and PostgreSQL:

- ``python -m loaders dashboard`` is started on a free port; every page is opened, must
  draw its plotly charts and show no exception, ``st.error`` or error text;
- ``python -m loaders report --html`` writes the report; opened as a ``file://`` page it
  must draw at least five charts, show no error text and ask the network for nothing.

Screenshots go to ``logs/browser-test/<target>/`` (``BROWSER_ARTIFACTS_DIR`` elsewhere);
with ``UPDATE_README_SCREENSHOT=1`` the DuckDB overview becomes the README's screenshot
(``loaders/dashboard/screenshot.png``). Chromium is Debian's (``make browser-setup``):
without it these tests skip, except in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loaders.dashboard import PAGES
from tests.conftest import REPO
from tests.integration.conftest import Build
from tests.support import browser as harness

pytestmark = pytest.mark.slow

README_SCREENSHOT = REPO / "loaders" / "dashboard" / "screenshot.png"
#: The report draws at least this many charts.
REPORT_CHARTS = 5


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with harness.launched_browser() as browser:
        yield browser


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=harness.VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def artifacts(generated_build: Build) -> Path:
    return harness.fresh_artifacts_dir(generated_build.target)


@pytest.fixture(scope="module")
def dashboard(generated_build: Build) -> Iterator[harness.Server]:
    assert generated_build.returncode == 0, generated_build.failures()
    with harness.dashboard_server(generated_build.target, generated_build.environment) as server:
        yield server


def _open_dashboard_page(
    page: Any, server: harness.Server, path: str, screenshot: Path, lands_on: str | None = None
) -> None:
    """Open ``/<path>``: it must end on ``/<lands_on>`` (default: the same), charts drawn."""
    seen = harness.watch(page)
    try:
        try:
            page.goto(f"{server.url}/{path}")
            state = harness.wait_for_page(page)
        finally:
            harness.screenshot(page, screenshot)
        harness.assert_no_error_text(page)
    except AssertionError as error:
        raise AssertionError(f"{error}\n(screenshot {screenshot})\n{server.describe()}") from None
    where = f"(screenshot {screenshot})\n{server.describe()}"
    landed = page.url.removeprefix(server.url).split("?")[0].strip("/")
    assert landed == (path if lands_on is None else lands_on), (
        f"asked for /{path}, Streamlit shows {page.url} {where}"
    )
    assert state["drawn"] >= 1, f"/{path} draws no plotly chart ({state}) {where}"
    assert not seen.page_errors, f"/{path}: JavaScript errors {seen.page_errors} {where}"
    outside = seen.requests_outside(server.url, *harness.LOCAL_SCHEMES)
    assert not outside, f"/{path} asks the network for {outside} {where}"


@pytest.mark.parametrize(("path", "title"), PAGES, ids=[path for path, _ in PAGES])
def test_dashboard_page_draws_its_charts_without_errors(
    page: Any,
    dashboard: harness.Server,
    artifacts: Path,
    generated_build: Build,
    path: str,
    title: str,
) -> None:
    screenshot = artifacts / f"dashboard-{path}.png"
    _open_dashboard_page(page, dashboard, path, screenshot)
    if (
        path == PAGES[0][0]
        and generated_build.target == "duckdb"
        and os.environ.get("UPDATE_README_SCREENSHOT") == "1"
    ):
        shutil.copyfile(screenshot, README_SCREENSHOT)


def test_dashboard_opens_on_its_first_page(
    page: Any, dashboard: harness.Server, artifacts: Path
) -> None:
    # Streamlit's default page answers at "/" only; the app sends "/" on to the first page.
    first = PAGES[0][0]
    _open_dashboard_page(page, dashboard, "", artifacts / "dashboard-default.png", first)


def test_html_report_draws_its_charts_offline(
    page: Any, generated_build: Build, artifacts: Path, tmp_path: Path
) -> None:
    assert generated_build.returncode == 0, generated_build.failures()
    html = tmp_path / "report.html"
    command = [sys.executable, "-m", "loaders", "report", "--target", generated_build.target]
    completed = subprocess.run(
        [*command, "--html", str(html)],
        cwd=REPO,
        env=generated_build.environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert html.is_file(), f"--html {html} wrote nothing:\n{completed.stdout[-2000:]}"

    seen = harness.watch(page)
    harness.offline(page)
    shot = artifacts / "report.png"
    try:
        page.goto(html.as_uri())
        deadline = time.monotonic() + 30
        while harness.chart_count(page, "div.plotly-graph-div") < REPORT_CHARTS:
            if time.monotonic() > deadline:
                break
            page.wait_for_timeout(250)
        page.wait_for_timeout(500)  # plotly's last layout pass
    finally:
        harness.screenshot(page, shot)
    harness.assert_no_error_text(page)
    charts = page.locator("div.plotly-graph-div").count()
    drawn = harness.chart_count(page, "div.plotly-graph-div")
    assert drawn >= REPORT_CHARTS, (
        f"the report draws {drawn} plotly charts of {charts} (want {REPORT_CHARTS} or more; "
        f"see {shot}; JavaScript errors: {seen.page_errors}, requests: {seen.requests})"
    )
    assert drawn == charts, f"{charts - drawn} of {charts} charts not drawn (see {shot})"
    assert not seen.page_errors, f"JavaScript errors: {seen.page_errors} (see {shot})"
    outside = seen.requests_outside(*harness.LOCAL_SCHEMES)
    assert not outside, f"the report is not self-contained, it asks for {outside}"


# --- the harness itself: it must see what it is meant to catch ------------------------------

ERROR_PAGES = {
    "exception": '<div data-testid="stException">RuntimeError: boom Traceback: ...</div>',
    "st.error": '<div data-testid="stAlertContainer"><div data-testid="stAlertContentError">'
    "The query failed</div></div>",
    "warehouse warning": '<div data-testid="stAlertContainer">'
    "<div data-testid='stAlertContentWarning'>The warehouse is missing: run make run</div>"
    "</div>",
    "text": "<p>KeyError: 'revenue'</p>",
    "page not found": '<div data-testid="stDialog">Page not found</div>',
}


@pytest.mark.parametrize("body", ERROR_PAGES.values(), ids=ERROR_PAGES.keys())
def test_the_harness_sees_an_error_on_the_page(page: Any, body: str) -> None:
    page.set_content(f"<html><body><h1>Overview</h1>{body}</body></html>")
    with pytest.raises(AssertionError, match="shows errors"):
        harness.assert_no_error_text(page)


def test_the_harness_passes_a_clean_page_and_catches_a_network_request(
    page: Any, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    report.write_text(
        "<html><body><h1>Report</h1><p>Standard error 0.3; no errors.</p>"
        '<div data-testid="stAlertContainer">Evidence: the statistics step ran.</div>'
        '<script src="https://cdn.example.invalid/plotly.min.js"></script></body></html>'
    )
    seen = harness.watch(page)
    harness.offline(page)
    page.goto(report.as_uri())
    harness.assert_no_error_text(page)
    assert seen.requests_outside(*harness.LOCAL_SCHEMES) == [
        "https://cdn.example.invalid/plotly.min.js"
    ]
