"""The business questions' SQL for the dashboard pages, by question name.

The answers on the dashboard are the project's dbt analyses (``analyses/*.sql``), the
same queries ``make report`` runs, compiled the one way :mod:`analytics.reporting.questions`
compiles them (without touching the warehouse, so the dashboard never takes its lock).
"""

from __future__ import annotations

from pathlib import Path

from ..reporting import questions
from ..reporting.questions import COMPILED_ENV as COMPILED_ENV
from ..reporting.questions import QUESTIONS as QUESTIONS  # re-exported for the pages
from ..reporting.questions import CompileError as CompileError
from ..reporting.questions import compiled_folder as compiled_folder

#: The five business questions of the brief (the growth questions follow in QUESTIONS).
BUSINESS_QUESTIONS: tuple[str, ...] = tuple(QUESTIONS)[:5]


def compile_analyses(target: str, project_dir: Path) -> dict[str, str]:
    """Compile the analyses for ``target``; the SQL of each question, in question order."""
    return {
        analysis.name: analysis.sql for analysis in questions.compile_analyses(target, project_dir)
    }


def compiled_analyses(target: str, project_dir: Path) -> dict[str, str]:
    """The analyses' SQL: compiled by the launcher already (``COMPILED_ENV``), else now."""
    compiled = questions.compiled_analyses(target, project_dir)
    return {analysis.name: analysis.sql for analysis in compiled}
