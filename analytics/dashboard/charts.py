"""The charts, as Plotly figures of the frames :mod:`analytics.dashboard.data` returns.

Shared by the live dashboard and the HTML report, so both show the same pictures.
Every function draws an empty frame as a figure that says so, never raises on it.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import formats
from .text import plotly, plotly_labels

TEMPLATE = "plotly_white"
#: One colour per attribution model / lifecycle segment, the same on every chart.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
FLAG_COLOUR = "#d62728"
NEUTRAL_COLOUR = "#7f7f7f"


def _words(values: pd.Series, *, code: bool = False) -> list[str]:
    """Coded values (``cant_lose``) in words, as Plotly text (:func:`.formats.words`)."""
    return [plotly(formats.words(value, code=code)) for value in values]


def _layout(figure: go.Figure, title: str, height: int = 420) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        template=TEMPLATE,
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1.0, "xanchor": "right"},
    )
    return figure


def empty(title: str, message: str) -> go.Figure:
    """A figure that says why there is nothing to draw."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _layout(figure, title, height=260)


def revenue_trend(frame: pd.DataFrame, grain: str = "month") -> go.Figure:
    """Revenue, orders, average order value and active customers per period."""
    title = f"Revenue, orders, average order value and active customers per {grain}"
    if frame.empty:
        return empty(title, "No revenue orders in the selected range")
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
                line={"color": PALETTE[index]},
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
    return _layout(figure, title, height=560)


def rfm_segments(frame: pd.DataFrame) -> go.Figure:
    """Customers and revenue per RFM segment."""
    title = "RFM segments: customers and revenue"
    if frame.empty:
        return empty(title, "No customers with orders")
    ordered = frame.sort_values("revenue", ascending=True)
    figure = make_subplots(
        rows=1, cols=2, shared_yaxes=True, subplot_titles=("Customers", "Revenue")
    )
    figure.add_trace(
        go.Bar(
            y=_words(ordered["segment"], code=True),
            x=ordered["customers"],
            orientation="h",
            name="Customers",
            marker_color=PALETTE[0],
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            y=_words(ordered["segment"], code=True),
            x=ordered["revenue"],
            orientation="h",
            name="Revenue",
            marker_color=PALETTE[2],
        ),
        row=1,
        col=2,
    )
    figure.update_layout(showlegend=False)
    return _layout(figure, title, height=max(360, 28 * len(frame) + 120))


#: The colour of a cohort month that is not over yet (or after the as-of date).
UNFINISHED_COLOUR = "#e5e7eb"
#: What the grey cells of the cohort heatmap mean.
UNFINISHED_NOTE = (
    "Grey: not over yet. (12%) is the month of the as-of date, its share so far; "
    "empty grey months come after the as-of date."
)


def cohort_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Share of each monthly cohort that orders again n months after its first order.

    Only finished months are coloured by retention. The month of the as-of date
    (``is_partial_month``: its orders are not all in yet) is grey with its share so far
    in brackets; the months after the as-of date, which the cohort has not lived
    through yet, are grey and empty. Neither is drawn as 0% retention.
    """
    title = "Cohort retention: share of each cohort ordering n months after its first order"
    if frame.empty:
        return empty(title, "No cohorts in the selected range")
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
                textfont={"color": NEUTRAL_COLOUR},
                colorscale=[[0, UNFINISHED_COLOUR], [1, UNFINISHED_COLOUR]],
                showscale=False,
                hovertemplate="cohort %{y}<br>month %{x}<br>%{customdata}<extra></extra>",
                name="unfinished months",
            ),
        ]
    )
    figure.update_xaxes(title="months since first order", type="category")
    figure.update_yaxes(autorange="reversed")
    figure = _layout(figure, title, height=max(380, 26 * len(matrix) + 160))
    figure.update_layout(title_subtitle_text=UNFINISHED_NOTE, margin={"t": 80}, legend={"y": 1.08})
    return figure


def ltv_distribution(frame: pd.DataFrame) -> go.Figure:
    """Customers per band of predicted 12-month lifetime value."""
    title = "Predicted 12-month lifetime value: customers per band"
    if frame.empty:
        return empty(title, "No customers")
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
            marker_color=PALETTE[0],
            hovertemplate="%{x}<br>%{y:,} customers<extra></extra>",
        )
    )
    figure.update_xaxes(title="predicted LTV, next 12 months", type="category")
    figure.update_yaxes(title="customers")
    return _layout(figure, title)


def churn_risk(frame: pd.DataFrame) -> go.Figure:
    """Customers per churn-risk band, stacked by lifecycle segment."""
    title = "Churn risk score (0-100): customers per band and lifecycle segment"
    if frame.empty:
        return empty(title, "No customers")
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
                marker_color=PALETTE[index % len(PALETTE)],
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
    return _layout(figure, title)


def lifecycle_segments(frame: pd.DataFrame) -> go.Figure:
    """Customers and predicted value per lifecycle segment."""
    title = "Lifecycle segments: customers and predicted 12-month value"
    if frame.empty:
        return empty(title, "No customers")
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Customers", "Predicted LTV 12m"))
    figure.add_trace(
        go.Bar(
            x=plotly_labels(frame["lifecycle_segment"]),
            y=frame["customers"],
            marker_color=PALETTE[0],
            name="Customers",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=plotly_labels(frame["lifecycle_segment"]),
            y=frame["predicted_ltv_12m"],
            marker_color=PALETTE[2],
            name="Predicted LTV",
        ),
        row=1,
        col=2,
    )
    figure.update_layout(showlegend=False)
    return _layout(figure, title, height=380)


def target_lists(frame: pd.DataFrame) -> go.Figure:
    """Consented customers on each target list, by priority."""
    title = "Target lists: consented customers by priority"
    if frame.empty:
        return empty(title, "No target lists")
    figure = go.Figure()
    for index, priority in enumerate(("high", "medium", "low")):
        figure.add_trace(
            go.Bar(
                x=_words(frame["campaign_type"]),
                y=frame[f"{priority}_priority_customers"],
                name=f"{priority} priority",
                marker_color=PALETTE[index],
            )
        )
    figure.add_trace(
        go.Scatter(
            x=_words(frame["campaign_type"]),
            y=frame["candidate_customers"],
            mode="markers",
            name="candidates (before consent)",
            marker={"symbol": "line-ew-open", "size": 30, "color": NEUTRAL_COLOUR},
        )
    )
    figure.update_layout(barmode="stack")
    figure.update_yaxes(title="customers")
    return _layout(figure, title, height=380)


def campaign_returns(frame: pd.DataFrame) -> go.Figure:
    """Spend against attributed revenue per campaign (above the line: ROAS over 1)."""
    title = "Campaigns: spend against attributed revenue (dashed line: ROAS = 1)"
    data = frame.dropna(subset=["total_spend", "attributed_revenue"])
    if data.empty:
        return empty(title, "No campaigns with spend in the selection")
    figure = go.Figure()
    for index, (kind, rows) in enumerate(data.groupby("campaign_type", sort=True)):
        figure.add_trace(
            go.Scatter(
                x=rows["total_spend"],
                y=rows["attributed_revenue"],
                mode="markers",
                name=plotly(formats.words(kind)),
                text=plotly_labels(rows["campaign_name"]),
                marker={"color": PALETTE[index % len(PALETTE)], "size": 8},
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
            line={"dash": "dash", "color": NEUTRAL_COLOUR},
        )
    )
    figure.update_xaxes(title="spend")
    figure.update_yaxes(title="attributed revenue")
    return _layout(figure, title)


def channel_attribution(frame: pd.DataFrame, measure: str = "share_of_conversions") -> go.Figure:
    """Each attribution model's credit per channel, side by side."""
    label = formats.label(measure)
    title = f"Attribution models side by side: {label.lower()} per channel"
    if frame.empty:
        return empty(title, "No attributed conversions in the selection")
    figure = go.Figure()
    for index, (model, rows) in enumerate(frame.groupby("attribution_model", sort=True)):
        figure.add_trace(
            go.Bar(
                x=_words(rows["channel"]),
                y=rows[measure],
                name=plotly(formats.words(model)),
                marker_color=PALETTE[index % len(PALETTE)],
            )
        )
    figure.update_layout(barmode="group")
    if measure.startswith("share"):
        figure.update_yaxes(tickformat=".0%")
    figure.update_yaxes(title=label)
    return _layout(figure, title)


def campaign_plan(frame: pd.DataFrame) -> go.Figure:
    """The planned budget per channel against the current spend, with expected revenue."""
    title = "Next campaign: budget per channel against current spend"
    channels = frame[frame["item_type"] == "channel"] if not frame.empty else frame
    if channels.empty:
        return empty(title, "No channel in the campaign plan")
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=_words(channels["item"]),
            y=channels["current_spend"],
            name="current spend (last 90 days)",
            marker_color=NEUTRAL_COLOUR,
        )
    )
    figure.add_trace(
        go.Bar(
            x=_words(channels["item"]),
            y=channels["budget"],
            name="planned budget",
            marker_color=PALETTE[0],
        )
    )
    figure.add_trace(
        go.Scatter(
            x=_words(channels["item"]),
            y=channels["expected_revenue"],
            mode="markers",
            name="expected revenue",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": channels["expected_revenue_high"] - channels["expected_revenue"],
                "arrayminus": channels["expected_revenue"] - channels["expected_revenue_low"],
            },
            marker={"color": PALETTE[2], "size": 10},
        )
    )
    figure.update_layout(barmode="group")
    return _layout(figure, title)


def product_revenue(frame: pd.DataFrame, top: int = 15) -> go.Figure:
    """The products with the most revenue."""
    title = f"Products: revenue (top {top})"
    if frame.empty:
        return empty(title, "No products sold")
    rows = frame.head(top).iloc[::-1]
    categories = sorted(str(value) for value in frame["category"].dropna().unique())
    colours = {category: PALETTE[index % len(PALETTE)] for index, category in enumerate(categories)}
    figure = go.Figure(
        go.Bar(
            y=plotly_labels(rows["product"]),
            x=rows["total_revenue"],
            orientation="h",
            marker_color=[
                colours.get(str(category), NEUTRAL_COLOUR) for category in rows["category"]
            ],
            text=plotly_labels(rows["category"]),
            hovertemplate="%{y} (%{text})<br>revenue %{x:,.2f}<extra></extra>",
        )
    )
    figure.update_xaxes(title="revenue")
    return _layout(figure, title, height=max(380, 26 * len(rows) + 120))


def product_diagnostics(frame: pd.DataFrame) -> go.Figure:
    """Low-rating share per product against its baseline; flagged products in red."""
    title = "Product diagnosis: share of 1-2 star reviews (red: flagged after Holm)"
    data = frame.dropna(subset=["low_rating_share"])
    if data.empty:
        return empty(title, "No product with reviews")
    figure = go.Figure()
    for flagged, name, colour in (
        (False, "not flagged", PALETTE[0]),
        (True, "flagged", FLAG_COLOUR),
    ):
        rows = data[data["is_flagged"].fillna(False).astype(bool) == flagged]
        if rows.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=rows["reviews"],
                y=rows["low_rating_share"],
                mode="markers",
                name=name,
                text=[
                    f"{plotly(name)} · top complaint: {plotly(tag)}"
                    for name, tag in zip(
                        rows["product_name"], rows["top_complaint_tag"], strict=True
                    )
                ],
                marker={"color": colour, "size": 11 if flagged else 8},
                hovertemplate="%{text}<br>%{x:,} reviews, %{y:.1%} low ratings<extra></extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=data["reviews"],
            y=data["baseline_low_rating_share"],
            mode="markers",
            name="baseline of its comparison group",
            marker={"symbol": "line-ew-open", "size": 12, "color": NEUTRAL_COLOUR},
        )
    )
    figure.update_xaxes(title="reviews", type="log")
    figure.update_yaxes(title="share of 1-2 star reviews", tickformat=".0%")
    return _layout(figure, title)


def social_overlay(series: pd.DataFrame, platform: str, category: str, lag: int) -> go.Figure:
    """Daily mentions (shifted forward by the detected lag) over daily units sold."""
    platform, category = plotly(platform), plotly(category)
    title = (
        f"{platform} mentions of {category}, shifted {lag} days later, over {category} units sold"
    )
    if series.empty:
        return empty(title, "No mentions or sales in the selected range")
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    shifted = pd.to_datetime(series["day"]) + pd.Timedelta(days=lag)
    figure.add_trace(
        go.Scatter(
            x=pd.to_datetime(series["day"]),
            y=series["units_sold"],
            name="units sold",
            line={"color": PALETTE[0]},
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=shifted,
            y=series["mentions"],
            name=f"mentions, {lag} days later",
            line={"color": PALETTE[1]},
            opacity=0.8,
        ),
        secondary_y=True,
    )
    figure.update_yaxes(title_text="units sold", secondary_y=False)
    figure.update_yaxes(title_text="mentions", secondary_y=True)
    return _layout(figure, title)


def cross_correlation(frame: pd.DataFrame, category: str) -> go.Figure:
    """Correlation of prewhitened mentions and sales by lag, one line per platform."""
    title = f"Cross-correlation by lag for {plotly(category)} (filled: significant after Holm)"
    if frame.empty:
        return empty(title, "No lag analysed for this category")
    figure = go.Figure()
    for index, (platform, rows) in enumerate(frame.groupby("platform", sort=True)):
        colour = PALETTE[index % len(PALETTE)]
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
    figure.add_hline(y=0, line_color=NEUTRAL_COLOUR, line_width=1)
    figure.update_xaxes(title="lag: days social mentions lead sales")
    figure.update_yaxes(title="correlation")
    return _layout(figure, title)


def effect_sizes(frame: pd.DataFrame) -> go.Figure:
    """Each hypothesis test's effect size with its 95% interval; colour = decision."""
    title = "Hypothesis tests: effect sizes with 95% intervals (red: H0 rejected after Holm)"
    if frame.empty:
        return empty(title, "No hypothesis tests")
    rows = frame.iloc[::-1]
    rejected = rows["decision"].astype(str).str.startswith("reject")
    labels = [
        f"{plotly(formats.words(test))} "
        f"({plotly(formats.words(name)) if isinstance(name, str) else 'effect'})"
        for test, name in zip(rows["test_id"], rows["effect_size_name"], strict=True)
    ]
    figure = go.Figure(
        go.Scatter(
            x=rows["effect_size"],
            y=labels,
            mode="markers",
            marker={
                "color": [FLAG_COLOUR if flag else PALETTE[0] for flag in rejected],
                "size": 11,
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": rows["effect_size_ci_high"] - rows["effect_size"],
                "arrayminus": rows["effect_size"] - rows["effect_size_ci_low"],
            },
            text=_words(rows["decision"], code=True),
            hovertemplate="%{y}<br>effect %{x:.3f}<br>%{text}<extra></extra>",
        )
    )
    figure.add_vline(x=0, line_color=NEUTRAL_COLOUR, line_width=1)
    figure.update_xaxes(title="effect size (0 = no effect)")
    return _layout(figure, title, height=max(320, 50 * len(rows) + 120))


#: How far past the longest acceptable test the A/B plan's axis runs; longer plans stop there.
AB_PLAN_CAP = 1.5


def _days(value: float) -> str:
    """A number of days that stays readable when a plan needs 1e56 of them."""
    return f"{value:,.0f}" if value < 1e7 else f"{value:.1e}"


def _scenario(row: dict[str, object]) -> str:
    """A scenario's label: the lift it detects (the test of fixed length says so)."""
    lift = row.get("mde_relative")
    lift_text = "" if formats.is_missing(lift) else f"{float(lift):.0%}"  # type: ignore[arg-type]
    if row.get("scenario") == "fixed_duration":
        longest = row.get("max_test_days")
        days = "" if formats.is_missing(longest) else f"{int(longest)}-day test"  # type: ignore[call-overload]
        return f"{days or 'Longest test'}: detects {lift_text or '?'} lift"
    if lift_text:
        return f"{lift_text} lift"
    return formats.words(row.get("scenario"))


def ab_test_plan(frame: pd.DataFrame) -> go.Figure:
    """Days each scenario of the A/B test plan needs, against the longest acceptable test.

    A linear days axis: the longest acceptable test is a dashed line, and a plan longer
    than :data:`AB_PLAN_CAP` times it stops at the cap, marked with the days it needs
    (a plan on thin traffic needs 1e56 days, which no axis shows usefully). Every
    scenario has its own label on the axis and its text above its own bar.
    """
    title = "A/B test plan: days needed per detectable lift"
    if "status" in frame.columns:  # the not_enough_data row has nothing to draw
        frame = frame[frame["status"] != "not_enough_data"]
    if frame.empty:
        return empty(title, "No planned scenario")
    rows = frame.to_dict("records")
    longest = frame["max_test_days"].dropna() if "max_test_days" in frame else pd.Series()
    limit = float(longest.iloc[0]) if not longest.empty else None
    needed = [
        None if formats.is_missing(row.get("days_needed")) else float(row["days_needed"])
        for row in rows
    ]
    finite = [days for days in needed if days is not None and math.isfinite(days)]
    # Without a longest acceptable test, the longest finite plan sets the axis.
    cap = limit * AB_PLAN_CAP if limit is not None else (max(finite, default=1.0) or 1.0)
    labels = _unique([plotly(_scenario(row)) for row in rows])
    heights, texts, colours, hovers, capped = [], [], [], [], []
    for row, days in zip(rows, needed, strict=True):
        feasible = bool(row.get("is_feasible")) and not formats.is_missing(row.get("is_feasible"))
        colours.append(PALETTE[2] if feasible else FLAG_COLOUR)
        capped.append(days is not None and (days > cap or not math.isfinite(days)))
        if days is None:
            heights.append(0.0)
            texts.append("no estimate")
            hovers.append("no estimate of the days needed")
        elif capped[-1]:
            heights.append(cap)
            texts.append(f"not feasible:<br>{_days(days)} days")
            hovers.append(f"needs {_days(days)} days (the axis stops at {_days(cap)})")
        else:
            heights.append(days)
            texts.append(f"{_days(days)} days")
            hovers.append(f"needs {_days(days)} days")
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=heights,
            marker_color=colours,
            marker_pattern_shape=["/" if flag else "" for flag in capped],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=hovers,
            hovertemplate="%{x}<br>%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    if limit is not None:
        figure.add_trace(
            go.Scatter(
                x=[labels[0], labels[-1]],
                y=[limit, limit],
                mode="lines",
                name=f"longest acceptable test: {int(limit)} days",
                line={"dash": "dash", "color": NEUTRAL_COLOUR},
                hoverinfo="skip",
            )
        )
        figure.add_hline(y=limit, line_dash="dash", line_color=NEUTRAL_COLOUR)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    # Headroom above the cap for the bars' two-line texts.
    figure.update_yaxes(title="days needed", type="linear", range=[0, cap * 1.3])
    figure.update_layout(showlegend=True)
    return _layout(figure, title)


def _unique(labels: list[str]) -> list[str]:
    """Labels made distinct (a repeated one gets its position), so no two share a spot."""
    seen: dict[str, int] = {}
    distinct = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        distinct.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return distinct
