"""Deterministic sample data in the raw input contract's layout (see README.md).

``generate(out_dir, scale, seed)`` writes MongoDB exports, JSON lines and CSV files
with realistic behaviour, documented defects (:data:`DEFECT_RATES`) and planted
truths (:data:`PLANTED_TRUTHS`) that the analytics must recover.
"""

from .generator import FILES, generate
from .params import COUNTS_AT_SCALE_1, DEFECT_RATES, PLANTED_TRUTHS

__all__ = ["COUNTS_AT_SCALE_1", "DEFECT_RATES", "FILES", "PLANTED_TRUTHS", "generate"]
