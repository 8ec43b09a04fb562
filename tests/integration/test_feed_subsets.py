"""Every subset of the feeds runs green and gives that user their marts (issue 10, section 1).

Most users have only some of the eight feeds. Each case below is a source folder holding
only some files of the generated sample (scale 0.25, every documented defect in), loaded,
built with make run's production dbt flags (the empty folder with a plain ``dbt build``),
analysed and reported exactly as ``make run`` does, on DuckDB and on PostgreSQL:

- every step exits 0 and prints no traceback (the statistics step's own dbt tests pass);
- the as-of date is set whenever any feed has rows;
- the marts that subset feeds have rows;
- the five marts of issue 2 and the customer analytics (RFM, LTV, cohorts) equal the
  independent pandas computation of ``expected.py`` / ``test_customer_analytics.py`` made
  from the same files, so a subset never gets a silently different figure;
- on the three subsets that failed before (the empty folder, social trends with marketplace
  sales, web events alone: an as-of date of null in the A/B plan's not-null columns), the
  statistics step and the report say "Not enough data for X: Y" for what they cannot
  compute, and every dashboard page renders without an exception, error or warning.

The builds of one target run two at a time (dbt's per-node cost is single-threaded).
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analytics.dashboard import PAGES
from tests.conftest import REPO
from tests.integration import expected
from tests.integration.conftest import Build, build_warehouse
from tests.integration.test_customer_analytics import MART_KEYS as CUSTOMER_MART_KEYS
from tests.integration.test_customer_analytics import (
    _valid_orders,
    cohort_retention,
    customer_ltv,
    rfm_segmentation,
)
from tests.integration.test_marts import MART_KEYS, assert_same_rows
from tests.support import postgres

pytestmark = pytest.mark.slow

CUSTOMERS = "mongo/customers.json"
TRANSACTIONS = "mongo/transactions.json"
CAMPAIGNS = "mongo/campaigns.json"
SALES = "csv/sales.csv"
EVENTS = "json/events.jsonl"
REVIEWS = "json/reviews.jsonl"
SOCIAL_TRENDS = "csv/social_trends.csv"
MARKETPLACE_SALES = "csv/marketplace_sales.csv"

#: The customer marts any order feed gives (orders -> customers, RFM, LTV, cohorts, lists).
CUSTOMER_MARTS = (
    "core.fct_orders",
    "marts.customer_metrics",
    "marts.rfm_segmentation",
    "marts.customer_ltv",
    "marts.cohort_retention",
    "marts.monthly_revenue",
    "intermediate.int_campaign_target_candidates",
)
WEB_MARTS = (
    "core.fct_sessions",
    "marts.funnel_conversion",
    "marts.attribution_touchpoints",
    "marts.channel_attribution",
    "marts.amplitude_events",
)
#: Every mart each case must fill: a subset that feeds it and leaves it empty fails.
SUBSETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "mongo": (
        (CUSTOMERS, TRANSACTIONS, CAMPAIGNS),
        (
            *CUSTOMER_MARTS,
            "marts.campaign_targets",
            "marts.product_performance",
            "marts.campaign_performance",
            "marts.country_statistics",
        ),
    ),
    "sales_csv": ((SALES,), CUSTOMER_MARTS),
    "social_and_marketplace": (
        (SOCIAL_TRENDS, MARKETPLACE_SALES),
        (
            "core.fct_social_trends_daily",
            "core.fct_marketplace_sales_daily",
            "marts.social_sales_lag",
            "marts.social_sales_lag_summary",
        ),
    ),
    "web_events": ((EVENTS,), (*CUSTOMER_MARTS, *WEB_MARTS)),
    "transactions_events_reviews": (
        (TRANSACTIONS, EVENTS, REVIEWS),
        (
            *CUSTOMER_MARTS,
            *WEB_MARTS,
            "marts.product_performance",
            "marts.product_review_profile",
            "marts.product_diagnostics",
        ),
    ),
    "customers": ((CUSTOMERS,), ("core.dim_customers", "marts.country_statistics")),
    "transactions": ((TRANSACTIONS,), (*CUSTOMER_MARTS, "marts.product_performance")),
    "campaigns": ((CAMPAIGNS,), ("core.dim_campaigns", "marts.campaign_performance")),
    "reviews": ((REVIEWS,), ("core.fct_reviews", "marts.product_review_profile")),
    "social_trends": ((SOCIAL_TRENDS,), ("core.fct_social_trends_daily",)),
    "marketplace_sales": ((MARKETPLACE_SALES,), ("core.fct_marketplace_sales_daily",)),
    "empty": ((), ()),
}
#: What every case has, whatever its feeds (one row per raw table, the seven insights).
ALWAYS = ("intermediate.int_as_of_date", "marts.data_quality_summary", "marts.business_insights")

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
    "web_events": (
        "Not enough data for the product diagnosis: no valid reviews of any product.",
        "Not enough data for the social-to-sales lag: no social trends and no marketplace sales.",
        "Not enough data for the campaign plan: ",
    ),
}
#: Only in the step's summary (the report prints the tests as a table plus these lines).
SUMMARY_ONLY: dict[str, tuple[str, ...]] = {
    "empty": ("discount_quantity: not enough data (no valid transactions with a quantity)",),
    "social_and_marketplace": ("traffic_source_conversion: not enough data (no web sessions)",),
    "web_events": ("consent_spend: not enough data (no completed transactions",),
}
APP = REPO / "analytics" / "dashboard" / "app.py"

#: make run's dbt build: no unit tests (data independent, run by make test's own
#: builds), no evidence-table tests before the statistics step fills them.
PRODUCTION_FLAGS = (
    "--exclude-resource-type",
    "unit_test",
    "--exclude",
    "test_type:data,tag:evidence",
)


@dataclass
class SubsetBuild:
    """One case on one target: the build, its report's output and the case's exports."""

    case: str
    build: Build
    report_returncode: int
    report_output: str
    report_html: Path
    exports: expected.Exports
    marts: expected.Marts

    def all_output(self) -> str:
        return self.build.output + "\n--- report ---\n" + self.report_output


def _subset_source(generated: Path, root: Path, files: tuple[str, ...]) -> Path:
    """A source folder holding only ``files`` of the generated exports (links, same names)."""
    root.mkdir(parents=True)
    for relative in files:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(generated / relative)
    return root


def _report(build: Build, scratch: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "analytics", "report", "--target", build.target]
    return subprocess.run(
        [*command, "--html", str(scratch / "report.html")],
        cwd=REPO,
        env=build.environment,
        capture_output=True,
        text=True,
        check=False,
    )


def _build_case(
    target: str,
    case: str,
    generated: Path,
    scratch: Path,
    seeds: expected.Seeds,
    database: dict[str, str] | None,
) -> SubsetBuild:
    files, _ = SUBSETS[case]
    source = _subset_source(generated, scratch / "raw", files)
    # The empty folder runs a plain `dbt build` (unit tests too), as a dbt user would:
    # no unit test may need a raw table that a subset lacks.
    flags = () if case == "empty" else PRODUCTION_FLAGS
    build = build_warehouse(target, source, scratch, database, flags)
    report = (
        _report(build, scratch)
        if build.returncode == 0
        else subprocess.CompletedProcess([], 1, "", "not run: the build failed")
    )
    exports = expected.Exports.read(source, seeds)
    marts = expected.marts_of(exports, seeds, build.loaded_date)
    output = report.stdout + report.stderr
    return SubsetBuild(
        case, build, report.returncode, output, scratch / "report.html", exports, marts
    )


def _build_all(
    target: str, generated: Path, scratch: Path, seeds: expected.Seeds
) -> Iterator[dict[str, SubsetBuild]]:
    databases = {
        case: postgres.create_database("marketing_subset") if target == "postgres" else None
        for case in SUBSETS
    }
    try:
        workers = min(2, os.cpu_count() or 1)
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            futures = {
                case: pool.submit(
                    _build_case, target, case, generated, scratch / case, seeds, databases[case]
                )
                for case in SUBSETS
            }
            yield {case: future.result() for case, future in futures.items()}
    finally:
        for database in databases.values():
            if database is not None:
                postgres.drop_database(database["PGDATABASE"])


@pytest.fixture(scope="session")
def duckdb_subsets(
    generated_source: Path, seeds: expected.Seeds, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, SubsetBuild]]:
    yield from _build_all("duckdb", generated_source, tmp_path_factory.mktemp("subsets"), seeds)


@pytest.fixture(scope="session")
def postgres_subsets(
    postgres_server: None,
    generated_source: Path,
    seeds: expected.Seeds,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, SubsetBuild]]:
    scratch = tmp_path_factory.mktemp("subsets_pg")
    yield from _build_all("postgres", generated_source, scratch, seeds)


CASES = [
    pytest.param((target, case), id=f"{target}-{case}", marks=marks)
    for target, marks in (("duckdb", ()), ("postgres", (pytest.mark.postgres,)))
    for case in SUBSETS
]


@pytest.fixture
def subset(request: pytest.FixtureRequest) -> SubsetBuild:
    target, case = request.param
    builds: dict[str, SubsetBuild] = request.getfixturevalue(f"{target}_subsets")
    return builds[case]


@pytest.mark.parametrize("subset", CASES, indirect=True)
def test_every_step_exits_zero(subset: SubsetBuild) -> None:
    assert subset.build.returncode == 0, subset.build.failures()
    assert subset.report_returncode == 0, subset.report_output[-3000:]
    assert "Traceback" not in subset.all_output(), subset.all_output()[-5000:]


@pytest.mark.parametrize("subset", CASES, indirect=True)
def test_its_marts_have_rows(subset: SubsetBuild) -> None:
    _, marts = SUBSETS[subset.case]
    empty = [
        relation
        for relation in (*ALWAYS, *marts)
        if subset.build.scalar(f"select count(*) from {relation}") == 0
    ]
    assert not empty, f"{subset.case} on {subset.build.target}: empty {empty}"


@pytest.mark.parametrize("subset", CASES, indirect=True)
def test_the_as_of_date_comes_from_the_feeds_present(subset: SubsetBuild) -> None:
    as_of = subset.build.scalar("select as_of_date from intermediate.int_as_of_date")
    assert as_of == subset.marts.as_of_date
    assert (as_of is None) == (subset.case == "empty")


@pytest.mark.parametrize("subset", CASES, indirect=True)
@pytest.mark.parametrize("mart", MART_KEYS)
def test_the_marts_match_an_independent_computation(subset: SubsetBuild, mart: str) -> None:
    actual = subset.build.rows(f"marts.{mart}")
    what = f"{mart} on {subset.build.target} ({subset.case})"
    assert_same_rows(actual, subset.marts[mart], MART_KEYS[mart], what)


CUSTOMER_ANALYTICS = {
    "customer_ltv": (customer_ltv, ("customer_id",)),
    "rfm_segmentation": (rfm_segmentation, ("customer_id",)),
    "cohort_retention": (cohort_retention, CUSTOMER_MART_KEYS["cohort_retention"]),
}


@pytest.mark.parametrize("subset", CASES, indirect=True)
@pytest.mark.parametrize("mart", CUSTOMER_ANALYTICS)
def test_the_customer_analytics_match_an_independent_computation(
    subset: SubsetBuild, mart: str
) -> None:
    compute, key = CUSTOMER_ANALYTICS[mart]
    if subset.marts.as_of_date is None or _valid_orders(subset.marts).empty:
        # No order naming a customer: nothing to analyse.
        assert subset.build.rows(f"marts.{mart}").empty
        return
    wanted: pd.DataFrame = compute(subset.marts)
    actual = subset.build.rows(f"marts.{mart}")[list(wanted.columns)]
    assert_same_rows(actual, wanted, key, f"{mart} on {subset.build.target} ({subset.case})")


def test_the_cases_cover_every_feed_alone_and_the_documented_combinations() -> None:
    files = {case: set(feeds) for case, (feeds, _) in SUBSETS.items()}
    every_feed = {
        CUSTOMERS,
        TRANSACTIONS,
        CAMPAIGNS,
        SALES,
        EVENTS,
        REVIEWS,
        SOCIAL_TRENDS,
        MARKETPLACE_SALES,
    }
    assert {frozenset({feed}) for feed in every_feed} <= {frozenset(f) for f in files.values()}
    assert files["empty"] == set()
    assert files["mongo"] == {CUSTOMERS, TRANSACTIONS, CAMPAIGNS}
    assert files["transactions_events_reviews"] == {TRANSACTIONS, EVENTS, REVIEWS}
    assert files["social_and_marketplace"] == {SOCIAL_TRENDS, MARKETPLACE_SALES}


@pytest.mark.parametrize("subset", [c for c in CASES if c.values[0][1] == "mongo"], indirect=True)
def test_the_report_ends_with_the_data_quality_warning(subset: SubsetBuild) -> None:
    # The generated customers have 3.4% invalid rows (planted defects), above the 2% default.
    tail = subset.report_output.strip().splitlines()[-6:]
    assert any("WARNING: the data of these tables needs a look" in line for line in tail), tail
    assert any(line.startswith("  customers: ") for line in tail), tail


#: The cases whose statistics step, report and dashboard must say what is missing.
SAYS_MISSING = [c for c in CASES if c.values[0][1] in MISSING]


@pytest.mark.parametrize("subset", SAYS_MISSING, indirect=True)
def test_the_statistics_step_says_what_is_missing_and_its_tests_pass(
    subset: SubsetBuild,
) -> None:
    case, build = subset.case, subset.build
    # dbt build and the statistics step with its own dbt build both passed
    assert build.returncode == 0, build.failures()
    summary = build.output.split("--- python -m analytics analyze ---", 1)[1]
    assert "Traceback" not in summary
    for sentence in (*MISSING[case], *SUMMARY_ONLY[case]):
        assert sentence in summary, f"{case}: {sentence!r} not in\n{summary[-4000:]}"
    assert build.scalar("select count(*) from marts.hypothesis_tests") == 6
    statuses = build.rows("marts.ab_test_plan")["status"].tolist()
    assert statuses == ["not_enough_data"] or set(statuses) == {"planned"}


@pytest.mark.parametrize("subset", SAYS_MISSING, indirect=True)
def test_the_report_says_what_is_missing(subset: SubsetBuild) -> None:
    # The report of the case (make run's, with --html), run by the fixture.
    assert subset.report_returncode == 0, subset.report_output[-3000:]
    assert "Traceback" not in subset.report_output
    evidence = subset.report_output.split("Evidence (python -m analytics analyze)", 1)[1]
    for sentence in MISSING[subset.case]:
        assert sentence in evidence, f"{subset.case}: {sentence!r} not in\n{evidence}"
    assert "has not run" not in evidence
    page = subset.report_html.read_text(encoding="utf-8")
    assert 'class="note missing">Not enough data for the campaign plan: ' in page
    assert "Data as of None" not in page


def _shown(app: Any) -> str:
    """Every text the page shows: alerts, Markdown, and the empty charts' annotations."""
    import json

    texts = [str(item.value) for item in (*app.info, *app.markdown, *app.caption)]
    for chart in app.get("plotly_chart"):
        layout = json.loads(chart.proto.spec).get("layout", {})
        texts += [str(note.get("text", "")) for note in layout.get("annotations", [])]
    # The pages escape Markdown punctuation in what they show: read it as the reader does.
    return " ".join(texts).replace("\\", "")


@pytest.mark.parametrize("subset", SAYS_MISSING, indirect=True)
def test_every_dashboard_page_renders_and_says_what_is_missing(
    subset: SubsetBuild, on_build: Any
) -> None:
    from streamlit.runtime.caching import cache_data, cache_resource
    from streamlit.testing.v1 import AppTest

    case, build = subset.case, subset.build
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
        assert not problems, f"{case} /{path}: {problems}"
        assert [item.value for item in app.title] == [title], path
        if case == "empty":
            assert "Not enough data for " in _shown(app), f"/{path} says nothing is missing"
