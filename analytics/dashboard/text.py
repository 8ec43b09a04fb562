"""Data values as plain text wherever a renderer would read them as markup.

A product, campaign or customer name comes from the user's exports: it may hold
Markdown (``![x](http://host/x.png)`` is an image Streamlit would fetch), HTML
(``<img src=...>``) or Plotly's pseudo-HTML (``<b>``, ``<a href>``). Every data value
that reaches ``st.markdown`` / ``st.caption`` / ``st.info`` goes through :func:`markdown`,
every one that reaches a Plotly label, title or hover text through :func:`plotly`; the
HTML report escapes its cells with :func:`html.escape`. The value then shows as the
literal text it is, and no request leaves the page because of it.
"""

from __future__ import annotations

import html
import string
from typing import Any

import pandas as pd

#: Every ASCII punctuation character: CommonMark lets a backslash make each one literal.
_MARKDOWN_SPECIAL = frozenset(string.punctuation)


def _plain(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "-"
    # One line: a line break would end a Markdown paragraph or a table cell.
    return " ".join(str(value).split())


def markdown(value: Any) -> str:
    """``value`` as Markdown that renders as exactly its text (None and NaN as '-').

    Every ASCII punctuation character is backslash-escaped (CommonMark's escapes), so no
    emphasis, link, image, HTML tag, table, heading, list, math (``$``) or Streamlit
    directive (``:red[...]``, ``:material/...:``) can start inside it; line breaks
    become spaces.
    """
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in _plain(value))


def plotly(value: Any) -> str:
    """``value`` as Plotly text: its pseudo-HTML tags and entities shown literally."""
    return html.escape(_plain(value), quote=False)


def plotly_labels(values: pd.Series) -> list[str]:
    """:func:`plotly` of every value of a column (category labels, hover texts)."""
    return [plotly(value) for value in values]
