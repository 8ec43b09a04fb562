"""The statistics step: evidence computed with SciPy and statsmodels after ``dbt build``.

``python -m analytics analyze`` (``make analyze``, part of ``make run``) reads the marts,
runs the analyses below in order, writes each result table into the ``marts`` schema
(dbt models of materialization ``python_result``, declared and documented in
``models/marts/evidence/``), prints a summary, then runs
``dbt build --select tag:evidence+`` so that the result tables are tested and the
models that read them are rebuilt.

An analysis is a module with ``run(warehouse, settings, results) -> Outcome``;
``results`` holds the tables of the analyses that ran before it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import pandas as pd

from ..dbt_runner import invoke_dbt
from ..warehouse import Warehouse, WarehouseError
from .base import Outcome, Settings

__all__ = ["ANALYSES", "Outcome", "Settings", "Warehouse", "WarehouseError", "run_analyze"]

#: The analyses in the order they run (later ones may read earlier results).
ANALYSES: tuple[str, ...] = (
    "product_diagnostics",
    "hypothesis_tests",
    "ab_test_plan",
    "social_sales_lag",
    "markov_attribution",
    "campaign_plan",
)

Analysis = Callable[[Warehouse, Settings, dict[str, pd.DataFrame]], Outcome]


def _analysis(name: str) -> Analysis:
    module = importlib.import_module(f"{__name__}.{name}")
    run: Analysis = module.run
    return run


def _dbt_build_evidence(target: str, project_dir: Path, out: TextIO) -> bool:
    """``dbt build --select tag:evidence+``: test the results, rebuild their readers."""
    result = invoke_dbt(["build", "--select", "tag:evidence+"], target, project_dir)
    if not result.success:
        print("dbt build --select tag:evidence+ failed (see logs/dbt.log)", file=out)
    return bool(result.success)


def run_analyze(
    target: str,
    project_dir: Path,
    settings: Settings | None = None,
    only: tuple[str, ...] | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """Run the analyses, write their tables, print the summary; 0 when all went well."""
    settings = settings or Settings()
    warehouse = Warehouse(target)
    results: dict[str, pd.DataFrame] = {}
    names = [name for name in ANALYSES if only is None or name in only]
    for name in names:
        print(f"{name}:", file=out)
        try:
            outcome = _analysis(name)(warehouse, settings, results)
        except WarehouseError as error:
            print(f"error: {error}", file=out)
            return 1
        for table, frame in outcome.tables.items():
            written = warehouse.replace(table, frame)
            results[table] = frame
            print(f"  marts.{table}: {written:,} rows", file=out)
        for line in outcome.summary:
            print(line, file=out)
        for path in outcome.files:
            print(f"  written: {path}", file=out)
    if names and not _dbt_build_evidence(target, project_dir, out):
        return 1
    return 0
