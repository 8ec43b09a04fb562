"""Running dbt in process (dbt's ``dbtRunner``) on this project, for the report and the step."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def invoke_dbt(arguments: list[str], target: str, project_dir: Path) -> Any:
    """``dbt <arguments> --target T`` on the project, quiet; returns dbt's ``dbtRunnerResult``.

    The profile is read from ``$DBT_PROFILES_DIR`` (the Makefile sets it), else from the
    project folder, as the Makefile's dbt commands do.
    """
    from dbt.cli.main import dbtRunner

    return dbtRunner().invoke(
        [
            *arguments,
            "--target",
            target,
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            os.environ.get("DBT_PROFILES_DIR", str(project_dir)),
            "--quiet",
        ]
    )
