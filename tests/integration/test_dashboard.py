"""The Streamlit dashboard under Streamlit's own AppTest, on the generated builds.

Every page runs against the shared generated warehouse (scale 0.25) on DuckDB and
PostgreSQL and must show its charts without an exception or an error element; the
overview's figures and the filters are checked against the warehouse's own rows; a
missing and a locked DuckDB file give the people's message, not a stack trace; the
exposures declare exactly what the dashboard and the report read.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from analytics.dashboard import PAGES
from analytics.dashboard.data import MARTS
from analytics.dashboard.text import markdown as escape
from analytics.reporting.html import RELATIONS
from tests.conftest import REPO
from tests.integration.conftest import Build

pytestmark = pytest.mark.slow

APP = REPO / "analytics" / "dashboard" / "app.py"
#: Charts each page must show at least.
MIN_CHARTS = {
    "overview": 1,
    "customers": 6,
    "campaigns": 3,
    "products": 2,
    "social": 2,
    "experiments": 2,
}


def _app() -> Any:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(APP), default_timeout=180)
    app.run()
    return app


def _page(app: Any, path: str) -> Any:
    app.switch_page(f"views/{path}.py")
    app.run()
    return app


def _problems(app: Any) -> list[str]:
    return [f"exception: {item.value}" for item in app.exception] + [
        f"error: {item.value}" for item in app.error
    ]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _money(value: Any) -> str:
    return f"{float(value or 0):,.2f}"


def test_every_page_renders_its_charts_without_errors(generated_build: Build, on_build: Any):
    assert generated_build.returncode == 0, generated_build.failures()
    on_build(generated_build)
    app = _app()
    assert not _problems(app)
    for path, title in PAGES:
        _page(app, path)
        assert not _problems(app), f"{path}: {_problems(app)}"
        assert [item.value for item in app.title] == [title], path
        charts = app.get("plotly_chart")
        assert len(charts) >= MIN_CHARTS[path], f"{path}: {len(charts)} charts"
        for chart in charts:  # every figure has data, not the "nothing to draw" placeholder
            figure = json.loads(chart.proto.spec)
            assert figure["data"], f"{path}: an empty chart"
        assert not app.warning, f"{path}: {[item.value for item in app.warning]}"


def _orders(build: Build, start: date, end: date, country: str | None = None) -> dict[str, Any]:
    join = "left join marts.customer_metrics c on c.customer_id = o.customer_id"
    where = f"o.is_revenue and o.order_date between date '{start}' and date '{end}'"
    if country:
        where += f" and c.country_code = '{country}'"
    sql = (
        "select coalesce(sum(o.total_amount), 0), count(*), count(distinct o.customer_id) "
        f"from core.fct_orders o {join} where {where}"
    )
    connection = build.connect()
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        revenue, orders, customers = cursor.fetchone()
    finally:
        connection.close()
    return {"revenue": Decimal(revenue), "orders": orders, "customers": customers}


def _metrics(app: Any) -> dict[str, tuple[str, str]]:
    return {item.label: (item.value, item.proto.delta) for item in app.metric}


def _expected_cards(build: Build, end: date, days: int, country: str | None = None):
    start = end - timedelta(days=days - 1)
    current = _orders(build, start, end, country)
    previous = _orders(build, start - timedelta(days=days), start - timedelta(days=1), country)
    return current, previous


def _check_cards(app: Any, current: dict[str, Any], previous: dict[str, Any]) -> None:
    cards = _metrics(app)
    assert cards["Revenue"][0] == _money(current["revenue"])
    assert cards["Orders"][0] == f"{current['orders']:,}"
    assert cards["Active customers"][0] == f"{current['customers']:,}"
    aov = current["revenue"] / current["orders"] if current["orders"] else 0
    assert cards["Average order value"][0] == _money(aov)
    if previous["revenue"]:
        change = (float(current["revenue"]) - float(previous["revenue"])) / float(
            previous["revenue"]
        )
        assert cards["Revenue"][1] == f"{change:+.1%}"
    if previous["orders"]:
        change = (current["orders"] - previous["orders"]) / previous["orders"]
        assert cards["Orders"][1] == f"{change:+.1%}"


def test_overview_cards_and_country_filter_match_the_warehouse(
    generated_build: Build, on_build: Any
):
    on_build(generated_build)
    last_day = generated_build.scalar(
        "select max(order_date) from core.fct_orders where is_revenue"
    )
    app = _page(_app(), "overview")
    current, previous = _expected_cards(generated_build, last_day, 30)
    assert current["orders"] > 0 and previous["orders"] > 0
    _check_cards(app, current, previous)

    # The 90-day window, then one country: the cards follow the filters.
    app.get("button_group")[0].set_value("last 90 days").run()
    _check_cards(app, *_expected_cards(generated_build, last_day, 90))
    country = generated_build.scalar(
        "select country_code from marts.country_statistics where country_code is not null "
        "order by total_revenue desc, country limit 1"
    )
    app.sidebar.multiselect(key="filter_countries").set_value([country]).run()
    assert not _problems(app)
    _check_cards(app, *_expected_cards(generated_build, last_day, 90, country))

    # The five business questions are answered with their analyses' first rows.
    top = generated_build.scalar(
        "select full_name from marts.customer_metrics order by total_spent desc, customer_id "
        "limit 1"
    )
    markdown = " ".join(str(item.value) for item in app.markdown)
    assert f"Best customer: **{escape(top)}**" in markdown
    best_country = generated_build.scalar(
        "select country from marts.country_statistics where country is not null "
        "order by total_revenue desc, country limit 1"
    )
    assert f"**{escape(best_country)}** brings the most revenue" in markdown


def test_campaign_table_sorts_and_filters_by_channel(generated_build: Build, on_build: Any):
    on_build(generated_build)
    app = _page(_app(), "campaigns")
    app.selectbox(key="campaigns_sort").set_value("CPA").run()
    table = app.dataframe[0].value
    cpa = [value for value in table["cpa"] if value == value and value is not None]
    assert cpa == sorted(cpa), "CPA sorts ascending by default"
    app.sidebar.multiselect(key="filter_campaign_types").set_value(["email"]).run()
    assert not _problems(app)
    table = app.dataframe[0].value
    assert set(table["campaign_type"]) == {"email"}
    expected = generated_build.scalar(
        "select count(*) from marts.campaign_performance where campaign_type = 'email'"
    )
    assert len(table) == expected, "the full date range shows every campaign"

    # A narrower range keeps the campaigns active in it (lifetime figures).
    start = generated_build.scalar(
        "select min(start_date) from marts.campaign_performance where campaign_type = 'email'"
    )
    end = start + timedelta(days=6)
    app.sidebar.date_input(key="filter_dates").set_value((start, end)).run()
    assert not _problems(app)
    table = app.dataframe[0].value
    expected = generated_build.scalar(
        "select count(*) from marts.campaign_performance where campaign_type = 'email' "
        f"and (start_date is null or start_date <= date '{end}') "
        f"and (end_date is null or end_date >= date '{start}')"
    )
    assert (
        0
        < len(table)
        == expected
        < generated_build.scalar(
            "select count(*) from marts.campaign_performance where campaign_type = 'email'"
        )
    )


def test_missing_warehouse_is_a_message_not_a_stack_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("DBT_TARGET", "duckdb")
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "nothing-here.duckdb"))
    app = _app()
    for path, _ in PAGES:
        _page(app, path)
        assert not app.exception, path
        messages = [item.value for item in app.error]
        assert messages and "There is no warehouse yet" in messages[0], (path, messages)
        assert "make run" in messages[0]
    assert not (tmp_path / "nothing-here.duckdb").exists(), "the dashboard made a file"


def test_warehouse_being_rebuilt_is_a_message_and_the_dashboard_never_blocks_a_writer(
    duckdb_generated: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(duckdb_generated.environment["DUCKDB_PATH"], copy)
    monkeypatch.setenv("DBT_TARGET", "duckdb")
    monkeypatch.setenv("DUCKDB_PATH", str(copy))
    app = _page(_app(), "customers")
    assert not _problems(app)

    # The dashboard holds no connection between runs: a writer gets the file at once.
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"c = duckdb.connect({str(copy)!r})\n"
            "c.execute('create table marts.lock_probe as select 1 as x')\n"
            "print('locked', flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "locked"
        from streamlit import cache_data

        cache_data.clear()  # as after a rebuild started: nothing cached to fall back on
        for path, _ in PAGES:
            _page(app, path)
            assert not app.exception, path
            messages = [item.value for item in app.warning]
            assert messages and "is being rebuilt" in messages[0], (path, messages)
    finally:
        writer.kill()
        writer.wait()
    time.sleep(0.2)
    app = _page(app, "products")  # the writer is gone: the page is back
    assert not _problems(app) and not app.warning


def _exposure_relations(manifest: dict[str, Any], name: str) -> set[str]:
    exposure = manifest["exposures"][f"exposure.marketing_analytics.{name}"]
    relations = set()
    for node in exposure["depends_on"]["nodes"]:
        model = manifest["nodes"][node]
        relations.add(f"{model['schema']}.{model['alias'] or model['name']}")
    return relations


def test_exposures_declare_what_the_dashboard_and_the_report_read(duckdb_generated: Build):
    manifest_path = Path(duckdb_generated.environment["DBT_TARGET_PATH"]) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    dashboard = {relation for relations in MARTS.values() for relation in relations}
    assert _exposure_relations(manifest, "marketing_dashboard") == dashboard
    assert _exposure_relations(manifest, "marketing_report") == set(RELATIONS)
    # ... and every relation each page reads exists in the warehouse.
    for relation in sorted(dashboard | set(RELATIONS)):
        duckdb_generated.scalar(f"select count(*) from {relation}")


# --- what a marketing lead reads ----------------------------------------------------------------


def _tables(app: Any) -> list[tuple[dict[str, Any], list[str], Any]]:
    """Each table's column configuration, shown columns and the frame it shows."""
    shown = []
    for frame in app.dataframe:
        config = json.loads(frame.proto.columns)
        shown.append((config, list(frame.proto.column_order), frame))
    return shown


def test_every_table_has_word_headers_no_none_cell_and_fits_the_page(
    generated_build: Build, on_build: Any
):
    from analytics.dashboard import formats, tables

    on_build(generated_build)
    app = _app()
    seen = 0
    for path, _ in PAGES:
        _page(app, path)
        for config, columns, frame in _tables(app):
            seen += 1
            where = f"{path}: {columns}"
            assert columns, where
            headers = [config[name]["label"] for name in columns]
            assert not [h for h in headers if formats.is_snake_case(h) or "_" in h], where
            # A missing value reads as an em dash, not "None" ...
            assert frame.proto.placeholder == formats.MISSING, where
            values = frame.value[columns]
            for name in columns:
                texts = {str(value) for value in values[name] if isinstance(value, str)}
                assert not texts & {"None", "nan", "NaN", "NaT"}, (where, name)
            # ... and the columns fit side by side (long text wraps in taller rows).
            width = sum(config[name]["width"] for name in columns)
            assert width <= tables.PAGE_WIDTH, (where, width)
    assert seen >= 10


def test_campaigns_with_too_little_spend_never_top_the_roi_or_roas_table(
    generated_build: Build, on_build: Any
):
    from analytics.dashboard.spend import TOO_LITTLE_SPEND, minimum_spend

    on_build(generated_build)
    minimum = minimum_spend()
    below = generated_build.scalar(
        f"select count(*) from marts.campaign_performance where total_spend < {minimum}"
    )
    best_roi = generated_build.scalar(
        "select max(roi) from marts.campaign_performance where total_spend > 0"
    )
    cheapest_best = generated_build.scalar(
        f"select max(roi) from marts.campaign_performance where total_spend < {minimum}"
    )
    assert below > 0 and cheapest_best == best_roi, "the build has a cheap campaign on top"
    app = _page(_app(), "campaigns")
    for sort in ("ROI", "ROAS"):
        app.selectbox(key="campaigns_sort").set_value(sort).run()
        assert not _problems(app)
        table = app.dataframe[0].value
        marked = list(table["spend_note"] == TOO_LITTLE_SPEND)
        assert sum(marked) == below, sort
        # Every marked campaign comes after every campaign with enough spend.
        assert marked == sorted(marked), sort
        assert table["total_spend"].iloc[0] >= minimum, sort
    labels = json.loads(app.dataframe[0].proto.columns)
    assert labels["spend_note"]["label"] == "Note"
    assert labels["attributed_revenue"]["label"] == "Attributed revenue"


def _figure(app: Any, key: str) -> dict[str, Any]:
    for chart in app.get("plotly_chart"):
        if chart.proto.id.endswith(key) or key in chart.proto.id:
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key}")


def test_ab_plan_axis_is_linear_and_the_cohort_heatmap_marks_unfinished_months(
    generated_build: Build, on_build: Any
):
    from analytics.dashboard.views.experiments import AB_PLAN_CAP

    on_build(generated_build)
    app = _page(_app(), "experiments")
    plan = _figure(app, "experiments_plan")
    longest = generated_build.scalar("select max(max_test_days) from marts.ab_test_plan")
    axis = plan["layout"]["yaxis"]
    assert axis["type"] == "linear" and axis["range"][1] <= 2 * AB_PLAN_CAP * longest
    bars = plan["data"][0]
    assert len(set(bars["x"])) == len(bars["x"]), "two scenarios share a label"

    _page(app, "customers")
    cohorts = _figure(app, "customers_cohorts")
    names = [trace.get("name") for trace in cohorts["data"]]
    assert names == ["finished months", "unfinished months"]
    partial = generated_build.scalar(
        "select count(*) from marts.cohort_retention where is_partial_month"
    )
    marked = [text for row in cohorts["data"][1]["text"] for text in row if text]
    assert partial > 0 and len(marked) == partial, "each month in progress shows its share so far"
