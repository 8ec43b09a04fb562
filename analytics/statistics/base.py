"""What every analysis of the statistics step gives back, and the settings they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Settings:
    """Shared parameters of the statistics step (``python -m analytics analyze``)."""

    #: Significance level of every test and decision.
    alpha: float = 0.05
    #: Seed of every random draw (bootstrap, simulations, permutations): reruns agree.
    seed: int = 42
    #: Where the Markdown brief and other files for people are written.
    reports_dir: Path = Path("data/reports")


@dataclass
class Outcome:
    """The result tables of one analysis (``marts.<name>``) and its printed summary."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Lines for people, printed after the step (plain text, no table dumps).
    summary: list[str] = field(default_factory=list)
    #: Files written for people (e.g. the Markdown brief).
    files: list[Path] = field(default_factory=list)
