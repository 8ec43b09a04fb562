"""Counts, defect rates and planted truths of the sample data (documented in README.md).

Rates are shares of the records of a file (before the extra duplicate and non-JSON
lines are added); each defect is given to exactly ``round(rate * n)`` records (at
least one non-JSON line per JSON file), chosen at random among the records the
defect can apply to. A record gets at most one defect of a kind ("value" defects are
exclusive, and so are "timestamp" defects); format varieties (canonical Extended
JSON, spellings, date formats) are drawn independently of them.
"""

from __future__ import annotations

from typing import Any

#: Records per file at scale 1 (entity tables; daily tables are series x 365 days).
COUNTS_AT_SCALE_1: dict[str, int] = {
    "customers": 5_000,
    "transactions": 15_000,
    "campaigns": 200,
    "sales": 40_000,
    "events": 100_000,
    "reviews": 5_000,
    "topics_per_category": 2,
    "marketplaces": 3,
}
#: Minimum of the scaled counts (so that every type and category exists at small scales).
MINIMUM_COUNTS: dict[str, int] = {
    "customers": 50,
    "transactions": 100,
    "campaigns": 12,
    "sales": 100,
    "events": 500,
    "reviews": 50,
    "topics_per_category": 1,
    "marketplaces": 2,
}

# --- behaviour (not defects) -----------------------------------------------------------------

#: Share of customers created in 2023, 2024 and 2025.
CREATED_YEAR_SHARES = (0.26, 0.33, 0.41)
#: Share of customers who may buy in 2025 (those created too late do not).
BUYER_SHARE = 0.75
#: Shape of the gamma weights that spread extra transactions over buyers (lower: more skew).
PURCHASE_FREQUENCY_SHAPE = 0.5
#: Share of repeat buyers who go quiet after an active period (churn).
CHURN_SHARE = 0.35
#: Mean active days of a churning buyer after the first 2025 purchase (plus 14 days).
CHURN_ACTIVE_DAYS = 60.0
#: Transaction statuses (absent status also means completed).
STATUS_SHARES = {"completed": 0.92, "refunded": 0.05, "cancelled": 0.03}
#: The refunded share of the low-rated product (planted truth 1 side effect).
LOW_RATED_REFUND_SHARE = 0.10
#: Share of transactions (of known customers, in 2025) that have a web session.
WEB_SESSION_SHARE = 0.40
#: Mean number of earlier visits in the 30 days before a web purchase (repeat / one-time).
TOUCHES_REPEAT_BUYER = 1.6
TOUCHES_ONE_TIME_BUYER = 0.5
#: Share of customers who browse signed in without buying on the web (one session each).
BROWSING_CUSTOMER_SHARE = 0.10
#: Share of reviews written by a buyer of the product (the rest: unverified).
VERIFIED_REVIEW_SHARE = 0.90
#: Share of sales CSV rows from Mongo customers (the rest: customers known only to the feed).
SALES_MONGO_SHARE = 0.70

# --- defects -------------------------------------------------------------------------------

DEFECT_RATES: dict[str, dict[str, float]] = {
    "customers": {
        "duplicate_key": 0.01,
        "non_json_line": 0.001,
        "missing_field": 0.02,
        "explicit_null": 0.02,
        "customer_id_as_string": 0.01,
        "age_as_string": 0.01,
        "age_negative": 0.003,
        "age_240": 0.003,
        "invalid_email": 0.015,
        "invalid_phone": 0.01,
        "future_timestamp": 0.002,
        "timestamp_other_format": 0.05,
        "country_spelling_variant": 0.08,
        "gender_spelling_variant": 0.05,
        "boolean_spelling_variant": 0.05,
        "canonical_ejson": 0.30,
    },
    "transactions": {
        "duplicate_key": 0.01,
        "non_json_line": 0.001,
        "unknown_customer": 0.005,
        "customer_id_as_string": 0.01,
        "amount_as_string": 0.01,
        "quantity_as_string": 0.005,
        "negative_amount": 0.003,
        "zero_amount": 0.003,
        "missing_field": 0.02,
        "explicit_null": 0.01,
        "status_absent": 0.05,
        "future_timestamp": 0.002,
        "timestamp_date_only": 0.01,
        "timestamp_other_format": 0.05,
        "payment_spelling_variant": 0.10,
        "amount_decimal128": 0.10,
        "canonical_ejson": 0.30,
    },
    "campaigns": {
        "duplicate_key": 0.02,
        "non_json_line": 0.005,
        "clicks_above_impressions": 0.015,
        "zero_impressions": 0.01,
        "zero_clicks": 0.01,
        "zero_conversions": 0.015,
        "number_as_string": 0.03,
        "missing_field": 0.02,
        "explicit_null": 0.01,
        "date_other_format": 0.15,
        "canonical_ejson": 0.30,
    },
    "sales": {
        "duplicate_key": 0.005,
        "wrong_field_count": 0.0005,
        "untypeable_value": 0.0005,
        "missing_value": 0.003,
        "negative_amount": 0.002,
        "zero_amount": 0.002,
        "date_other_format": 0.01,
    },
    "events": {
        "duplicate_key": 0.005,
        "non_json_line": 0.0005,
        "missing_field": 0.02,
        "explicit_null": 0.02,
        "user_id_as_string": 0.02,
        "number_as_string": 0.01,
        "country_spelling_variant": 0.05,
        "future_timestamp": 0.001,
        "timestamp_other_format": 0.05,
    },
    "reviews": {
        "duplicate_key": 0.01,
        "non_json_line": 0.002,
        "missing_field": 0.03,
        "explicit_null": 0.02,
        "rating_as_string": 0.02,
        "customer_id_as_string": 0.02,
        "timestamp_other_format": 0.05,
        "boolean_spelling_variant": 0.05,
    },
    "social_trends": {
        "duplicate_key": 0.002,
        "wrong_field_count": 0.0003,
        "untypeable_value": 0.0003,
        "missing_value": 0.002,
        "date_other_format": 0.01,
    },
    "marketplace_sales": {
        "duplicate_key": 0.002,
        "wrong_field_count": 0.0003,
        "untypeable_value": 0.0003,
        "missing_value": 0.002,
        "date_other_format": 0.01,
    },
}

# --- planted truths ---------------------------------------------------------------------------

LOW_RATED_PRODUCT = "Wireless Earbuds Pro"
#: P(rating = 1..5) of the low-rated product and of every other product.
RATINGS_LOW_RATED = (0.18, 0.22, 0.15, 0.20, 0.25)
RATINGS_OTHER = (0.04, 0.06, 0.12, 0.30, 0.48)
#: P(tag battery) for 1-2 star reviews of the low-rated product, its other reviews, others.
BATTERY_TAG_LOW = 0.75
BATTERY_TAG_LOW_RATED_OTHER = 0.05
BATTERY_TAG_OTHER = 0.01
#: P(return requested) by rating 1..5, and for battery complaints about the low-rated product.
RETURN_BY_RATING = (0.45, 0.30, 0.08, 0.02, 0.01)
RETURN_BATTERY_COMPLAINT = 0.60

LEAD_PLATFORM = "TikTok"
LEAD_DAYS = 7
#: Marketplace units of a category per TikTok mention of the category ``LEAD_DAYS`` earlier.
UNITS_PER_MENTION = 0.05
#: Baseline daily units of one product on one marketplace (times product popularity).
BASELINE_UNITS = 5.0
#: P(burst starts) per topic-day, burst height (times the topic's level), daily decay.
BURST_PROBABILITY = 0.05
BURST_HEIGHT = 4.0
BURST_DECAY = 0.5

DISCOUNTED_SHARE = 0.30
DISCOUNT_RATES = (0.05, 0.10, 0.15, 0.20, 0.25)
#: Quantity = 1 + Poisson(extra): mean 1.5 at full price, 2.5 when discounted.
EXTRA_UNITS_FULL_PRICE = 0.5
EXTRA_UNITS_DISCOUNTED = 1.5

CONSENT_SHARE = 0.55
CONSENT_SPEND_RATIO = 1.30
#: Mean order value in the sales CSV for customers without consent (and sales-only ones).
SALES_MEAN_VALUE = 150.0
SALES_SIGMA = 0.5


def _low_rated_return_rate() -> float:
    low = RATINGS_LOW_RATED[0] + RATINGS_LOW_RATED[1]
    low_return = (RATINGS_LOW_RATED[0] * RETURN_BY_RATING[0]
                  + RATINGS_LOW_RATED[1] * RETURN_BY_RATING[1]) / low  # fmt: skip
    rate = low * (BATTERY_TAG_LOW * RETURN_BATTERY_COMPLAINT + (1 - BATTERY_TAG_LOW) * low_return)
    rate += sum(RATINGS_LOW_RATED[k] * RETURN_BY_RATING[k] for k in (2, 3, 4))
    return round(rate, 4)


PLANTED_TRUTHS: dict[str, dict[str, Any]] = {
    "low_rated_product": {
        "product": LOW_RATED_PRODUCT,
        "low_rating_share": round(RATINGS_LOW_RATED[0] + RATINGS_LOW_RATED[1], 4),
        "other_products_low_rating_share": round(RATINGS_OTHER[0] + RATINGS_OTHER[1], 4),
        "rating_distribution": dict(zip(range(1, 6), RATINGS_LOW_RATED, strict=True)),
        "other_products_rating_distribution": dict(zip(range(1, 6), RATINGS_OTHER, strict=True)),
        "battery_tag_share_of_low_ratings": BATTERY_TAG_LOW,
        "battery_tag_share_other_products": BATTERY_TAG_OTHER,
        "return_requested_rate": _low_rated_return_rate(),
        "other_products_return_requested_rate": round(
            sum(RATINGS_OTHER[k] * RETURN_BY_RATING[k] for k in range(5)), 4
        ),
        "refunded_share": LOW_RATED_REFUND_SHARE,
        "other_products_refunded_share": STATUS_SHARES["refunded"],
    },
    "social_lead": {
        "platform": LEAD_PLATFORM,
        "lag_days": LEAD_DAYS,
        "units_per_mention": UNITS_PER_MENTION,
        "model": (
            "units(category, day) = baseline(category, day) "
            "+ units_per_mention * TikTok mentions(category, day - 7) + Poisson noise"
        ),
        "baseline_units_per_marketplace_product": BASELINE_UNITS,
        "burst_probability_per_topic_day": BURST_PROBABILITY,
        "burst_height_times_level": BURST_HEIGHT,
        "burst_daily_decay": BURST_DECAY,
        "other_platforms": "independent of sales (no lead at any lag)",
    },
    "discount_quantity": {
        "discounted_share": DISCOUNTED_SHARE,
        "mean_quantity_discounted": 1 + EXTRA_UNITS_DISCOUNTED,
        "mean_quantity_full_price": 1 + EXTRA_UNITS_FULL_PRICE,
        "discount_rates": DISCOUNT_RATES,
    },
    "consent_spend": {
        "consent_share": CONSENT_SHARE,
        "transactions_amount_ratio": CONSENT_SPEND_RATIO,
        "sales_csv_value_ratio": CONSENT_SPEND_RATIO,
        "mechanism": (
            "transactions: consenting customers pick pricier products (same quantities); "
            "sales CSV: order values of consenting Mongo customers are 30% higher"
        ),
    },
    "campaign_conversion": {
        "conversion_rate_by_type": {
            "Email": 0.08,
            "Social": 0.03,
            "Search": 0.05,
            "Display": 0.02,
            "Affiliate": 0.06,
            "Video": 0.025,
        },
        "email_conversion_rate": 0.08,
        "display_conversion_rate": 0.02,
    },
}
