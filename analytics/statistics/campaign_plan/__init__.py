"""The campaign plan: audiences, channel mix and budget from validated facts only.

The rules (documented in ``models/marts/evidence/_campaign_plan__docs.md``):

- **Audience.** The target lists of ``campaign_target_summary`` (consented customers
  only) with at least one customer, largest expected value first. Expected responses
  and revenue come from the lists' assumed response rates and each customer's value if
  they respond (``campaign_targets``); the interval is that of the outcome when each
  customer responds independently with the assumed rate (seeded simulation).
- **Channel mix.** A channel is a campaign type (the unit that has a spend). Its
  attributed ROAS and CPA are those of its campaigns (``campaign_performance``,
  web revenue of the default attribution model). Diminishing returns: revenue =
  a * spend^b, b the slope of the log-log OLS regression (statsmodels) of attributed
  revenue on spend over the type's campaigns (at least ``MIN_CAMPAIGNS_OWN_FIT``
  campaigns with revenue; else one slope pooled over every type, each with its own
  intercept), clipped to ``EXPONENT_BOUNDS``; a is calibrated so that the curve
  returns the type's attributed ROAS at its current spend (``a = ROAS * S^(1-b)``).
- **Budget.** The spend of the ``BUDGET_WINDOW_DAYS`` days before the as-of date
  (each campaign's spend spread evenly over its days), or ``CAMPAIGN_PLAN_BUDGET``.
  When the hypothesis tests show that campaign types convert differently
  (``campaign_type_conversion`` rejected), the budget is split by equalising the
  marginal ROAS of the curves (SciPy's brentq on the common marginal), each type kept
  within ``SCALE_BOUNDS`` of its current share; otherwise the difference between the
  channels is not established and the plan keeps the current mix.
- **Intervals.** Expected conversions and revenue at the planned budgets, with
  ``1 - alpha`` percentile intervals from a bootstrap over the campaigns of each type
  (``BOOTSTRAP_RESAMPLES``, seeded), refitting b, ROAS and conversions per spend.
- **Evidence.** Every row cites the hypothesis tests behind it (``hypothesis_tests``);
  a preference stands as validated only when its test rejected the null, otherwise the
  row says the difference is not established, or that it was not tested (the test is
  missing, or had not enough data to run).

The modules, one concern each: ``inputs`` (what the plan reads), ``curves`` (response
curves, exponent fits, the allocation), ``channels`` (each type's economics, the
budget window, the bootstrap), ``audiences`` (the target lists), ``evidence`` (the
hypothesis tests behind each claim), ``build`` (the rows of the table), ``plan`` (the
table's columns), ``justification`` (the reasons in words) and ``markdown`` (the brief
and the printed summary).
"""

from __future__ import annotations

import pandas as pd

from ...warehouse import Warehouse
from ..base import Outcome, Settings
from .audiences import AUDIENCE_SIMULATIONS, AudienceOutcome, simulate_audience
from .build import build_plan
from .channels import (
    BOOTSTRAP_RESAMPLES,
    BUDGET_VARIABLE,
    BUDGET_WINDOW_DAYS,
    ChannelEconomics,
    bootstrap_outcomes,
    budget_window,
    economics,
    spend_in_window,
)
from .curves import (
    DEFAULT_EXPONENT,
    EXPONENT_BOUNDS,
    MIN_CAMPAIGNS_OWN_FIT,
    SCALE_BOUNDS,
    ExponentFit,
    ResponseCurve,
    allocate,
    fit_exponents,
    to_cents,
)
from .evidence import Evidence, hypothesis_results, read_evidence
from .inputs import budget_override, markov_ratios, read_inputs
from .markdown import BRIEF_NAME, SUBJECT, _summary, brief
from .plan import COLUMNS, Plan, plan_table

__all__ = [
    "AUDIENCE_SIMULATIONS",
    "BOOTSTRAP_RESAMPLES",
    "BRIEF_NAME",
    "BUDGET_VARIABLE",
    "BUDGET_WINDOW_DAYS",
    "COLUMNS",
    "DEFAULT_EXPONENT",
    "EXPONENT_BOUNDS",
    "MIN_CAMPAIGNS_OWN_FIT",
    "SCALE_BOUNDS",
    "SUBJECT",
    "AudienceOutcome",
    "ChannelEconomics",
    "Evidence",
    "ExponentFit",
    "Plan",
    "ResponseCurve",
    "_summary",
    "allocate",
    "bootstrap_outcomes",
    "brief",
    "budget_window",
    "build_plan",
    "economics",
    "fit_exponents",
    "hypothesis_results",
    "markov_ratios",
    "plan_table",
    "read_evidence",
    "run",
    "simulate_audience",
    "spend_in_window",
    "to_cents",
]


def run(warehouse: Warehouse, settings: Settings, results: dict[str, pd.DataFrame]) -> Outcome:
    """The campaign plan of the warehouse: ``marts.campaign_plan`` and the Markdown brief."""
    inputs = read_inputs(warehouse, results)
    plan = build_plan(
        inputs.campaigns,
        inputs.audiences,
        inputs.targets,
        inputs.tests,
        inputs.markov_ratios,
        inputs.as_of,
        settings,
        budget_override(),
    )
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    path = settings.reports_dir / BRIEF_NAME
    path.write_text(brief(plan, settings.alpha), encoding="utf-8")
    return Outcome(
        tables={"campaign_plan": plan_table(plan, settings.alpha)},
        summary=_summary(plan),
        files=[path],
    )
