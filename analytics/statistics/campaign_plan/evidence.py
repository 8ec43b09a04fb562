"""What the hypothesis tests say about the plan's claims, in the plan's words.

A preference stands as validated only when its test rejected the null; otherwise
the plan says the difference is not established, or that it was not tested (the
test is missing, or had not enough data to run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ...warehouse import Warehouse
from .._format import p_value
from .channels import type_name

#: The hypothesis tests the plan cites.
TYPES_TEST = "campaign_type_conversion"
EMAIL_DISPLAY_TEST = "email_vs_display_conversion"
CONSENT_TEST = "consent_spend"
REJECTED = "reject_null"
#: The decision of a hypothesis test that could not run (too little data).
INSUFFICIENT = "insufficient_data"


@dataclass(frozen=True)
class Evidence:
    """What a hypothesis test says, in the plan's words."""

    test_id: str
    status: str  #: validated, not_established or not_tested
    sentence: str
    decision: str | None = None
    p_value_holm: float | None = None


def read_evidence(tests: pd.DataFrame | None, test_id: str, claim: str) -> Evidence:
    """The test ``test_id`` behind ``claim`` (a sentence): validated only when rejected."""
    if tests is None or tests.empty or test_id not in set(tests["test_id"]):
        return Evidence(test_id, "not_tested", f"{claim}: not tested ({test_id} not run).")
    row = tests[tests["test_id"] == test_id].iloc[0]
    decision = str(row.get("decision"))
    if decision == INSUFFICIENT:
        reason = row.get("method_reason") or "no reason given"
        return Evidence(
            test_id,
            "not_tested",
            f"{claim}: not tested (not enough data for {test_id}: {reason}).",
            decision,
        )
    p_holm = row.get("p_value_holm")
    p_holm = None if p_holm is None or pd.isna(p_holm) else float(p_holm)
    effect = ""
    if row.get("effect_size") is not None and not pd.isna(row.get("effect_size")):
        effect = f", {row.get('effect_size_name', 'effect size')} {float(row['effect_size']):.3g}"
        low, high = row.get("effect_size_ci_low"), row.get("effect_size_ci_high")
        if low is not None and high is not None and not (pd.isna(low) or pd.isna(high)):
            effect += f" [{float(low):.3g}, {float(high):.3g}]"
    reference = f"{test_id}: Holm p {p_value(p_holm)}{effect}"
    if decision == REJECTED:
        return Evidence(
            test_id, "validated", f"{claim}: validated ({reference}).", decision, p_holm
        )
    return Evidence(
        test_id,
        "not_established",
        f"{claim}: not established ({reference}, {decision}).",
        decision,
        p_holm,
    )


def _status(evidence: Sequence[Evidence]) -> str:
    statuses = {item.status for item in evidence}
    for status in ("not_tested", "not_established"):
        if status in statuses:
            return status
    return "validated"


def hypothesis_results(
    warehouse: Warehouse, results: Mapping[str, pd.DataFrame]
) -> pd.DataFrame | None:
    """The hypothesis tests of this run, else those in the warehouse, else None."""
    if "hypothesis_tests" in results:
        return results["hypothesis_tests"]
    if not warehouse.columns("hypothesis_tests"):
        return None
    frame = warehouse.frame("select * from marts.hypothesis_tests")
    return frame if not frame.empty else None


def better_of_email_display(rates: Mapping[str, float | None]) -> str | None:
    """The campaign type of the two with the higher conversion rate (None: not both known)."""
    email, display = rates.get("email"), rates.get("display")
    if email is None or display is None:
        return None
    return "email" if email >= display else "display"


def channel_evidence(
    campaign_type: str, increased: bool, cited: Sequence[Evidence], better: str | None
) -> tuple[str, str]:
    """The evidence status of a channel row, and a sentence when its increase is not backed.

    A budget increase is a preference for the channel over those it takes budget from:
    it stands as validated only with a pairwise test that rejected its null in the
    channel's favour (email_vs_display_conversion); the omnibus campaign_type_conversion
    shows that the types differ, not which one is better.
    """
    status = _status(cited)
    if not increased:
        return status, ""
    pairwise = [item for item in cited if item.test_id == EMAIL_DISPLAY_TEST]
    if pairwise and pairwise[0].status == "validated" and better == campaign_type:
        return status, ""
    return (
        "not_tested" if status == "not_tested" else "not_established",
        f"That {type_name(campaign_type)} deserves more than the channels it takes budget "
        "from is not established by a pairwise test: the increase follows its attributed "
        "ROAS and response curve.",
    )


def email_display_claim(rates: Mapping[str, float | None]) -> str:
    """The email_vs_display claim in words: the channel that converts better, when known."""
    email, display = rates.get("email"), rates.get("display")
    if email is None or display is None:
        return "Email and Display campaigns convert differently"
    better, worse = ("Email", "Display") if email >= display else ("Display", "Email")
    high, low = max(email, display), min(email, display)
    return f"{better} converts better than {worse} ({high:.1%} vs {low:.1%} of clicks)"
