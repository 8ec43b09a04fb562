"""The dashboard and the static report in a real browser (headless Chromium), on both targets.

On the generated build (dbt build and the statistics step done), for DuckDB and PostgreSQL:

- ``python -m analytics dashboard`` is started on a free port; every page is opened, must
  draw its plotly charts and show no exception, ``st.error`` or error text, and no
  table on it may be wider than the page (a column cut off at the edge);
- ``python -m analytics report --html`` writes the report; opened as a ``file://`` page it
  must draw at least five charts, show no error text and ask the network for nothing;
- on a build whose exports hold hostile product names (a Markdown image pointing at
  ``127.0.0.1:9`` as the top product by revenue, an HTML ``<img>`` as a flagged product:
  records appended to generated exports, not the generator's output), the overview, the
  products page and the report show those names as literal text and no request goes
  to ``127.0.0.1:9``.

Screenshots go to ``logs/browser-test/<target>/`` (``BROWSER_ARTIFACTS_DIR`` elsewhere);
with ``UPDATE_README_SCREENSHOT=1`` the DuckDB overview becomes the README's screenshot
(``analytics/dashboard/screenshot.png``). Chromium is Debian's (``make browser-setup``):
without it these tests skip, except in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics.dashboard import PAGES
from tests.conftest import REPO
from tests.integration.conftest import TARGETS, Build, build_warehouse
from tests.support import browser as harness
from tests.support import postgres

pytestmark = pytest.mark.slow

README_SCREENSHOT = REPO / "analytics" / "dashboard" / "screenshot.png"
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


#: Each drawn table's grid: how wide its columns are against the room it has.
_TABLE_WIDTHS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
  .map(frame => frame.querySelector('.dvn-scroller'))
  .filter(scroller => scroller && scroller.clientWidth > 0)
  .map(scroller => ({scroll: scroller.scrollWidth, client: scroller.clientWidth}))"""


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
    # Every table shown reads without scrolling sideways: no column cut off at the edge.
    cut = [grid for grid in page.evaluate(_TABLE_WIDTHS) if grid["scroll"] > grid["client"] + 1]
    assert not cut, f"/{path}: tables wider than the page {cut} {where}"


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
    command = [sys.executable, "-m", "analytics", "report", "--target", generated_build.target]
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


# --- data values are text: hostile product names -----------------------------------------------

#: A Markdown image: rendered as Markdown, the page would fetch it from 127.0.0.1:9.
HOSTILE_MARKDOWN = "![x](http://127.0.0.1:9/x.png)"
#: HTML (and Plotly's pseudo-HTML): rendered, an image fetched and a bold word.
HOSTILE_HTML = '<img src="http://127.0.0.1:9/y.png"> <b>Bold</b> blender'
HOSTILE_HOST = "127.0.0.1:9"


def write_hostile_exports(out: Path) -> Path:
    """Small generated exports plus transactions and reviews of two hostile products.

    Three large orders make HOSTILE_MARKDOWN the product with the most revenue (the
    overview's headline); forty 1-star reviews get HOSTILE_HTML flagged by the product
    diagnosis (the products page's Markdown and the report's table).
    """
    command = [sys.executable, "-m", "analytics", "generate", "--out", str(out)]
    completed = subprocess.run(
        [*command, "--scale", "0.05", "--seed", "42"], cwd=REPO, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    customers = [
        json.loads(line)["customer_id"]
        for line in (out / "mongo" / "customers.json").read_text().splitlines()[:40]
    ]
    orders = [
        {
            "transaction_id": f"TX-HOSTILE-{number}",
            "customer_id": customers[number],
            "product": product,
            "amount": amount,
            "quantity": 1,
            "payment_method": "credit_card",
            "discount_applied": 0.0,
            "shipping_cost": 0.0,
            "timestamp": {"$date": f"2025-06-{10 + number:02d}T10:00:00.000Z"},
            "status": "completed",
        }
        for number, (product, amount) in enumerate(
            [(HOSTILE_MARKDOWN, 40_000.0)] * 3 + [(HOSTILE_HTML, 20_000.0)]
        )
    ]
    reviews = [
        {
            "review_id": f"RV-HOSTILE-{number:02d}",
            "product": HOSTILE_HTML,
            "customer_id": customer,
            "rating": 1,
            "created_at": f"2025-07-{1 + number % 28:02d}T09:00:00.000Z",
            "title": "<script>alert(1)</script>",
            "body": HOSTILE_MARKDOWN,
            "tags": ["quality"],
            "return_requested": True,
        }
        for number, customer in enumerate(customers)
    ]
    for name, records in (("mongo/transactions.json", orders), ("json/reviews.jsonl", reviews)):
        with (out / name).open("a", encoding="utf-8") as handle:
            handle.writelines(json.dumps(record) + "\n" for record in records)
    return out


@pytest.fixture(scope="module", params=TARGETS)
def hostile_build(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Build]:
    scratch = tmp_path_factory.mktemp(f"hostile_{request.param}")
    source = write_hostile_exports(scratch / "raw")
    if request.param == "duckdb":
        yield build_warehouse("duckdb", source, scratch)
        return
    request.getfixturevalue("postgres_server")
    database = postgres.create_database("marketing_hostile")
    try:
        yield build_warehouse("postgres", source, scratch, database)
    finally:
        postgres.drop_database(database["PGDATABASE"])


@pytest.fixture(scope="module")
def hostile_dashboard(hostile_build: Build) -> Iterator[harness.Server]:
    assert hostile_build.returncode == 0, hostile_build.failures()
    with harness.dashboard_server(hostile_build.target, hostile_build.environment) as server:
        yield server


def _assert_shown_as_text(page: Any, *values: str) -> None:
    """Each value is on the page as its literal text; nothing of it became an element."""
    for value in values:
        assert page.get_by_text(value, exact=False).count() >= 1, f"{value!r} is not shown"
    assert page.locator(f'img[src*="{HOSTILE_HOST}"]').count() == 0, "a data value became <img>"
    assert page.locator("b", has_text="Bold").count() == 0, "a data value became <b>"
    assert page.locator("script", has_text="alert(1)").count() == 0


@pytest.mark.parametrize(
    ("path", "values"),
    [("overview", (HOSTILE_MARKDOWN,)), ("products", (HOSTILE_HTML,))],
    ids=["overview", "products"],
)
def test_hostile_product_names_show_as_text_on_the_dashboard(
    page: Any, hostile_dashboard: harness.Server, hostile_build: Build, path: str, values: Any
) -> None:
    shots = harness.fresh_artifacts_dir(f"hostile-{hostile_build.target}-{path}")
    seen = harness.watch(page)
    # the page draws its charts without errors and asks for nothing outside the server
    _open_dashboard_page(page, hostile_dashboard, path, shots / f"dashboard-{path}.png")
    _assert_shown_as_text(page, *values)
    asked = [url for url in seen.requests if HOSTILE_HOST in url]
    assert not asked, f"/{path} requested {asked}"


def test_hostile_product_names_show_as_text_in_the_report(
    page: Any, hostile_build: Build, tmp_path: Path
) -> None:
    assert hostile_build.returncode == 0, hostile_build.failures()
    html = tmp_path / "report.html"
    command = [sys.executable, "-m", "analytics", "report", "--target", hostile_build.target]
    completed = subprocess.run(
        [*command, "--html", str(html)],
        cwd=REPO,
        env=hostile_build.environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert HOSTILE_MARKDOWN in completed.stdout and HOSTILE_HTML in completed.stdout
    seen = harness.watch(page)
    page.goto(html.as_uri())
    page.wait_for_timeout(1500)
    _assert_shown_as_text(page, HOSTILE_MARKDOWN, HOSTILE_HTML)
    asked = [url for url in seen.requests if HOSTILE_HOST in url]
    assert not asked, f"the report requested {asked}"
    assert not seen.requests_outside(*harness.LOCAL_SCHEMES)
