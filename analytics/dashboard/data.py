"""The read-only access to the marts that every page and both reports share (no Streamlit).

:class:`Source` is the query function of a dbt target, read-only on both (a read-only
DuckDB connection, a read-only PostgreSQL session); it turns a missing, locked or
unbuilt warehouse into :class:`WarehouseUnavailable`, a message for people instead of a
stack trace. DuckDB allows one writing process or several reading ones: the dashboard
opens a connection per query and closes it at once (tens of milliseconds, none between
page runs, cached results need none), so a load or ``dbt build`` that starts while the
dashboard is open works, unless it starts in the very milliseconds a query runs: then
it stops on DuckDB's lock error and a rerun goes through.

A query takes a :data:`Query` (SQL in, a DataFrame out) and returns the rows a chart or
table needs, aggregated in SQL that runs unchanged on DuckDB and PostgreSQL, built with
the helpers here (:func:`quote`, :func:`where` ...). A page's own queries live in its
module in ``views/``; here are only those several readers share: the sidebar's choices
and the as-of date (every page), and the evidence tables the text report reads too.

:data:`MARTS` lists the relations each page reads; ``models/marts/_exposures.yml``
declares the same ones (a test holds the two together), so ``dbt docs`` draws the
dashboard and the report in the lineage.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from loaders.config import duckdb_path, postgres_credentials

from ..warehouse import Warehouse, WarehouseError

Query = Callable[[str], pd.DataFrame]

#: The relations each page reads (schema.table), as the exposures declare them.
MARTS: dict[str, tuple[str, ...]] = {
    "overview": (  # with the sidebar's choices and as-of date, read on every page
        "intermediate.int_as_of_date",
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


def quote(value: str) -> str:
    """``value`` as an SQL string literal (its quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def date_literal(value: date) -> str:
    """``value`` as an SQL date literal."""
    return f"date '{value.isoformat()}'"


def is_in(column: str, values: Sequence[str]) -> str:
    """The condition that ``column`` is one of ``values`` (quoted)."""
    return f"{column} in ({', '.join(quote(value) for value in values)})"


def date_range(column: str, start: date | None, end: date | None) -> list[str]:
    """The conditions keeping ``column`` within [start, end] (an open side has none)."""
    conditions = []
    if start is not None:
        conditions.append(f"{column} >= {date_literal(start)}")
    if end is not None:
        conditions.append(f"{column} <= {date_literal(end)}")
    return conditions


def where(conditions: Sequence[str]) -> str:
    """A where clause of ``conditions`` joined by and (nothing without conditions)."""
    return ("where " + "\n    and ".join(conditions)) if conditions else ""


# --- the sidebar's choices and the as-of date (every page, the reports) ------------------


def as_of_date(query: Query) -> date | None:
    """The build's as-of date: every "days since" in the marts counts from it."""
    frame = query("select as_of_date from intermediate.int_as_of_date")
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


# --- the evidence: read by its page, the text report and the HTML report ------------------


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
