"""How a p-value or a share reads for people, written once for every output.

The statistics step's summaries, the Markdown brief, the sentences stored in the
result tables and the dashboard format p-values and shares the same way:

* a p-value: four decimals, below 0.0001 as ``<0.0001`` (0 included: a p-value of 0
  is an underflow of a float, no more precise than that);
* a share (a fraction, 0.25): a percentage with one decimal, ``25.0%`` (``5,189.4%``).

A missing value reads as ``missing``: the dashboard passes its em dash, the text
outputs keep their ``-``.
"""

from __future__ import annotations

import math
from typing import Any

#: What a missing value reads as in the text outputs of the statistics step.
MISSING = "-"
#: Below this a p-value reads as ``<0.0001``.
SMALLEST_P_VALUE = 0.0001


def _is_missing(value: Any) -> bool:
    """None, NaN and pandas' missing markers (NaT and NA are not equal to themselves)."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except TypeError:  # pandas' NA refuses a truth value: it is missing
        return True


def p_value(value: Any, missing: str = MISSING) -> str:
    """A p-value: ``0.0123``, ``<0.0001`` below 0.0001 (0 included), ``missing``."""
    if _is_missing(value):
        return missing
    number = float(value)
    return f"<{SMALLEST_P_VALUE:.4f}" if number < SMALLEST_P_VALUE else f"{number:.4f}"


def p_relation(value: Any, relation: str = "=", missing: str = MISSING) -> str:
    """A p-value to follow 'p': ``=0.0123`` (or ``<=0.0123`` for a group's largest), ``<0.0001``.

    The relation is dropped when the value already reads as a bound (``<0.0001``).
    """
    text = p_value(value, missing)
    return text if text.startswith("<") or text == missing else f"{relation}{text}"


def share(value: Any, missing: str = MISSING) -> str:
    """A fraction as a percentage with one decimal: 0.25 -> ``25.0%``."""
    return missing if _is_missing(value) else f"{float(value):,.1%}"


def number(value: Any, missing: str = MISSING) -> str:
    """A ratio in a sentence (a ROAS, a slope): three significant digits, ``2.35``."""
    return missing if _is_missing(value) else f"{value:.3g}"
