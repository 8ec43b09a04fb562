"""The minimum spend a campaign needs before its ROI or ROAS ranks it.

A ratio on a few units of spend (an email send of 16) says nothing about where the
next budget should go. The business question "which campaign has the best ROI?"
(``analyses/best_campaign_by_roi.sql``) therefore considers only campaigns that
spent at least the dbt var ``analysis_min_campaign_spend``; the dashboard's campaign
table and the report's use the same var: campaigns below it are marked
:data:`TOO_LITTLE_SPEND` and never top a table ranked by ROI or ROAS.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..project import dbt_var

#: The dbt var (dbt_project.yml) and its default there.
MINIMUM_SPEND_VAR = "analysis_min_campaign_spend"
DEFAULT_MINIMUM_SPEND = 100.0
#: What a campaign below the minimum is marked with.
TOO_LITTLE_SPEND = "too little spend"
#: The measures a campaign below the minimum never tops.
RETURN_MEASURES = frozenset({"roi", "roas"})


def minimum_spend(project_dir: Path | None = None) -> float:
    """The var ``analysis_min_campaign_spend`` of dbt_project.yml (default 100).

    The project is found as :func:`analytics.project.dbt_var` finds it.
    """
    return float(dbt_var(MINIMUM_SPEND_VAR, DEFAULT_MINIMUM_SPEND, project_dir))


def rank(kpis: pd.DataFrame, column: str, ascending: bool) -> pd.DataFrame:
    """``kpis`` sorted by ``column``; by ROI or ROAS, campaigns with too little spend last.

    ``kpis`` has ``spend_note`` (:data:`TOO_LITTLE_SPEND` or missing) and
    ``campaign_id``, as :func:`analytics.dashboard.views.campaigns.campaign_kpis` returns them. Ties
    and missing values follow the campaign id (missing values last).
    """
    if column not in RETURN_MEASURES:
        return kpis.sort_values(
            [column, "campaign_id"], ascending=[ascending, True], na_position="last"
        )
    ranked = kpis.assign(_too_little=kpis["spend_note"].eq(TOO_LITTLE_SPEND))
    ranked = ranked.sort_values(
        ["_too_little", column, "campaign_id"],
        ascending=[True, ascending, True],
        na_position="last",
    )
    return ranked.drop(columns="_too_little")
