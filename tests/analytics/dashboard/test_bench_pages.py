"""The dashboard benchmark's pure parts: aggregation, the table, the child's output."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from analytics.dashboard import PAGES
from analytics.dashboard.bench_pages import (
    STARTUP,
    PageRenderError,
    PageTiming,
    check_page,
    format_table,
    parse_output,
    slow_pages,
    split_startup,
)


def _timings() -> list[PageTiming]:
    return [
        PageTiming(STARTUP, "Startup", (8.4,)),
        PageTiming("overview", "Overview", (0.9, 2.5, 0.7), 0.05),
        PageTiming("customers", "Customers", (0.4, 0.6, 0.5, 0.3), 0.12),
        PageTiming("products", "Products", (0.2,), 0.04),
    ]


def test_median_and_max_of_the_cold_runs() -> None:
    overview, customers = _timings()[1:3]
    assert overview.cold_median == pytest.approx(0.9)
    assert overview.cold_max == pytest.approx(2.5)
    assert customers.cold_median == pytest.approx(0.45)  # even count: the mean of the middle
    assert customers.cold_max == pytest.approx(0.6)


def test_startup_is_kept_apart_from_the_pages() -> None:
    startup, pages = split_startup(_timings())
    assert startup is not None and startup.cold_max == pytest.approx(8.4)
    assert [timing.page for timing in pages] == ["overview", "customers", "products"]
    assert split_startup(_timings()[1:])[0] is None


def test_slow_pages_judge_the_slowest_cold_run_and_skip_the_startup() -> None:
    assert [timing.page for timing in slow_pages(_timings())] == ["overview"]
    assert [timing.page for timing in slow_pages(_timings(), limit=0.5)] == [
        "overview",
        "customers",
    ]


def test_table_has_one_row_per_page_the_startup_and_the_target() -> None:
    lines = format_table(_timings(), scale=10)
    assert lines[0] == "| dashboard page | cold median s | cold max s | warm s |"
    assert lines[1] == "|---|---:|---:|---:|"
    assert lines[2] == "| Overview | 0.90 | 2.50 | 0.05 |"
    assert lines[3] == "| Customers | 0.45 | 0.60 | 0.12 |"
    assert lines[4] == "| Products | 0.20 | 0.20 | 0.04 |"
    assert lines[5] == ""
    assert "8.40 s" in lines[6] and "4 runs per page" in lines[6]
    assert lines[-1] == (
        "Target: < 2 s per page at scale 10 (every cold run): over it: Overview (2.50 s)."
    )


def test_target_line_when_met_and_at_another_scale() -> None:
    fast = [PageTiming("products", "Products", (0.2, 0.3), 0.04)]
    assert format_table(fast, scale=10)[-1].endswith(": met, slowest Products (0.30 s).")
    small = format_table(fast, scale=0.1)[-1]
    assert small == (
        "Target: < 2 s per page at scale 10 (every cold run): met, slowest Products (0.30 s). "
        "(This run is scale 0.1: the target is judged at 10.)"
    )
    assert not any("startup" in line for line in format_table(fast))


def test_the_child_output_round_trips() -> None:
    timings = _timings()
    stdout = "noise\n" + json.dumps({"timings": [timing.as_json() for timing in timings]}) + "\n"
    assert parse_output(stdout, 0) == timings


def test_a_broken_page_or_a_failed_child_raises() -> None:
    with pytest.raises(PageRenderError, match="Customers"):
        parse_output(json.dumps({"error": "dashboard page 'Customers': error: boom"}), 1)
    with pytest.raises(RuntimeError, match="exit 1"):
        parse_output("", 1, "Traceback ...\nImportError: x")
    with pytest.raises(RuntimeError, match="exit 0"):
        parse_output("not json", 0)


def _app(charts: int = 1, **elements: list[Any]) -> Any:
    def get(kind: str) -> list[object]:
        return [object()] * charts if kind == "plotly_chart" else []

    kinds = {"exception": [], "error": [], "warning": [], "info": [], **elements}
    return SimpleNamespace(get=get, **kinds)


def test_check_page_fails_loudly_with_the_page_and_its_messages() -> None:
    check_page(_app(), "Overview")
    with pytest.raises(PageRenderError, match=r"'Overview'.*exception: KeyError: 'x'"):
        check_page(_app(exception=[SimpleNamespace(value="KeyError: 'x'")]), "Overview")
    with pytest.raises(PageRenderError, match=r"'Social to sales'.*error: no warehouse"):
        check_page(_app(error=[SimpleNamespace(value="no warehouse")]), "Social to sales")
    with pytest.raises(PageRenderError, match=r"no plotly_chart element; shown: .*analyze"):
        check_page(_app(charts=0, info=[SimpleNamespace(value="run make analyze")]), "Social")


def test_every_page_has_a_view_script() -> None:
    from analytics.dashboard.bench_pages import APP

    for path, _ in PAGES:
        assert (APP.parent / "views" / f"{path}.py").is_file()
