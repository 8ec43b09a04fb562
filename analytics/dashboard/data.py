"""What the dashboard and the HTML report show, read from the marts (no Streamlit here).

Every function takes a :data:`Query` (SQL in, a DataFrame out) and returns the rows a
chart or table needs, aggregated in SQL that runs unchanged on DuckDB and PostgreSQL.
:class:`Source` is the query function of a dbt target, read-only on both (a read-only
DuckDB connection, a read-only PostgreSQL session); it turns a missing, locked or
unbuilt warehouse into :class:`WarehouseUnavailable`, a message for people instead of a
stack trace. DuckDB allows one writing process or several reading ones: the dashboard
opens a connection per query and closes it at once (tens of milliseconds, none between
page runs, cached results need none), so a load or ``dbt build`` that starts while the
dashboard is open works, unless it starts in the very milliseconds a query runs: then
it stops on DuckDB's lock error and a rerun goes through.

:data:`MARTS` lists the relations each page reads; ``models/marts/_exposures.yml``
declares the same ones (a test holds the two together), so ``dbt docs`` draws the
dashboard and the report in the lineage.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from loaders.config import duckdb_path, postgres_credentials

from ..warehouse import Warehouse, WarehouseError
from . import spend

Query = Callable[[str], pd.DataFrame]

#: The relations each page reads (schema.table), as the exposures declare them.
MARTS: dict[str, tuple[str, ...]] = {
    "overview": (  # with the sidebar's choices and as-of date, read on every page
        "core.int_as_of_date",
        "core.fct_orders",
        "marts.customer_metrics",
        "marts.country_statistics",
        "marts.monthly_revenue",
        "marts.business_insights",
        "marts.product_performance",
        "marts.campaign_performance",
    ),
    "customers": (
        "marts.rfm_segmentation",
        "marts.customer_ltv",
        "marts.cohort_retention",
        "marts.campaign_target_summary",
        "marts.country_statistics",
    ),
    "campaigns": (
        "marts.campaign_performance",
        "marts.channel_attribution",
        "marts.campaign_plan",
    ),
    "products": ("marts.product_performance", "marts.product_diagnostics"),
    "social": (
        "marts.social_sales_lag",
        "marts.social_sales_lag_summary",
        "core.fct_social_trends_daily",
        "core.fct_marketplace_sales_daily",
    ),
    "experiments": ("marts.hypothesis_tests", "marts.ab_test_plan"),
}


class WarehouseUnavailable(RuntimeError):
    """The warehouse cannot be read now; ``reason`` is missing, rebuilding, not_built or down."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _is_connection_error(error: BaseException) -> bool:
    try:
        import psycopg2
    except ImportError:  # pragma: no cover - psycopg2 is pinned
        return type(error).__name__ == "OperationalError"
    return isinstance(error, psycopg2.OperationalError | psycopg2.InterfaceError)


def _classify(target: str, error: BaseException) -> WarehouseUnavailable | None:
    """The people's version of a database error, or None for a bug (let it raise)."""
    text = str(error).strip()
    first_line = text.splitlines()[0] if text else type(error).__name__
    name = type(error).__name__
    if isinstance(error, WarehouseError):
        return WarehouseUnavailable(
            "missing",
            f"There is no warehouse yet ({first_line.removeprefix('no warehouse at ')}). "
            "Build it with `make run` (or `make load build analyze`), then reload this page.",
        )
    if target == "duckdb" and name == "IOException" and "lock" in text.lower():
        return WarehouseUnavailable(
            "rebuilding",
            f"The warehouse {duckdb_path()} is being rebuilt right now (a load, `dbt build` "
            "or the statistics step holds it). Reload this page when it has finished; "
            "the dashboard only reads it and never blocks a rebuild.",
        )
    if (
        name in {"CatalogException", "UndefinedTable", "BinderException", "UndefinedColumn"}
        or "does not exist" in text
    ):
        return WarehouseUnavailable(
            "not_built",
            f"A mart this page reads is not built, or built by an older version of the "
            f"project ({first_line}). Run `make build analyze` (or `make run`), then reload "
            "this page.",
        )
    if _is_connection_error(error):
        return WarehouseUnavailable(
            "down",
            f"The {target} warehouse cannot be reached ({first_line}). Check the server "
            "and the PG* settings, then reload this page.",
        )
    return None


@dataclass(frozen=True)
class Source:
    """The marts of one dbt target, read-only."""

    target: str

    def query(self, sql: str) -> pd.DataFrame:
        """The rows of ``sql``; numeric columns as numbers (NULL as NaN), dates as dates."""
        try:
            frame = Warehouse(self.target).frame(sql)
        except Exception as error:
            unavailable = _classify(self.target, error)
            if unavailable is None:
                raise
            raise unavailable from error
        return numeric(frame)

    def version(self) -> str:
        """Changes whenever the warehouse may have changed (caches key on it)."""
        if self.target != "duckdb":  # the server's data has no stamp: callers add a clock
            credentials = postgres_credentials()
            if isinstance(credentials, str):
                return f"postgres:{credentials.rsplit('@', 1)[-1]}"  # no password in keys
            return "postgres:{host}:{port}/{database}".format(**credentials)
        path = duckdb_path()
        stamps = []
        for candidate in (path, Path(f"{path}.wal")):
            try:
                stat = candidate.stat()
                stamps.append(f"{stat.st_mtime_ns}:{stat.st_size}")
            except FileNotFoundError:
                stamps.append("-")
        return f"duckdb:{path}:{'/'.join(stamps)}"


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns holding only numbers and NULLs as numeric dtypes, so NULL is NaN.

    The drivers give NULL as None in object columns, which arithmetic and number
    formatting reject; a chart of a NULL lag or interval must show a gap, not crash.
    """
    for name in frame.columns:
        values = frame[name].dropna()
        if len(values) and all(
            isinstance(value, int | float) and not isinstance(value, bool) for value in values
        ):
            frame[name] = pd.to_numeric(frame[name])
    return frame


def configured_target() -> str:
    """The dbt target the project is configured for (``DBT_TARGET``, default duckdb)."""
    return os.environ.get("DBT_TARGET") or "duckdb"


# --- filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the sidebar narrows the pages to; empty tuples mean everything."""

    start: date | None = None
    end: date | None = None
    #: The date range differs from the full span of orders (campaigns, cohorts and
    #: social series outside the orders' span show only when nothing is narrowed).
    narrowed: bool = False
    country_codes: tuple[str, ...] = ()
    campaign_types: tuple[str, ...] = ()
    traffic_sources: tuple[str, ...] = ()


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _date(value: date) -> str:
    return f"date '{value.isoformat()}'"


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} in ({', '.join(_text(value) for value in values)})"


def _date_range(column: str, start: date | None, end: date | None) -> list[str]:
    conditions = []
    if start is not None:
        conditions.append(f"{column} >= {_date(start)}")
    if end is not None:
        conditions.append(f"{column} <= {_date(end)}")
    return conditions


def _where(conditions: Sequence[str]) -> str:
    return ("where " + "\n    and ".join(conditions)) if conditions else ""


# --- choices for the filters ---------------------------------------------------------------


def as_of_date(query: Query) -> date | None:
    """The build's as-of date: every "days since" in the marts counts from it."""
    frame = query("select as_of_date from core.int_as_of_date")
    return None if frame.empty else frame.iloc[0, 0]


def order_date_bounds(query: Query) -> tuple[date | None, date | None]:
    """The first and last day with a revenue order."""
    frame = query(
        "select min(order_date) as first_day, max(order_date) as last_day "
        "from core.fct_orders where is_revenue"
    )
    return frame.loc[0, "first_day"], frame.loc[0, "last_day"]


def countries(query: Query) -> pd.DataFrame:
    """country_code and country, by revenue (the country filter's choices)."""
    return query(
        "select country_code, country from marts.country_statistics "
        "where country_code is not null order by total_revenue desc, country"
    )


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


# --- overview ------------------------------------------------------------------------------

GRAINS = ("day", "week", "month")


def _orders_sql(filters: Filters, start: date | None, end: date | None) -> str:
    conditions = ["orders.is_revenue", *_date_range("orders.order_date", start, end)]
    if filters.country_codes:
        conditions.append(_in("customers.country_code", filters.country_codes))
    return f"""
    from core.fct_orders as orders
    left join marts.customer_metrics as customers
        on orders.customer_id = customers.customer_id
    {_where(conditions)}
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
        case when orders.order_date >= {_date(start)} then 'current' else 'previous' end
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


# --- customers -----------------------------------------------------------------------------


def _customer_country(filters: Filters, column: str) -> list[str]:
    return [_in(column, filters.country_codes)] if filters.country_codes else []


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
    {_where(conditions)}
    group by rfm.segment
    order by revenue desc, rfm.segment
    """
    )


def cohort_retention(query: Query, filters: Filters) -> pd.DataFrame:
    """Retention per cohort month and months since the first order (cohorts in the range)."""
    # A cohort is the month of the first order: the range keeps the months it touches.
    start = filters.start.replace(day=1) if filters.start and filters.narrowed else None
    conditions = _date_range("cohort_month", start, filters.end if filters.narrowed else None)
    return query(
        f"""
    select cohort_month, months_since_first_order, cohort_size, active_customers,
        retention_rate, cumulative_revenue_per_customer, is_small_cohort, is_partial_month
    from marts.cohort_retention
    {_where(conditions)}
    order by cohort_month, months_since_first_order
    """
    )


def ltv_distribution(query: Query, filters: Filters, bins: int = 40) -> pd.DataFrame:
    """Customers per band of predicted 12-month LTV (bands up to the 99th percentile)."""
    conditions = ["predicted_ltv_12m is not null", *_customer_country(filters, "country_code")]
    where = _where(conditions)
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
    {_where(conditions)}
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
    {_where(conditions)}
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


# --- campaigns -----------------------------------------------------------------------------


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
        conditions.append(f"(start_date is null or start_date <= {_date(filters.end)})")
    if filters.narrowed and filters.start is not None:
        conditions.append(f"(end_date is null or end_date >= {_date(filters.start)})")
    if filters.campaign_types:
        conditions.append(_in("campaign_type", filters.campaign_types))
    return query(
        f"""
    select campaign_name, campaign_type, status, avg_ctr as ctr, avg_cpc as cpc,
        avg_cpa as cpa, roas, roi, total_spend, attributed_revenue, total_impressions,
        total_clicks, total_conversions, budget, start_date, end_date, campaign_id, is_valid,
        case
            when coalesce(total_spend, 0) < {minimum!r} then '{spend.TOO_LITTLE_SPEND}'
        end as spend_note
    from marts.campaign_performance
    {_where(conditions)}
    order by coalesce(total_spend, 0) < {minimum!r}, roi desc nulls last, campaign_id
    """
    )


def channel_attribution(query: Query, filters: Filters) -> pd.DataFrame:
    """Conversions and revenue each attribution model credits each channel."""
    conditions = [_in("channel", filters.traffic_sources)] if filters.traffic_sources else []
    return query(
        f"""
    select attribution_model, channel, attributed_conversions, attributed_revenue,
        share_of_conversions, share_of_revenue
    from marts.channel_attribution
    {_where(conditions)}
    order by attribution_model, channel
    """
    )


def campaign_plan(query: Query) -> pd.DataFrame:
    """The next campaign's plan: audiences, budget per channel, expected revenue, evidence."""
    return query(
        """
    select plan_item_order, item_type, item, audience_size, current_spend, budget,
        budget_share, expected_revenue, expected_revenue_low, expected_revenue_high,
        expected_roas, evidence_status, justification
    from marts.campaign_plan
    order by plan_item_order
    """
    )


# --- products ------------------------------------------------------------------------------


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


def product_diagnostics(query: Query) -> pd.DataFrame:
    """Low-rating share per product against its baseline, flags and complaint tags."""
    return query(
        """
    select product_name, category, reviews, average_rating, low_rating_share,
        baseline_low_rating_share, p_value_holm, is_flagged, top_complaint_tag,
        top_complaint_tag_share, top_complaint_tags, return_request_rate, refund_rate
    from marts.product_diagnostics
    order by is_flagged desc, p_value_holm nulls last, product_name
    """
    )


# --- social to sales -----------------------------------------------------------------------


def social_lag_summary(query: Query) -> pd.DataFrame:
    """Per platform and category: the best lag, its correlation and whether social leads."""
    return query(
        """
    select platform, category, best_lag_days, best_correlation, p_value_holm,
        granger_p_value_holm, leads_sales, units_per_mention, mentions_per_day, units_per_day
    from marts.social_sales_lag_summary
    order by leads_sales desc, best_correlation desc nulls last, platform, category
    """
    )


def social_and_sales(query: Query, platform: str, category: str, filters: Filters) -> pd.DataFrame:
    """Daily mentions of a platform and units sold of a category (as the lag analysis reads)."""
    mention_conditions = [
        "is_valid",
        "mentions is not null",
        f"platform = {_text(platform)}",
        f"category = {_text(category)}",
        *(_date_range("trend_date", filters.start, filters.end) if filters.narrowed else []),
    ]
    unit_conditions = [
        "is_valid",
        "units_sold is not null",
        f"category = {_text(category)}",
        *(_date_range("sale_date", filters.start, filters.end) if filters.narrowed else []),
    ]
    return query(
        f"""
    with mentions as (
        select trend_date as day, sum(mentions) as mentions
        from core.fct_social_trends_daily
        {_where(mention_conditions)}
        group by trend_date
    ),
    units as (
        select sale_date as day, sum(units_sold) as units_sold
        from core.fct_marketplace_sales_daily
        {_where(unit_conditions)}
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
    where category = {_text(category)}
    order by platform, lag_days
    """
    )


# --- experiments ---------------------------------------------------------------------------


def hypothesis_tests(query: Query) -> pd.DataFrame:
    """The hypothesis tests with their method, effect size, Holm p-value and decision."""
    return query(
        """
    select test_order, test_id, question, method, group_a, group_b, n_a, n_b, estimate_name,
        estimate_a, estimate_b, p_value, p_value_holm, effect_size_name, effect_size,
        effect_size_ci_low, effect_size_ci_high, decision, method_reason, conclusion
    from marts.hypothesis_tests
    order by test_order
    """
    )


def ab_test_plan(query: Query) -> pd.DataFrame:
    """The A/B test plan: baseline, detectable lift, sample size and duration per scenario."""
    return query(
        """
    select plan_order, scenario, status, proposed_test, metric, baseline_conversion_rate,
        mde_relative, treatment_conversion_rate, sample_size_per_arm, total_sample_size,
        daily_eligible_sessions, days_needed, max_test_days, is_feasible, simulated_power,
        simulated_false_positive_rate, note
    from marts.ab_test_plan
    order by plan_order
    """
    )
