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

from analytics.dashboard import data, formats, gaps, tables, text
from analytics.dashboard import spend as spend_module
from analytics.dashboard.views import (
    campaigns,
    customers,
    experiments,
    overview,
    products,
    social,
)
from analytics.reporting.html import table


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    # As the drivers give them: object columns, NULL as None; then as Source.query does.
    return data.numeric(pd.DataFrame(rows, dtype=object))


def _drawn(figure: Any) -> dict[str, Any]:
    return json.loads(figure.to_json())


CHART_INPUTS: dict[str, tuple[Any, list[dict[str, Any]]]] = {
    "revenue_trend": (
        overview.revenue_trend_chart,
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
        customers.rfm_segments_chart,
        [{"segment": "champions", "customers": 3, "revenue": None}],
    ),
    "cohort_heatmap": (
        customers.cohort_heatmap_chart,
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
        customers.ltv_distribution_chart,
        [{"band": 0, "band_start": None, "band_end": None, "customers": 5}],
    ),
    "churn_risk": (
        customers.churn_risk_chart,
        [{"risk_band": 90, "lifecycle_segment": "Lost", "customers": 1}],
    ),
    "lifecycle_segments": (
        customers.lifecycle_segments_chart,
        [{"lifecycle_segment": "New", "customers": 1, "predicted_ltv_12m": None}],
    ),
    "target_lists": (
        customers.target_lists_chart,
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
        campaigns.campaign_returns_chart,
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
        campaigns.channel_attribution_chart,
        [{"attribution_model": "markov", "channel": "email", "share_of_conversions": None}],
    ),
    "campaign_plan": (
        campaigns.campaign_plan_chart,
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
        products.product_revenue_chart,
        [{"product": "A", "category": None, "total_revenue": None}],
    ),
    "product_diagnostics": (
        products.product_diagnostics_chart,
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
        lambda frame: social.cross_correlation_chart(frame, "Audio"),
        [{"platform": "tiktok", "lag_days": 0, "correlation": None, "is_significant": None}],
    ),
    "effect_sizes": (
        experiments.effect_sizes_chart,
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
        experiments.ab_test_plan_chart,
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
    drawn = _drawn(social.social_overlay_chart(series, "tiktok", "Audio", 7))
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

    social.cross_correlation(query, "Men's wear")
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
        products.product_revenue_chart(
            _frame([{"product": HOSTILE[1], "category": "<i>c</i>", "total_revenue": 5.0}])
        )
    )
    assert figure["data"][0]["y"] == [text.plotly(HOSTILE[1])]
    assert "<img" not in json.dumps(figure["data"])
    overlay = _drawn(
        social.social_overlay_chart(
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


# --- what a marketing lead reads: words, one format, no cut-off ---------------------------------


def test_formats_read_one_way_and_missing_is_a_dash() -> None:
    assert formats.p_value(1e-9) == formats.p_value(0.0) == "<0.0001"
    assert formats.p_value(0.01234) == "0.0123" and formats.p_value(None) == "—"
    assert formats.share(0.25) == "25.0%" and formats.share(float("nan")) == "—"
    assert formats.share(51.894) == "5,189.4%" and formats.change(0.05) == "+5.0%"
    assert formats.percent_units(3.1) == "3.10%" and formats.money(1234.5) == "1,234.50"
    assert formats.cell(None, "roi") == formats.cell(pd.NaT, "start_date") == "—"
    assert (
        formats.cell(-0.25, "roi") == "-25.0%" and formats.cell(1e-9, "p_value_holm") == "<0.0001"
    )
    # The dashboard's headlines format as the tables do.
    campaign = _frame(
        [{"campaign_name": "A", "campaign_type": "email", "roi": 0.5, "roas": 2.345,
          "total_spend": 1234.5}]
    )  # fmt: skip
    headline = overview._HEADLINES["best_campaign_by_roi"](campaign)
    for shown in (formats.share(0.5), formats.ratio(2.345), formats.money(1234.5)):
        assert shown in headline, (shown, headline)
    # ... and so does the HTML report, p-values and percentages included.
    markup = table(_frame([{"roi": 51.894, "p_value": 0.01234, "ctr": 1234.5}]))
    for shown in (formats.share(51.894), formats.p_value(0.01234), formats.percent_units(1234.5)):
        assert shown in markup, (shown, markup)


def test_labels_and_coded_values_read_as_words() -> None:
    assert formats.label("attributed_revenue") == "Attributed revenue"
    assert formats.label("roi") == "ROI" and formats.label("p_value_holm") == "p-value (Holm)"
    assert formats.words("cant_lose") == "Can't lose"
    assert formats.words("new_customers") == "New customers"
    # A user's own names stay exactly as they are.
    assert formats.words("Summer_Sale 2025") == "Summer_Sale 2025"
    assert formats.words("At Risk") == "At Risk"


def _rfm(segment: str) -> dict[str, Any]:
    return {"segment": segment, "customers": 3, "revenue": 10.0}


def test_charts_label_codes_in_words() -> None:
    drawn = _drawn(customers.rfm_segments_chart(_frame([_rfm("cant_lose"), _rfm("champions")])))
    labels = [label for trace in drawn["data"] for label in trace["y"]]
    assert "Can't lose" in labels and "cant_lose" not in labels


def _table_rows() -> pd.DataFrame:
    return _frame(
        [
            {
                "segment": "cant_lose",
                "attributed_revenue": 1234.5,
                "roi": 0.25,
                "p_value_holm": 1e-9,
                "note": "a long sentence that a marketing lead should read in full " * 3,
                "start_date": None,
            },
            {
                "segment": "champions",
                "attributed_revenue": None,
                "roi": None,
                "p_value_holm": None,
                "note": None,
                "start_date": date(2025, 1, 1),
            },
        ]
    )


def test_tables_have_word_headers_one_format_and_fit_the_page() -> None:
    rows = _table_rows()
    table = tables.layout(rows, codes=["segment"])
    headers = [table.config[name]["label"] for name in table.columns]
    assert headers == [
        "Segment",
        "Attributed revenue",
        "ROI",
        "p-value (Holm)",
        "Note",
        "Start date",
    ]
    assert not any(formats.is_snake_case(header) for header in headers)
    assert list(table.frame["segment"]) == ["Can't lose", "Champions"]
    assert list(table.frame["p_value_holm"]) == ["<0.0001", "—"]
    assert table.frame["roi"].iloc[0] == pytest.approx(25.0)  # shown as 25.0%
    assert table.config["roi"]["type_config"]["format"] == "%,.1f%%"
    assert table.width <= tables.PAGE_WIDTH
    # The long text wraps in a row tall enough for it instead of running off the side.
    assert table.row_height is not None and table.row_height > 64
    assert list(rows["segment"]) == ["cant_lose", "champions"], "the caller's frame is kept"


def test_a_wide_table_narrows_its_text_columns_to_fit() -> None:
    rows = _frame([{f"comment_{index}": "word " * 40 for index in range(5)}])
    table = tables.layout(rows)
    assert table.width <= tables.PAGE_WIDTH
    assert table.row_height is not None


def test_a_one_row_answer_reads_down_a_list() -> None:
    answer = _frame([{"campaign_name": "A", "roi": 0.5, "total_spend": None}])
    rows = tables.transposed(answer)
    assert list(rows["figure"]) == ["Campaign name", "ROI", "Spend"]
    assert list(rows["value"]) == ["A", "50.0%", "—"]


# --- the A/B plan chart -------------------------------------------------------------------------

AB_PLAN = [
    {"scenario": "fixed_effect", "mde_relative": 0.05, "days_needed": 1e56, "is_feasible": False,
     "max_test_days": 56, "status": "planned"},
    {"scenario": "fixed_effect", "mde_relative": 0.1, "days_needed": 2051, "is_feasible": False,
     "max_test_days": 56, "status": "planned"},
    {"scenario": "fixed_effect", "mde_relative": 0.2, "days_needed": 40, "is_feasible": True,
     "max_test_days": 56, "status": "planned"},
    {"scenario": "fixed_duration", "mde_relative": 0.63, "days_needed": 56, "is_feasible": True,
     "max_test_days": 56, "status": "planned"},
]  # fmt: skip


def test_ab_plan_has_a_linear_axis_capped_plans_and_distinct_labels() -> None:
    drawn = _drawn(experiments.ab_test_plan_chart(_frame(AB_PLAN)))
    bars = drawn["data"][0]
    axis = drawn["layout"]["yaxis"]
    assert axis["type"] == "linear"
    cap = 56 * experiments.AB_PLAN_CAP
    assert axis["range"][0] == 0 and 56 < cap <= axis["range"][1] <= 2 * cap
    # Four scenarios, four labels: none on the spot of another.
    assert len(set(bars["x"])) == len(bars["x"]) == 4
    assert bars["x"][0] == "5% lift" and bars["x"][3].startswith("56-day test")
    # Infeasible plans stop at the cap and say how long they would take.
    assert bars["y"][:2] == [cap, cap] and bars["y"][2:] == [40, 56]
    assert "not feasible" in bars["text"][0] and "1.0e+56" in bars["text"][0]
    assert "2,051" in bars["text"][1] and bars["text"][2] == "40 days"
    # The longest acceptable test is marked: a dashed line named in the legend.
    assert any(shape["y0"] == 56 == shape["y1"] for shape in drawn["layout"]["shapes"])
    names = [trace.get("name", "") for trace in drawn["data"]]
    assert "longest acceptable test: 56 days" in names


# --- the cohort heatmap -------------------------------------------------------------------------


def _cohort(month: int, months: int, rate: float, partial: bool = False) -> dict[str, Any]:
    return {
        "cohort_month": date(2025, month, 1),
        "months_since_first_order": months,
        "cohort_size": 10,
        "retention_rate": rate,
        "is_partial_month": partial,
    }


def test_cohort_heatmap_marks_unfinished_months_instead_of_zero_retention() -> None:
    # As of a day in March: January has two finished months and March in progress,
    # February one finished month and March in progress; February's month 2 is to come.
    rows = [
        _cohort(1, 0, 1.0), _cohort(1, 1, 0.3), _cohort(1, 2, 0.0, partial=True),
        _cohort(2, 0, 1.0), _cohort(2, 1, 0.0, partial=True),
    ]  # fmt: skip
    finished, unfinished = customers.cohort_heatmap_chart(_frame(rows)).data

    def cells(values: Any) -> list[list[float | None]]:
        return [[None if formats.is_missing(value) else value for value in row] for row in values]

    # The retention colours only finished months: no 0% for a month still running.
    assert cells(finished["z"]) == [[1.0, 0.3, None], [1.0, None, None]]
    assert finished["text"][0][:2] == ["100%", "30%"]
    # The unfinished ones are marked: the month in progress with its share so far,
    # the month after the as-of date empty, both grey.
    assert cells(unfinished["z"]) == [[None, None, 1.0], [None, 1.0, 1.0]]
    assert unfinished["text"][0][2] == "(0%)" and unfinished["text"][1][2] == ""
    # ... and each cell's text is drawn once, by the heatmap that colours it.
    assert finished["text"][0][2] == "" and unfinished["text"][0][:2] == ["", ""]
    assert "so far" in unfinished["customdata"][0][2]
    assert "after the as-of date" in unfinished["customdata"][1][2]
    assert unfinished["showscale"] is False


# --- too little spend ---------------------------------------------------------------------------


def _campaign(campaign_id: str, spend: float, roi: float, roas: float) -> dict[str, Any]:
    note = spend_module.TOO_LITTLE_SPEND if spend < 100 else None
    return {"campaign_id": campaign_id, "total_spend": spend, "roi": roi, "roas": roas,
            "cpa": spend / 2, "spend_note": note}  # fmt: skip


def test_campaigns_with_too_little_spend_never_top_roi_or_roas() -> None:
    kpis = _frame(
        [_campaign("a", 14.8, 240.0, 241.0), _campaign("b", 500.0, 1.5, 2.5),
         _campaign("c", 120.0, 3.0, 4.0), _campaign("d", 0.0, None, None)]
    )  # fmt: skip
    for measure in ("roi", "roas"):
        ranked = spend_module.rank(kpis, measure, ascending=False)
        assert list(ranked["campaign_id"]) == ["c", "b", "a", "d"], measure
        ranked = spend_module.rank(kpis, measure, ascending=True)
        assert list(ranked["campaign_id"][:2]) == ["b", "c"], measure
    # Other measures sort as they are (a cheap campaign may well have the lowest CPA).
    assert list(spend_module.rank(kpis, "cpa", ascending=True)["campaign_id"]) == [
        "d",
        "a",
        "c",
        "b",
    ]
    assert spend_module.minimum_spend() == 100.0  # the var the best-ROI question uses


def test_campaign_kpis_mark_and_order_by_the_minimum_spend() -> None:
    seen: list[str] = []

    def query(sql: str) -> pd.DataFrame:
        seen.append(sql)
        return pd.DataFrame()

    campaigns.campaign_kpis(query, data.Filters(), minimum_spend=250)
    assert "< 250.0 then 'too little spend'" in seen[0]
    assert "order by coalesce(total_spend, 0) < 250.0, roi desc" in seen[0]
