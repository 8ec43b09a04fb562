"""The minimum spend a campaign needs before its ROI or ROAS ranks it.

A ratio on a few units of spend (an email send of 16) says nothing about where the
next budget should go. The business question "which campaign has the best ROI?"
(``analyses/best_campaign_by_roi.sql``) therefore considers only campaigns that
spent at least the dbt var ``analysis_min_campaign_spend``; the dashboard's campaign
table and the report's use the same var: campaigns below it are marked
:data:`TOO_LITTLE_SPEND` and never top a table ranked by ROI or ROAS.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

#: The dbt var (dbt_project.yml) and its default there.
MINIMUM_SPEND_VAR = "analysis_min_campaign_spend"
DEFAULT_MINIMUM_SPEND = 100.0
#: What a campaign below the minimum is marked with.
TOO_LITTLE_SPEND = "too little spend"
#: The measures a campaign below the minimum never tops.
RETURN_MEASURES = frozenset({"roi", "roas"})


def minimum_spend(project_dir: Path | None = None) -> float:
    """The var ``analysis_min_campaign_spend`` of dbt_project.yml (default 100).

    The project is ``project_dir``, else ``DBT_PROJECT_DIR``, else the checkout this
    package lives in.
    """
    import yaml  # type: ignore[import-untyped]  # PyYAML ships without stubs

    candidates = [project_dir] if project_dir is not None else []
    if os.environ.get("DBT_PROJECT_DIR"):
        candidates.append(Path(os.environ["DBT_PROJECT_DIR"]))
    candidates.append(Path(__file__).resolve().parents[2])
    for directory in candidates:
        project = directory / "dbt_project.yml"
        if project.is_file():
            settings: Any = yaml.safe_load(project.read_text(encoding="utf-8")) or {}
            value = (settings.get("vars") or {}).get(MINIMUM_SPEND_VAR, DEFAULT_MINIMUM_SPEND)
            return float(value)
    return DEFAULT_MINIMUM_SPEND


def rank(kpis: pd.DataFrame, column: str, ascending: bool) -> pd.DataFrame:
    """``kpis`` sorted by ``column``; by ROI or ROAS, campaigns with too little spend last.

    ``kpis`` has ``spend_note`` (:data:`TOO_LITTLE_SPEND` or missing) and
    ``campaign_id``, as :func:`analytics.dashboard.data.campaign_kpis` returns them. Ties
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
