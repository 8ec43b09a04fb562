"""The dashboard's charts and data helpers on empty frames and NULLs (no warehouse).

The marts hold NULLs by design (no lag correlates positively, an A/B scenario without
a usable baseline, a campaign without conversions has no CPA): every chart must draw
them as gaps or say there is nothing to draw, never raise.
"""

from __future__ import annotations

import json
import math
import string
from datetime import date
from typing import Any

import pandas as pd
import pytest

from loaders.dashboard import charts, data, gaps, text
from loaders.dashboard.report_html import table


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    # As the drivers give them: object columns, NULL as None; then as Source.query does.
    return data.numeric(pd.DataFrame(rows, dtype=object))


def _drawn(figure: Any) -> dict[str, Any]:
    return json.loads(figure.to_json())


CHART_INPUTS: dict[str, tuple[Any, list[dict[str, Any]]]] = {
    "revenue_trend": (
        charts.revenue_trend,
        [
            {
                "period": date(2025, 1, 1),
                "revenue": 10.0,
                "orders": 2,
                "active_customers": 2,
                "average_order_value": 5.0,
            },
            {
                "period": date(2025, 2, 1),
                "revenue": 0.0,
                "orders": 0,
                "active_customers": 0,
                "average_order_value": None,
            },
        ],
    ),
    "rfm_segments": (
        charts.rfm_segments,
        [{"segment": "champions", "customers": 3, "revenue": None}],
    ),
    "cohort_heatmap": (
        charts.cohort_heatmap,
        [
            {
                "cohort_month": date(2025, 1, 1),
                "months_since_first_order": 0,
                "cohort_size": 4,
                "retention_rate": 1.0,
            },
            {
                "cohort_month": date(2025, 1, 1),
                "months_since_first_order": 1,
                "cohort_size": 4,
                "retention_rate": None,
            },
        ],
    ),
    "ltv_distribution": (
        charts.ltv_distribution,
        [{"band": 0, "band_start": None, "band_end": None, "customers": 5}],
    ),
    "churn_risk": (
        charts.churn_risk,
        [{"risk_band": 90, "lifecycle_segment": "Lost", "customers": 1}],
    ),
    "lifecycle_segments": (
        charts.lifecycle_segments,
        [{"lifecycle_segment": "New", "customers": 1, "predicted_ltv_12m": None}],
    ),
    "target_lists": (
        charts.target_lists,
        [
            {
                "campaign_type": "win_back",
                "high_priority_customers": 0,
                "medium_priority_customers": None,
                "low_priority_customers": 1,
                "candidate_customers": 2,
            }
        ],
    ),
    "campaign_returns": (
        charts.campaign_returns,
        [
            {
                "campaign_type": "email",
                "campaign_name": "A",
                "total_spend": 10.0,
                "attributed_revenue": None,
            },
            {
                "campaign_type": "email",
                "campaign_name": "B",
                "total_spend": 5.0,
                "attributed_revenue": 7.0,
            },
        ],
    ),
    "channel_attribution": (
        charts.channel_attribution,
        [{"attribution_model": "markov", "channel": "email", "share_of_conversions": None}],
    ),
    "campaign_plan": (
        charts.campaign_plan,
        [
            {
                "item_type": "channel",
                "item": "email",
                "current_spend": None,
                "budget": 5.0,
                "expected_revenue": None,
                "expected_revenue_low": None,
                "expected_revenue_high": None,
            }
        ],
    ),
    "product_revenue": (
        charts.product_revenue,
        [{"product": "A", "category": None, "total_revenue": None}],
    ),
    "product_diagnostics": (
        charts.product_diagnostics,
        [
            {
                "product_name": "A",
                "reviews": 3,
                "low_rating_share": 0.5,
                "is_flagged": None,
                "top_complaint_tag": None,
                "baseline_low_rating_share": None,
            }
        ],
    ),
    "cross_correlation": (
        lambda frame: charts.cross_correlation(frame, "Audio"),
        [{"platform": "tiktok", "lag_days": 0, "correlation": None, "is_significant": None}],
    ),
    "effect_sizes": (
        charts.effect_sizes,
        [
            {
                "test_id": "t",
                "effect_size_name": None,
                "effect_size": None,
                "effect_size_ci_low": None,
                "effect_size_ci_high": 0.4,
                "decision": None,
            }
        ],
    ),
    "ab_test_plan": (
        charts.ab_test_plan,
        [
            {
                "scenario": "no usable baseline",
                "days_needed": None,
                "is_feasible": None,
                "max_test_days": None,
            },
            {"scenario": "lift 10%", "days_needed": 40, "is_feasible": True, "max_test_days": 56},
        ],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", CHART_INPUTS)
def test_every_chart_draws_nulls_and_says_when_there_is_nothing(name: str) -> None:
    function, rows = CHART_INPUTS[name]
    drawn = _drawn(function(_frame(rows)))
    assert drawn["data"], f"{name} drew nothing from rows with NULLs"
    nothing = _drawn(function(_frame(rows).iloc[0:0]))
    assert not nothing["data"] and nothing["layout"]["annotations"], name


def test_social_overlay_shifts_mentions_by_the_lag() -> None:
    series = _frame(
        [
            {"day": date(2025, 1, 1), "mentions": 10, "units_sold": None},
            {"day": date(2025, 1, 2), "mentions": None, "units_sold": 3},
        ]
    )
    drawn = _drawn(charts.social_overlay(series, "tiktok", "Audio", 7))
    units, mentions = drawn["data"]
    assert mentions["x"][0].startswith("2025-01-08")  # 7 days later
    assert units["x"][0].startswith("2025-01-01")


def test_numeric_turns_driver_nulls_into_nan_and_leaves_other_columns() -> None:
    frame = data.numeric(
        pd.DataFrame(
            {"n": [1, None], "flag": [True, None], "text": ["a", None], "d": [2.5, 1]},
            dtype=object,
        )
    )
    assert frame["n"].dtype.kind == "f" and math.isnan(frame["n"][1])
    assert frame["d"].dtype.kind == "f"
    assert frame["flag"].dtype == object and frame["text"].dtype == object


def test_report_table_formats_units_and_escapes() -> None:
    frame = _frame(
        [
            {
                "ctr": 3.1,
                "roi": -0.25,
                "marketing_consent_rate": 55.24,
                "n": 1234,
                "p_value_holm": 1e-9,
                "name": "<b>x</b>",
            }
        ]
    )
    markup = table(frame)
    assert "3.10%" in markup and "-25.0%" in markup and "55.24%" in markup
    assert "1,234" in markup and "&lt;0.0001" in markup and "&lt;b&gt;x&lt;/b&gt;" in markup


class _Named(Exception):
    pass


@pytest.mark.parametrize(
    ("error_name", "message", "reason"),
    [
        (
            "IOException",
            'Could not set lock on file "w.duckdb": Conflicting lock is held',
            "rebuilding",
        ),
        ("CatalogException", "Table with name customer_ltv does not exist!", "not_built"),
        ("BinderException", 'Referenced column "top_complaint_tags" not found', "not_built"),
    ],
)
def test_database_errors_become_messages(error_name: str, message: str, reason: str) -> None:
    error = type(error_name, (_Named,), {})(message)
    unavailable = data._classify("duckdb", error)
    assert unavailable is not None and unavailable.reason == reason
    assert data._classify("duckdb", KeyError("revenue")) is None  # a bug stays a bug


def test_filters_quote_what_they_put_into_sql() -> None:
    seen: list[str] = []

    def query(sql: str) -> pd.DataFrame:
        seen.append(sql)
        return pd.DataFrame({"platform": [], "lag_days": []})

    data.cross_correlation(query, "Men's wear")
    assert "'Men''s wear'" in seen[0]


# --- data values are text, never markup ---------------------------------------------------------

HOSTILE = (
    "![x](http://127.0.0.1:9/x.png)",
    '<img src="http://127.0.0.1:9/y.png"> <b>bold</b> & co',
    "[click](javascript:alert(1)) *em* _u_ `code` $x^2$ :red[red] :material/home: # h",
)


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_escapes_every_markup_character(value: str) -> None:
    escaped = text.markdown(value)
    # every ASCII punctuation character is preceded by a backslash ...
    characters = iter(escaped)
    plain = []
    for character in characters:
        if character == "\\":
            following = next(characters)
            assert following in string.punctuation
            plain.append(following)
        else:
            assert character not in string.punctuation, (character, escaped)
            plain.append(character)
    # ... and dropping the backslashes (what CommonMark shows) gives the value back
    assert "".join(plain) == value
    assert text.markdown("two\nlines") == "two lines" and text.markdown(None) == "\\-"


def test_plotly_text_shows_tags_literally() -> None:
    assert text.plotly("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    figure = _drawn(
        charts.product_revenue(
            _frame([{"product": HOSTILE[1], "category": "<i>c</i>", "total_revenue": 5.0}])
        )
    )
    assert figure["data"][0]["y"] == [text.plotly(HOSTILE[1])]
    assert "<img" not in json.dumps(figure["data"])
    overlay = _drawn(
        charts.social_overlay(
            _frame([{"day": date(2025, 1, 1), "mentions": 1, "units_sold": 2}]), "<b>p</b>", "c", 0
        )
    )
    assert "&lt;b&gt;p&lt;/b&gt;" in overlay["layout"]["title"]["text"]


# --- what a section lacks, in one sentence ------------------------------------------------------


def _answers(counts: dict[str, int]) -> Any:
    """A query that answers count(*) queries by the relation they read."""

    def query(sql: str) -> pd.DataFrame:
        for relation, count in counts.items():
            if relation in sql:
                return pd.DataFrame({"count": [count]})
        raise AssertionError(sql)

    return query


def test_gaps_say_what_is_missing_or_that_the_step_has_not_run() -> None:
    ran = {"marts.hypothesis_tests": 6}
    assert gaps.hypothesis_tests(pd.DataFrame()) == [gaps.NOT_RUN]
    tests = _frame(
        [
            {"test_id": "a", "decision": "reject_null", "method_reason": "fine"},
            {"test_id": "b", "decision": "insufficient_data", "method_reason": "no web sessions"},
        ]
    )
    assert gaps.hypothesis_tests(tests) == ["Not enough data for b: no web sessions."]
    plan = _frame([{"status": "not_enough_data", "note": "Not enough data for the A/B: x."}])
    assert gaps.ab_plan(plan) == "Not enough data for the A/B: x."
    assert gaps.ab_plan(_frame([{"status": "planned", "note": "fine"}])) is None
    social = _answers(
        {**ran, "select distinct category": 0, "fct_social_trends_daily": 10,
         "fct_marketplace_sales_daily": 0}
    )  # fmt: skip
    summary = pd.DataFrame({"platform": []})
    assert gaps.social_lag(social, summary) == (
        "Not enough data for the social-to-sales lag: no marketplace sales (daily units per "
        "category)."
    )
    assert gaps.social_lag(_answers({"marts.hypothesis_tests": 0}), summary) == gaps.NOT_RUN
    plans = _answers({**ran, "campaign_performance": 3, "campaign_target_summary": 0})
    assert gaps.next_campaign(plans, pd.DataFrame({"item_type": []})) == (
        "Not enough data for the campaign plan: no consented customer on a target list."
    )
    diagnostics = _frame([{"product_name": "A", "reviews": 0, "p_value_holm": None}])
    assert gaps.diagnosis(_answers(ran), diagnostics) == (
        "Not enough data for the product diagnosis: no valid reviews of any product."
    )
    assert gaps.channel_budget(_frame([{"item_type": "audience"}])) == (
        "Not enough data for the channel budget: no campaign with a spend."
    )
