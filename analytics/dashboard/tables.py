"""How a frame becomes a table people can read: headers in words, one format per kind.

:func:`layout` turns a frame of a mart (snake_case columns, NULLs) into what
``st.dataframe`` needs: each shown column gets a header in words
(:func:`.formats.label`), the format of its kind (:mod:`.formats`: shares with one
decimal, p-values as ``<0.0001`` ...) and a width; a missing value reads as an em dash
(the ``placeholder``); long text wraps inside its column instead of running off the
side. The widths are estimated from the text the cells will show, so that a table
fits the page: :func:`width` is their sum, the tests hold every table under
:data:`PAGE_WIDTH`.

The frame a table shows keeps its columns' names and its numbers (the grid sorts
them as numbers); only p-values (``<0.0001`` is no number) and coded values
(``cant_lose``) are shown as text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from . import formats

#: Pixels a table may take: the narrowest place one sits in (an expander in a bordered
#: container) on a 1400 px wide window with the sidebar open.
PAGE_WIDTH = 870
#: Pixels of one character of the grid's font, and of a cell's padding.
_CHARACTER = 6.8
_PADDING = 24
#: The narrowest and the widest column; text wider than the widest wraps.
_NARROWEST = 56
_WIDEST = 280
#: Text columns narrow down to this much to make a table fit, wrapping their text.
_NARROWEST_TEXT = 150
#: Pixels of one wrapped line and of a row's padding; the grid wraps above 4rem (64 px).
_LINE = 19
_ROW_PADDING = 12
#: How much longer wrapped text runs than its characters (lines break between words).
_WORD_SLACK = 1.15
#: At most this many wrapped lines per row (longer text shows in full on a click).
MAX_LINES = 6

#: printf formats of the grid for each numeric kind (shares are shown times 100).
_NUMBER_FORMATS = {
    "share": "%,.1f%%",
    "percent_units": "%,.2f%%",
    "money": "%,.2f",
    "ratio": "%,.2f",
}


@dataclass
class Table:
    """What ``st.dataframe`` needs to show a frame readably."""

    frame: pd.DataFrame
    columns: list[str]
    config: dict[str, Any] = field(default_factory=dict)
    widths: dict[str, int] = field(default_factory=dict)
    row_height: int | None = None

    @property
    def width(self) -> int:
        """The pixels the shown columns take side by side."""
        return sum(self.widths[name] for name in self.columns)


def _pixels(characters: int) -> int:
    return int(min(max(characters * _CHARACTER + _PADDING, _NARROWEST), _WIDEST))


def _texts(values: pd.Series, name: str) -> list[str]:
    return [formats.cell(value, name) for value in values]


def layout(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    codes: Sequence[str] = (),
    labels: dict[str, str] | None = None,
) -> Table:
    """The readable table of ``frame``: ``columns`` (default all) in that order.

    Args:
        frame: Rows as :mod:`.data` returns them.
        columns: The columns to show; the others stay in the frame, hidden.
        codes: Text columns of coded values (``cant_lose``), shown in words.
        labels: Headers that differ from :func:`.formats.label` for this table.

    Returns:
        The frame to show (p-values and codes as text, shares times 100) and its
        column configuration, order, widths and row height.
    """
    shown = [name for name in (columns or frame.columns) if name in frame.columns]
    display = frame.copy()
    table = Table(display, shown)
    longest: dict[str, int] = {}
    wrappable: list[str] = []
    for name in shown:
        header = (labels or {}).get(name) or formats.label(name)
        values = display[name]
        kind = formats.kind(name)
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if kind == "p_value":
            display[name] = [formats.p_value(value) for value in values]
            config: Any = st.column_config.TextColumn(header)
        elif name in codes:
            display[name] = [formats.words(value, code=True) for value in values]
            config = st.column_config.TextColumn(header)
        elif numeric and kind in _NUMBER_FORMATS:
            if kind == "share":
                display[name] = values.astype(float) * 100
            config = st.column_config.NumberColumn(header, format=_NUMBER_FORMATS[kind])
        elif numeric:
            integral = bool(values.dropna().map(lambda value: float(value).is_integer()).all())
            config = st.column_config.NumberColumn(header, format="%,d" if integral else "%,.2f")
        elif pd.api.types.is_bool_dtype(values) or _all_bool(values):
            config = st.column_config.CheckboxColumn(header)
        elif _all_dates(values):
            config = st.column_config.DateColumn(header, format="YYYY-MM-DD")
        else:
            config = st.column_config.TextColumn(header)
        longest[name] = max([len(text) for text in _texts(frame[name], name)] or [0])
        table.widths[name] = _pixels(max(longest[name], len(header)))
        if config.get("type_config", {}).get("type") == "text" and name not in codes:
            wrappable.append(name)
        table.config[name] = config
    _fit(table, wrappable, longest)
    lines = 1
    for name in shown:
        table.config[name]["width"] = table.widths[name]
        text_pixels = longest[name] * _CHARACTER
        room = table.widths[name] - _PADDING
        if text_pixels > room:  # wraps; words do not fill a line to its last pixel
            lines = max(lines, min(math.ceil(text_pixels * _WORD_SLACK / room), MAX_LINES))
    # A wrapped column makes every row tall enough for its longest text (the grid
    # wraps only in rows taller than 64 px).
    table.row_height = max(lines * _LINE + _ROW_PADDING, 66) if lines > 1 else None
    return table


def _fit(table: Table, wrappable: list[str], longest: dict[str, int]) -> None:
    """Narrow the text columns (their text wraps) until the table fits :data:`PAGE_WIDTH`."""
    excess = table.width - PAGE_WIDTH
    for name in sorted(wrappable, key=lambda column: -table.widths[column]):
        if excess <= 0:
            break
        room = table.widths[name] - _NARROWEST_TEXT
        if room <= 0:
            continue
        cut = min(room, excess)
        table.widths[name] -= cut
        excess -= cut


def transposed(frame: pd.DataFrame) -> pd.DataFrame:
    """A one-row frame as ``figure`` / ``value`` rows of text: tall, not wide."""
    record = frame.iloc[0].to_dict()
    return pd.DataFrame(
        {
            "figure": [formats.label(str(name)) for name in record],
            "value": [formats.cell(value, str(name)) for name, value in record.items()],
        }
    )


def _all_bool(values: pd.Series) -> bool:
    present = values.dropna()
    return bool(len(present)) and all(isinstance(value, bool) for value in present)


def _all_dates(values: pd.Series) -> bool:
    present = values.dropna()
    return bool(len(present)) and all(hasattr(value, "isoformat") for value in present)


def show(table: Table, **options: Any) -> None:
    """Draw ``table`` with ``st.dataframe`` (``options``: height, key ...)."""
    st.dataframe(
        table.frame,
        hide_index=True,
        column_order=table.columns,
        column_config=table.config,
        placeholder=formats.MISSING,
        row_height=table.row_height,
        **options,
    )
