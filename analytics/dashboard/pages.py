"""The dashboard's pages (Streamlit): the sidebar filters and one function per page.

The page scripts in ``views/`` call :func:`render`; ``app.py`` wires them into
``st.navigation``. Queries go through one cache keyed on the warehouse's version
(the DuckDB file's stamp; on PostgreSQL the minute), so a rebuild shows at once and
flipping between pages does not query again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from . import PAGES, answers, charts, data, formats, gaps, spend, tables
from .data import Filters, Source, WarehouseUnavailable
from .text import markdown

PROJECT_DIR = Path(__file__).resolve().parents[2]
_FILTERS_KEY = "dashboard_filters"
_UNAVAILABLE_KEY = "dashboard_unavailable"


# --- data access -----------------------------------------------------------------------------


def _source() -> Source:
    return Source(data.configured_target())


@st.cache_data(show_spinner=False, ttl=3600, max_entries=1024)
def _cached(target: str, version: str, sql: str) -> pd.DataFrame:
    return Source(target).query(sql)


def query(sql: str) -> pd.DataFrame:
    """The rows of ``sql`` on the configured target, cached until the warehouse changes."""
    source = _source()
    version = source.version()
    if source.target != "duckdb":
        version += f":{int(time.time() // 60)}"
    return _cached(source.target, version, sql).copy()


@st.cache_resource(show_spinner="Compiling the business questions with dbt ...")
def _compiled(target: str) -> dict[str, str]:
    return answers.compiled_analyses(target, PROJECT_DIR)


def show_unavailable(error: WarehouseUnavailable) -> None:
    """Say why the warehouse cannot be read, and stop the page."""
    if error.reason == "rebuilding":
        st.warning(error.message, icon="⏳")
    else:
        st.error(error.message, icon="🚫")
    st.stop()


def guarded(page: Callable[[Filters], None]) -> None:
    """Run a page; a warehouse that cannot be read becomes a message, not a stack trace."""
    unavailable = st.session_state.get(_UNAVAILABLE_KEY)
    if isinstance(unavailable, WarehouseUnavailable):
        show_unavailable(unavailable)
    filters = st.session_state.get(_FILTERS_KEY) or Filters()
    try:
        page(filters)
    except WarehouseUnavailable as error:
        show_unavailable(error)


# --- sidebar -------------------------------------------------------------------------------


def sidebar() -> None:
    """The filters every page shares: date range and country (stored for the pages)."""
    st.session_state.pop(_UNAVAILABLE_KEY, None)
    source = _source()
    st.sidebar.caption(f"Warehouse: **{source.target}** (read-only)")
    try:
        first_day, last_day = data.order_date_bounds(query)
        countries = data.countries(query)
        as_of = data.as_of_date(query)
    except WarehouseUnavailable as error:
        st.session_state[_UNAVAILABLE_KEY] = error
        return
    if as_of is not None:
        st.sidebar.caption(f"Data as of **{as_of:%Y-%m-%d}** (the build's as-of date)")
    start: date | None = None
    end: date | None = None
    narrowed = False
    if first_day is not None and last_day is not None:
        bounds = (first_day, last_day)
        # The widget's state is ours: a rebuild that moves the span of orders resets the
        # range to the new span (a kept state would silently hide the new days).
        if st.session_state.get("filter_dates_bounds") != bounds:
            st.session_state["filter_dates_bounds"] = bounds
            st.session_state["filter_dates"] = bounds
        chosen = st.sidebar.date_input(
            "Date range",
            min_value=first_day,
            max_value=last_day,
            key="filter_dates",
            help="Orders, cohorts, campaigns active and social series within these days.",
        )
        values = list(chosen) if isinstance(chosen, tuple | list) else [chosen]
        start = values[0] if values else first_day
        end = values[1] if len(values) > 1 else last_day
        narrowed = (start, end) != bounds
    names = dict(zip(countries["country_code"], countries["country"], strict=True))
    codes = st.sidebar.multiselect(
        "Country",
        options=list(names),
        format_func=lambda code: f"{names.get(code, code)} ({code})",
        key="filter_countries",
        placeholder="All countries",
        help="Customers' country: orders, RFM segments, lifetime value and churn risk.",
    )
    st.session_state[_FILTERS_KEY] = Filters(
        start=start, end=end, narrowed=narrowed, country_codes=tuple(codes)
    )


def _scope(filters: Filters, *, dates: bool, countries: bool, what: str = "") -> None:
    """Say which filters apply to what follows (and which do not)."""
    parts = []
    if dates and filters.start and filters.end:
        parts.append(f"{filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d}")
    elif filters.narrowed:
        parts.append("all dates (not split by day)")
    if countries and filters.country_codes:
        parts.append("countries " + ", ".join(markdown(code) for code in filters.country_codes))
    elif filters.country_codes:
        parts.append("all countries (not split by country)")
    prefix = f"{what}: " if what else ""
    st.caption(prefix + ("; ".join(parts) if parts else "all data"))


# --- formatting ------------------------------------------------------------------------------

_money = formats.money
_count = formats.count
_share = formats.share
_p = formats.p_value


def _table(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    codes: Sequence[str] = (),
    labels: dict[str, str] | None = None,
    **options: Any,
) -> None:
    """``frame`` as a readable table: headers in words, one format per kind, no cut-off."""
    tables.show(tables.layout(frame, columns, codes=codes, labels=labels), **options)


def _chart(figure: Any, key: str) -> None:
    st.plotly_chart(figure, key=key, config={"displaylogo": False})


def _missing(note: str | None) -> bool:
    """Show what a section lacks (a gaps sentence, its data values escaped); True if shown."""
    if note is None:
        return False
    st.info(markdown(note), icon="ℹ️")
    return True


# --- overview --------------------------------------------------------------------------------


def _revenue_by_month(frame: pd.DataFrame) -> str:
    last = frame.iloc[-1]
    text = f"The last month, {last['month']:%Y-%m}, made {_money(last['total_revenue'])}"
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
        f"{_money(frame.iloc[0]['total_spent'])} over "
        f"{_count(frame.iloc[0]['total_transactions'])} orders."
    ),
    "top_product_by_revenue": lambda frame: (
        f"**{markdown(frame.iloc[0]['product'])}** brings the most revenue: "
        f"{_money(frame.iloc[0]['total_revenue'])}."
    ),
    "best_campaign_by_roi": lambda frame: (
        f"**{markdown(frame.iloc[0]['campaign_name'])}** "
        f"({markdown(frame.iloc[0]['campaign_type'])}): ROI "
        f"{_share(frame.iloc[0]['roi'])}, ROAS {formats.ratio(frame.iloc[0]['roas'])} on "
        f"{_money(frame.iloc[0]['total_spend'])} spent."
    ),
    "revenue_by_month": _revenue_by_month,
    "top_country_by_revenue": lambda frame: (
        f"**{markdown(frame.iloc[0]['country'])}** brings the most revenue: "
        f"{_money(frame.iloc[0]['total_revenue'])} from "
        f"{_count(frame.iloc[0]['total_customers'])} customers."
    ),
}


def _answers() -> None:
    st.subheader("The five business questions")
    st.caption(
        "The project's dbt analyses (analyses/*.sql, the same as `make report`), over all "
        "the data: the sidebar filters do not apply here."
    )
    try:
        compiled = _compiled(_source().target)
    except (answers.CompileError, OSError) as error:
        st.error(
            f"The business questions could not be compiled: {error}. The rest of the "
            "dashboard works; `make report` shows the same error in full.",
            icon="🚫",
        )
        return
    for name in answers.BUSINESS_QUESTIONS:
        frame = query(compiled[name])
        with st.container(border=True):
            st.markdown(f"**{answers.QUESTIONS[name]}**")
            if frame.empty:
                st.info("Not enough data for this question: the marts it reads are empty.")
                continue
            st.markdown(_HEADLINES[name](frame))
            with st.expander(f"The answer's rows (analyses/{name}.sql)"):
                # One row reads down a list of figures; more rows as a table.
                _table(tables.transposed(frame) if len(frame) == 1 else frame)


def overview(filters: Filters) -> None:
    """Revenue, orders, AOV and active customers over time; the five answers."""
    st.title("Overview")
    _scope(filters, dates=True, countries=True)
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
        comparison = data.period_comparison(query, filters, start, filters.end)
        st.caption(
            f"{comparison.start:%Y-%m-%d} to {comparison.end:%Y-%m-%d} against "
            f"{comparison.previous_start:%Y-%m-%d} to {comparison.previous_end:%Y-%m-%d}."
        )
        columns = st.columns(4)
        for column, (measure, label, formatter) in zip(
            columns,
            (
                ("revenue", "Revenue", _money),
                ("orders", "Orders", _count),
                ("average_order_value", "Average order value", _money),
                ("active_customers", "Active customers", _count),
            ),
            strict=True,
        ):
            change = comparison.change(measure)
            column.metric(
                label,
                formatter(comparison.current[measure]),
                delta=f"{change:+.1%}" if change is not None else None,
                delta_description=None if change is not None else "no earlier orders to compare",
                border=True,
            )
    grain = st.segmented_control(
        "Period", options=list(data.GRAINS), default="month", key="overview_grain"
    )
    series = data.revenue_over_time(query, filters, grain or "month")
    if not _missing(gaps.revenue(series) if not filters.country_codes else None):
        _chart(charts.revenue_trend(series, grain or "month"), "overview_trend")
    _answers()
    with st.expander("Automated insights (marts.business_insights)"):
        _table(
            data.insights(query),
            ["title", "metric_value", "metric_unit", "revenue_at_stake", "recommendation"],
            codes=["metric_unit"],
        )


# --- customers -------------------------------------------------------------------------------


def customers(filters: Filters) -> None:
    """RFM segments, cohorts, LTV, churn risk, lifecycle segments and target lists."""
    st.title("Customers")
    _scope(filters, dates=False, countries=True, what="Segments, lifetime value, churn risk")
    segments = data.rfm_segments(query, filters)
    if not filters.country_codes and _missing(gaps.customers(segments)):
        return
    _chart(charts.rfm_segments(segments), "customers_rfm")
    with st.expander("What each RFM segment means and what to do"):
        _table(
            segments,
            ["segment", "customers", "revenue", "description", "recommended_action"],
            codes=["segment"],
        )
    st.subheader("Cohort retention")
    _scope(filters, dates=filters.narrowed, countries=False, what="Cohorts by month of first order")
    _chart(charts.cohort_heatmap(data.cohort_retention(query, filters)), "customers_cohorts")
    left, right = st.columns(2)
    with left:
        _chart(charts.ltv_distribution(data.ltv_distribution(query, filters)), "customers_ltv")
    with right:
        _chart(charts.churn_risk(data.churn_risk(query, filters)), "customers_churn")
    lifecycle = data.lifecycle_segments(query, filters)
    _chart(charts.lifecycle_segments(lifecycle), "customers_lifecycle")
    _table(lifecycle)
    st.subheader("Target lists")
    _scope(filters, dates=False, countries=False, what="The lists of the whole customer base")
    lists = data.target_lists(query)
    _chart(charts.target_lists(lists), "customers_targets")
    _table(
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


# --- campaigns -------------------------------------------------------------------------------

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
    _table(
        kpis,
        [*_CAMPAIGN_COLUMNS, *extra, "spend_note"],
        labels={"campaign_name": "Campaign", "total_conversions": "Conversions"},
        height=420,
        key="campaigns_kpis",
    )
    _chart(charts.campaign_returns(kpis), "campaigns_returns")


def campaigns(filters: Filters) -> None:
    """The KPI table, attribution models per channel and the campaign plan."""
    st.title("Campaigns")
    kinds = st.sidebar.multiselect(
        "Campaign channel",
        data.campaign_types(query),
        key="filter_campaign_types",
        placeholder="All channels",
    )
    sources = st.sidebar.multiselect(
        "Traffic source (attribution)",
        data.traffic_sources(query),
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
    _scope(filters, dates=filters.narrowed, countries=False, what="Campaigns active in")
    kpis = data.campaign_kpis(query, filters)
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
        f"Campaigns that spent less than {_money(spend.minimum_spend())} (the best-ROI "
        f"question's minimum) are marked “{spend.TOO_LITTLE_SPEND}” and come last by ROI "
        "and ROAS: a ratio on a few units of spend says little."
    )
    unfiltered = not (filters.narrowed or filters.campaign_types)
    if not (unfiltered and _missing(gaps.campaigns(kpis))):
        _campaign_table(kpis, column)
    measure = st.segmented_control(
        "Attribution measure",
        options=["share_of_conversions", "share_of_revenue", "attributed_revenue"],
        default="share_of_conversions",
        format_func=formats.label,
        key="campaigns_measure",
    )
    _scope(filters, dates=False, countries=False, what="Attribution over every conversion")
    attribution = data.channel_attribution(query, filters)
    if filters.traffic_sources or not _missing(gaps.attribution(attribution)):
        _chart(
            charts.channel_attribution(attribution, measure or "share_of_conversions"),
            "campaigns_attribution",
        )
    st.subheader("The next campaign")
    plan = data.campaign_plan(query)
    if _missing(gaps.next_campaign(query, plan)):
        return
    _missing(gaps.channel_budget(plan))
    _chart(charts.campaign_plan(plan), "campaigns_plan")
    _table(
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


# --- products --------------------------------------------------------------------------------


def products(filters: Filters) -> None:
    """Product performance and the diagnosis of low ratings."""
    st.title("Products")
    st.caption("All data: the product marts are not split by day or country.")
    performance = data.product_performance(query)
    _missing(gaps.products(performance))
    _chart(charts.product_revenue(performance), "products_revenue")
    with st.expander("Every product"):
        _table(performance)
    diagnostics = data.product_diagnostics(query)
    st.subheader("Low ratings")
    if _missing(gaps.diagnosis(query, diagnostics)):
        return
    _chart(charts.product_diagnostics(diagnostics), "products_diagnostics")
    flagged = diagnostics[diagnostics["is_flagged"].fillna(False).astype(bool)]
    st.subheader("Flagged products")
    if flagged.empty:
        st.info("No product has significantly more low ratings than its baseline.")
    else:
        for row in flagged.itertuples(index=False):
            st.markdown(
                f"**{markdown(row.product_name)}**: {_share(row.low_rating_share)} low "
                f"ratings of {_count(row.reviews)} reviews against "
                f"{_share(row.baseline_low_rating_share)} (Holm p {_p(row.p_value_holm)}); top "
                f"complaint **{markdown(row.top_complaint_tag)}** "
                f"({_share(row.top_complaint_tag_share)}). Complaint tags: "
                f"{markdown(row.top_complaint_tags or formats.MISSING)}."
            )
    _table(
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


# --- social to sales -------------------------------------------------------------------------


def social(filters: Filters) -> None:
    """Mentions over sales with the detected lag, and the cross-correlation by lag."""
    st.title("Social to sales")
    summary = data.social_lag_summary(query)
    if _missing(gaps.social_lag(query, summary)):
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
            f"{shown} (Holm p {_p(row['p_value_holm'])}, "
            f"Granger Holm p {_p(row['granger_p_value_holm'])})."
        )
    shift = st.toggle(
        f"Shift mentions by the detected lag ({lag} days)", value=True, key="social_shift"
    )
    _scope(filters, dates=filters.narrowed, countries=False, what="Daily series")
    series = data.social_and_sales(query, str(platform), str(category), filters)
    _chart(
        charts.social_overlay(series, str(platform), str(category), lag if shift else 0),
        "social_overlay",
    )
    _chart(
        charts.cross_correlation(data.cross_correlation(query, str(category)), str(category)),
        "social_xcorr",
    )
    with st.expander("Every platform and category"):
        _table(
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


# --- experiments -----------------------------------------------------------------------------


def experiments(filters: Filters) -> None:
    """The hypothesis tests and the A/B test plan."""
    st.title("Experiments")
    st.caption("From the statistics step (`make analyze`), over all the data.")
    tests = data.hypothesis_tests(query)
    notes = gaps.hypothesis_tests(tests)
    if notes == [gaps.NOT_RUN]:
        _missing(gaps.NOT_RUN)
        return
    for note in notes:
        _missing(note)
    _chart(charts.effect_sizes(tests), "experiments_effects")
    _table(
        tests,
        [
            "test_id",
            "n_a",
            "n_b",
            "p_value_holm",
            "effect_size",
            "decision",
            "conclusion",
        ],
        codes=["test_id", "decision"],
    )
    with st.expander("What each test asks, and how"):
        for row in tests.itertuples(index=False):
            st.markdown(
                f"**{markdown(formats.words(row.test_id, code=True))}**: {markdown(row.question)} "
                f"Method: {markdown(row.method)}; "
                f"{markdown(formats.words(row.estimate_name))} "
                f"{formats.ratio(row.estimate_a)} (A) against "
                f"{formats.ratio(row.estimate_b)} (B); effect size "
                f"{markdown(formats.words(row.effect_size_name))} "
                f"{formats.ratio(row.effect_size)} (95% interval "
                f"{formats.ratio(row.effect_size_ci_low)} to "
                f"{formats.ratio(row.effect_size_ci_high)})."
            )
    st.subheader("A/B test plan")
    plan = data.ab_test_plan(query)
    if _missing(gaps.ab_plan(plan)):
        return
    _chart(charts.ab_test_plan(plan), "experiments_plan")
    sessions = plan["daily_eligible_sessions"].dropna()
    if not sessions.empty:
        st.caption(f"Every scenario at {formats.ratio(sessions.iloc[0])} eligible sessions a day.")
    _table(
        plan,
        [
            "scenario",
            "baseline_conversion_rate",
            "mde_relative",
            "sample_size_per_arm",
            "days_needed",
            "is_feasible",
            "simulated_power",
            "note",
        ],
        codes=["scenario"],
        labels={
            "baseline_conversion_rate": "Baseline rate",
            "mde_relative": "Lift",
            "simulated_power": "Power",
        },
    )
    st.caption(
        "Check a running experiment's split: `python -m analytics srm --control N --treatment M`."
    )


_RENDERERS: dict[str, Callable[[Filters], None]] = {
    "overview": overview,
    "customers": customers,
    "campaigns": campaigns,
    "products": products,
    "social": social,
    "experiments": experiments,
}


def render(name: str) -> None:
    """Render page ``name`` (one of :data:`PAGES`) with the sidebar's filters."""
    assert name in dict(PAGES), name
    guarded(_RENDERERS[name])
