"""Hypothesis tests of the business assumptions: ``marts.hypothesis_tests``.

One row per test (see ``models/marts/evidence/_hypothesis_tests__models.yml`` and the
``hypothesis_tests`` docs block for the rules): the question, the hypotheses in words,
the method the assumption checks chose and why, the groups, the statistic, the
p-value and its Holm adjustment across the family, an effect size with a 95%
interval, and the decision (Holm-adjusted p-value against alpha).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..warehouse import Warehouse
from . import _stats
from ._format import p_value
from .base import Outcome, Settings

#: The tests in the order of the table (test_order) and of the printed summary.
TEST_IDS: tuple[str, ...] = (
    "discount_quantity",
    "consent_spend",
    "campaign_type_conversion",
    "email_vs_display_conversion",
    "traffic_source_conversion",
    "flagged_product_low_rating",
)

#: The columns of marts.hypothesis_tests, in table order.
COLUMNS: tuple[str, ...] = (
    "test_order",
    "test_id",
    "question",
    "null_hypothesis",
    "alternative_hypothesis",
    "unit_of_analysis",
    "data_source",
    "method",
    "method_reason",
    "group_a",
    "group_b",
    "n_a",
    "n_b",
    "group_count",
    "n_total",
    "estimate_name",
    "estimate_a",
    "estimate_b",
    "statistic_name",
    "statistic",
    "degrees_of_freedom",
    "p_value",
    "p_value_holm",
    "effect_size_name",
    "effect_size",
    "effect_size_ci_low",
    "effect_size_ci_high",
    "effect_size_ci_method",
    "alpha",
    "decision",
    "conclusion",
)

REJECT = "reject_null"
FAIL_TO_REJECT = "fail_to_reject"
INSUFFICIENT = "insufficient_data"

#: Products with fewer valid reviews are not candidates when product_diagnostics flags none.
MIN_REVIEWS_FOR_FALLBACK = 30
#: A rating at or below this counts as a low rating (1-2 stars).
LOW_RATING_MAX = 2


@dataclass(frozen=True)
class Question:
    """What a test asks, in words, and what its estimates measure."""

    test_id: str
    question: str
    null_hypothesis: str
    alternative_hypothesis: str
    unit_of_analysis: str
    data_source: str
    #: What estimate_a / estimate_b measure ("quantity per transaction, in units", ...);
    #: a two-means test prefixes "mean " or "median ", matching its method.
    estimate_name: str
    #: Estimates are shares, printed as percentages.
    is_share: bool = False


QUESTIONS: dict[str, Question] = {
    question.test_id: question
    for question in (
        Question(
            "discount_quantity",
            "Do discounted transactions contain more units than full-price ones?",
            "Discounted and full-price transactions have the same distribution of quantity "
            "(the same mean quantity for Welch's t-test).",
            "Discounted transactions have a different quantity from full-price ones (two-sided).",
            "transaction",
            "core.fct_transactions: valid transactions with a quantity; discounted = "
            "discount_amount > 0 (null counts as 0)",
            "quantity per transaction, in units",
        ),
        Question(
            "consent_spend",
            "Do customers with marketing consent spend more per order than customers without?",
            "Orders of customers with and without marketing consent have the same amount "
            "distribution (the same mean amount for Welch's t-test).",
            "Orders of consenting customers have a different amount (two-sided).",
            "transaction (order)",
            "core.fct_transactions (valid, is_revenue, amount > 0) joined to "
            "core.dim_customers.has_marketing_consent (not null)",
            "order amount before discount, in currency units",
        ),
        Question(
            "campaign_type_conversion",
            "Does the click-to-conversion rate depend on the campaign type?",
            "The conversion rate of clicks is the same for every campaign type.",
            "At least one campaign type converts clicks at a different rate.",
            "campaign click",
            "core.dim_campaigns: valid campaigns with clicks > 0 and 0 <= conversions <= "
            "clicks; clicks and conversions summed per campaign_type",
            "conversion rate, conversions / clicks",
            is_share=True,
        ),
        Question(
            "email_vs_display_conversion",
            "Do Email campaigns convert clicks better than Display campaigns?",
            "Email and Display campaigns convert clicks at the same rate.",
            "Email and Display campaigns convert clicks at different rates (two-sided).",
            "campaign click",
            "core.dim_campaigns: valid email and display campaigns with clicks > 0 and "
            "0 <= conversions <= clicks",
            "conversion rate, conversions / clicks",
            is_share=True,
        ),
        Question(
            "traffic_source_conversion",
            "Does the purchase conversion of web sessions depend on the traffic source "
            "they land from?",
            "The share of converted sessions is the same for every landing traffic source.",
            "At least one landing traffic source converts sessions at a different rate.",
            "web session",
            "core.fct_sessions: every session; landing_traffic_source (null as "
            "'(unknown)'), converted = is_converted",
            "session conversion rate, converted sessions / sessions",
            is_share=True,
        ),
        Question(
            "flagged_product_low_rating",
            "Is the low-rating share of the flagged product higher than that of the other "
            "products?",
            "Reviews of the flagged product(s) and of every other product have the same "
            "share of 1-2 star ratings.",
            "The flagged product's share of 1-2 star ratings differs (two-sided).",
            "review",
            "core.fct_reviews: valid reviews with a rating and a product; the product(s) "
            "marts.product_diagnostics flags",
            "share of 1-2 star reviews",
            is_share=True,
        ),
    )
}


def _rng(settings: Settings, test_id: str) -> np.random.Generator:
    """One stream per test, from settings.seed: adding a test does not move the others."""
    return _stats.stream(settings.seed, test_id)


def _row(question: Question, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        test_order=TEST_IDS.index(question.test_id) + 1,
        test_id=question.test_id,
        question=question.question,
        null_hypothesis=question.null_hypothesis,
        alternative_hypothesis=question.alternative_hypothesis,
        unit_of_analysis=question.unit_of_analysis,
        data_source=question.data_source,
        estimate_name=question.estimate_name,
    )
    row.update(values)
    return row


def insufficient_row(question: Question, reason: str, **values: Any) -> dict[str, Any]:
    """A test that could not run: no p-value, decision insufficient_data, the reason."""
    return _row(question, method="not run", method_reason=reason, decision=INSUFFICIENT, **values)


def no_data_row(question: Question, missing: str, label_a: str, label_b: str) -> dict[str, Any]:
    """A two-group test whose input is empty: what is missing, both groups of size 0.

    Nothing is computed (no assumption check, no bootstrap): the reason names what the
    warehouse lacks, e.g. "no valid transactions with a quantity".
    """
    return insufficient_row(
        question, missing, group_a=label_a, group_b=label_b, n_a=0, n_b=0, group_count=2,
        n_total=0,
    )  # fmt: skip


def _effect(effect: _stats.EffectSize) -> dict[str, Any]:
    return {
        "effect_size_name": effect.name,
        "effect_size": effect.value,
        "effect_size_ci_low": effect.ci_low,
        "effect_size_ci_high": effect.ci_high,
        "effect_size_ci_method": effect.ci_method,
    }


def _comparison(result: _stats.Comparison) -> dict[str, Any]:
    return {
        "method": result.method,
        "method_reason": result.method_reason,
        "statistic_name": result.statistic_name,
        "statistic": result.statistic,
        "degrees_of_freedom": result.degrees_of_freedom,
        "p_value": result.p_value,
    }


def means_row(
    question: Question,
    label_a: str,
    a: Sequence[float] | _stats.FloatArray,
    label_b: str,
    b: Sequence[float] | _stats.FloatArray,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Two samples of a measure: compare_means, then its effect size with a bootstrap CI."""
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    groups = {"group_a": label_a, "group_b": label_b, "n_a": len(x), "n_b": len(y)}
    groups.update(group_count=2, n_total=len(x) + len(y))
    try:
        result = _stats.compare_means(x, y)
    except _stats.InsufficientData as error:
        return insufficient_row(question, str(error), **groups)
    if result.method == _stats.WELCH:
        estimate, name = (float(np.mean(x)), float(np.mean(y))), "mean "
    else:
        estimate, name = (float(np.median(x)), float(np.median(y))), "median "
    return _row(
        question,
        **groups,
        estimate_name=name + question.estimate_name,
        estimate_a=estimate[0],
        estimate_b=estimate[1],
        **_comparison(result),
        **_effect(_stats.mean_effect_size(x, y, result.method, rng)),
    )


def proportions_row(
    question: Question,
    label_a: str,
    successes_a: int,
    n_a: int,
    label_b: str,
    successes_b: int,
    n_b: int,
) -> dict[str, Any]:
    """Two proportions: compare_proportions, then the risk difference with Newcombe's CI."""
    groups = {"group_a": label_a, "group_b": label_b, "n_a": n_a, "n_b": n_b}
    groups.update(group_count=2, n_total=n_a + n_b)
    try:
        result = _stats.compare_proportions(successes_a, n_a, successes_b, n_b)
    except _stats.InsufficientData as error:
        return insufficient_row(question, str(error), **groups)
    return _row(
        question,
        **groups,
        estimate_a=successes_a / n_a,
        estimate_b=successes_b / n_b,
        **_comparison(result),
        **_effect(_stats.risk_difference(successes_a, n_a, successes_b, n_b)),
    )


def rates_row(
    question: Question,
    groups: Sequence[str],
    successes: Sequence[int],
    totals: Sequence[int],
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Success rates of k groups: compare_rates, then Cramér's V with a bootstrap CI.

    group_a / group_b are the groups with the highest and the lowest rate (ties: the
    first by name); n_total and group_count cover every group.
    """
    order = sorted(range(len(groups)), key=lambda index: groups[index])
    names = [groups[index] for index in order]
    hits = [int(successes[index]) for index in order]
    trials = [int(totals[index]) for index in order]
    rates = [
        hit / trial if trial > 0 else math.nan for hit, trial in zip(hits, trials, strict=True)
    ]
    observed = [index for index, trial in enumerate(trials) if trial > 0]
    summary: dict[str, Any] = {"group_count": len(observed), "n_total": sum(trials)}
    if observed:
        high = max(observed, key=lambda index: (rates[index], -index))
        low = min(observed, key=lambda index: (rates[index], index))
        summary.update(
            group_a=names[high],
            group_b=names[low],
            n_a=trials[high],
            n_b=trials[low],
            estimate_a=rates[high],
            estimate_b=rates[low],
        )
    try:
        result = _stats.compare_rates(hits, trials, rng)
    except _stats.InsufficientData as error:
        return insufficient_row(question, str(error), **summary)
    listed = ", ".join(f"{names[index]} {rates[index]:.2%}" for index in observed)
    values = {**summary, **_comparison(result), **_effect(_stats.cramers_v(hits, trials, rng))}
    values["method_reason"] = f"{result.method_reason}. Rates: {listed}"
    return _row(question, **values)


def with_holm(rows: Sequence[Mapping[str, Any]], alpha: float) -> pd.DataFrame:
    """The table: Holm-adjusted p-values over the tests that ran, decisions, conclusions."""
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS), dtype=object)
    ran = [index for index, row in enumerate(rows) if row["p_value"] is not None]
    adjusted = _stats.holm([float(rows[index]["p_value"]) for index in ran])
    frame["alpha"] = alpha
    for index, p_holm in zip(ran, adjusted, strict=True):
        frame.at[index, "p_value_holm"] = float(p_holm)
        frame.at[index, "decision"] = REJECT if p_holm <= alpha else FAIL_TO_REJECT
    frame["conclusion"] = [_conclusion(row) for row in frame.to_dict("records")]
    return frame


def _estimate(row: Mapping[str, Any], value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if QUESTIONS[row["test_id"]].is_share:
        return f"{value:.2%}"
    return f"{value:.2f}"


def _conclusion(row: Mapping[str, Any]) -> str:
    if row["decision"] == INSUFFICIENT:
        return f"Not enough data for this test: {row['method_reason']}."
    groups = (
        f"{row['group_a']} {_estimate(row, row['estimate_a'])} vs {row['group_b']} "
        f"{_estimate(row, row['estimate_b'])} ({row['estimate_name']}"
        + (", highest vs lowest group" if row["group_count"] > 2 else "")
        + ")"
    )
    effect = (
        f"{row['effect_size_name']} {row['effect_size']:.3g} "
        f"[{row['effect_size_ci_low']:.3g}, {row['effect_size_ci_high']:.3g}]"
    )
    if row["decision"] == REJECT:
        verdict = (
            f"significant at alpha {row['alpha']:g} after Holm's adjustment "
            f"(p {p_value(row['p_value'])}, Holm {p_value(row['p_value_holm'])})"
        )
    else:
        verdict = (
            f"not significant at alpha {row['alpha']:g} after Holm's adjustment "
            f"(p {p_value(row['p_value'])}, Holm {p_value(row['p_value_holm'])}); "
            "no difference shown"
        )
    return f"{groups}: {verdict}; {row['method']}, {effect}."


def summary_line(row: Mapping[str, Any]) -> str:
    """One printed line per test: estimates, method, p-values, effect size, decision."""
    if row["decision"] == INSUFFICIENT:
        return f"  {row['test_id']}: not enough data ({row['method_reason']})"
    verdict = "reject H0" if row["decision"] == REJECT else "fail to reject H0"
    return (
        f"  {row['test_id']}: {row['group_a']} {_estimate(row, row['estimate_a'])} vs "
        f"{row['group_b']} {_estimate(row, row['estimate_b'])} ({row['estimate_name']}), "
        f"{row['method']}, p {p_value(row['p_value'])} (Holm {p_value(row['p_value_holm'])}), "
        f"{row['effect_size_name']} {row['effect_size']:.3g} "
        f"[{row['effect_size_ci_low']:.3g}, {row['effect_size_ci_high']:.3g}]: {verdict}"
    )


# --- the data of each test ------------------------------------------------------------------


def _discount_quantity(warehouse: Warehouse, settings: Settings) -> dict[str, Any]:
    frame = warehouse.frame(
        "select transaction_id, quantity, "
        "case when coalesce(discount_amount, 0) > 0 then 1 else 0 end as is_discounted "
        "from core.fct_transactions where is_valid and quantity is not null"
    )
    question = QUESTIONS["discount_quantity"]
    if frame.empty:
        return no_data_row(
            question, "no valid transactions with a quantity", "discounted", "full price"
        )
    frame = frame.sort_values("transaction_id", kind="stable")
    discounted = frame["is_discounted"].astype(int) == 1
    quantity = frame["quantity"].astype(float)
    return means_row(
        question,
        "discounted",
        quantity[discounted].to_numpy(),
        "full price",
        quantity[~discounted].to_numpy(),
        _rng(settings, "discount_quantity"),
    )


def _consent_spend(warehouse: Warehouse, settings: Settings) -> dict[str, Any]:
    frame = warehouse.frame(
        "select transactions.transaction_id, transactions.amount, "
        "case when customers.has_marketing_consent then 1 else 0 end as has_consent "
        "from core.fct_transactions as transactions "
        "inner join core.dim_customers as customers "
        "on transactions.customer_id = customers.customer_id "
        "where transactions.is_valid and transactions.is_revenue "
        "and transactions.amount > 0 and customers.has_marketing_consent is not null"
    )
    question = QUESTIONS["consent_spend"]
    if frame.empty:
        return no_data_row(
            question, _missing_consent_spend(warehouse), "with consent", "without consent"
        )
    frame = frame.sort_values("transaction_id", kind="stable")
    consent = frame["has_consent"].astype(int) == 1
    amount = frame["amount"].astype(float)
    return means_row(
        question,
        "with consent",
        amount[consent].to_numpy(),
        "without consent",
        amount[~consent].to_numpy(),
        _rng(settings, "consent_spend"),
    )


def _missing_consent_spend(warehouse: Warehouse) -> str:
    """Why no order joins a customer with a known consent: which side is empty."""
    orders = warehouse.frame(
        "select count(*) as n from core.fct_transactions "
        "where is_valid and is_revenue and amount > 0"
    )
    customers = warehouse.frame(
        "select count(*) as n from core.dim_customers where has_marketing_consent is not null"
    )
    has_orders = bool(len(orders)) and int(orders["n"].iloc[0]) > 0
    has_customers = bool(len(customers)) and int(customers["n"].iloc[0]) > 0
    if not has_orders and not has_customers:
        return "no completed transactions and no customers with a known marketing consent"
    if not has_orders:
        return "no completed transactions with an amount"
    if not has_customers:
        return "no customers with a known marketing consent"
    return "no completed transaction belongs to a customer with a known marketing consent"


def _campaign_clicks(warehouse: Warehouse) -> pd.DataFrame:
    """Clicks and conversions per campaign type of the valid campaigns, sorted by type."""
    frame = warehouse.frame(
        "select campaign_id, campaign_type, clicks, conversions from core.dim_campaigns "
        "where is_valid and campaign_type is not null and clicks > 0 "
        "and conversions >= 0 and conversions <= clicks"
    )
    if frame.empty:
        return pd.DataFrame({"clicks": [], "conversions": []}, dtype=int)
    frame["clicks"] = frame["clicks"].astype(int)
    frame["conversions"] = frame["conversions"].astype(int)
    grouped = frame.groupby("campaign_type")[["clicks", "conversions"]].sum()
    return grouped.sort_index()


def _campaign_type_conversion(clicks: pd.DataFrame, settings: Settings) -> dict[str, Any]:
    if clicks.empty:
        return insufficient_row(
            QUESTIONS["campaign_type_conversion"],
            "no valid campaigns with clicks",
            group_count=0,
            n_total=0,
        )
    return rates_row(
        QUESTIONS["campaign_type_conversion"],
        [str(name) for name in clicks.index],
        clicks["conversions"].tolist(),
        clicks["clicks"].tolist(),
        _rng(settings, "campaign_type_conversion"),
    )


def _email_vs_display(clicks: pd.DataFrame) -> dict[str, Any]:
    def count(campaign_type: str, column: str) -> int:
        return int(clicks[column].get(campaign_type, 0))

    question = QUESTIONS["email_vs_display_conversion"]
    absent = [name for name in ("email", "display") if count(name, "clicks") == 0]
    if absent:
        missing = " and no ".join(f"{name} campaigns" for name in absent)
        return no_data_row(question, f"no {missing} with clicks", "email", "display") | {
            "n_a": count("email", "clicks"),
            "n_b": count("display", "clicks"),
            "n_total": count("email", "clicks") + count("display", "clicks"),
        }
    return proportions_row(
        question,
        "email",
        count("email", "conversions"),
        count("email", "clicks"),
        "display",
        count("display", "conversions"),
        count("display", "clicks"),
    )


def _traffic_source_conversion(warehouse: Warehouse, settings: Settings) -> dict[str, Any]:
    frame = warehouse.frame(
        "select coalesce(landing_traffic_source, '(unknown)') as traffic_source, "
        "count(*) as sessions, "
        "sum(case when is_converted then 1 else 0 end) as converted_sessions "
        "from core.fct_sessions group by coalesce(landing_traffic_source, '(unknown)')"
    )
    if frame.empty:
        return insufficient_row(
            QUESTIONS["traffic_source_conversion"], "no web sessions", group_count=0, n_total=0
        )
    frame = frame.sort_values("traffic_source", kind="stable")
    return rates_row(
        QUESTIONS["traffic_source_conversion"],
        [str(name) for name in frame["traffic_source"]],
        [int(value) for value in frame["converted_sessions"]],
        [int(value) for value in frame["sessions"]],
        _rng(settings, "traffic_source_conversion"),
    )


def flagged_products(
    warehouse: Warehouse, results: Mapping[str, pd.DataFrame]
) -> tuple[list[str], str]:
    """The products product_diagnostics flags, and where the flags come from.

    This run's product_diagnostics result when it ran, else the table
    marts.product_diagnostics when it exists; an empty list when neither flags one.
    """
    wanted = {"product_name", "is_flagged"}
    frame = results.get("product_diagnostics")
    where = "product_diagnostics of this run"
    if frame is None or not wanted <= set(frame.columns):
        if not wanted <= set(warehouse.columns("product_diagnostics")):
            return [], "marts.product_diagnostics does not exist"
        frame = warehouse.frame("select product_name, is_flagged from marts.product_diagnostics")
        where = "marts.product_diagnostics"
    flags = frame["is_flagged"].map(lambda value: value is True or value == 1)
    names = sorted({str(name) for name in frame.loc[flags, "product_name"] if name is not None})
    return names, where


def low_rating_row(
    reviews: pd.DataFrame, flagged: Sequence[str], flagged_from: str
) -> dict[str, Any]:
    """The flagged product(s)' low-rating share vs every other review.

    ``reviews`` has one row per product: product_name, reviews, low_ratings. Without
    a flagged product, the product with the highest low-rating share among those with
    at least MIN_REVIEWS_FOR_FALLBACK reviews is tested (ties: first by name), and
    method_reason says so.
    """
    question = QUESTIONS["flagged_product_low_rating"]
    if reviews.empty:
        return insufficient_row(question, "no valid reviews with a rating and a product")
    reviews = reviews.sort_values("product_name", kind="stable")
    chosen = [name for name in flagged if name in set(reviews["product_name"])]
    if flagged:
        how = f"flagged by {flagged_from}: {', '.join(flagged)}"
        if not chosen:
            return insufficient_row(question, f"{how}, but no valid review of it")
    else:
        candidates = reviews[reviews["reviews"] >= MIN_REVIEWS_FOR_FALLBACK]
        if candidates.empty:
            return insufficient_row(
                question,
                f"no product flagged ({flagged_from}) and none with at least "
                f"{MIN_REVIEWS_FOR_FALLBACK} valid reviews",
            )
        share = candidates["low_ratings"] / candidates["reviews"]
        best = candidates.assign(share=share).sort_values(
            ["share", "product_name"], ascending=[False, True], kind="stable"
        )
        chosen = [str(best["product_name"].iloc[0])]
        how = (
            f"no product flagged ({flagged_from}): tested instead the product with the "
            f"highest low-rating share among those with >= {MIN_REVIEWS_FOR_FALLBACK} "
            f"reviews, {chosen[0]}"
        )
    selected = reviews["product_name"].isin(chosen)
    label = chosen[0] if len(chosen) == 1 else f"{len(chosen)} flagged products"
    row = proportions_row(
        question,
        label,
        int(reviews.loc[selected, "low_ratings"].sum()),
        int(reviews.loc[selected, "reviews"].sum()),
        "every other product",
        int(reviews.loc[~selected, "low_ratings"].sum()),
        int(reviews.loc[~selected, "reviews"].sum()),
    )
    caveat = (
        "The product was selected on these same reviews, so the p-value is optimistic "
        "(selection); it confirms the size of the gap rather than testing it afresh"
    )
    row["method_reason"] = f"Product choice: {how}. {row['method_reason']}. {caveat}"
    return row


def _flagged_product_low_rating(
    warehouse: Warehouse, results: Mapping[str, pd.DataFrame]
) -> dict[str, Any]:
    reviews = warehouse.frame(
        "select product_name, count(*) as reviews, "
        f"sum(case when rating <= {LOW_RATING_MAX} then 1 else 0 end) as low_ratings "
        "from core.fct_reviews "
        "where is_valid and rating is not null and product_name is not null "
        "group by product_name"
    )
    if reviews.empty:
        return low_rating_row(reviews, [], "no review to flag")
    reviews["reviews"] = reviews["reviews"].astype(int)
    reviews["low_ratings"] = reviews["low_ratings"].astype(int)
    flagged, flagged_from = flagged_products(warehouse, results)
    return low_rating_row(reviews, flagged, flagged_from)


def run(warehouse: Warehouse, settings: Settings, results: dict[str, pd.DataFrame]) -> Outcome:
    """Run every test on the warehouse; the table and one summary line per test."""
    clicks = _campaign_clicks(warehouse)
    rows = [
        _discount_quantity(warehouse, settings),
        _consent_spend(warehouse, settings),
        _campaign_type_conversion(clicks, settings),
        _email_vs_display(clicks),
        _traffic_source_conversion(warehouse, settings),
        _flagged_product_low_rating(warehouse, results),
    ]
    table = with_holm(rows, settings.alpha)
    rejected = int((table["decision"] == REJECT).sum())
    summary = [
        f"hypothesis tests: {rejected} of {len(table)} nulls rejected at alpha "
        f"{settings.alpha:g} (Holm-adjusted p-values across the family)",
        *(summary_line(row) for row in table.to_dict("records")),
    ]
    return Outcome(tables={"hypothesis_tests": table}, summary=summary)
