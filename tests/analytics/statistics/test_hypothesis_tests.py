"""Proof of the hypothesis-test procedures (analytics/statistics/_stats.py, hypothesis_tests.py).

Two ways, on synthetic data drawn here with numpy at the sample sizes of the scale-0.25
generated data, with the effect sizes the generator plants (analytics.sample_data
PLANTED_TRUTHS and its README):

- detection: each procedure rejects H0 for an effect of the planted size, and the row
  the analysis writes reports the effect in the right direction and size;
- false positives: with the labels shuffled (no effect), the very functions the
  analysis calls reject in about alpha of the repetitions: over 400 repetitions the
  rate lies below 0.10 (5% and 20% are told apart: 0.10 is 4 standard errors from
  both) and, for the continuous tests, above 0.01 (the test is not dead).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analytics.sample_data import PLANTED_TRUTHS
from analytics.statistics import _stats
from analytics.statistics import hypothesis_tests as ht

ALPHA = 0.05
REPETITIONS = 400

# Sample sizes of the scale-0.25 generated data (seed 42), measured on its warehouse.
TRANSACTIONS = 3700  # valid transactions
CONSENT_ORDERS, NO_CONSENT_ORDERS = 1860, 1530  # revenue transactions by consent
CLICKS = {  # valid campaigns' clicks per type
    "affiliate": 3300,
    "display": 40900,
    "email": 11800,
    "search": 61400,
    "social": 77700,
    "video": 30200,
}
PRODUCT_REVIEWS, OTHER_REVIEWS = 43, 1207  # valid reviews of the low-rated product / the rest
SESSIONS = {  # sessions per landing traffic source
    "adwords": 1650,
    "affiliate": 740,
    "direct": 1720,
    "email": 880,
    "facebook": 1170,
    "instagram": 1000,
    "organic": 2540,
    "youtube": 860,
}

DISCOUNT = PLANTED_TRUTHS["discount_quantity"]
CONSENT = PLANTED_TRUTHS["consent_spend"]
CAMPAIGN_RATES = {
    name.lower(): rate
    for name, rate in PLANTED_TRUTHS["campaign_conversion"]["conversion_rate_by_type"].items()
}
LOW_RATED = PLANTED_TRUTHS["low_rated_product"]


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- synthetic data with the planted effects -----------------------------------------------


def quantities(generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Quantity 1 + Poisson(extra): mean 2.5 when discounted (30%), 1.5 otherwise."""
    discounted = generator.random(TRANSACTIONS) < DISCOUNT["discounted_share"]
    extra = np.where(
        discounted,
        DISCOUNT["mean_quantity_discounted"] - 1,
        DISCOUNT["mean_quantity_full_price"] - 1,
    )
    quantity = 1 + generator.poisson(extra).astype(float)
    return quantity[discounted], quantity[~discounted]


def amounts(generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Order amounts, right-skewed like prices (lognormal), 1.3x as high with consent."""
    ratio = CONSENT["transactions_amount_ratio"]
    consent = generator.lognormal(math.log(80), 1.1, CONSENT_ORDERS) * ratio
    no_consent = generator.lognormal(math.log(80), 1.1, NO_CONSENT_ORDERS)
    return consent, no_consent


def shuffled(generator: np.random.Generator, a: np.ndarray, b: np.ndarray) -> tuple[Any, Any]:
    """The same values with the group labels permuted: no effect left."""
    pooled = generator.permutation(np.concatenate([a, b]))
    return pooled[: len(a)], pooled[len(a) :]


def rejection_rate(p_values: list[float]) -> float:
    return float(np.mean(np.asarray(p_values) <= ALPHA))


# --- two means ------------------------------------------------------------------------------


def test_discount_quantity_is_detected_with_its_planted_size() -> None:
    generator = rng(1)
    discounted, full_price = quantities(generator)
    row = ht.means_row(
        ht.QUESTIONS["discount_quantity"], "discounted", discounted, "full price", full_price,
        generator,
    )  # fmt: skip
    assert row["method"] == _stats.WELCH  # 1 + Poisson is mildly skewed: Cochran's rule met
    assert row["p_value"] < 1e-10
    assert row["estimate_a"] == pytest.approx(DISCOUNT["mean_quantity_discounted"], abs=0.12)
    assert row["estimate_b"] == pytest.approx(DISCOUNT["mean_quantity_full_price"], abs=0.08)
    # Planted Hedges' g: 1 unit over the pooled SD sqrt(0.3 * 1.5 + 0.7 * 0.5).
    planted_g = 1 / math.sqrt(0.3 * 1.5 + 0.7 * 0.5)
    assert row["effect_size_ci_low"] < planted_g < row["effect_size_ci_high"]


def test_consent_spend_is_detected_with_its_planted_size() -> None:
    detected = 0
    for seed in range(20):
        consent, no_consent = amounts(rng(100 + seed))
        detected += _stats.compare_means(consent, no_consent).p_value <= ALPHA
    assert detected >= 19  # power at the scale-0.25 sizes is about 0.99
    generator = rng(2)
    consent, no_consent = amounts(generator)
    row = ht.means_row(
        ht.QUESTIONS["consent_spend"], "with consent", consent, "without consent", no_consent,
        generator,
    )  # fmt: skip
    assert row["method"] == _stats.WELCH
    assert row["p_value"] <= ALPHA
    assert row["estimate_a"] / row["estimate_b"] == pytest.approx(1.3, abs=0.15)
    assert row["effect_size"] > 0 and row["effect_size_ci_low"] > 0


def test_small_skewed_samples_go_to_mann_whitney_and_keep_their_effect() -> None:
    generator = rng(3)
    a = generator.lognormal(0.8, 1.5, 25)
    b = generator.lognormal(0.0, 1.5, 20)
    result = _stats.compare_means(a, b)
    assert result.method == _stats.MANN_WHITNEY
    assert "Cochran's rule needs" in result.method_reason and "not met" in result.method_reason
    effect = _stats.mean_effect_size(a, b, result.method, generator, resamples=500)
    assert effect.name == "rank-biserial correlation"
    assert -1 <= effect.ci_low <= effect.value <= effect.ci_high <= 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "draw"),
    [
        ("discount quantities", quantities),
        ("consent amounts", amounts),
        (
            "small skewed samples (Mann-Whitney)",
            lambda g: (g.lognormal(0.8, 1.5, 25), g.lognormal(0.0, 1.5, 20)),
        ),
    ],
)
def test_two_means_false_positive_rate_is_near_alpha(name: str, draw: Any) -> None:
    generator = rng(4)
    a, b = draw(generator)
    p_values, methods = [], set()
    for _ in range(REPETITIONS):
        result = _stats.compare_means(*shuffled(generator, a, b))
        p_values.append(result.p_value)
        methods.add(result.method)
    rate = rejection_rate(p_values)
    assert 0.01 < rate < 0.10, f"{name}: {rate:.3f} of {REPETITIONS} shuffles rejected"
    expected = _stats.MANN_WHITNEY if "Mann-Whitney" in name else _stats.WELCH
    assert expected in methods


# --- proportions ----------------------------------------------------------------------------


def test_email_vs_display_is_detected_with_its_planted_size() -> None:
    generator = rng(5)
    email = int(generator.binomial(CLICKS["email"], CAMPAIGN_RATES["email"]))
    display = int(generator.binomial(CLICKS["display"], CAMPAIGN_RATES["display"]))
    row = ht.proportions_row(
        ht.QUESTIONS["email_vs_display_conversion"],
        "email", email, CLICKS["email"], "display", display, CLICKS["display"],
    )  # fmt: skip
    assert row["method"] == _stats.Z_TEST
    assert row["p_value"] < 1e-10
    planted = CAMPAIGN_RATES["email"] - CAMPAIGN_RATES["display"]
    assert row["effect_size_name"] == "risk difference"
    assert row["effect_size_ci_low"] < planted < row["effect_size_ci_high"]


def test_low_rated_product_is_detected_with_its_planted_size() -> None:
    share, other = LOW_RATED["low_rating_share"], LOW_RATED["other_products_low_rating_share"]
    generator = rng(6)
    lows = generator.binomial(PRODUCT_REVIEWS, share, 200)
    other_lows = generator.binomial(OTHER_REVIEWS, other, 200)
    detected = [
        _stats.compare_proportions(int(x), PRODUCT_REVIEWS, int(y), OTHER_REVIEWS).p_value
        for x, y in zip(lows, other_lows, strict=True)
    ]
    assert rejection_rate(detected) >= 0.95
    row = ht.proportions_row(
        ht.QUESTIONS["flagged_product_low_rating"],
        LOW_RATED["product"], int(lows[0]), PRODUCT_REVIEWS,
        "every other product", int(other_lows[0]), OTHER_REVIEWS,
    )  # fmt: skip
    assert row["effect_size_ci_low"] < share - other < row["effect_size_ci_high"]


def test_small_expected_counts_use_fisher() -> None:
    result = _stats.compare_proportions(3, 12, 40, 1000)
    assert result.method == _stats.FISHER
    assert "smallest expected count" in result.method_reason


@pytest.mark.parametrize(
    ("name", "n_a", "n_b", "rate", "continuous"),
    [
        ("email vs display clicks", CLICKS["email"], CLICKS["display"], 0.033, True),
        ("low-rated product reviews", PRODUCT_REVIEWS, OTHER_REVIEWS, 0.11, False),
    ],
)
def test_two_proportions_false_positive_rate_is_near_alpha(
    name: str, n_a: int, n_b: int, rate: float, continuous: bool
) -> None:
    generator = rng(7)
    successes = round(rate * (n_a + n_b))
    # Shuffling the labels of n_a + n_b units with `successes` successes: the successes
    # falling into group A are hypergeometric.
    in_a = generator.hypergeometric(n_a, n_b, successes, REPETITIONS)
    p_values = [
        _stats.compare_proportions(int(x), n_a, successes - int(x), n_b).p_value for x in in_a
    ]
    measured = rejection_rate(p_values)
    assert measured < 0.10, f"{name}: {measured:.3f}"
    if continuous:
        assert measured > 0.01, f"{name}: {measured:.3f}"


# --- k groups -------------------------------------------------------------------------------


@pytest.mark.slow
def test_campaign_type_conversion_is_detected_with_its_planted_rates() -> None:
    generator = rng(8)
    names = sorted(CLICKS)
    totals = [CLICKS[name] for name in names]
    hits = [int(generator.binomial(CLICKS[name], CAMPAIGN_RATES[name])) for name in names]
    row = ht.rates_row(ht.QUESTIONS["campaign_type_conversion"], names, hits, totals, generator)
    assert row["method"] == _stats.CHI_SQUARE
    assert row["p_value"] < 1e-10
    assert (row["group_a"], row["group_b"]) == ("email", "display")
    assert row["degrees_of_freedom"] == len(names) - 1
    assert 0 < row["effect_size_ci_low"] < row["effect_size"] < row["effect_size_ci_high"] < 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "groups", "rate"),
    [("campaign clicks by type", CLICKS, 0.037), ("sessions by source", SESSIONS, 0.15)],
)
def test_k_groups_false_positive_rate_is_near_alpha(
    name: str, groups: dict[str, int], rate: float
) -> None:
    generator = rng(9)
    totals = list(groups.values())
    converted = round(rate * sum(totals))
    # Shuffled labels: the converted units fall into the groups multivariate-hypergeometrically.
    draws = generator.multivariate_hypergeometric(totals, converted, size=REPETITIONS)
    p_values = [_stats.compare_rates(list(hits), totals, generator).p_value for hits in draws]
    measured = rejection_rate(p_values)
    assert 0.01 < measured < 0.10, f"{name}: {measured:.3f}"


def test_small_expected_counts_use_the_permutation_chi_square() -> None:
    result = _stats.compare_rates([1, 4, 0], [10, 12, 9], rng(10))
    assert result.method == _stats.CHI_SQUARE_PERMUTATION
    assert 0 <= result.p_value <= 1


def exact_permutation_p_value(successes: list[int], totals: list[int]) -> float:
    """P(chi-square >= observed) over every table with the observed margins, exactly.

    Shuffling the outcomes over the units gives each table with these margins the
    multivariate hypergeometric probability prod C(n_i, x_i) / C(N, S).
    """
    table = np.column_stack([successes, np.subtract(totals, successes)])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()

    def chi_square(hits: tuple[int, ...]) -> float:
        cells = np.column_stack([hits, np.subtract(totals, hits)])
        return float(((cells - expected) ** 2 / expected).sum())

    observed, total, converted = chi_square(tuple(successes)), sum(totals), sum(successes)
    p_value = 0.0
    for first in itertools.product(*(range(n + 1) for n in totals[:-1])):
        last = converted - sum(first)
        if not 0 <= last <= totals[-1]:
            continue
        hits = (*first, last)
        if chi_square(hits) >= observed - 1e-9:
            weight = math.prod(math.comb(n, x) for n, x in zip(totals, hits, strict=True))
            p_value += weight / math.comb(total, converted)
    return p_value


@pytest.mark.parametrize(
    ("successes", "totals"), [([1, 4, 0], [10, 12, 9]), ([0, 3, 1, 6], [15, 20, 8, 25])]
)
def test_the_permutation_p_value_is_the_exact_one_within_monte_carlo_error(
    successes: list[int], totals: list[int]
) -> None:
    result = _stats.compare_rates(successes, totals, rng(13))
    assert result.method == _stats.CHI_SQUARE_PERMUTATION
    exact = exact_permutation_p_value(successes, totals)
    error = math.sqrt(exact * (1 - exact) / _stats.PERMUTATION_RESAMPLES)
    assert abs(result.p_value - exact) < 4 * error + 1 / _stats.PERMUTATION_RESAMPLES


def rare_channel(converted_of_15: int) -> tuple[list[int], list[int]]:
    """380,000 sessions in 8 sources at 13% conversion, and one source of 15 sessions."""
    totals = [90_000, 60_000, 55_000, 50_000, 45_000, 40_000, 25_000, 14_985, 15]
    hits = [round(0.13 * n) for n in totals[:-1]] + [converted_of_15]
    return hits, totals


def test_a_rare_channel_among_380000_sessions_takes_the_permutation_test() -> None:
    # 9,999 shuffles of 380,000 outcomes would take 28 GiB: the tables are drawn instead.
    hits, totals = rare_channel(2)  # 13% of 15 is 1.95: no difference
    result = _stats.compare_rates(hits, totals, rng(14))
    assert result.method == _stats.CHI_SQUARE_PERMUTATION
    assert "smallest expected count 1.9 < 5" in result.method_reason
    assert result.p_value > 0.5
    planted = _stats.compare_rates(*rare_channel(10), rng(15))  # 67% of 15 converted
    assert planted.method == _stats.CHI_SQUARE_PERMUTATION
    assert planted.p_value < 0.001


@pytest.mark.slow
def test_the_permutation_chi_square_rejects_shuffled_labels_near_alpha(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_stats, "PERMUTATION_RESAMPLES", 999)  # p to 0.001 is enough here
    generator = rng(12)
    totals = [60, 45, 30, 15]  # 10% conversion: the smallest expected count is 1.5
    draws = generator.multivariate_hypergeometric(totals, 15, size=REPETITIONS)
    results = [_stats.compare_rates(list(hits), totals, generator) for hits in draws]
    assert {result.method for result in results} == {_stats.CHI_SQUARE_PERMUTATION}
    measured = rejection_rate([result.p_value for result in results])
    assert 0.01 < measured < 0.10, f"{measured:.3f}"


# --- the table ------------------------------------------------------------------------------


@pytest.mark.slow
def test_holm_decides_and_the_family_is_adjusted() -> None:
    question = ht.QUESTIONS["discount_quantity"]
    rows = [
        ht._row(question, p_value=0.01, method="m", method_reason="r", estimate_a=1.0,
                estimate_b=0.0, group_a="a", group_b="b", group_count=2,
                effect_size_name="e", effect_size=0.1, effect_size_ci_low=0.0,
                effect_size_ci_high=0.2)
        for _ in range(3)
    ]  # fmt: skip
    rows[1]["p_value"], rows[2]["p_value"] = 0.04, 0.03
    rows.append(ht.insufficient_row(ht.QUESTIONS["consent_spend"], "every value is the same"))
    table = ht.with_holm(rows, ALPHA)
    # Holm over 0.01, 0.04, 0.03 (the test that did not run is not in the family): sorted
    # 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> 0.06 (step-down: never below).
    assert table["p_value_holm"].tolist()[:3] == pytest.approx([0.03, 0.06, 0.06])
    # Raw 0.04 and 0.03 are below alpha, but the decision uses the adjusted p-value.
    assert table["decision"].tolist() == [
        ht.REJECT,
        ht.FAIL_TO_REJECT,
        ht.FAIL_TO_REJECT,
        ht.INSUFFICIENT,
    ]
    assert table.loc[3, "p_value_holm"] is None
    assert list(table.columns) == list(ht.COLUMNS)


def test_a_test_without_data_is_reported_not_raised() -> None:
    row = ht.means_row(
        ht.QUESTIONS["discount_quantity"], "discounted", [], "full price", [1.0, 2.0, 3.0],
        rng(11),
    )  # fmt: skip
    assert row["decision"] == ht.INSUFFICIENT
    assert row["p_value"] is None
    assert "3 needed" in row["method_reason"]


def reviews() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_name": ["A", "B", "C", "D"],
            "reviews": [40, 29, 200, 35],
            "low_ratings": [12, 20, 20, 3],
        }
    )


def test_the_flagged_product_is_tested_against_every_other_review() -> None:
    row = ht.low_rating_row(reviews(), ["C"], "product_diagnostics of this run")
    assert (row["group_a"], row["n_a"], row["n_b"]) == ("C", 200, 104)
    assert row["estimate_a"] == pytest.approx(0.1)
    assert row["estimate_b"] == pytest.approx(35 / 104)
    assert "flagged by product_diagnostics of this run: C" in row["method_reason"]


def test_without_a_flag_the_worst_product_with_enough_reviews_is_tested() -> None:
    # B has the highest share (20/29) but fewer than 30 reviews: A (12/40) is tested.
    row = ht.low_rating_row(reviews(), [], "marts.product_diagnostics does not exist")
    assert row["group_a"] == "A"
    assert "no product flagged" in row["method_reason"]
    assert ">= 30 reviews" in row["method_reason"]


def test_flags_come_from_this_runs_product_diagnostics() -> None:
    class NoWarehouse:
        def columns(self, table: str) -> list[str]:
            raise AssertionError("the warehouse is not read when the result is at hand")

    result = pd.DataFrame({"product_name": ["B", "A", "C"], "is_flagged": [True, False, True]})
    names, where = ht.flagged_products(NoWarehouse(), {"product_diagnostics": result})  # type: ignore[arg-type]
    assert names == ["B", "C"]
    assert where == "product_diagnostics of this run"
