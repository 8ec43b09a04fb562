"""The statistics step, the report and the dashboard when only some feeds are loaded.

Three subsets of generated exports (scale 0.05), each loaded into a fresh warehouse and
built with ``dbt build`` (unit and data tests), then the statistics step
(``python -m loaders analyze``, which tests its own tables with
``dbt build --select tag:evidence+``), on DuckDB and PostgreSQL:

- the empty source folder (every raw table missing, no as-of date);
- the social trends and the marketplace sales alone;
- the web events alone.

The step must end with exit 0 and say "Not enough data for X: Y" for what it cannot
compute, the report must exit 0 and print the same sentences, and every dashboard page
must render without an exception or ``st.error`` (on the empty warehouse, each says
what it lacks). The full matrix of subsets lives elsewhere; these three are the ones
that failed before (an as-of date of null in the A/B plan's not-null columns).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from loaders.dashboard import PAGES
from tests.conftest import REPO
from tests.integration.conftest import Build, build_warehouse
from tests.support import postgres

pytestmark = pytest.mark.slow

SCALE = 0.05
APP = REPO / "loaders" / "dashboard" / "app.py"

SUBSETS: dict[str, tuple[str, ...]] = {
    "empty": (),
    "social_and_marketplace": ("csv/social_trends.csv", "csv/marketplace_sales.csv"),
    "events_alone": ("json/events.jsonl",),
}
#: What the statistics step and the report must say for each subset.
MISSING: dict[str, tuple[str, ...]] = {
    "empty": (
        "Not enough data for the product diagnosis: no valid reviews of any product.",
        "Not enough data for the A/B test plan: no web sessions",
        "Not enough data for the social-to-sales lag: no social trends and no marketplace sales.",
        "Not enough data for the campaign plan: ",
    ),
    "social_and_marketplace": (
        "Not enough data for the product diagnosis: no valid reviews of any product.",
        "Not enough data for the A/B test plan: no ",
        "Not enough data for the campaign plan: ",
    ),
    "events_alone": (
        "Not enough data for the product diagnosis: no valid reviews of any product.",
        "Not enough data for the social-to-sales lag: no social trends and no marketplace sales.",
        "Not enough data for the campaign plan: ",
    ),
}
#: Only in the step's summary (the report prints the tests as a table plus these lines).
SUMMARY_ONLY: dict[str, tuple[str, ...]] = {
    "empty": ("discount_quantity: not enough data (no valid transactions with a quantity)",),
    "social_and_marketplace": ("traffic_source_conversion: not enough data (no web sessions)",),
    "events_alone": ("consent_spend: not enough data (no completed transactions",),
}
CASES = [
    pytest.param((target, subset), id=f"{target}-{subset}", marks=marks)
    for target, marks in (("duckdb", ()), ("postgres", (pytest.mark.postgres,)))
    for subset in SUBSETS
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("subsets") / "generated"
    command = [sys.executable, "-m", "loaders", "generate", "--out", str(out)]
    completed = subprocess.run(
        [*command, "--scale", str(SCALE), "--seed", "42"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return out


@pytest.fixture(scope="module", params=CASES)
def subset_build(
    request: pytest.FixtureRequest, generated: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Build]]:
    target, subset = request.param
    scratch = tmp_path_factory.mktemp(f"{target}_{subset}")
    source = scratch / "raw"
    source.mkdir()
    for name in SUBSETS[subset]:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(generated / name, source / name)
    if target == "duckdb":
        yield subset, build_warehouse(target, source, scratch)
        return
    request.getfixturevalue("postgres_server")
    database = postgres.create_database("marketing_subsets")
    try:
        yield subset, build_warehouse(target, source, scratch, database)
    finally:
        postgres.drop_database(database["PGDATABASE"])


def test_the_statistics_step_says_what_is_missing_and_its_tests_pass(
    subset_build: tuple[str, Build],
) -> None:
    subset, build = subset_build
    # dbt build (every test) and the statistics step with its own dbt build both passed
    assert build.returncode == 0, build.failures()
    summary = build.output.split("--- python -m loaders analyze ---", 1)[1]
    assert "Traceback" not in summary
    for sentence in (*MISSING[subset], *SUMMARY_ONLY[subset]):
        assert sentence in summary, f"{subset}: {sentence!r} not in\n{summary[-4000:]}"
    assert build.scalar("select count(*) from marts.hypothesis_tests") == 6
    statuses = build.rows("marts.ab_test_plan")["status"].tolist()
    assert statuses == ["not_enough_data"] or set(statuses) == {"planned"}


def test_the_report_says_what_is_missing(subset_build: tuple[str, Build], tmp_path: Path) -> None:
    subset, build = subset_build
    assert build.returncode == 0, build.failures()
    html = tmp_path / "report.html"
    completed = subprocess.run(
        [sys.executable, "-m", "loaders", "report", "--target", build.target, "--html", str(html)],
        cwd=REPO,
        env=build.environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "Traceback" not in completed.stdout + completed.stderr
    evidence = completed.stdout.split("Evidence (python -m loaders analyze)", 1)[1]
    for sentence in MISSING[subset]:
        assert sentence in evidence, f"{subset}: {sentence!r} not in\n{evidence}"
    assert "has not run" not in evidence
    page = html.read_text(encoding="utf-8")
    assert 'class="note missing">Not enough data for the campaign plan: ' in page
    assert "Data as of None" not in page


@pytest.fixture
def on_build(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Point this process at a build's warehouse (the app reads the environment)."""

    def use(build: Build) -> None:
        for name in list(os.environ):
            if name.startswith("PG"):
                monkeypatch.delenv(name)
        for name, value in build.environment.items():
            if name.startswith(("PG", "DUCKDB_PATH", "DBT_", "MARKETING_")):
                monkeypatch.setenv(name, value)
        monkeypatch.delenv("MARKETING_DASHBOARD_COMPILED", raising=False)

    return use


def _shown(app: Any) -> str:
    """Every text the page shows: alerts, Markdown, and the empty charts' annotations."""
    import json

    texts = [str(item.value) for item in (*app.info, *app.markdown, *app.caption)]
    for chart in app.get("plotly_chart"):
        layout = json.loads(chart.proto.spec).get("layout", {})
        texts += [str(note.get("text", "")) for note in layout.get("annotations", [])]
    # The pages escape Markdown punctuation in what they show: read it as the reader does.
    return " ".join(texts).replace("\\", "")


def test_every_dashboard_page_renders_and_says_what_is_missing(
    subset_build: tuple[str, Build], on_build: Any
) -> None:
    from streamlit.runtime.caching import cache_data, cache_resource
    from streamlit.testing.v1 import AppTest

    subset, build = subset_build
    assert build.returncode == 0, build.failures()
    on_build(build)
    cache_data.clear()
    cache_resource.clear()  # the business questions compiled for another build's database
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.run()
    for path, title in PAGES:
        app.switch_page(f"views/{path}.py")
        app.run()
        problems = [f"exception: {item.value}" for item in app.exception]
        problems += [f"error: {item.value}" for item in app.error]
        problems += [f"warning: {item.value}" for item in app.warning]
        assert not problems, f"{subset} /{path}: {problems}"
        assert [item.value for item in app.title] == [title], path
        if subset == "empty":
            assert "Not enough data for " in _shown(app), f"/{path} says nothing is missing"
