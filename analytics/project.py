"""The dbt project's vars (``dbt_project.yml``), as the Python side reads them.

The statistics step and the dashboard use a few of dbt's vars (the attribution lookback,
the best-ROI question's minimum spend) so that they count as the models do. They read
them here, one way, rather than each parsing the file on its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: The checkout this package lives in: its dbt project when no other is named.
CHECKOUT = Path(__file__).resolve().parents[1]


def project_candidates(project_dir: Path | None = None) -> list[Path]:
    """Where the dbt project may be, first match wins.

    ``project_dir``, else ``DBT_PROJECT_DIR``, else the working directory, else the
    checkout this package lives in.
    """
    candidates = [project_dir] if project_dir is not None else []
    if os.environ.get("DBT_PROJECT_DIR"):
        candidates.append(Path(os.environ["DBT_PROJECT_DIR"]))
    return [*candidates, Path.cwd(), CHECKOUT]


def dbt_var(name: str, default: Any, project_dir: Path | None = None) -> Any:
    """The var ``name`` of the first ``dbt_project.yml`` found, else ``default``.

    ``default`` is also the answer when that project does not set the var: dbt's own
    default for it lives in the models' ``var()`` calls, which the caller mirrors.
    """
    import yaml  # type: ignore[import-untyped]  # PyYAML ships without stubs

    for directory in project_candidates(project_dir):
        project = directory / "dbt_project.yml"
        if project.is_file():
            settings: Any = yaml.safe_load(project.read_text(encoding="utf-8")) or {}
            return (settings.get("vars") or {}).get(name, default)
    return default
