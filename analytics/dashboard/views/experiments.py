"""The Experiments page: the hypothesis tests' effect sizes and the A/B test plan.

Its figures, the A/B plan's columns (:data:`AB_PLAN_COLUMNS`, the HTML report shows the
same) and its layout; the rows come from :func:`..data.hypothesis_tests` and
:func:`..data.ab_test_plan` (the text report reads them too). Streamlit runs this file as
the page (``app.py`` routes it).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

# Absolute imports: Streamlit runs this file as a script, not as a module of the package.
from analytics.dashboard import charts, data, formats, gaps, shell
from analytics.dashboard.data import Filters
from analytics.dashboard.text import markdown, plotly

# --- figures --------------------------------------------------------------------------------


def effect_sizes_chart(frame: pd.DataFrame) -> go.Figure:
    """Each hypothesis test's effect size with its 95% interval; colour = decision."""
    title = "Hypothesis tests: effect sizes with 95% intervals (red: H0 rejected after Holm)"
    if frame.empty:
        return charts.empty(title, "No hypothesis tests")
    rows = frame.iloc[::-1]
    rejected = rows["decision"].astype(str).str.startswith("reject")
    labels = [
        f"{plotly(formats.words(test))} "
        f"({plotly(formats.words(name)) if isinstance(name, str) else 'effect'})"
        for test, name in zip(rows["test_id"], rows["effect_size_name"], strict=True)
    ]
    figure = go.Figure(
        go.Scatter(
            x=rows["effect_size"],
            y=labels,
            mode="markers",
            marker={
                "color": [charts.FLAG_COLOUR if flag else charts.PALETTE[0] for flag in rejected],
                "size": 11,
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": rows["effect_size_ci_high"] - rows["effect_size"],
                "arrayminus": rows["effect_size"] - rows["effect_size_ci_low"],
            },
            text=charts.words(rows["decision"], code=True),
            hovertemplate="%{y}<br>effect %{x:.3f}<br>%{text}<extra></extra>",
        )
    )
    figure.add_vline(x=0, line_color=charts.NEUTRAL_COLOUR, line_width=1)
    figure.update_xaxes(title="effect size (0 = no effect)")
    return charts.layout(figure, title, height=max(320, 50 * len(rows) + 120))


#: How far past the longest acceptable test the A/B plan's axis runs; longer plans stop there.
AB_PLAN_CAP = 1.5


def _days(value: float) -> str:
    """A number of days that stays readable when a plan needs 1e56 of them."""
    return f"{value:,.0f}" if value < 1e7 else f"{value:.1e}"


def _scenario(row: dict[str, object]) -> str:
    """A scenario's label: the lift it detects (the test of fixed length says so)."""
    lift = row.get("mde_relative")
    lift_text = "" if formats.is_missing(lift) else f"{float(lift):.0%}"  # type: ignore[arg-type]
    if row.get("scenario") == "fixed_duration":
        longest = row.get("max_test_days")
        days = "" if formats.is_missing(longest) else f"{int(longest)}-day test"  # type: ignore[call-overload]
        return f"{days or 'Longest test'}: detects {lift_text or '?'} lift"
    if lift_text:
        return f"{lift_text} lift"
    return formats.words(row.get("scenario"))


def ab_test_plan_chart(frame: pd.DataFrame) -> go.Figure:
    """Days each scenario of the A/B test plan needs, against the longest acceptable test.

    A linear days axis: the longest acceptable test is a dashed line, and a plan longer
    than :data:`AB_PLAN_CAP` times it stops at the cap, marked with the days it needs
    (a plan on thin traffic needs 1e56 days, which no axis shows usefully). Every
    scenario has its own label on the axis and its text above its own bar.
    """
    title = "A/B test plan: days needed per detectable lift"
    if "status" in frame.columns:  # the not_enough_data row has nothing to draw
        frame = frame[frame["status"] != "not_enough_data"]
    if frame.empty:
        return charts.empty(title, "No planned scenario")
    rows = frame.to_dict("records")
    longest = frame["max_test_days"].dropna() if "max_test_days" in frame else pd.Series()
    limit = float(longest.iloc[0]) if not longest.empty else None
    needed = [
        None if formats.is_missing(row.get("days_needed")) else float(row["days_needed"])
        for row in rows
    ]
    finite = [days for days in needed if days is not None and math.isfinite(days)]
    # Without a longest acceptable test, the longest finite plan sets the axis.
    cap = limit * AB_PLAN_CAP if limit is not None else (max(finite, default=1.0) or 1.0)
    labels = _unique([plotly(_scenario(row)) for row in rows])
    heights, texts, colours, hovers, capped = [], [], [], [], []
    for row, days in zip(rows, needed, strict=True):
        feasible = bool(row.get("is_feasible")) and not formats.is_missing(row.get("is_feasible"))
        colours.append(charts.PALETTE[2] if feasible else charts.FLAG_COLOUR)
        capped.append(days is not None and (days > cap or not math.isfinite(days)))
        if days is None:
            heights.append(0.0)
            texts.append("no estimate")
            hovers.append("no estimate of the days needed")
        elif capped[-1]:
            heights.append(cap)
            texts.append(f"not feasible:<br>{_days(days)} days")
            hovers.append(f"needs {_days(days)} days (the axis stops at {_days(cap)})")
        else:
            heights.append(days)
            texts.append(f"{_days(days)} days")
            hovers.append(f"needs {_days(days)} days")
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=heights,
            marker_color=colours,
            marker_pattern_shape=["/" if flag else "" for flag in capped],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=hovers,
            hovertemplate="%{x}<br>%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    if limit is not None:
        figure.add_trace(
            go.Scatter(
                x=[labels[0], labels[-1]],
                y=[limit, limit],
                mode="lines",
                name=f"longest acceptable test: {int(limit)} days",
                line={"dash": "dash", "color": charts.NEUTRAL_COLOUR},
                hoverinfo="skip",
            )
        )
        figure.add_hline(y=limit, line_dash="dash", line_color=charts.NEUTRAL_COLOUR)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    # Headroom above the cap for the bars' two-line texts.
    figure.update_yaxes(title="days needed", type="linear", range=[0, cap * 1.3])
    figure.update_layout(showlegend=True)
    return charts.layout(figure, title)


def _unique(labels: list[str]) -> list[str]:
    """Labels made distinct (a repeated one gets its position), so no two share a spot."""
    seen: dict[str, int] = {}
    distinct = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        distinct.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return distinct


#: The A/B plan's columns, as the page and the HTML report show them (the page adds the note).
AB_PLAN_COLUMNS = (
    "scenario",
    "baseline_conversion_rate",
    "mde_relative",
    "sample_size_per_arm",
    "days_needed",
    "is_feasible",
    "simulated_power",
)


# --- the page --------------------------------------------------------------------------------


def page(filters: Filters) -> None:
    """The hypothesis tests and the A/B test plan."""
    st.title("Experiments")
    st.caption("From the statistics step (`make analyze`), over all the data.")
    tests = data.hypothesis_tests(shell.query)
    notes = gaps.hypothesis_tests(tests)
    if notes == [gaps.NOT_RUN]:
        shell.missing(gaps.NOT_RUN)
        return
    for note in notes:
        shell.missing(note)
    shell.chart(effect_sizes_chart(tests), "experiments_effects")
    shell.table(
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
    plan = data.ab_test_plan(shell.query)
    if shell.missing(gaps.ab_plan(plan)):
        return
    shell.chart(ab_test_plan_chart(plan), "experiments_plan")
    sessions = plan["daily_eligible_sessions"].dropna()
    if not sessions.empty:
        st.caption(f"Every scenario at {formats.ratio(sessions.iloc[0])} eligible sessions a day.")
    shell.table(
        plan,
        [*AB_PLAN_COLUMNS, "note"],
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


if __name__ == "__main__":  # Streamlit runs this file as the page
    shell.guarded(page)
