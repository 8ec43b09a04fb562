"""The business questions: the project's dbt analyses (``analyses/*.sql``), compiled once.

Written once here for everything that answers them: the text report
(:mod:`analytics.reporting.report`), the HTML report (:mod:`analytics.reporting.html`)
and the dashboard (its Overview page). It imports nothing of the
project, so each of them can read it without importing another.

Both compile the analyses the same way: ``dbt compile --no-populate-cache`` renders
``ref()`` and ``var()`` without opening the DuckDB file, so neither takes its lock (the
dashboard runs beside builds, the report beside its own connection). dbt runs in a
subprocess with its own target folder (``<target-path>/analyses_<target>``), which keeps
dbt's partial parse between runs and dbt's state out of the Streamlit process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: The business questions (analyses/_analyses__models.yml), in the order they are answered.
QUESTIONS: dict[str, str] = {
    "top_10_customers": "Who are the 10 best customers?",
    "top_product_by_revenue": "Which product brings the most revenue?",
    "best_campaign_by_roi": "Which campaign has the best ROI?",
    "revenue_by_month": "How does revenue evolve month by month?",
    "top_country_by_revenue": "Which country brings the most revenue?",
    # The growth questions (the growth block of analyses/_analyses__models.yml).
    "high_value_customers_at_risk": "How many high-value customers are at risk, what is at stake?",
    "one_time_buyer_share": "What share of the customers bought only once?",
    "best_cohort": "Which acquisition cohort keeps its customers best?",
    "best_converting_traffic_source": "Which traffic source converts best?",
    "attribution_model_comparison": (
        "Which channel does each attribution model credit most, and where do they disagree?"
    ),
}

#: The five business questions of the brief (the growth questions follow in QUESTIONS).
BUSINESS_QUESTIONS: tuple[str, ...] = tuple(QUESTIONS)[:5]

#: Set by ``python -m analytics dashboard`` once it has compiled: the app reads, not compiles.
COMPILED_ENV = "MARKETING_DASHBOARD_COMPILED"


@dataclass(frozen=True)
class Analysis:
    """One compiled dbt analysis."""

    name: str
    question: str
    sql: str


class CompileError(RuntimeError):
    """dbt could not compile the analyses."""


def compiled_folder(target: str, project_dir: Path) -> Path:
    """Where the compile of the analyses writes (inside dbt's target path)."""
    base = Path(os.environ.get("DBT_TARGET_PATH") or project_dir / "target")
    if not base.is_absolute():
        base = project_dir / base
    return base / f"analyses_{target}"


def read_compiled(folder: Path) -> list[Analysis]:
    """The analyses a compile wrote into ``folder``, in question order."""
    analyses = []
    for name, question in QUESTIONS.items():
        matches = sorted(folder.glob(f"compiled/*/analyses/{name}.sql"))
        if not matches:
            raise CompileError(f"dbt compiled no analyses/{name}.sql (looked in {folder})")
        analyses.append(Analysis(name, question, matches[0].read_text()))
    return analyses


def compile_analyses(target: str, project_dir: Path) -> list[Analysis]:
    """Compile the analyses for ``target``: every question with its SQL, in question order."""
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
    return read_compiled(folder)


def compiled_analyses(target: str, project_dir: Path) -> list[Analysis]:
    """The analyses: compiled by the launcher already (``COMPILED_ENV``), else now."""
    ready = os.environ.get(COMPILED_ENV)
    if ready:
        try:
            return read_compiled(Path(ready))
        except CompileError:
            pass
    return compile_analyses(target, project_dir)
