"""The Customers page: RFM segments, cohort retention, lifetime value, churn risk, target lists.

Its queries, figures and layout; the HTML report's customer section draws the same
from here. Streamlit runs this file as the page (``app.py`` routes it).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

# Absolute imports: Streamlit runs this file as a script, not as a module of the package.
from analytics.dashboard import charts, data, formats, gaps, shell
from analytics.dashboard.data import Filters, Query
from analytics.dashboard.text import plotly, plotly_labels

# --- queries --------------------------------------------------------------------------------


def _customer_country(filters: Filters, column: str) -> list[str]:
    return [data.is_in(column, filters.country_codes)] if filters.country_codes else []


def rfm_segments(query: Query, filters: Filters) -> pd.DataFrame:
    """Customers and revenue per RFM segment, with what to do about each."""
    conditions = _customer_country(filters, "customers.country_code")
    return query(
        f"""
    select
        rfm.segment,
        count(*) as customers,
        sum(rfm.monetary) as revenue,
        avg(rfm.recency_days) as average_recency_days,
        max(rfm.segment_description) as description,
        max(rfm.recommended_action) as recommended_action
    from marts.rfm_segmentation as rfm
    left join marts.customer_metrics as customers
        on rfm.customer_id = customers.customer_id
    {data.where(conditions)}
    group by rfm.segment
    order by revenue desc, rfm.segment
    """
    )


def cohort_retention(query: Query, filters: Filters) -> pd.DataFrame:
    """Retention per cohort month and months since the first order (cohorts in the range)."""
    # A cohort is the month of the first order: the range keeps the months it touches.
    start = filters.start.replace(day=1) if filters.start and filters.narrowed else None
    conditions = data.date_range("cohort_month", start, filters.end if filters.narrowed else None)
    return query(
        f"""
    select cohort_month, months_since_first_order, cohort_size, active_customers,
        retention_rate, cumulative_revenue_per_customer, is_small_cohort, is_partial_month
    from marts.cohort_retention
    {data.where(conditions)}
    order by cohort_month, months_since_first_order
    """
    )


def ltv_distribution(query: Query, filters: Filters, bins: int = 40) -> pd.DataFrame:
    """Customers per band of predicted 12-month LTV (bands up to the 99th percentile)."""
    conditions = ["predicted_ltv_12m is not null", *_customer_country(filters, "country_code")]
    where = data.where(conditions)
    return query(
        f"""
    with ltv as (
        select predicted_ltv_12m as value from marts.customer_ltv {where}
    ),
    bounds as (
        select percentile_cont(0.99) within group (order by value) as top from ltv
    ),
    banded as (
        select
            case
                when bounds.top is null or bounds.top <= 0 then 0
                else least(floor(ltv.value / (bounds.top / {bins})), {bins} - 1)
            end as band,
            bounds.top / {bins} as width,
            ltv.value
        from ltv cross join bounds
    )
    select
        band,
        band * max(width) as band_start,
        (band + 1) * max(width) as band_end,
        count(*) as customers,
        sum(value) as predicted_ltv_12m
    from banded
    group by band
    order by band
    """
    )


def churn_risk(query: Query, filters: Filters) -> pd.DataFrame:
    """Customers per churn-risk band (10 points) and lifecycle segment."""
    conditions = ["churn_risk_score is not null", *_customer_country(filters, "country_code")]
    return query(
        f"""
    select
        least(floor(churn_risk_score / 10) * 10, 90) as risk_band,
        lifecycle_segment,
        count(*) as customers,
        sum(predicted_ltv_12m) as predicted_ltv_12m
    from marts.customer_ltv
    {data.where(conditions)}
    group by 1, 2
    order by 1, 2
    """
    )


def lifecycle_segments(query: Query, filters: Filters) -> pd.DataFrame:
    """Customers, historic and predicted value and churn risk per lifecycle segment."""
    conditions = _customer_country(filters, "country_code")
    return query(
        f"""
    select
        lifecycle_segment,
        count(*) as customers,
        sum(historic_ltv) as historic_ltv,
        sum(predicted_ltv_12m) as predicted_ltv_12m,
        avg(churn_risk_score) as average_churn_risk_score
    from marts.customer_ltv
    {data.where(conditions)}
    group by lifecycle_segment
    order by customers desc, lifecycle_segment
    """
    )


def target_lists(query: Query) -> pd.DataFrame:
    """The campaign target lists: candidates, consented targets and priorities."""
    return query(
        """
    select campaign_type, description, candidate_customers, target_customers,
        excluded_without_consent, excluded_unknown_consent, high_priority_customers,
        medium_priority_customers, low_priority_customers, expected_value
    from marts.campaign_target_summary
    order by list_order
    """
    )


# --- figures --------------------------------------------------------------------------------


def rfm_segments_chart(frame: pd.DataFrame) -> go.Figure:
    """Customers and revenue per RFM segment."""
    title = "RFM segments: customers and revenue"
    if frame.empty:
        return charts.empty(title, "No customers with orders")
    ordered = frame.sort_values("revenue", ascending=True)
    figure = make_subplots(
        rows=1, cols=2, shared_yaxes=True, subplot_titles=("Customers", "Revenue")
    )
    figure.add_trace(
        go.Bar(
            y=charts.words(ordered["segment"], code=True),
            x=ordered["customers"],
            orientation="h",
            name="Customers",
            marker_color=charts.PALETTE[0],
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            y=charts.words(ordered["segment"], code=True),
            x=ordered["revenue"],
            orientation="h",
            name="Revenue",
            marker_color=charts.PALETTE[2],
        ),
        row=1,
        col=2,
    )
    figure.update_layout(showlegend=False)
    return charts.layout(figure, title, height=max(360, 28 * len(frame) + 120))


#: The colour of a cohort month that is not over yet (or after the as-of date).
UNFINISHED_COLOUR = "#e5e7eb"


#: What the grey cells of the cohort heatmap mean.
UNFINISHED_NOTE = (
    "Grey: not over yet. (12%) is the month of the as-of date, its share so far; "
    "empty grey months come after the as-of date."
)


def cohort_heatmap_chart(frame: pd.DataFrame) -> go.Figure:
    """Share of each monthly cohort that orders again n months after its first order.

    Only finished months are coloured by retention. The month of the as-of date
    (``is_partial_month``: its orders are not all in yet) is grey with its share so far
    in brackets; the months after the as-of date, which the cohort has not lived
    through yet, are grey and empty. Neither is drawn as 0% retention.
    """
    title = "Cohort retention: share of each cohort ordering n months after its first order"
    if frame.empty:
        return charts.empty(title, "No cohorts in the selected range")
    partial = (
        frame["is_partial_month"].fillna(False).astype(bool)
        if "is_partial_month" in frame.columns
        else pd.Series(False, index=frame.index)
    )
    finished = frame.assign(retention_rate=frame["retention_rate"].where(~partial))
    matrix = finished.pivot_table(
        index="cohort_month",
        columns="months_since_first_order",
        values="retention_rate",
        aggfunc="first",
        dropna=False,
    ).sort_index()
    matrix = matrix.reindex(columns=sorted(frame["months_since_first_order"].unique()))
    so_far = (
        frame[partial]
        .set_index(["cohort_month", "months_since_first_order"])["retention_rate"]
        .to_dict()
    )
    present = set(zip(frame["cohort_month"], frame["months_since_first_order"], strict=True))
    sizes = frame.groupby("cohort_month")["cohort_size"].first().reindex(matrix.index)
    labels = [f"{month:%Y-%m} (n={int(size):,})" for month, size in sizes.items()]
    columns = [str(column) for column in matrix.columns]
    # Each cell is drawn by one of the two heatmaps; the other leaves it empty.
    text: list[list[str]] = []
    marks: list[list[float | None]] = []
    marked: list[list[str]] = []
    hovers: list[list[str]] = []
    for month, row in zip(matrix.index, matrix.to_numpy().tolist(), strict=True):
        text_row: list[str] = []
        mark_row: list[float | None] = []
        marked_row: list[str] = []
        hover_row: list[str] = []
        for months, value in zip(matrix.columns, row, strict=True):
            if (month, months) in so_far:
                rate = so_far[(month, months)]
                text_row.append("")
                mark_row.append(1.0)
                marked_row.append(f"({rate:.0%})" if not formats.is_missing(rate) else "")
                hover_row.append(f"month in progress: {formats.share(rate)} so far")
            elif (month, months) not in present:
                text_row.append("")
                mark_row.append(1.0)
                marked_row.append("")
                hover_row.append("after the as-of date: not lived through yet")
            else:
                text_row.append("" if formats.is_missing(value) else f"{value:.0%}")
                mark_row.append(None)
                marked_row.append("")
                hover_row.append(f"retention {formats.share(value)}")
        text.append(text_row)
        marks.append(mark_row)
        marked.append(marked_row)
        hovers.append(hover_row)
    retained = frame.loc[(frame["months_since_first_order"] > 0) & ~partial, "retention_rate"]
    figure = go.Figure(
        [
            go.Heatmap(
                z=matrix.to_numpy(),
                x=columns,
                y=labels,
                text=text,
                customdata=hovers,
                texttemplate="%{text}",
                colorscale="Blues",
                zmin=0,
                zmax=float(retained.max() or 1.0) if not retained.empty else 1.0,
                colorbar={"title": "retained", "tickformat": ".0%"},
                hovertemplate="cohort %{y}<br>month %{x}<br>%{customdata}<extra></extra>",
                name="finished months",
            ),
            go.Heatmap(
                z=marks,
                x=columns,
                y=labels,
                text=marked,
                customdata=hovers,
                texttemplate="%{text}",
                textfont={"color": charts.NEUTRAL_COLOUR},
                colorscale=[[0, UNFINISHED_COLOUR], [1, UNFINISHED_COLOUR]],
                showscale=False,
                hovertemplate="cohort %{y}<br>month %{x}<br>%{customdata}<extra></extra>",
                name="unfinished months",
            ),
        ]
    )
    figure.update_xaxes(title="months since first order", type="category")
    figure.update_yaxes(autorange="reversed")
    figure = charts.layout(figure, title, height=max(380, 26 * len(matrix) + 160))
    figure.update_layout(title_subtitle_text=UNFINISHED_NOTE, margin={"t": 80}, legend={"y": 1.08})
    return figure


def ltv_distribution_chart(frame: pd.DataFrame) -> go.Figure:
    """Customers per band of predicted 12-month lifetime value."""
    title = "Predicted 12-month lifetime value: customers per band"
    if frame.empty:
        return charts.empty(title, "No customers")
    labels = [
        "all"
        if start is None or pd.isna(start) or end is None or pd.isna(end)
        else f"{start:,.0f}-{end:,.0f}"
        if index < len(frame) - 1
        else f"{start:,.0f}+"
        for index, (start, end) in enumerate(
            zip(frame["band_start"], frame["band_end"], strict=True)
        )
    ]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=frame["customers"],
            marker_color=charts.PALETTE[0],
            hovertemplate="%{x}<br>%{y:,} customers<extra></extra>",
        )
    )
    figure.update_xaxes(title="predicted LTV, next 12 months", type="category")
    figure.update_yaxes(title="customers")
    return charts.layout(figure, title)


def churn_risk_chart(frame: pd.DataFrame) -> go.Figure:
    """Customers per churn-risk band, stacked by lifecycle segment."""
    title = "Churn risk score (0-100): customers per band and lifecycle segment"
    if frame.empty:
        return charts.empty(title, "No customers")
    figure = go.Figure()
    for index, (segment, rows) in enumerate(frame.groupby("lifecycle_segment", sort=True)):
        figure.add_trace(
            go.Bar(
                x=[
                    f"{int(band)}-{int(band) + 9 if band < 90 else 100}"
                    for band in rows["risk_band"]
                ],
                y=rows["customers"],
                name=plotly(segment),
                marker_color=charts.PALETTE[index % len(charts.PALETTE)],
            )
        )
    figure.update_layout(barmode="stack")
    figure.update_xaxes(
        title="churn risk score",
        type="category",
        categoryorder="array",
        categoryarray=[f"{b}-{b + 9 if b < 90 else 100}" for b in range(0, 100, 10)],
    )
    figure.update_yaxes(title="customers")
    return charts.layout(figure, title)


def lifecycle_segments_chart(frame: pd.DataFrame) -> go.Figure:
    """Customers and predicted value per lifecycle segment."""
    title = "Lifecycle segments: customers and predicted 12-month value"
    if frame.empty:
        return charts.empty(title, "No customers")
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Customers", "Predicted LTV 12m"))
    figure.add_trace(
        go.Bar(
            x=plotly_labels(frame["lifecycle_segment"]),
            y=frame["customers"],
            marker_color=charts.PALETTE[0],
            name="Customers",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=plotly_labels(frame["lifecycle_segment"]),
            y=frame["predicted_ltv_12m"],
            marker_color=charts.PALETTE[2],
            name="Predicted LTV",
        ),
        row=1,
        col=2,
    )
    figure.update_layout(showlegend=False)
    return charts.layout(figure, title, height=380)


def target_lists_chart(frame: pd.DataFrame) -> go.Figure:
    """Consented customers on each target list, by priority."""
    title = "Target lists: consented customers by priority"
    if frame.empty:
        return charts.empty(title, "No target lists")
    figure = go.Figure()
    for index, priority in enumerate(("high", "medium", "low")):
        figure.add_trace(
            go.Bar(
                x=charts.words(frame["campaign_type"]),
                y=frame[f"{priority}_priority_customers"],
                name=f"{priority} priority",
                marker_color=charts.PALETTE[index],
            )
        )
    figure.add_trace(
        go.Scatter(
            x=charts.words(frame["campaign_type"]),
            y=frame["candidate_customers"],
            mode="markers",
            name="candidates (before consent)",
            marker={"symbol": "line-ew-open", "size": 30, "color": charts.NEUTRAL_COLOUR},
        )
    )
    figure.update_layout(barmode="stack")
    figure.update_yaxes(title="customers")
    return charts.layout(figure, title, height=380)


# --- the page --------------------------------------------------------------------------------


def page(filters: Filters) -> None:
    """RFM segments, cohorts, LTV, churn risk, lifecycle segments and target lists."""
    st.title("Customers")
    shell.scope(filters, dates=False, countries=True, what="Segments, lifetime value, churn risk")
    segments = rfm_segments(shell.query, filters)
    if not filters.country_codes and shell.missing(gaps.customers(segments)):
        return
    shell.chart(rfm_segments_chart(segments), "customers_rfm")
    with st.expander("What each RFM segment means and what to do"):
        shell.table(
            segments,
            ["segment", "customers", "revenue", "description", "recommended_action"],
            codes=["segment"],
        )
    st.subheader("Cohort retention")
    shell.scope(
        filters, dates=filters.narrowed, countries=False, what="Cohorts by month of first order"
    )
    shell.chart(cohort_heatmap_chart(cohort_retention(shell.query, filters)), "customers_cohorts")
    left, right = st.columns(2)
    with left:
        shell.chart(ltv_distribution_chart(ltv_distribution(shell.query, filters)), "customers_ltv")
    with right:
        shell.chart(churn_risk_chart(churn_risk(shell.query, filters)), "customers_churn")
    lifecycle = lifecycle_segments(shell.query, filters)
    shell.chart(lifecycle_segments_chart(lifecycle), "customers_lifecycle")
    shell.table(lifecycle)
    st.subheader("Target lists")
    shell.scope(filters, dates=False, countries=False, what="The lists of the whole customer base")
    lists = target_lists(shell.query)
    shell.chart(target_lists_chart(lists), "customers_targets")
    shell.table(
        lists,
        [
            "campaign_type",
            "candidate_customers",
            "target_customers",
            "excluded_without_consent",
            "high_priority_customers",
            "expected_value",
            "description",
        ],
        codes=["campaign_type"],
        labels={
            "campaign_type": "List",
            "candidate_customers": "Candidates",
            "target_customers": "Targets",
            "excluded_without_consent": "No consent",
            "high_priority_customers": "High priority",
        },
    )


if __name__ == "__main__":  # Streamlit runs this file as the page
    shell.guarded(page)
