"""The Campaigns page: the KPI table, the attribution models per channel, the campaign plan.

Its queries (the campaigns' KPIs, the attribution, the channel filters' choices), its
figures and its layout; the HTML report's campaign section draws the same from here.
The plan's rows come from :func:`..data.campaign_plan` (the text report reads them too).
Streamlit runs this file as the page (``app.py`` routes it).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

# Absolute imports: Streamlit runs this file as a script, not as a module of the package.
from analytics.dashboard import charts, data, formats, gaps, shell, spend
from analytics.dashboard.data import Filters, Query
from analytics.dashboard.text import plotly, plotly_labels

# --- queries --------------------------------------------------------------------------------


def campaign_types(query: Query) -> list[str]:
    """The campaign channels (campaign_type) of the campaigns."""
    frame = query(
        "select distinct campaign_type from marts.campaign_performance "
        "where campaign_type is not null order by campaign_type"
    )
    return [str(value) for value in frame["campaign_type"]]


def traffic_sources(query: Query) -> list[str]:
    """The traffic-source channels the attribution models credit."""
    frame = query("select distinct channel from marts.channel_attribution order by channel")
    return [str(value) for value in frame["channel"]]


def campaign_kpis(
    query: Query, filters: Filters, minimum_spend: float | None = None
) -> pd.DataFrame:
    """One row per campaign active in the date range, of the chosen channels.

    The figures are each campaign's lifetime totals (the campaign marts are not daily).
    ``spend_note`` marks the campaigns that spent less than ``minimum_spend`` (default
    the var of the best-ROI question, :func:`.spend.minimum_spend`): they come after
    the others, by ROI.
    """
    minimum = spend.minimum_spend() if minimum_spend is None else float(minimum_spend)
    conditions = []
    if filters.narrowed and filters.end is not None:
        conditions.append(f"(start_date is null or start_date <= {data.date_literal(filters.end)})")
    if filters.narrowed and filters.start is not None:
        conditions.append(f"(end_date is null or end_date >= {data.date_literal(filters.start)})")
    if filters.campaign_types:
        conditions.append(data.is_in("campaign_type", filters.campaign_types))
    return query(
        f"""
    select campaign_name, campaign_type, status, avg_ctr as ctr, avg_cpc as cpc,
        avg_cpa as cpa, roas, roi, total_spend, attributed_revenue, total_impressions,
        total_clicks, total_conversions, budget, start_date, end_date, campaign_id, is_valid,
        case
            when coalesce(total_spend, 0) < {minimum!r} then '{spend.TOO_LITTLE_SPEND}'
        end as spend_note
    from marts.campaign_performance
    {data.where(conditions)}
    order by coalesce(total_spend, 0) < {minimum!r}, roi desc nulls last, campaign_id
    """
    )


def channel_attribution(query: Query, filters: Filters) -> pd.DataFrame:
    """Conversions and revenue each attribution model credits each channel."""
    conditions = [data.is_in("channel", filters.traffic_sources)] if filters.traffic_sources else []
    return query(
        f"""
    select attribution_model, channel, attributed_conversions, attributed_revenue,
        share_of_conversions, share_of_revenue
    from marts.channel_attribution
    {data.where(conditions)}
    order by attribution_model, channel
    """
    )


# --- figures --------------------------------------------------------------------------------


def campaign_returns_chart(frame: pd.DataFrame) -> go.Figure:
    """Spend against attributed revenue per campaign (above the line: ROAS over 1)."""
    title = "Campaigns: spend against attributed revenue (dashed line: ROAS = 1)"
    data = frame.dropna(subset=["total_spend", "attributed_revenue"])
    if data.empty:
        return charts.empty(title, "No campaigns with spend in the selection")
    figure = go.Figure()
    for index, (kind, rows) in enumerate(data.groupby("campaign_type", sort=True)):
        figure.add_trace(
            go.Scatter(
                x=rows["total_spend"],
                y=rows["attributed_revenue"],
                mode="markers",
                name=plotly(formats.words(kind)),
                text=plotly_labels(rows["campaign_name"]),
                marker={"color": charts.PALETTE[index % len(charts.PALETTE)], "size": 8},
                hovertemplate="%{text}<br>spend %{x:,.2f}<br>revenue %{y:,.2f}<extra></extra>",
            )
        )
    top = float(max(data["total_spend"].max(), data["attributed_revenue"].max()) or 1.0)
    figure.add_trace(
        go.Scatter(
            x=[0, top],
            y=[0, top],
            mode="lines",
            name="ROAS = 1",
            line={"dash": "dash", "color": charts.NEUTRAL_COLOUR},
        )
    )
    figure.update_xaxes(title="spend")
    figure.update_yaxes(title="attributed revenue")
    return charts.layout(figure, title)


def channel_attribution_chart(
    frame: pd.DataFrame, measure: str = "share_of_conversions"
) -> go.Figure:
    """Each attribution model's credit per channel, side by side."""
    label = formats.label(measure)
    title = f"Attribution models side by side: {label.lower()} per channel"
    if frame.empty:
        return charts.empty(title, "No attributed conversions in the selection")
    figure = go.Figure()
    for index, (model, rows) in enumerate(frame.groupby("attribution_model", sort=True)):
        figure.add_trace(
            go.Bar(
                x=charts.words(rows["channel"]),
                y=rows[measure],
                name=plotly(formats.words(model)),
                marker_color=charts.PALETTE[index % len(charts.PALETTE)],
            )
        )
    figure.update_layout(barmode="group")
    if measure.startswith("share"):
        figure.update_yaxes(tickformat=".0%")
    figure.update_yaxes(title=label)
    return charts.layout(figure, title)


def campaign_plan_chart(frame: pd.DataFrame) -> go.Figure:
    """The planned budget per channel against the current spend, with expected revenue."""
    title = "Next campaign: budget per channel against current spend"
    channels = frame[frame["item_type"] == "channel"] if not frame.empty else frame
    if channels.empty:
        return charts.empty(title, "No channel in the campaign plan")
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=charts.words(channels["item"]),
            y=channels["current_spend"],
            name="current spend (last 90 days)",
            marker_color=charts.NEUTRAL_COLOUR,
        )
    )
    figure.add_trace(
        go.Bar(
            x=charts.words(channels["item"]),
            y=channels["budget"],
            name="planned budget",
            marker_color=charts.PALETTE[0],
        )
    )
    figure.add_trace(
        go.Scatter(
            x=charts.words(channels["item"]),
            y=channels["expected_revenue"],
            mode="markers",
            name="expected revenue",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": channels["expected_revenue_high"] - channels["expected_revenue"],
                "arrayminus": channels["expected_revenue"] - channels["expected_revenue_low"],
            },
            marker={"color": charts.PALETTE[2], "size": 10},
        )
    )
    figure.update_layout(barmode="group")
    return charts.layout(figure, title)


# --- the page --------------------------------------------------------------------------------


_SORTS = {
    "ROI": "roi",
    "ROAS": "roas",
    "CPA": "cpa",
    "CPC": "cpc",
    "CTR": "ctr",
    "Spend": "total_spend",
    "Conversions": "total_conversions",
}


#: The campaign table's columns; the measure it is sorted by joins them before the note.
_CAMPAIGN_COLUMNS = (
    "campaign_name",
    "campaign_type",
    "total_spend",
    "attributed_revenue",
    "roi",
    "roas",
    "cpa",
)


def _campaign_table(kpis: pd.DataFrame, sorted_by: str) -> None:
    extra = [] if sorted_by in _CAMPAIGN_COLUMNS else [sorted_by]
    shell.table(
        kpis,
        [*_CAMPAIGN_COLUMNS, *extra, "spend_note"],
        labels={"campaign_name": "Campaign", "total_conversions": "Conversions"},
        height=420,
        key="campaigns_kpis",
    )
    shell.chart(campaign_returns_chart(kpis), "campaigns_returns")


def page(filters: Filters) -> None:
    """The KPI table, attribution models per channel and the campaign plan."""
    st.title("Campaigns")
    kinds = st.sidebar.multiselect(
        "Campaign channel",
        campaign_types(shell.query),
        key="filter_campaign_types",
        placeholder="All channels",
    )
    sources = st.sidebar.multiselect(
        "Traffic source (attribution)",
        traffic_sources(shell.query),
        key="filter_traffic_sources",
        placeholder="All sources",
    )
    filters = Filters(
        filters.start,
        filters.end,
        filters.narrowed,
        filters.country_codes,
        campaign_types=tuple(kinds),
        traffic_sources=tuple(sources),
    )
    shell.scope(filters, dates=filters.narrowed, countries=False, what="Campaigns active in")
    kpis = campaign_kpis(shell.query, filters)
    left, right = st.columns([3, 1])
    with left:
        sort_label = st.selectbox("Sort by", list(_SORTS), key="campaigns_sort")
    with right:
        # Cost measures sort cheapest first; each sort keeps its own direction.
        ascending = st.toggle(
            "Ascending",
            value=sort_label in {"CPA", "CPC"},
            key=f"campaigns_ascending_{sort_label}",
        )
    column = _SORTS[sort_label or "ROI"]
    kpis = spend.rank(kpis, column, ascending)
    st.caption(
        f"{len(kpis):,} campaigns, each with its lifetime figures. ROI and ROAS from the "
        "revenue the default attribution model credits; click a column header to sort too. "
        f"Campaigns that spent less than {formats.money(spend.minimum_spend())} (the best-ROI "
        f"question's minimum) are marked “{spend.TOO_LITTLE_SPEND}” and come last by ROI "
        "and ROAS: a ratio on a few units of spend says little."
    )
    unfiltered = not (filters.narrowed or filters.campaign_types)
    if not (unfiltered and shell.missing(gaps.campaigns(kpis))):
        _campaign_table(kpis, column)
    measure = st.segmented_control(
        "Attribution measure",
        options=["share_of_conversions", "share_of_revenue", "attributed_revenue"],
        default="share_of_conversions",
        format_func=formats.label,
        key="campaigns_measure",
    )
    shell.scope(filters, dates=False, countries=False, what="Attribution over every conversion")
    attribution = channel_attribution(shell.query, filters)
    if filters.traffic_sources or not shell.missing(gaps.attribution(attribution)):
        shell.chart(
            channel_attribution_chart(attribution, measure or "share_of_conversions"),
            "campaigns_attribution",
        )
    st.subheader("The next campaign")
    plan = data.campaign_plan(shell.query)
    if shell.missing(gaps.next_campaign(shell.query, plan)):
        return
    shell.missing(gaps.channel_budget(plan))
    shell.chart(campaign_plan_chart(plan), "campaigns_plan")
    shell.table(
        plan,
        [
            "item_type",
            "item",
            "audience_size",
            "budget",
            "budget_share",
            "expected_revenue",
            "evidence_status",
            "justification",
        ],
        codes=["item_type", "item", "evidence_status"],
        labels={"budget_share": "Share", "evidence_status": "Evidence"},
    )
    st.caption("The brief with its reasons: data/reports/campaign_plan.md (`make analyze`).")


if __name__ == "__main__":  # Streamlit runs this file as the page
    shell.guarded(page)
