"""The shareable report: one self-contained HTML file with the dashboard's headline charts.

Written by ``python -m analytics report`` (``make report``, the end of ``make run``) to
``data/reports/report.html`` unless told otherwise. Plotly's JavaScript is inlined once,
so the file opens from an e-mail attachment or a wiki without a server or a network:
no ``<script src>``, no fonts or maps fetched from anywhere.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from plotly.offline import get_plotlyjs

from ..dashboard import PAGES, data, formats, gaps
from ..dashboard.data import Filters, Query
from ..dashboard.views import campaigns, customers, experiments, overview, products, social
from .questions import QUESTIONS, Analysis

#: The relations the report reads (the exposure marketing_report declares the same).
RELATIONS: tuple[str, ...] = tuple(
    dict.fromkeys(("intermediate.int_as_of_date", *(r for rs in data.MARTS.values() for r in rs)))
)

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 0; color: #262730; background: #fff; }
header { background: #0e1117; color: #fff; padding: 24px 40px; }
header h1 { margin: 0 0 6px 0; font-size: 28px; }
header p { margin: 0; color: #c8ccd4; }
nav { padding: 10px 40px; border-bottom: 1px solid #e6e9ef; position: sticky; top: 0;
      background: #fff; z-index: 10; }
nav a { margin-right: 18px; color: #1f77b4; text-decoration: none; font-weight: 600; }
main { padding: 0 40px 40px 40px; max-width: 1300px; }
section { margin-top: 36px; }
h2 { border-bottom: 2px solid #1f77b4; padding-bottom: 4px; }
.cards { display: flex; gap: 16px; flex-wrap: wrap; }
.card { border: 1px solid #e6e9ef; border-radius: 8px; padding: 12px 18px; min-width: 200px; }
.card .label { color: #6b7280; font-size: 14px; }
.card .value { font-size: 26px; font-weight: 600; }
.card .delta.up { color: #15803d; } .card .delta.down { color: #b91c1c; }
.chart { margin: 18px 0; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 18px 0; }
th, td { border: 1px solid #e6e9ef; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f7f9; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.answer { border: 1px solid #e6e9ef; border-radius: 8px; padding: 8px 16px; margin: 12px 0; }
.note { color: #6b7280; font-size: 13px; }
"""


#: The kinds of number the report formats as everywhere else; the rest stay compact.
_FORMATTED = frozenset({"p_value", "share", "percent_units"})


def _cell(value: Any, name: str) -> tuple[str, bool]:
    """The text of one table cell, and whether it is a number (right-aligned).

    p-values, shares and rates in percent read as on the dashboard (:mod:`.formats`);
    other numbers keep the report's compact form.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return "-", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, numbers.Integral):
        return f"{value:,}", True
    if isinstance(value, float):
        kind = formats.kind(name)
        if kind in _FORMATTED:
            return formats.FORMATTERS[kind](value), True
        if value == int(value) and abs(value) >= 1000:
            return f"{value:,.0f}", True
        return (f"{value:,.2f}" if abs(value) >= 1 else f"{value:.4g}"), True
    if hasattr(value, "isoformat"):
        return value.isoformat(), False
    return str(value), False


def table(frame: pd.DataFrame, columns: Sequence[str] | None = None, limit: int = 50) -> str:
    """A DataFrame as an HTML table (numbers right-aligned, at most ``limit`` rows)."""
    if frame.empty:
        return '<p class="note">No rows.</p>'
    names = list(columns or frame.columns)
    head = "".join(f"<th>{html.escape(name)}</th>" for name in names)
    rows = []
    for record in frame[names].head(limit).to_dict("records"):
        cells = []
        for name in names:
            text, is_number = _cell(record[name], name)
            css = ' class="number"' if is_number else ""
            cells.append(f"<td{css}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="note">{len(frame) - limit:,} more rows in the dashboard.</p>'
        if len(frame) > limit
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _figure(figure: Any) -> str:
    markup: str = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        config={"displaylogo": False, "responsive": True},
    )
    return f'<div class="chart">{markup}</div>'


def _cards(comparison: overview.PeriodComparison) -> str:
    cards = []
    for measure, label, formatter in overview.CARDS:
        value = comparison.current[measure]
        change = comparison.change(measure)
        delta = (
            f'<div class="delta {"up" if change >= 0 else "down"}">{formats.change(change)}</div>'
            if change is not None
            else '<div class="delta">no earlier orders</div>'
        )
        cards.append(
            f'<div class="card"><div class="label">{label}</div>'
            f'<div class="value">{formatter(value)}</div>{delta}</div>'
        )
    return '<div class="cards">' + "".join(cards) + "</div>"


def _note(text: str) -> str:
    """A sentence for people (what a section lacks), its data values escaped."""
    return f'<p class="note missing">{html.escape(text)}</p>'


def _section(anchor: str, title: str, parts: Sequence[str]) -> str:
    return f'<section id="{anchor}"><h2>{html.escape(title)}</h2>{"".join(parts)}</section>'


def _overview(query: Query, answers: Sequence[Analysis]) -> str:
    first_day, last_day = data.order_date_bounds(query)
    parts = []
    if first_day is not None and last_day is not None:
        start = max(first_day, last_day - timedelta(days=29))
        comparison = overview.period_comparison(query, Filters(), start, last_day)
        parts.append(
            f'<p class="note">Last 30 days with orders ({comparison.start} to '
            f"{comparison.end}) against the 30 days before.</p>"
        )
        parts.append(_cards(comparison))
    trend = overview.revenue_over_time(query, Filters())
    missing = gaps.revenue(trend)
    parts.append(_note(missing) if missing else _figure(overview.revenue_trend_chart(trend)))
    parts.append("<h3>The five business questions</h3>")
    for analysis in answers[:5]:
        frame = query(analysis.sql)
        answer = (
            table(frame)
            if not frame.empty
            else _note("Not enough data for this question: the marts it reads are empty.")
        )
        parts.append(
            f'<div class="answer"><p><b>{html.escape(analysis.question)}</b> '
            f'<span class="note">(analyses/{analysis.name}.sql)</span></p>{answer}</div>'
        )
    parts.append("<h3>Automated insights</h3>")
    parts.append(
        table(
            overview.insights(query),
            [
                "title",
                "subject",
                "metric",
                "metric_value",
                "metric_unit",
                "severity",
                "recommendation",
            ],
        )
    )
    return _section("overview", "Overview", parts)


def _customers(query: Query) -> str:
    segments = customers.rfm_segments(query, Filters())
    missing = gaps.customers(segments)
    if missing:
        return _section("customers", "Customers", [_note(missing)])
    lifecycle = customers.lifecycle_segments(query, Filters())
    lists = customers.target_lists(query)
    return _section(
        "customers",
        "Customers",
        [
            _figure(customers.rfm_segments_chart(segments)),
            table(segments, ["segment", "customers", "revenue", "recommended_action"]),
            _figure(customers.cohort_heatmap_chart(customers.cohort_retention(query, Filters()))),
            _figure(customers.ltv_distribution_chart(customers.ltv_distribution(query, Filters()))),
            _figure(customers.churn_risk_chart(customers.churn_risk(query, Filters()))),
            _figure(customers.lifecycle_segments_chart(lifecycle)),
            table(lifecycle),
            _figure(customers.target_lists_chart(lists)),
            table(
                lists,
                ["campaign_type", "candidate_customers", "target_customers", "expected_value"],
            ),
        ],
    )


def _campaigns(query: Query) -> str:
    kpis = campaigns.campaign_kpis(query, Filters())
    parts: list[str] = []
    if kpis.empty:
        parts.append(_note(gaps.campaigns(kpis) or ""))
    else:
        parts += [
            '<p class="note">The 20 campaigns with the best ROI (all campaigns in the '
            "dashboard).</p>",
            table(
                kpis,
                [
                    "campaign_name",
                    "campaign_type",
                    "status",
                    "ctr",
                    "cpc",
                    "cpa",
                    "roas",
                    "roi",
                    "total_spend",
                    "attributed_revenue",
                ],
                limit=20,
            ),
            _figure(campaigns.campaign_returns_chart(kpis)),
        ]
    attribution = campaigns.channel_attribution(query, Filters())
    missing = gaps.attribution(attribution)
    if missing:
        parts.append(_note(missing))
    else:
        parts.append(_figure(campaigns.channel_attribution_chart(attribution)))
    plan = data.campaign_plan(query)
    missing = gaps.next_campaign(query, plan)
    if missing:
        parts.append(_note(missing))
        return _section("campaigns", "Campaigns", parts)
    budget = gaps.channel_budget(plan)
    parts.append(_note(budget) if budget else _figure(campaigns.campaign_plan_chart(plan)))
    parts.append(
        table(
            plan,
            [
                "item_type",
                "item",
                "audience_size",
                "current_spend",
                "budget",
                "expected_revenue",
                "expected_revenue_low",
                "expected_revenue_high",
                "evidence_status",
            ],
        )
    )
    return _section("campaigns", "Campaigns", parts)


def _products(query: Query) -> str:
    performance = products.product_performance(query)
    missing = gaps.products(performance)
    parts = [_note(missing) if missing else _figure(products.product_revenue_chart(performance))]
    diagnostics = data.product_diagnostics(query)
    missing = gaps.diagnosis(query, diagnostics)
    if missing:
        parts.append(_note(missing))
        return _section("products", "Products", parts)
    flagged = diagnostics[diagnostics["is_flagged"].fillna(False).astype(bool)]
    parts += [
        _figure(products.product_diagnostics_chart(diagnostics)),
        "<h3>Flagged products</h3>",
        table(
            flagged,
            [
                "product_name",
                "category",
                "reviews",
                "low_rating_share",
                "baseline_low_rating_share",
                "p_value_holm",
                "top_complaint_tag",
                "top_complaint_tags",
            ],
        )
        if not flagged.empty
        else '<p class="note">No product has significantly more low ratings than its baseline.</p>',
    ]
    return _section("products", "Products", parts)


def _social(query: Query) -> str:
    summary = data.social_lag_summary(query)
    missing = gaps.social_lag(query, summary)
    if missing:
        return _section("social", "Social to sales", [_note(missing)])
    top = summary.iloc[0]
    platform, category, lag = str(top["platform"]), str(top["category"]), top["best_lag_days"]
    series = social.social_and_sales(query, platform, category, Filters())
    shift = 0 if lag is None or pd.isna(lag) else int(lag)
    correlation = social.cross_correlation(query, category)
    return _section(
        "social",
        "Social to sales",
        [
            _figure(social.social_overlay_chart(series, platform, category, shift)),
            _figure(social.cross_correlation_chart(correlation, category)),
            table(
                summary[summary["leads_sales"].fillna(False).astype(bool)],
                [
                    "platform",
                    "category",
                    "best_lag_days",
                    "best_correlation",
                    "p_value_holm",
                    "granger_p_value_holm",
                    "units_per_mention",
                ],
            ),
        ],
    )


def _experiments(query: Query) -> str:
    tests = data.hypothesis_tests(query)
    notes = gaps.hypothesis_tests(tests)
    if notes == [gaps.NOT_RUN]:
        return _section("experiments", "Experiments", [_note(gaps.NOT_RUN)])
    parts = [
        _figure(experiments.effect_sizes_chart(tests)),
        table(
            tests,
            [
                "test_id",
                "method",
                "n_a",
                "n_b",
                "p_value_holm",
                "effect_size_name",
                "effect_size",
                "effect_size_ci_low",
                "effect_size_ci_high",
                "decision",
            ],
        ),
        *(_note(note) for note in notes),
    ]
    plan = data.ab_test_plan(query)
    missing = gaps.ab_plan(plan)
    if missing:
        parts.append(_note(missing))
    else:
        parts += [
            _figure(experiments.ab_test_plan_chart(plan)),
            table(plan, experiments.AB_PLAN_COLUMNS),
        ]
    return _section("experiments", "Experiments", parts)


#: The report's sections: the dashboard's pages, in the same order.
_SECTIONS = PAGES


def render(target: str, query: Query, answers: Sequence[Analysis]) -> str:
    """The whole report as one HTML document."""
    as_of = data.as_of_date(query)
    builders: dict[str, Callable[[], str]] = {
        "overview": lambda: _overview(query, answers),
        "customers": lambda: _customers(query),
        "campaigns": lambda: _campaigns(query),
        "products": lambda: _products(query),
        "social": lambda: _social(query),
        "experiments": lambda: _experiments(query),
    }
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    navigation = "".join(f'<a href="#{anchor}">{title}</a>' for anchor, title in _SECTIONS)
    body = "".join(builders[anchor]() for anchor, _ in _SECTIONS)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Marketing analytics report</title>"
        f"<style>{_STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        "</head><body>"
        "<header><h1>Marketing analytics report</h1>"
        f"<p>Data as of {as_of or '- (no as-of date: no order loaded)'} · {target} "
        f"warehouse · generated {generated} · "
        f"{len(QUESTIONS)} questions answered in full by <code>make report</code></p></header>"
        f"<nav>{navigation}</nav><main>{body}</main></body></html>\n"
    )


def write_report(target: str, query: Query, answers: Sequence[Analysis], out: Path) -> Path:
    """Write the report to ``out`` (atomically) and return its absolute path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = out.with_name(out.name + ".tmp")
    scratch.write_text(render(target, query, answers), encoding="utf-8")
    scratch.replace(out)
    return out.resolve()
