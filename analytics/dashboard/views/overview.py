"""The Overview page: revenue over time against the period before, and the five answers.

Its queries (the revenue orders by period, the period comparison, the automated
insights), its figure (the revenue trend) and its layout; the HTML report's overview
draws the same from here. Streamlit runs this file as the page (``app.py`` routes it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

# Absolute imports: Streamlit runs this file as a script, not as a module of the package.
from analytics.dashboard import charts, data, formats, gaps, shell, tables
from analytics.dashboard.data import Filters, Query
from analytics.dashboard.text import markdown
from analytics.reporting import questions

# --- queries --------------------------------------------------------------------------------


GRAINS = ("day", "week", "month")


def _orders_sql(filters: Filters, start: date | None, end: date | None) -> str:
    conditions = ["orders.is_revenue", *data.date_range("orders.order_date", start, end)]
    if filters.country_codes:
        conditions.append(data.is_in("customers.country_code", filters.country_codes))
    return f"""
    from core.fct_orders as orders
    left join marts.customer_metrics as customers
        on orders.customer_id = customers.customer_id
    {data.where(conditions)}
    """


def revenue_over_time(query: Query, filters: Filters, grain: str = "month") -> pd.DataFrame:
    """Revenue, orders, average order value and active customers per period."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}, not {grain!r}")
    frame = query(
        f"""
    select
        cast(date_trunc('{grain}', orders.order_date) as date) as period,
        sum(orders.total_amount) as revenue,
        count(*) as orders,
        count(distinct orders.customer_id) as active_customers
    {_orders_sql(filters, filters.start, filters.end)}
    group by 1
    order by 1
    """
    )
    frame["average_order_value"] = frame["revenue"] / frame["orders"].where(frame["orders"] > 0)
    return frame


@dataclass(frozen=True)
class PeriodComparison:
    """Totals of the selected period and of the period of the same length just before."""

    start: date
    end: date
    previous_start: date
    previous_end: date
    current: dict[str, float]
    previous: dict[str, float]

    def change(self, measure: str) -> float | None:
        """Relative change of ``measure`` over the previous period (None without a base)."""
        before = self.previous.get(measure) or 0.0
        if not before:
            return None
        return (self.current.get(measure, 0.0) - before) / before


_MEASURES = ("revenue", "orders", "active_customers", "average_order_value")


def period_comparison(query: Query, filters: Filters, start: date, end: date) -> PeriodComparison:
    """Revenue, orders, active customers and AOV of [start, end] against the period before."""
    days = (end - start).days + 1
    previous_end = start - timedelta(days=1)
    previous_start = previous_end - timedelta(days=days - 1)
    frame = query(
        f"""
    select
        case when orders.order_date >= {data.date_literal(start)} then 'current' else 'previous' end
            as period,
        sum(orders.total_amount) as revenue,
        count(*) as orders,
        count(distinct orders.customer_id) as active_customers
    {_orders_sql(filters, previous_start, end)}
    group by 1
    """
    )
    totals: dict[str, dict[str, float]] = {
        "current": dict.fromkeys(_MEASURES, 0.0),
        "previous": dict.fromkeys(_MEASURES, 0.0),
    }
    for row in frame.itertuples(index=False):
        values = totals[str(row.period)]
        values["revenue"] = float(row.revenue or 0)
        values["orders"] = float(row.orders or 0)
        values["active_customers"] = float(row.active_customers or 0)
        values["average_order_value"] = values["revenue"] / values["orders"] if row.orders else 0.0
    return PeriodComparison(
        start, end, previous_start, previous_end, totals["current"], totals["previous"]
    )


#: The period comparison's cards (measure, label, format), on the page and in the HTML report.
CARDS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("revenue", "Revenue", formats.money),
    ("orders", "Orders", formats.count),
    ("average_order_value", "Average order value", formats.money),
    ("active_customers", "Active customers", formats.count),
)


def insights(query: Query) -> pd.DataFrame:
    """The automated insights (marts.business_insights), in their order."""
    return query(
        """
    select title, subject, metric, metric_value, metric_unit, affected_customers,
        revenue_at_stake, severity, recommendation
    from marts.business_insights
    order by insight_order
    """
    )


# --- figures --------------------------------------------------------------------------------


def revenue_trend_chart(frame: pd.DataFrame, grain: str = "month") -> go.Figure:
    """Revenue, orders, average order value and active customers per period."""
    title = f"Revenue, orders, average order value and active customers per {grain}"
    if frame.empty:
        return charts.empty(title, "No revenue orders in the selected range")
    panels = (
        ("revenue", "Revenue"),
        ("orders", "Orders"),
        ("average_order_value", "Average order value"),
        ("active_customers", "Active customers"),
    )
    figure = make_subplots(
        rows=2, cols=2, subplot_titles=[label for _, label in panels], vertical_spacing=0.16
    )
    for index, (column, label) in enumerate(panels):
        values = frame[column].astype(float)
        change = values.pct_change()  # against the period before, shown on hover
        figure.add_trace(
            go.Scatter(
                x=frame["period"],
                y=values,
                mode="lines+markers" if len(frame) <= 60 else "lines",
                name=label,
                line={"color": charts.PALETTE[index]},
                showlegend=False,
                customdata=[
                    "-" if pd.isna(value) or math.isinf(value) else f"{value:+.1%}"
                    for value in change
                ],
                hovertemplate=(
                    f"%{{x}}<br>{label}: %{{y:,.2f}}<br>vs the {grain} before: "
                    "%{customdata}<extra></extra>"
                ),
            ),
            row=index // 2 + 1,
            col=index % 2 + 1,
        )
    return charts.layout(figure, title, height=560)


# --- the page --------------------------------------------------------------------------------


def _revenue_by_month(frame: pd.DataFrame) -> str:
    last = frame.iloc[-1]
    text = f"The last month, {last['month']:%Y-%m}, made {formats.money(last['total_revenue'])}"
    if len(frame) > 1:
        before = frame.iloc[-2]
        first = frame.iloc[0]
        if before["total_revenue"]:
            change = last["total_revenue"] / before["total_revenue"] - 1
            text += f" ({formats.change(change)} on {before['month']:%Y-%m})"
        if first["total_revenue"]:
            growth = last["total_revenue"] / first["total_revenue"] - 1
            text += f"; {formats.change(growth)} since {first['month']:%Y-%m} ({len(frame)} months)"
    return text + ". Every month in the rows below and in the trend above."


#: One sentence per business question, from the rows of its analysis.
_HEADLINES: dict[str, Callable[[pd.DataFrame], str]] = {
    "top_10_customers": lambda frame: (
        "Best customer: "
        f"**{markdown(frame.iloc[0]['full_name'] or frame.iloc[0]['customer_id'])}** "
        f"({markdown(frame.iloc[0]['country'] or 'unknown country')}), "
        f"{formats.money(frame.iloc[0]['total_spent'])} over "
        f"{formats.count(frame.iloc[0]['total_transactions'])} orders."
    ),
    "top_product_by_revenue": lambda frame: (
        f"**{markdown(frame.iloc[0]['product'])}** brings the most revenue: "
        f"{formats.money(frame.iloc[0]['total_revenue'])}."
    ),
    "best_campaign_by_roi": lambda frame: (
        f"**{markdown(frame.iloc[0]['campaign_name'])}** "
        f"({markdown(frame.iloc[0]['campaign_type'])}): ROI "
        f"{formats.share(frame.iloc[0]['roi'])}, ROAS {formats.ratio(frame.iloc[0]['roas'])} on "
        f"{formats.money(frame.iloc[0]['total_spend'])} spent."
    ),
    "revenue_by_month": _revenue_by_month,
    "top_country_by_revenue": lambda frame: (
        f"**{markdown(frame.iloc[0]['country'])}** brings the most revenue: "
        f"{formats.money(frame.iloc[0]['total_revenue'])} from "
        f"{formats.count(frame.iloc[0]['total_customers'])} customers."
    ),
}


def _answers() -> None:
    st.subheader("The five business questions")
    st.caption(
        "The project's dbt analyses (analyses/*.sql, the same as `make report`), over all "
        "the data: the sidebar filters do not apply here."
    )
    try:
        compiled = shell.compiled_questions(shell.current_source().target)
    except (questions.CompileError, OSError) as error:
        st.error(
            f"The business questions could not be compiled: {error}. The rest of the "
            "dashboard works; `make report` shows the same error in full.",
            icon="🚫",
        )
        return
    for name in questions.BUSINESS_QUESTIONS:
        frame = shell.query(compiled[name])
        with st.container(border=True):
            st.markdown(f"**{questions.QUESTIONS[name]}**")
            if frame.empty:
                st.info("Not enough data for this question: the marts it reads are empty.")
                continue
            st.markdown(_HEADLINES[name](frame))
            with st.expander(f"The answer's rows (analyses/{name}.sql)"):
                # One row reads down a list of figures; more rows as a table.
                shell.table(tables.transposed(frame) if len(frame) == 1 else frame)


def page(filters: Filters) -> None:
    """Revenue, orders, AOV and active customers over time; the five answers."""
    st.title("Overview")
    shell.scope(filters, dates=True, countries=True)
    windows = {"last 30 days": 30, "last 90 days": 90, "whole range": None}
    window = st.segmented_control(
        "Compare",
        options=list(windows),
        default="last 30 days",
        key="overview_window",
        help="The cards compare this window, ending on the range's last day, with the "
        "window of the same length just before it.",
    )
    if filters.start and filters.end:
        days = windows.get(window or "last 30 days")
        start = filters.start
        if days is not None:
            start = max(filters.start, filters.end - timedelta(days=days - 1))
        comparison = period_comparison(shell.query, filters, start, filters.end)
        st.caption(
            f"{comparison.start:%Y-%m-%d} to {comparison.end:%Y-%m-%d} against "
            f"{comparison.previous_start:%Y-%m-%d} to {comparison.previous_end:%Y-%m-%d}."
        )
        columns = st.columns(4)
        for column, (measure, label, formatter) in zip(columns, CARDS, strict=True):
            change = comparison.change(measure)
            column.metric(
                label,
                formatter(comparison.current[measure]),
                delta=formats.change(change) if change is not None else None,
                delta_description=None if change is not None else "no earlier orders to compare",
                border=True,
            )
    grain = st.segmented_control(
        "Period", options=list(GRAINS), default="month", key="overview_grain"
    )
    series = revenue_over_time(shell.query, filters, grain or "month")
    if not shell.missing(gaps.revenue(series) if not filters.country_codes else None):
        shell.chart(revenue_trend_chart(series, grain or "month"), "overview_trend")
    _answers()
    with st.expander("Automated insights (marts.business_insights)"):
        shell.table(
            insights(shell.query),
            ["title", "metric_value", "metric_unit", "revenue_at_stake", "recommendation"],
            codes=["metric_unit"],
        )


if __name__ == "__main__":  # Streamlit runs this file as the page
    shell.guarded(page)
