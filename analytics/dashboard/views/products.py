"""The Products page: revenue per product and the diagnosis of low ratings.

Its query (product performance), its figures and its layout; the diagnosis's rows come
from :func:`..data.product_diagnostics` (the text report reads them too). The HTML
report's product section draws the same from here. Streamlit runs this file as the
page (``app.py`` routes it).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

# Absolute imports: Streamlit runs this file as a script, not as a module of the package.
from analytics.dashboard import charts, data, formats, gaps, shell
from analytics.dashboard.data import Filters, Query
from analytics.dashboard.text import markdown, plotly, plotly_labels

# --- queries --------------------------------------------------------------------------------


def product_performance(query: Query) -> pd.DataFrame:
    """Revenue, units and customers per product."""
    return query(
        """
    select product, category, total_revenue, total_sales, total_transactions,
        unique_customers, avg_price
    from marts.product_performance
    order by total_revenue desc nulls last, product
    """
    )


# --- figures --------------------------------------------------------------------------------


def product_revenue_chart(frame: pd.DataFrame, top: int = 15) -> go.Figure:
    """The products with the most revenue."""
    title = f"Products: revenue (top {top})"
    if frame.empty:
        return charts.empty(title, "No products sold")
    rows = frame.head(top).iloc[::-1]
    categories = sorted(str(value) for value in frame["category"].dropna().unique())
    colours = {
        category: charts.PALETTE[index % len(charts.PALETTE)]
        for index, category in enumerate(categories)
    }
    figure = go.Figure(
        go.Bar(
            y=plotly_labels(rows["product"]),
            x=rows["total_revenue"],
            orientation="h",
            marker_color=[
                colours.get(str(category), charts.NEUTRAL_COLOUR) for category in rows["category"]
            ],
            text=plotly_labels(rows["category"]),
            hovertemplate="%{y} (%{text})<br>revenue %{x:,.2f}<extra></extra>",
        )
    )
    figure.update_xaxes(title="revenue")
    return charts.layout(figure, title, height=max(380, 26 * len(rows) + 120))


def product_diagnostics_chart(frame: pd.DataFrame) -> go.Figure:
    """Low-rating share per product against its baseline; flagged products in red."""
    title = "Product diagnosis: share of 1-2 star reviews (red: flagged after Holm)"
    data = frame.dropna(subset=["low_rating_share"])
    if data.empty:
        return charts.empty(title, "No product with reviews")
    figure = go.Figure()
    for flagged, name, colour in (
        (False, "not flagged", charts.PALETTE[0]),
        (True, "flagged", charts.FLAG_COLOUR),
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
            marker={"symbol": "line-ew-open", "size": 12, "color": charts.NEUTRAL_COLOUR},
        )
    )
    figure.update_xaxes(title="reviews", type="log")
    figure.update_yaxes(title="share of 1-2 star reviews", tickformat=".0%")
    return charts.layout(figure, title)


# --- the page --------------------------------------------------------------------------------


def page(filters: Filters) -> None:
    """Product performance and the diagnosis of low ratings."""
    st.title("Products")
    st.caption("All data: the product marts are not split by day or country.")
    performance = product_performance(shell.query)
    shell.missing(gaps.products(performance))
    shell.chart(product_revenue_chart(performance), "products_revenue")
    with st.expander("Every product"):
        shell.table(performance)
    diagnostics = data.product_diagnostics(shell.query)
    st.subheader("Low ratings")
    if shell.missing(gaps.diagnosis(shell.query, diagnostics)):
        return
    shell.chart(product_diagnostics_chart(diagnostics), "products_diagnostics")
    flagged = diagnostics[diagnostics["is_flagged"].fillna(False).astype(bool)]
    st.subheader("Flagged products")
    if flagged.empty:
        st.info("No product has significantly more low ratings than its baseline.")
    else:
        for row in flagged.itertuples(index=False):
            st.markdown(
                f"**{markdown(row.product_name)}**: {formats.share(row.low_rating_share)} low "
                f"ratings of {formats.count(row.reviews)} reviews against "
                f"{formats.share(row.baseline_low_rating_share)} "
                f"(Holm p {formats.p_value(row.p_value_holm)}); top "
                f"complaint **{markdown(row.top_complaint_tag)}** "
                f"({formats.share(row.top_complaint_tag_share)}). Complaint tags: "
                f"{markdown(row.top_complaint_tags or formats.MISSING)}."
            )
    shell.table(
        diagnostics,
        [
            "product_name",
            "reviews",
            "average_rating",
            "low_rating_share",
            "baseline_low_rating_share",
            "p_value_holm",
            "top_complaint_tag",
            "return_request_rate",
            "refund_rate",
        ],
        labels={
            "product_name": "Product",
            "average_rating": "Rating",
            "low_rating_share": "1-2 stars",
            "baseline_low_rating_share": "Baseline",
            "return_request_rate": "Returns",
            "refund_rate": "Refunds",
        },
    )


if __name__ == "__main__":  # Streamlit runs this file as the page
    shell.guarded(page)
