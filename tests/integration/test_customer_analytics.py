"""The customer growth marts (issue 3) agree with an independent pandas computation.

The generated exports (scale 0.25, every documented defect in) are loaded and built on
each target (session fixtures of ``conftest.py``). From the orders that
``expected.py`` computes from the export files on disk (``expected_generated.orders``:
``total`` in cents), the valid orders (``is_revenue`` with a customer) and the as-of
date, this module recomputes, with the rules as the docs of
``models/marts/customers/_customers__docs.md`` state them:

- ``customer_ltv``: lifetimes' ``summary_data_from_transaction_data`` at daily
  frequency with the as-of date as observation end (frequency, recency, T,
  monetary_value), re-implemented here (lifetimes itself is not a dependency),
  and every other column (historic value, rhythm, churn risk, prediction,
  percentile, lifecycle segment);
- ``rfm_segmentation``: recency, frequency, monetary, the percent-rank scores
  (pandas ``rank(method="min")``) and the segments of the seeds;
- ``cohort_retention``: every row, cohort sizes and active customers included.

Values are compared exactly (money to the cent, rates to their decimals), and both
targets must hold identical rows.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
import pytest
import yaml

from tests.conftest import REPO
from tests.integration import expected
from tests.integration.conftest import Build
from tests.integration.test_marts import assert_same_rows

pytestmark = pytest.mark.slow

#: The project's vars (dbt_project.yml), so that the thresholds are the build's.
VARS: dict[str, Any] = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
#: Each mart and the columns that identify its rows.
MART_KEYS: dict[str, tuple[str, ...]] = {
    "rfm_segmentation": ("customer_id",),
    "customer_ltv": ("customer_id",),
    "cohort_retention": ("cohort_month", "months_since_first_order"),
}


# --- the independent computation ----------------------------------------------------------


def _valid_orders(marts: expected.Marts) -> pd.DataFrame:
    """Revenue orders that name a customer, the input of every customer mart."""
    orders = marts.orders
    valid = orders[orders["is_revenue"] & orders["customer_id"].notna()].copy()
    valid["total"] = valid["total"].astype(int)
    return valid


def _quantize(value: Decimal, scale: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


def _percentile_disc(values: list[Decimal], fraction: float) -> Decimal:
    """SQL percentile_disc: the first value whose cumulative share reaches the fraction."""
    ordered = sorted(values)
    position = math.ceil(fraction * len(ordered))
    return ordered[max(position, 1) - 1]


def _percent_rank_score(values: pd.Series, descending: bool = False) -> pd.Series:
    """least(5, 1 + floor(5 * (rank - 1) / (n - 1))), rank with ties at their minimum; 3
    for every row when the values do not differ."""
    if values.nunique() <= 1:
        return pd.Series(3, index=values.index)
    ranks = values.rank(method="min", ascending=not descending).astype(int)
    n = len(values)
    return ranks.map(lambda rank: min(5, 1 + (5 * (rank - 1)) // (n - 1)))


def lifetimes_summary(orders: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """lifetimes.utils.summary_data_from_transaction_data(orders, "customer_id",
    "order_date", monetary_value_col="total", observation_period_end=as_of, freq="D").

    As lifetimes does it: the transactions of a customer are grouped by period (a day),
    their values summed; frequency is the number of periods - 1, recency and T the
    periods from the first to the last period and to the observation end, and
    monetary_value the mean value of the periods after the first (0 without one).
    """
    days = (
        orders[orders["order_date"] <= as_of]
        .groupby(["customer_id", "order_date"], as_index=False)
        .agg(day_total=("total", "sum"), day_orders=("order_id", "size"))
        .sort_values(["customer_id", "order_date"])
    )
    days["is_first"] = ~days.duplicated("customer_id")
    rows = []
    for customer_id, periods in days.groupby("customer_id", sort=False):
        first, last = periods["order_date"].min(), periods["order_date"].max()
        frequency = len(periods) - 1
        repeat_cents = int(periods.loc[~periods["is_first"], "day_total"].sum())
        rows.append(
            {
                "customer_id": customer_id,
                "first_purchase_date": first,
                "last_purchase_date": last,
                "total_orders": int(periods["day_orders"].sum()),
                "frequency": frequency,
                "recency": (last - first).days,
                "t": (as_of - first).days,
                "monetary_value": (
                    Decimal("0.0000")
                    if frequency == 0
                    else expected.safe_divide(Decimal(repeat_cents).scaleb(-2), frequency, 4)
                ),
                "historic_cents": int(periods["day_total"].sum()),
                "repeat_cents": repeat_cents,
            }
        )
    return pd.DataFrame(rows)


def customer_ltv(marts: expected.Marts) -> pd.DataFrame:
    """Every column of customer_ltv, from the documented formulas."""
    assert marts.as_of_date is not None
    summary = lifetimes_summary(_valid_orders(marts), marts.as_of_date)
    months = Decimal(str(VARS["ltv_prediction_months"]))
    own_rhythm = {
        row.customer_id: expected.safe_divide(row.recency, row.frequency, 4)
        for row in summary.itertuples()
        if row.frequency > 0
    }
    if own_rhythm:
        population_rhythm = _percentile_disc(list(own_rhythm.values()), 0.5)
    else:
        population_rhythm = Decimal(VARS["lifecycle_active_days"])
    total_frequency, total_t = int(summary["frequency"].sum()), int(summary["t"].sum())
    customers = len(summary)
    ltv_cents = sorted(summary["historic_cents"])
    # customer_metrics (computed independently in expected.py) carries what
    # dim_customers knows of each buyer: null consent and country when nothing.
    customer = marts.customer_metrics.set_index("customer_id")
    share = Decimal(str(VARS["lifecycle_high_value_share"]))

    rows = []
    for row in summary.itertuples():
        days_since = (marts.as_of_date - row.last_purchase_date).days
        rhythm = _quantize(own_rhythm.get(row.customer_id, population_rhythm), 4)
        ratio = expected.safe_divide(days_since, rhythm, 8)
        assert ratio is not None
        risk = Decimal(100 * (1 - math.exp(-float(ratio))))
        churn = int(_quantize(_quantize(risk, 6), 0))
        alive = 100 - churn
        historic = Decimal(row.historic_cents).scaleb(-2)
        if row.frequency > 0:
            orders_12m = expected.safe_divide(alive * 365 * row.frequency * months, 1200 * row.t, 4)
            value_12m = expected.safe_divide(
                alive * 365 * Decimal(row.repeat_cents).scaleb(-2) * months, 1200 * row.t, 2
            )
        else:
            orders_12m = expected.safe_divide(
                alive * 365 * total_frequency * months, 1200 * total_t, 4
            )
            value_12m = expected.safe_divide(
                alive * 365 * total_frequency * months * historic, 1200 * total_t, 2
            )
        at_or_below = bisect.bisect_right(ltv_cents, row.historic_cents)
        is_top = customers - at_or_below < share * customers
        if days_since > VARS["lifecycle_lost_days"]:
            segment = "Lost"
        elif row.t < VARS["lifecycle_new_days"]:
            segment = "New"
        elif is_top and days_since <= VARS["lifecycle_active_days"]:
            segment = "High Value"
        elif churn >= VARS["churn_risk_at_risk_score"]:
            segment = "At Risk"
        else:
            segment = "Regular"
        rows.append(
            {
                "customer_id": row.customer_id,
                "has_known_customer": customer.loc[row.customer_id, "has_known_customer"],
                "has_marketing_consent": customer.loc[row.customer_id, "has_marketing_consent"],
                "country_code": customer.loc[row.customer_id, "country_code"],
                "first_purchase_date": row.first_purchase_date,
                "last_purchase_date": row.last_purchase_date,
                "total_orders": row.total_orders,
                "frequency": row.frequency,
                "recency": row.recency,
                "t": row.t,
                "monetary_value": row.monetary_value,
                "historic_ltv": historic,
                "avg_order_value": expected.safe_divide(historic, row.total_orders, 2),
                "days_since_last_purchase": days_since,
                "expected_days_between_purchases": rhythm,
                "churn_risk_score": churn,
                "predicted_orders_12m": orders_12m if orders_12m is not None else Decimal(0),
                "predicted_ltv_12m": value_12m if value_12m is not None else Decimal(0),
                "ltv_percentile": expected.safe_divide(at_or_below, customers, 4),
                "is_top_ltv": is_top,
                "lifecycle_segment": segment,
            }
        )
    return pd.DataFrame(rows, dtype=object)


def _segment_map() -> dict[tuple[int, int], tuple[str, str, str]]:
    with (REPO / "seeds" / "rfm_segments.csv").open(newline="") as file:
        segments = {row["segment"]: row for row in csv.DictReader(file)}
    with (REPO / "seeds" / "rfm_segment_map.csv").open(newline="") as file:
        return {
            (int(row["r_score"]), int(row["f_score"])): (
                row["segment"],
                segments[row["segment"]]["description"],
                segments[row["segment"]]["recommended_action"],
            )
            for row in csv.DictReader(file)
        }


def rfm_segmentation(marts: expected.Marts) -> pd.DataFrame:
    """Every column of rfm_segmentation, scores by pandas rank(method="min")."""
    assert marts.as_of_date is not None
    as_of = marts.as_of_date
    frame = (
        _valid_orders(marts)
        .groupby("customer_id", as_index=False)
        .agg(
            first_order_date=("order_date", "min"),
            last_order_date=("order_date", "max"),
            frequency=("order_id", "size"),
            monetary_cents=("total", "sum"),
        )
    )
    frame["recency_days"] = [(as_of - last).days for last in frame["last_order_date"]]
    frame["r_score"] = _percent_rank_score(frame["recency_days"], descending=True)
    frame["f_score"] = _percent_rank_score(frame["frequency"])
    frame["m_score"] = _percent_rank_score(frame["monetary_cents"])
    known = marts.customer_metrics.set_index("customer_id")["has_known_customer"]
    segments = _segment_map()
    rows = []
    for row in frame.itertuples():
        segment, description, action = segments[(row.r_score, row.f_score)]
        rows.append(
            {
                "customer_id": row.customer_id,
                "has_known_customer": bool(known[row.customer_id]),
                "first_order_date": row.first_order_date,
                "last_order_date": row.last_order_date,
                "recency_days": row.recency_days,
                "frequency": int(row.frequency),
                "monetary": Decimal(int(row.monetary_cents)).scaleb(-2),
                "r_score": int(row.r_score),
                "f_score": int(row.f_score),
                "m_score": int(row.m_score),
                "rfm_score": f"{row.r_score}{row.f_score}{row.m_score}",
                "segment": segment,
                "segment_description": description,
                "recommended_action": action,
            }
        )
    return pd.DataFrame(rows, dtype=object)


def _add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def cohort_retention(marts: expected.Marts) -> pd.DataFrame:
    """Every row of cohort_retention: each cohort from month 0 to the as-of month."""
    assert marts.as_of_date is not None
    orders = _valid_orders(marts)
    orders["month"] = [date.replace(day=1) for date in orders["order_date"]]
    cohort_of = orders.groupby("customer_id")["month"].min()
    orders["cohort_month"] = orders["customer_id"].map(cohort_of)
    activity = orders.groupby(["cohort_month", "month"]).agg(
        active=("customer_id", "nunique"), cents=("total", "sum")
    )
    as_of_month = marts.as_of_date.replace(day=1)
    rows = []
    for cohort_month, size in cohort_of.value_counts().items():
        cumulative = 0
        number, month = 0, cohort_month
        while month <= as_of_month:
            active, cents = 0, 0
            if (cohort_month, month) in activity.index:
                active = int(activity.loc[(cohort_month, month), "active"])
                cents = int(activity.loc[(cohort_month, month), "cents"])
            cumulative += cents
            rows.append(
                {
                    "cohort_month": cohort_month,
                    "months_since_first_order": number,
                    "activity_month": month,
                    "cohort_size": int(size),
                    "active_customers": active,
                    "retention_rate": expected.safe_divide(active, int(size), 4),
                    "revenue": Decimal(cents).scaleb(-2),
                    "cumulative_revenue": Decimal(cumulative).scaleb(-2),
                    "cumulative_revenue_per_customer": expected.safe_divide(
                        Decimal(cumulative).scaleb(-2), int(size), 2
                    ),
                    "is_small_cohort": int(size) < VARS["cohort_min_size"],
                    "is_partial_month": month == as_of_month,
                }
            )
            number, month = number + 1, _add_months(month, 1)
    return pd.DataFrame(rows, dtype=object)


# --- the tests ------------------------------------------------------------------------------


def _actual(build: Build, mart: str, columns: list[str]) -> pd.DataFrame:
    return build.rows(f"marts.{mart}")[columns]


def test_customer_ltv_has_the_lifetimes_summary_columns(
    generated_build: Build, expected_generated: expected.Marts
) -> None:
    """frequency, recency, T and monetary_value as lifetimes computes them, per customer."""
    assert expected_generated.as_of_date is not None
    wanted = lifetimes_summary(_valid_orders(expected_generated), expected_generated.as_of_date)
    wanted["historic_ltv"] = [Decimal(c).scaleb(-2) for c in wanted["historic_cents"]]
    columns = [
        "customer_id",
        "first_purchase_date",
        "last_purchase_date",
        "total_orders",
        "historic_ltv",
        "frequency",
        "recency",
        "t",
        "monetary_value",
    ]
    actual = _actual(generated_build, "customer_ltv", columns)
    what = f"customer_ltv lifetimes columns on {generated_build.target}"
    assert_same_rows(actual, wanted[columns].astype(object), ("customer_id",), what)


def test_customer_ltv_follows_the_documented_formulas(
    generated_build: Build, expected_generated: expected.Marts
) -> None:
    """Churn risk, prediction, percentile and lifecycle segment, every column."""
    wanted = customer_ltv(expected_generated)
    actual = _actual(generated_build, "customer_ltv", list(wanted.columns))
    what = f"customer_ltv on {generated_build.target}"
    assert_same_rows(actual, wanted, ("customer_id",), what)


def test_rfm_segmentation_matches_a_pandas_rank(
    generated_build: Build, expected_generated: expected.Marts
) -> None:
    wanted = rfm_segmentation(expected_generated)
    actual = _actual(generated_build, "rfm_segmentation", list(wanted.columns))
    what = f"rfm_segmentation on {generated_build.target}"
    assert_same_rows(actual, wanted, ("customer_id",), what)


def test_cohort_retention_matches_an_independent_computation(
    generated_build: Build, expected_generated: expected.Marts
) -> None:
    wanted = cohort_retention(expected_generated)
    actual = _actual(generated_build, "cohort_retention", list(wanted.columns))
    what = f"cohort_retention on {generated_build.target}"
    assert_same_rows(actual, wanted, MART_KEYS["cohort_retention"], what)


def test_the_generated_data_reaches_the_rules(expected_generated: expected.Marts) -> None:
    """The comparisons prove something only if the data exercises the rules."""
    wanted = customer_ltv(expected_generated)
    # Several orders on one day (purchase days differ from orders), one-time and
    # repeat buyers, customers known and unknown to dim_customers.
    assert (wanted["total_orders"] > wanted["frequency"] + 1).any()
    assert (wanted["frequency"] == 0).any() and (wanted["frequency"] > 0).any()
    assert set(wanted["has_known_customer"]) == {True, False}
    # The generated orders span one year, so no one is Lost (over 365 days without
    # a purchase): the unit test customer_ltv_lifecycle_boundaries covers it.
    assert {"High Value", "Regular", "New", "At Risk"} <= set(wanted["lifecycle_segment"])
    rfm = rfm_segmentation(expected_generated)
    # Ties: many customers share a frequency, so ntile() would split them.
    assert rfm["frequency"].value_counts().max() > len(rfm) / 5
    assert set(rfm["r_score"]) == set(rfm["f_score"]) == set(rfm["m_score"]) == {1, 2, 3, 4, 5}
    cohorts = cohort_retention(expected_generated)
    # Months without any order of the cohort are rows (at least the as-of month).
    assert (cohorts["active_customers"] == 0).any()


@pytest.mark.postgres
def test_customer_marts_are_identical_on_duckdb_and_postgres(
    request: pytest.FixtureRequest,
) -> None:
    on_postgres: Build = request.getfixturevalue("postgres_generated")  # skips without a server
    on_duckdb: Build = request.getfixturevalue("duckdb_generated")
    for mart, key in MART_KEYS.items():
        assert_same_rows(
            on_postgres.rows(f"marts.{mart}"),
            on_duckdb.rows(f"marts.{mart}"),
            key,
            f"{mart} (generated): PostgreSQL against DuckDB",
            code_lists=(),
        )
