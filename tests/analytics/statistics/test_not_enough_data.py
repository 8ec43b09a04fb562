"""Every analysis of the statistics step on empty and tiny inputs (no warehouse).

A user who brings only some of the feeds has empty marts. Each analysis must then write
rows that say why (or none), never a null where its yml declares ``not_null``, and
skip the statistics quickly instead of computing them on nothing. The analyses read
through a stub warehouse that answers each query with the frame of its relation (empty
unless a test fills it) and refuses a query it does not know.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from analytics.statistics import (
    Settings,
    _stats,
    ab_test_plan,
    campaign_plan,
    hypothesis_tests,
    markov_attribution,
    missing,
    product_diagnostics,
    social_sales_lag,
)
from tests.conftest import REPO

MODELS = REPO / "models" / "marts" / "evidence"


def empty(*columns: str) -> pd.DataFrame:
    return pd.DataFrame({column: [] for column in columns}, dtype=object)


#: (a piece of SQL only that query has, the columns it returns), most specific first.
QUERIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("from marts.product_review_profile", tuple(product_diagnostics.PROFILE_COLUMNS)),
    ("count(*) as n from core.fct_transactions", ("n",)),
    ("count(*) as n from core.dim_customers", ("n",)),
    ("inner join core.dim_customers", ("transaction_id", "amount", "has_consent")),
    ("from core.fct_transactions where is_valid", ("transaction_id", "quantity", "is_discounted")),
    ("from core.dim_campaigns", ("campaign_id", "campaign_type", "clicks", "conversions")),
    ("as traffic_source", ("traffic_source", "sessions", "converted_sessions")),
    ("from core.fct_reviews", ("product_name", "reviews", "low_ratings")),
    ("from intermediate.int_as_of_date", ("as_of_date",)),
    ("as day_p99", ("last_day",)),
    ("landing_channel_group = 'email'", ("session_date", "sessions", "converted_sessions")),
    (
        "min(trend_date) as first_day",
        ("platform", "category", "trend_category", "first_day", "last_day"),
    ),
    (
        "from core.fct_social_trends_daily",
        ("day", "platform", "category", "trend_category", "value", "reported"),
    ),
    ("min(sale_date) as first_day", ("category", "first_day", "last_day")),
    ("from core.fct_marketplace_sales_daily", ("day", "category", "value", "reported")),
    (
        "inner join marts.campaign_performance",
        ("campaign_type", "channel", "revenue"),
    ),
    (
        "from marts.attribution_touchpoints\n    where",
        ("conversion_key", "touchpoint_position", "channel", "revenue_cents", "conversion_at"),
    ),
    (
        "from core.fct_sessions as sessions",
        ("visitor_key", "session_key", "session_start_at", "channel"),
    ),
    ("share_of_conversions from marts.channel_attribution", ("channel", "share_of_conversions")),
    (
        "attributed_revenue from marts.channel_attribution",
        ("attribution_model", "channel", "attributed_revenue"),
    ),
    (
        "from marts.campaign_performance",
        (
            "campaign_id",
            "campaign_type",
            "start_date",
            "end_date",
            "spend",
            "revenue",
            "conversions",
            "clicks",
            "platform_conversions",
            "attribution_model",
        ),
    ),
    (
        "from marts.campaign_target_summary",
        ("campaign_type", "description", "list_order", "target_customers", "expected_value"),
    ),
    (
        "from marts.campaign_targets",
        ("campaign_type", "customer_id", "response_rate", "value_if_responds", "rfm_segment"),
    ),
)


class StubWarehouse:
    """Answers the analyses' queries with frames: empty ones, unless ``given``."""

    def __init__(self, **given: pd.DataFrame) -> None:
        self.given = given
        self.seen: list[str] = []

    def frame(self, sql: str) -> pd.DataFrame:
        self.seen.append(sql)
        for piece, columns in QUERIES:
            if piece in sql:
                frame = self.given.get(piece)
                return (frame if frame is not None else empty(*columns)).copy()
        raise AssertionError(f"a query the stub does not know:\n{sql}")

    def columns(self, table: str) -> list[str]:
        return []  # no earlier results in this warehouse


def not_null_columns(model: str) -> list[str]:
    """The columns whose yml declares an unconditional not_null test."""
    for path in MODELS.glob("_*__models.yml"):
        for declared in yaml.safe_load(path.read_text())["models"]:
            if declared["name"] == model:
                return [
                    column["name"]
                    for column in declared["columns"]
                    if "not_null" in (column.get("data_tests") or [])
                ]
    raise AssertionError(f"no yml declares {model}")


def assert_fits_the_yml(model: str, frame: pd.DataFrame) -> None:
    for column in not_null_columns(model):
        nulls = frame[column].isna()
        assert not nulls.any(), f"{model}.{column} is declared not_null: {frame[nulls]}"


def refuse(*_: Any, **__: Any) -> Any:
    raise AssertionError("a statistic was computed on input without enough data")


SETTINGS = Settings(alpha=0.05, seed=42)


# --- product_diagnostics ---------------------------------------------------------------------


def catalogue_without_reviews() -> pd.DataFrame:
    """product_review_profile of a build without reviews: catalogue products, zero counts."""
    frame = pd.DataFrame({column: [None, None] for column in product_diagnostics.PROFILE_COLUMNS})
    frame["product_name"] = ["Earbuds", "Kettle"]
    frame["category"] = ["Audio", "Home"]
    frame["baseline_scope"] = "overall"
    for column in product_diagnostics.COUNT_COLUMNS:
        frame[column] = 0
    frame["recent_revenue"] = frame["previous_revenue"] = 0.0
    return frame


def test_product_diagnostics_without_reviews_tests_nothing_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(product_diagnostics.stats, "fisher_exact", refuse)
    warehouse = StubWarehouse(**{"from marts.product_review_profile": catalogue_without_reviews()})
    outcome = product_diagnostics.run(warehouse, SETTINGS, {})  # type: ignore[arg-type]
    table = outcome.tables["product_diagnostics"]
    assert len(table) == 2 and table["p_value"].isna().all() and not table["is_flagged"].any()
    assert_fits_the_yml("product_diagnostics", table)
    assert outcome.summary == [
        "product_diagnostics: Not enough data for the product diagnosis: no valid reviews "
        "of any product."
    ]
    nothing = product_diagnostics.run(StubWarehouse(), SETTINGS, {})  # type: ignore[arg-type]
    assert nothing.tables["product_diagnostics"].empty
    assert "no products" in nothing.summary[0]


# --- hypothesis_tests ------------------------------------------------------------------------


def test_every_hypothesis_test_on_an_empty_warehouse_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("compare_means", "compare_proportions", "compare_rates", "mean_effect_size"):
        monkeypatch.setattr(_stats, name, refuse)
    outcome = hypothesis_tests.run(StubWarehouse(), SETTINGS, {})  # type: ignore[arg-type]
    table = outcome.tables["hypothesis_tests"]
    assert table["test_id"].tolist() == list(hypothesis_tests.TEST_IDS)
    assert (table["decision"] == hypothesis_tests.INSUFFICIENT).all()
    assert table["p_value"].isna().all() and table["p_value_holm"].isna().all()
    assert_fits_the_yml("hypothesis_tests", table)
    reasons = dict(zip(table["test_id"], table["method_reason"], strict=True))
    assert reasons == {
        "discount_quantity": "no valid transactions with a quantity",
        "consent_spend": "no completed transactions and no customers with a known marketing "
        "consent",
        "campaign_type_conversion": "no valid campaigns with clicks",
        "email_vs_display_conversion": "no email campaigns and no display campaigns with clicks",
        "traffic_source_conversion": "no web sessions",
        "flagged_product_low_rating": "no valid reviews with a rating and a product",
    }
    assert all(text.startswith("Not enough data for this test: ") for text in table["conclusion"])
    assert "discount_quantity: not enough data (no valid transactions" in outcome.summary[1]
    # the yml's rule holds on these rows too: n_total >= n_a + n_b unless k groups
    rows = table[table["group_count"] == 2]
    assert (rows["n_total"] >= rows["n_a"] + rows["n_b"]).all()


def test_consent_spend_names_the_empty_side() -> None:
    orders = pd.DataFrame({"n": [120]})
    warehouse = StubWarehouse(**{"count(*) as n from core.fct_transactions": orders})
    row = hypothesis_tests._consent_spend(warehouse, SETTINGS)  # type: ignore[arg-type]
    assert row["method_reason"] == "no customers with a known marketing consent"
    customers = pd.DataFrame({"n": [40]})
    warehouse = StubWarehouse(**{"count(*) as n from core.dim_customers": customers})
    row = hypothesis_tests._consent_spend(warehouse, SETTINGS)  # type: ignore[arg-type]
    assert row["method_reason"] == "no completed transactions with an amount"


def test_email_vs_display_without_display_campaigns_is_not_run() -> None:
    clicks = pd.DataFrame({"clicks": [900], "conversions": [70]}, index=["email"])
    row = hypothesis_tests._email_vs_display(clicks)
    assert row["decision"] == hypothesis_tests.INSUFFICIENT
    assert row["method_reason"] == "no display campaigns with clicks"
    assert (row["n_a"], row["n_b"], row["n_total"]) == (900, 0, 900)


def test_traffic_sources_without_any_conversion_are_not_tested() -> None:
    sessions = pd.DataFrame(
        {"traffic_source": ["email", "organic"], "sessions": [30, 50], "converted_sessions": [0, 0]}
    )
    warehouse = StubWarehouse(**{"as traffic_source": sessions})
    row = hypothesis_tests._traffic_source_conversion(warehouse, SETTINGS)  # type: ignore[arg-type]
    assert row["decision"] == hypothesis_tests.INSUFFICIENT
    assert row["n_total"] == 80 and "no success" in row["method_reason"]


# --- ab_test_plan ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traffic", "says"),
    [
        (ab_test_plan.Traffic(None, 0, 0, 0.0), "no web sessions"),
        (
            ab_test_plan.Traffic(dt.date(2026, 1, 1), 0, 0, 0.0),
            "no email sessions from 2025-01-01 to 2025-12-31",
        ),
        (ab_test_plan.Traffic(dt.date(2026, 1, 1), 40, 0, 1.0), "none of the 40 email sessions"),
        (ab_test_plan.Traffic(dt.date(2026, 1, 1), 40, 40, 1.0), "all 40 email sessions"),
    ],
)
def test_a_plan_without_usable_baseline_is_one_row_that_says_why(
    traffic: ab_test_plan.Traffic, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ab_test_plan, "simulate_rejection_rate", refuse)
    monkeypatch.setattr(ab_test_plan, "sample_size_per_arm", refuse)
    plan = ab_test_plan.plan(traffic, SETTINGS)
    assert len(plan) == 1
    row = plan.iloc[0]
    assert (row["plan_id"], row["status"], row["plan_order"]) == ("not_enough_data",) * 2 + (1,)
    assert row["note"].startswith("Not enough data for the A/B test plan: " + says)
    assert row["scenario"] is None and not row["is_feasible"]
    assert_fits_the_yml("ab_test_plan", plan)
    assert ab_test_plan.summary_lines(plan) == [f"A/B test plan: {row['note']}"]
    if traffic.as_of_date is None:
        assert row["as_of_date"] is None and row["baseline_window_start"] is None


@pytest.mark.slow
def test_a_planned_plan_fits_the_yml() -> None:
    plan = ab_test_plan.plan(
        ab_test_plan.Traffic(dt.date(2026, 1, 1), 10_000, 1_400, 30.0), SETTINGS
    )
    assert set(plan["status"]) == {"planned"}
    assert_fits_the_yml("ab_test_plan", plan)


@pytest.mark.slow
def test_without_an_as_of_date_the_plan_starts_the_day_after_the_last_session() -> None:
    daily = pd.DataFrame(
        {
            "session_date": [dt.date(2025, 12, 30), dt.date(2025, 12, 31)],
            "sessions": [20, 30],
            "converted_sessions": [2, 4],
        }
    )
    warehouse = StubWarehouse(
        **{
            "from intermediate.int_as_of_date": pd.DataFrame({"as_of_date": [None]}),
            "as day_p99": pd.DataFrame({"last_day": [dt.date(2025, 12, 31)]}),
            "landing_channel_group = 'email'": daily,
        }
    )
    traffic = ab_test_plan.read_traffic(warehouse)  # type: ignore[arg-type]
    assert traffic.as_of_date == dt.date(2026, 1, 1)
    assert (traffic.baseline_sessions, traffic.baseline_conversions) == (50, 6)
    assert "last web session" in traffic.as_of_source
    outcome = ab_test_plan.run(warehouse, SETTINGS, {})  # type: ignore[arg-type]
    assert set(outcome.tables["ab_test_plan"]["status"]) == {"planned"}
    assert "last web session" in outcome.summary[1]
    # an empty int_as_of_date and no session: no date at all, and one row that says so
    nothing = ab_test_plan.read_traffic(StubWarehouse())  # type: ignore[arg-type]
    assert nothing.as_of_date is None and nothing.missing() is not None


# --- social_sales_lag ------------------------------------------------------------------------


def test_social_sales_lag_without_either_feed_writes_nothing_and_says_which(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(social_sales_lag, "cross_correlations", refuse)
    outcome = social_sales_lag.run(StubWarehouse(), SETTINGS, {})  # type: ignore[arg-type]
    assert outcome.tables["social_sales_lag"].empty
    assert list(outcome.tables["social_sales_lag_summary"].columns) == (
        social_sales_lag.SUMMARY_COLUMNS
    )
    assert outcome.summary == [
        "social_sales_lag: Not enough data for the social-to-sales lag: no social trends and "
        "no marketplace sales."
    ]
    assert missing.social_lag(True, False, 0).startswith("no marketplace sales")
    assert missing.social_lag(False, True, 0).startswith("no social trends")
    assert "no product category in both" in missing.social_lag(True, True, 0)
    assert missing.SOCIAL_MIN_ALIGNED_DAYS == social_sales_lag.MIN_DAYS + 1


def test_social_trends_alone_are_read_and_analyse_to_nothing() -> None:
    days = pd.date_range("2025-01-01", periods=120, freq="D").date
    mentions = pd.DataFrame(
        {
            "day": list(days),
            "platform": "tiktok",
            "category": "Audio",
            "trend_category": "meme",
            "value": 10.0,
            "reported": 1.0,
        }
    )
    spans = pd.DataFrame(
        {
            "platform": ["tiktok"],
            "category": ["Audio"],
            "trend_category": ["meme"],
            "first_day": [days[0]],
            "last_day": [days[-1]],
        }
    )
    warehouse = StubWarehouse(
        **{
            "from core.fct_social_trends_daily": mentions,
            "min(trend_date) as first_day": spans,
        }
    )
    outcome = social_sales_lag.run(warehouse, SETTINGS, {})  # type: ignore[arg-type]
    assert outcome.tables["social_sales_lag_summary"].empty
    assert "no marketplace sales" in outcome.summary[0]


# --- markov_attribution ----------------------------------------------------------------------


def test_markov_without_paths_writes_no_row_and_says_why() -> None:
    outcome = markov_attribution.run(StubWarehouse(), SETTINGS, {})  # type: ignore[arg-type]
    assert outcome.tables["markov_attribution"].empty
    assert outcome.summary == [
        "Markov attribution: Not enough data for the Markov attribution: no web sessions with "
        "a traffic source and no conversions."
    ]


def test_markov_with_journeys_but_no_conversion_fits_the_yml() -> None:
    result = markov_attribution.attribute(
        [markov_attribution.ChannelPath(("email", "organic"), converted=False)]
    )
    table = result.channels.assign(
        attribution_model="markov",
        total_paths=result.total_paths,
        total_conversions=0,
        total_revenue=0,
        conversion_probability=result.conversion_probability,
        latest_conversion_at=None,
        lookback_days=30,
    )
    assert result.conversion_probability == 0 and len(table) == 2
    assert_fits_the_yml("markov_attribution", table)
    assert "no conversions among the 1 journeys" in markov_attribution._summary(result, {})[0]


# --- campaign_plan ---------------------------------------------------------------------------


def test_campaign_plan_on_an_empty_warehouse_has_no_row_and_no_date_of_today(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # build_plan is where the plan draws its bootstrap and its audience simulations
    monkeypatch.setattr(campaign_plan.build, "bootstrap_outcomes", refuse)
    monkeypatch.setattr(campaign_plan.build, "simulate_audience", refuse)
    settings = Settings(seed=42, reports_dir=tmp_path)
    tests = hypothesis_tests.run(StubWarehouse(), settings, {}).tables  # type: ignore[arg-type]
    outcome = campaign_plan.run(StubWarehouse(), settings, tests)  # type: ignore[arg-type]
    assert outcome.tables["campaign_plan"].empty
    assert list(outcome.tables["campaign_plan"].columns) == campaign_plan.COLUMNS
    assert outcome.summary == [
        "Campaign plan: Not enough data for the campaign plan: no target lists (no customer "
        "with an order) and no campaign with a spend."
    ]
    text = (tmp_path / campaign_plan.BRIEF_NAME).read_text()
    assert "As of -" in text and str(dt.date.today()) not in text
    assert "Not enough data for all of the campaign plan" in text


def spent_campaigns(ends: Iterable[dt.date | None]) -> pd.DataFrame:
    ends = list(ends)
    return pd.DataFrame(
        {
            "campaign_id": [f"c{number}" for number in range(len(ends))],
            "campaign_type": "email",
            "start_date": dt.date(2025, 3, 1),
            "end_date": ends,
            "spend": 100.0,
            "revenue": 0.0,
            "conversions": 0.0,
            "clicks": 50.0,
            "platform_conversions": 5.0,
            "attribution_model": "position_based",
        }
    )


def test_without_an_as_of_date_the_budget_window_ends_on_the_last_campaign_day() -> None:
    assert campaign_plan.budget_window(spent_campaigns([]), None) is None
    window = campaign_plan.budget_window(spent_campaigns([dt.date(2025, 4, 9), None]), None)
    assert window == (dt.date(2025, 1, 10), dt.date(2025, 4, 9))


def test_campaigns_without_customers_plan_channels_and_say_the_audience_is_missing() -> None:
    plan = campaign_plan.build_plan(
        spent_campaigns([dt.date(2025, 4, 9)] * 3),
        empty("campaign_type", "description", "list_order", "target_customers", "expected_value"),
        empty("campaign_type", "customer_id", "response_rate", "value_if_responds", "rfm_segment"),
        None,
        {},
        None,
        SETTINGS,
    )
    table = campaign_plan.plan_table(plan, SETTINGS.alpha)
    assert set(table["item_type"]) == {"channel", "total"}
    assert plan.missing == ["no target lists (no customer with an order)"]
    assert_fits_the_yml("campaign_plan", table)
    assert any("not enough data for part of it" in line for line in campaign_plan._summary(plan))


def test_a_test_without_data_is_cited_as_not_tested() -> None:
    tests = pd.DataFrame(
        [
            {
                "test_id": "consent_spend",
                "decision": "insufficient_data",
                "method_reason": "no web sessions",
                "p_value_holm": None,
            }
        ]
    )
    evidence = campaign_plan.read_evidence(tests, "consent_spend", "Consent matters")
    assert evidence.status == "not_tested"
    assert "not enough data for consent_spend: no web sessions" in evidence.sentence


# --- the words ---------------------------------------------------------------------------------


def test_the_sentence_reads_well() -> None:
    assert missing.sentence("the A/B test plan", "no email sessions.") == (
        "Not enough data for the A/B test plan: no email sessions."
    )
    frame = pd.DataFrame({"reviews": [0, 3], "p_value": [np.nan, np.nan]})
    assert missing.product_diagnosis(frame) == (
        "no product has both reviews and a baseline with reviews"
    )
