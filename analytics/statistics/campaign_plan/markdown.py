"""The plan for people: the Markdown brief and the lines printed after the step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import missing as missing_words
from .._format import number
from .._format import share as percentage
from .plan import Plan

#: Name of the brief in ``settings.reports_dir``.
BRIEF_NAME = "campaign_plan.md"
#: What the plan is, in the sentence "Not enough data for ...".
SUBJECT = missing_words.CAMPAIGN_PLAN


def _amount(value: Any) -> str:
    return "-" if value is None else f"{float(value):,.0f}"


def _range(row: Mapping[str, Any], column: str) -> str:
    return (
        f"{_amount(row[column])} ({_amount(row[column + '_low'])} to "
        f"{_amount(row[column + '_high'])})"
    )


def brief(plan: Plan, alpha: float) -> str:
    """The plan as a short Markdown brief for a marketing lead."""
    level = f"{1 - alpha:.0%}"
    audiences = [row for row in plan.rows if row["item_type"] == "audience"]
    channels = [row for row in plan.rows if row["item_type"] == "channel"]
    totals = [row for row in plan.rows if row["item_type"] == "total"]
    lines = [
        "# Campaign plan: the seed of the next campaign",
        "",
        f"As of {plan.as_of or '-'}. Budget **{plan.budget:,.2f}** ({plan.budget_source}). "
        f"Revenue and conversions are web figures attributed by the "
        f"`{plan.attribution_model or '-'}` model; ranges are {level} intervals.",
        "",
        *(
            [f"Not enough data for all of {SUBJECT}: {'; '.join(plan.missing)}.", ""]
            if plan.missing
            else []
        ),
        "## Who to target",
        "",
    ]
    if audiences:
        lines += [
            "| list | customers | expected responses | expected revenue |",
            "|---|---:|---:|---:|",
        ]
        for row in audiences:
            lines.append(
                f"| {row['item']}: {row['description']} | {row['audience_size']:,} | "
                f"{_range(row, 'expected_conversions')} | {_range(row, 'expected_revenue')} |"
            )
    else:
        lines.append("No target list has a customer.")
    lines += ["", "## Where the money goes", ""]
    if channels:
        lines += [
            "| channel | last period | plan | share | change | attributed ROAS | "
            "expected revenue | expected ROAS | marginal ROAS | evidence |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for row in channels:
            change = row.get("budget_vs_current")
            share = row["budget_share"]
            lines.append(
                f"| {row['description']} | {_amount(row['current_spend'])} | "
                f"{_amount(row['budget'])} | "
                f"{percentage(share)} | "
                f"{'-' if change is None else f'{float(change):.2f}x'} | "
                f"{number(row['attributed_roas'])} | {_range(row, 'expected_revenue')} | "
                f"{number(row['expected_roas'])} | {number(row['marginal_roas'])} | "
                f"{row['evidence_status'].replace('_', ' ')} |"
            )
    else:
        lines.append("No campaign spend to plan from.")
    lines += ["", "## Expected results", ""]
    for row in totals:
        lines.append(
            f"- Conversions: {_range(row, 'expected_conversions')}; revenue: "
            f"{_range(row, 'expected_revenue')}; ROAS {number(row['expected_roas'])} "
            f"(attributed ROAS of the same campaigns so far: {number(row['attributed_roas'])})."
        )
    for row in audiences:
        lines.append(
            f"- Target list {row['item']}: {_range(row, 'expected_conversions')} responses, "
            f"{_range(row, 'expected_revenue')} revenue."
        )
    lines += ["", "## Evidence", ""]
    lines += [f"- {item.sentence}" for item in plan.evidence]
    lines.append(
        "- "
        + (
            "The channel mix is optimised because the channels are shown to differ."
            if plan.optimised
            else "The channel mix is kept: a difference between channels is not established."
        )
    )
    lines += ["", "## Caveats", ""]
    lines += [f"- {caveat}" for caveat in plan.caveats]
    return "\n".join(lines) + "\n"


def _summary(plan: Plan) -> list[str]:
    """The lines printed after the step: budget, split, expected results, evidence."""
    total = next((row for row in plan.rows if row["item_type"] == "total"), None)
    channels = [row for row in plan.rows if row["item_type"] == "channel" and row["budget"]]
    audiences = [row for row in plan.rows if row["item_type"] == "audience"]
    if not plan.rows:
        return [f"Campaign plan: {missing_words.sentence(SUBJECT, ' and '.join(plan.missing))}"]
    as_of = f"as of {plan.as_of}" if plan.as_of is not None else "no as-of date"
    lines = [
        f"Campaign plan ({as_of}): budget {plan.budget:,.2f}, "
        + ("mix optimised on marginal ROAS" if plan.optimised else "current mix kept")
        + "."
    ]
    lines += [f"  not enough data for part of it: {missing}" for missing in plan.missing]
    if channels:
        lines.append(
            "  split: "
            + ", ".join(
                f"{row['item']} {percentage(row['budget_share'])} "
                f"({float(row['budget_vs_current']):.2f}x current)"
                for row in sorted(channels, key=lambda row: -float(row["budget"]))
            )
        )
    if total is not None:
        lines.append(
            f"  expected revenue {_range(total, 'expected_revenue')}, conversions "
            f"{_range(total, 'expected_conversions')}, ROAS {number(total['expected_roas'])}"
        )
    if audiences:
        top = audiences[0]
        lines.append(
            f"  audience: {top['item']} ({top['audience_size']:,} customers, expected revenue "
            f"{_range(top, 'expected_revenue')}), {len(audiences)} list(s) in all"
        )
    lines.append(f"  evidence: {', '.join(f'{e.test_id} {e.status}' for e in plan.evidence)}")
    return lines
