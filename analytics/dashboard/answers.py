"""The business questions' SQL, compiled by dbt without touching the warehouse.

The answers on the dashboard are the project's dbt analyses (``analyses/*.sql``), the
same queries ``make report`` runs. ``dbt compile --no-populate-cache`` of the analyses
renders ``ref()`` and ``var()`` without opening the DuckDB file, so the dashboard never
takes its lock. It runs in a subprocess with its own target folder
(``<target-path>/dashboard_<target>``), which keeps dbt's partial parse between runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..reporting.questions import QUESTIONS as QUESTIONS  # the questions, re-exported for the pages

#: The five business questions of the brief (the growth questions follow in QUESTIONS).
BUSINESS_QUESTIONS: tuple[str, ...] = tuple(QUESTIONS)[:5]


class CompileError(RuntimeError):
    """dbt could not compile the analyses."""


def compiled_folder(target: str, project_dir: Path) -> Path:
    """Where the dashboard's compile writes (inside dbt's target path)."""
    base = Path(os.environ.get("DBT_TARGET_PATH") or project_dir / "target")
    if not base.is_absolute():
        base = project_dir / base
    return base / f"dashboard_{target}"


#: Set by ``python -m analytics dashboard`` once it has compiled: the app reads, not compiles.
COMPILED_ENV = "MARKETING_DASHBOARD_COMPILED"


def compiled_analyses(target: str, project_dir: Path) -> dict[str, str]:
    """The analyses' SQL: compiled by the launcher already (``COMPILED_ENV``), else now."""
    ready = os.environ.get(COMPILED_ENV)
    if ready:
        try:
            return _read(Path(ready))
        except CompileError:
            pass
    return compile_analyses(target, project_dir)


def _read(folder: Path) -> dict[str, str]:
    compiled: dict[str, str] = {}
    for name in QUESTIONS:
        matches = sorted(folder.glob(f"compiled/*/analyses/{name}.sql"))
        if not matches:
            raise CompileError(f"dbt compiled no analyses/{name}.sql (looked in {folder})")
        compiled[name] = matches[0].read_text()
    return compiled


def compile_analyses(target: str, project_dir: Path) -> dict[str, str]:
    """Compile the analyses for ``target``; the SQL of each question, in question order."""
    folder = compiled_folder(target, project_dir)
    environment = dict(os.environ)
    environment.update(
        {
            "DBT_TARGET_PATH": str(folder),
            "DBT_LOG_PATH": str(folder / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }
    )
    environment.setdefault("DBT_PROFILES_DIR", str(project_dir))
    # The salt only matters to models that hash; compiling analyses hashes nothing.
    environment.setdefault("MARKETING_HASH_SALT", "unused-by-analyses")
    dbt = Path(sys.executable).with_name("dbt")
    command = [
        str(dbt) if dbt.exists() else "dbt",
        "compile",
        "--select",
        "resource_type:analysis",
        "--no-populate-cache",
        "--target",
        target,
        "--project-dir",
        str(project_dir),
        "--quiet",
    ]
    completed = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=False, cwd=project_dir
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip().splitlines()
        raise CompileError("dbt compile of the analyses failed: " + " | ".join(output[-5:]))
    return _read(folder)
