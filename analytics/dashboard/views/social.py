"""The Social to sales page: mentions over sales with the detected lag, correlation by lag.

Its queries (the daily series, the cross-correlation), its figures and its layout; the
lag summary comes from :func:`..data.social_lag_summary` (the text report reads it too).
The HTML report's social section draws the same from here. Streamlit runs this file as
the page (``app.py`` routes it).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

# Absolute imports: Streamlit runs this file as a script, not as a module of the package.
from analytics.dashboard import charts, data, formats, gaps, shell
from analytics.dashboard.data import Filters, Query
from analytics.dashboard.text import markdown, plotly

# --- queries --------------------------------------------------------------------------------


def social_and_sales(query: Query, platform: str, category: str, filters: Filters) -> pd.DataFrame:
    """Daily mentions of a platform and units sold of a category (as the lag analysis reads)."""
    mention_conditions = [
        "is_valid",
        "mentions is not null",
        f"platform = {data.quote(platform)}",
        f"category = {data.quote(category)}",
        *(data.date_range("trend_date", filters.start, filters.end) if filters.narrowed else []),
    ]
    unit_conditions = [
        "is_valid",
        "units_sold is not null",
        f"category = {data.quote(category)}",
        *(data.date_range("sale_date", filters.start, filters.end) if filters.narrowed else []),
    ]
    return query(
        f"""
    with mentions as (
        select trend_date as day, sum(mentions) as mentions
        from core.fct_social_trends_daily
        {data.where(mention_conditions)}
        group by trend_date
    ),
    units as (
        select sale_date as day, sum(units_sold) as units_sold
        from core.fct_marketplace_sales_daily
        {data.where(unit_conditions)}
        group by sale_date
    )
    select coalesce(mentions.day, units.day) as day, mentions.mentions, units.units_sold
    from mentions
    full outer join units on mentions.day = units.day
    order by 1
    """
    )


def cross_correlation(query: Query, category: str) -> pd.DataFrame:
    """Correlation of prewhitened mentions and sales by lag, per platform, for a category."""
    return query(
        f"""
    select platform, lag_days, correlation, p_value_holm, is_significant, is_best_lag
    from marts.social_sales_lag
    where category = {data.quote(category)}
    order by platform, lag_days
    """
    )


# --- figures --------------------------------------------------------------------------------


def social_overlay_chart(series: pd.DataFrame, platform: str, category: str, lag: int) -> go.Figure:
    """Daily mentions (shifted forward by the detected lag) over daily units sold."""
    platform, category = plotly(platform), plotly(category)
    title = (
        f"{platform} mentions of {category}, shifted {lag} days later, over {category} units sold"
    )
    if series.empty:
        return charts.empty(title, "No mentions or sales in the selected range")
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    shifted = pd.to_datetime(series["day"]) + pd.Timedelta(days=lag)
    figure.add_trace(
        go.Scatter(
            x=pd.to_datetime(series["day"]),
            y=series["units_sold"],
            name="units sold",
            line={"color": charts.PALETTE[0]},
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=shifted,
            y=series["mentions"],
            name=f"mentions, {lag} days later",
            line={"color": charts.PALETTE[1]},
            opacity=0.8,
        ),
        secondary_y=True,
    )
    figure.update_yaxes(title_text="units sold", secondary_y=False)
    figure.update_yaxes(title_text="mentions", secondary_y=True)
    return charts.layout(figure, title)


def cross_correlation_chart(frame: pd.DataFrame, category: str) -> go.Figure:
    """Correlation of prewhitened mentions and sales by lag, one line per platform."""
    title = f"Cross-correlation by lag for {plotly(category)} (filled: significant after Holm)"
    if frame.empty:
        return charts.empty(title, "No lag analysed for this category")
    figure = go.Figure()
    for index, (platform, rows) in enumerate(frame.groupby("platform", sort=True)):
        colour = charts.PALETTE[index % len(charts.PALETTE)]
        significant = rows["is_significant"].fillna(False).astype(bool)
        figure.add_trace(
            go.Scatter(
                x=rows["lag_days"],
                y=rows["correlation"],
                mode="lines+markers",
                name=plotly(platform),
                line={"color": colour},
                marker={
                    "color": [colour if flag else "white" for flag in significant],
                    "line": {"color": colour, "width": 1.5},
                    "size": 7,
                },
            )
        )
    figure.add_hline(y=0, line_color=charts.NEUTRAL_COLOUR, line_width=1)
    figure.update_xaxes(title="lag: days social mentions lead sales")
    figure.update_yaxes(title="correlation")
    return charts.layout(figure, title)


# --- the page --------------------------------------------------------------------------------


def page(filters: Filters) -> None:
    """Mentions over sales with the detected lag, and the cross-correlation by lag."""
    st.title("Social to sales")
    summary = data.social_lag_summary(shell.query)
    if shell.missing(gaps.social_lag(shell.query, summary)):
        return
    platforms = sorted(summary["platform"].astype(str).unique())
    categories = sorted(summary["category"].astype(str).unique())
    strongest = summary.iloc[0]
    left, right = st.columns(2)
    with left:
        platform = st.selectbox(
            "Platform",
            platforms,
            index=platforms.index(str(strongest["platform"])),
            key="social_platform",
        )
    with right:
        category = st.selectbox(
            "Category",
            categories,
            index=categories.index(str(strongest["category"])),
            key="social_category",
        )
    pair = summary[(summary["platform"] == platform) & (summary["category"] == category)]
    row = pair.iloc[0] if not pair.empty else None
    best_lag = None if row is None else row["best_lag_days"]
    lag = 0 if best_lag is None or pd.isna(best_lag) else int(best_lag)
    if row is None:
        st.info(f"No lag analysis for {markdown(platform)} on {markdown(category)}.")
    elif best_lag is None or pd.isna(best_lag):
        st.markdown(
            f"**{markdown(platform)}** on **{markdown(category)}**: no lag correlates "
            "positively with sales, "
            "so nothing is shifted."
        )
    else:
        leads = bool(row["leads_sales"]) if not pd.isna(row["leads_sales"]) else False
        verdict = "leads sales" if leads else "does not lead sales significantly"
        shown = formats.ratio(row["best_correlation"])
        st.markdown(
            f"**{markdown(platform)}** on **{markdown(category)}** {verdict}: best lag {lag} "
            "days, correlation "
            f"{shown} (Holm p {formats.p_value(row['p_value_holm'])}, "
            f"Granger Holm p {formats.p_value(row['granger_p_value_holm'])})."
        )
    shift = st.toggle(
        f"Shift mentions by the detected lag ({lag} days)", value=True, key="social_shift"
    )
    shell.scope(filters, dates=filters.narrowed, countries=False, what="Daily series")
    series = social_and_sales(shell.query, str(platform), str(category), filters)
    shell.chart(
        social_overlay_chart(series, str(platform), str(category), lag if shift else 0),
        "social_overlay",
    )
    shell.chart(
        cross_correlation_chart(cross_correlation(shell.query, str(category)), str(category)),
        "social_xcorr",
    )
    with st.expander("Every platform and category"):
        shell.table(
            summary,
            [
                "platform",
                "category",
                "best_lag_days",
                "best_correlation",
                "p_value_holm",
                "granger_p_value_holm",
                "leads_sales",
            ],
            labels={
                "best_lag_days": "Lag (days)",
                "best_correlation": "Correlation",
                "granger_p_value_holm": "Granger p (Holm)",
            },
        )


if __name__ == "__main__":  # Streamlit runs this file as the page
    shell.guarded(page)
