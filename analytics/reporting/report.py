"""``python -m analytics report``: what the marts hold, the insights, and the answers.

The answers are the project's dbt analyses (``analyses/*.sql``): they are
compiled by dbt, so they read the same relations on DuckDB and PostgreSQL,
and run here against the target warehouse.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from ..dashboard import data, gaps
from ..warehouse import Warehouse
from .html import write_report
from .questions import compile_analyses

Query = Callable[[str], tuple[list[str], list[tuple[Any, ...]]]]
FrameQuery = Callable[[str], pd.DataFrame]

#: (relation, label, aggregate): the summary printed first.
_MART_FIGURES = (
    ("marts.customer_metrics", "customers with a purchase", "count(*)"),
    ("marts.product_performance", "products sold", "count(*)"),
    ("marts.campaign_performance", "campaigns", "count(*)"),
    ("marts.monthly_revenue", "months with revenue", "count(*)"),
    ("marts.monthly_revenue", "total revenue", "sum(total_revenue)"),
    ("marts.country_statistics", "countries", "count(*)"),
    ("marts.rfm_segmentation", "customers in RFM segments", "count(*)"),
    ("marts.rfm_segmentation", "RFM segments in use", "count(distinct segment)"),
    ("marts.customer_ltv", "predicted revenue, next 12 months", "sum(predicted_ltv_12m)"),
    (
        "marts.customer_ltv",
        "customers at risk or lost",
        "count(case when lifecycle_segment in ('At Risk', 'Lost') then 1 end)",
    ),
    ("marts.cohort_retention", "monthly acquisition cohorts", "count(distinct cohort_month)"),
    ("marts.campaign_targets", "customers on target lists", "count(*)"),
    ("core.fct_sessions", "web sessions", "count(*)"),
    ("core.fct_sessions", "converted sessions", "count(case when is_converted then 1 end)"),
    ("marts.channel_attribution", "attribution models", "count(distinct attribution_model)"),
    ("marts.amplitude_events", "events ready for Amplitude", "count(*)"),
)

#: The evidence of the statistics step (``python -m analytics analyze``), printed last:
#: (section, title, the rows to print); each section also says what it lacks.
_EVIDENCE: tuple[tuple[str, str, str], ...] = (
    (
        "products",
        "Products flagged for low ratings (marts.product_diagnostics)",
        """
        select product_name, reviews, low_rating_share, baseline_low_rating_share,
            p_value_holm, top_complaint_tag, top_complaint_tag_share, return_request_rate
        from marts.product_diagnostics
        where is_flagged
        order by p_value_holm, product_name
        """,
    ),
    (
        "tests",
        "Hypothesis tests (marts.hypothesis_tests; Holm-adjusted across the family)",
        """
        select test_id, method, n_a, n_b, p_value_holm, effect_size_name, effect_size,
            effect_size_ci_low, effect_size_ci_high, decision
        from marts.hypothesis_tests
        order by test_order
        """,
    ),
    (
        "ab_plan",
        "A/B test plan (marts.ab_test_plan)",
        """
        select scenario, baseline_conversion_rate, mde_relative, sample_size_per_arm,
            daily_eligible_sessions, days_needed, is_feasible, simulated_power
        from marts.ab_test_plan
        where status = 'planned'
        order by plan_order
        """,
    ),
    (
        "social",
        "Social trends that lead marketplace sales (marts.social_sales_lag_summary)",
        """
        select platform, category, best_lag_days, best_correlation, p_value_holm,
            granger_p_value_holm, units_per_mention
        from marts.social_sales_lag_summary
        where leads_sales
        order by platform, category
        """,
    ),
    (
        "campaign_plan",
        "The next campaign (marts.campaign_plan; the brief is data/reports/campaign_plan.md)",
        """
        select item_type, item, budget, budget_share, expected_revenue, expected_revenue_low,
            expected_revenue_high, evidence_status
        from marts.campaign_plan
        order by plan_item_order
        """,
    ),
)

#: What a section with a computed result but no row to print says.
_NOTHING_FOUND = {
    "products": (
        "none flagged: no product has significantly more 1-2 star reviews than its baseline"
    ),
    "social": "none: no platform's mentions lead marketplace sales significantly",
}


def evidence_notes(section: str, frames: FrameQuery) -> list[str]:
    """What an evidence section lacks, as the dashboard says it (analytics/dashboard/gaps.py)."""
    notes: list[str | None]
    if section == "products":
        notes = [gaps.diagnosis(frames, data.product_diagnostics(frames))]
    elif section == "tests":
        notes = list(gaps.hypothesis_tests(data.hypothesis_tests(frames)))
    elif section == "ab_plan":
        notes = [gaps.ab_plan(data.ab_test_plan(frames))]
    elif section == "social":
        notes = [gaps.social_lag(frames, data.social_lag_summary(frames))]
    else:
        plan = data.campaign_plan(frames)
        notes = [gaps.next_campaign(frames, plan), gaps.channel_budget(plan)]
    return [note for note in notes if note]


_INSIGHTS_SQL = """
    select title, subject, metric, metric_value, severity
    from marts.business_insights
    order by insight_order
"""


def _frames(target: str) -> FrameQuery:
    """Queries as DataFrames (numbers as numbers, NULL as NaN), as the dashboard reads."""
    warehouse = Warehouse(target, read_write=True)
    return lambda sql: data.numeric(warehouse.frame(sql))


def connect(target: str) -> Query:
    """A query function on the warehouse of a dbt target (``duckdb`` or ``postgres``).

    On PostgreSQL with dlt's secrets or the libpq variables, as the loader connects (see
    analytics/warehouse.py); on DuckDB read-write (the compile of the analyses does not
    open the file).
    """
    warehouse = Warehouse(target, read_write=True)
    warehouse.check()
    return warehouse.rows


def _format(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        # Its own scale (money 2, rates 4 decimals), at most 4 decimals.
        exponent = value.as_tuple().exponent
        decimals = min(max(-exponent, 0), 4) if isinstance(exponent, int) else 2
        return f"{value:,.{decimals}f}"
    if isinstance(value, float):  # statistics: p-values, correlations, effect sizes
        if value == 0 or abs(value) >= 100:
            return f"{value:,.2f}"
        return f"{value:.2e}" if abs(value) < 0.001 else f"{value:.4g}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def format_table(names: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "    ") -> str:
    """Rows as an aligned text table (numbers right-aligned; p-values below 1e-4 as <0.0001)."""
    is_p_value = [name.startswith("p_value") or "_p_value" in name for name in names]
    cells = [
        [
            "<0.0001" if flag and isinstance(value, float) and value < 0.0001 else _format(value)
            for value, flag in zip(row, is_p_value, strict=True)
        ]
        for row in rows
    ]
    widths = [
        max([len(name), *(len(row[index]) for row in cells)]) for index, name in enumerate(names)
    ]
    numeric = [
        all(isinstance(row[index], int | float | Decimal) or row[index] is None for row in rows)
        and bool(rows)
        for index in range(len(names))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ]
        return indent + "  ".join(parts).rstrip()

    output = [line(list(names)), indent + "  ".join("-" * width for width in widths)]
    output.extend(line(row) for row in cells)
    return "\n".join(output)


def print_report(
    target: str, project_dir: Path, out: TextIO = sys.stdout, html_out: Path | None = None
) -> None:
    """Print the marts summary, the insights and the answers; write the HTML report too."""
    query = connect(target)  # first: a missing warehouse is an error, not an empty file
    analyses = compile_analyses(target, project_dir)
    print(f"\nThe marts ({target})", file=out)
    figures = []
    for relation, label, expression in _MART_FIGURES:
        _, rows = query(f"select {expression} from {relation}")
        figures.append((label, rows[0][0]))
    print(format_table(["figure", "value"], figures), file=out)
    names, rows = query(_INSIGHTS_SQL)
    print("\nInsights (marts.business_insights; recommendations there)", file=out)
    print(format_table(names, rows), file=out)
    for number, analysis in enumerate(analyses, start=1):
        names, rows = query(analysis.sql)
        print(f"\n{number}. {analysis.question}  (analyses/{analysis.name}.sql)", file=out)
        if rows:
            print(format_table(names, rows), file=out)
        else:
            print("    not enough data for this question: the marts it reads are empty", file=out)
    print("\nEvidence (python -m analytics analyze)", file=out)
    frames = _frames(target)
    for section, title, sql in _EVIDENCE:
        names, rows = query(sql)
        notes = evidence_notes(section, frames)
        print(f"\n{title}", file=out)
        if rows:
            print(format_table(names, rows), file=out)
        elif not notes:
            print(f"    {_NOTHING_FOUND.get(section, 'none')}", file=out)
        for note in notes:
            print(f"    {note}", file=out)
    if html_out is not None:
        path = write_report(target, frames, analyses, html_out)
        print(f"\nHTML report (charts included, opens without a network): {path}", file=out)
    print_data_quality_warnings(query, out)


_DATA_QUALITY_SQL = """
select
    table_name,
    rejection_rate,
    most_common_reject_reason_code,
    invalid_rate,
    most_common_dq_issue_code,
    needs_attention,
    missing_columns,
    amount_unreconciled
from marts.data_quality_summary
order by table_name
"""


def data_quality_warnings(rows: list[tuple[Any, ...]]) -> list[str]:
    """One line per table whose data needs a look, from marts.data_quality_summary rows.

    A table needs attention when its rejected or invalid share passes var
    data_quality_warning_rate (``needs_attention``), when a file lacked contract
    columns, or when its money read does not reconcile with its revenue.
    """
    lines = []
    for table, rejected, reject_reason, invalid, issue, attention, missing, gap in rows:
        parts = []
        if attention and rejected is not None and reject_reason is not None and rejected > 0:
            parts.append(f"{rejected:.2f}% of records rejected (most often: {reject_reason})")
        if attention and invalid is not None and issue is not None and invalid > 0:
            parts.append(f"{invalid:.2f}% of rows invalid (most often: {issue})")
        if missing:
            parts.append(f"files without column(s) {missing}")
        if gap is not None and abs(gap) >= 0.01:
            parts.append(f"{gap:,.2f} of the money read is unaccounted for")
        if parts:
            lines.append(f"  {table}: " + "; ".join(parts))
    return lines


def print_data_quality_warnings(query: Any, out: TextIO = sys.stdout) -> None:
    """End the report with a visible block when any table's data needs a look."""
    _, rows = query(_DATA_QUALITY_SQL)
    lines = data_quality_warnings(rows)
    if not lines:
        return
    rule = "!" * 78
    print(f"\n{rule}", file=out)
    print(
        "WARNING: the data of these tables needs a look (shares above var "
        "data_quality_warning_rate, default 2%):",
        file=out,
    )
    for line in lines:
        print(line, file=out)
    print(
        "  details: marts.data_quality_summary, raw._rejected_records (file, line, reason)",
        file=out,
    )
    print(rule, file=out)
