"""What every chart shares: the template, the colours, labels in words, the empty figure.

Each page module in ``views/`` draws its own figures with these, as Plotly figures of
the frames its queries return; the HTML report draws the same figures from the same
modules, so both show the same pictures. Every figure draws an empty frame as a
figure that says so (:func:`empty`), never raises on it.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from . import formats
from .text import plotly

TEMPLATE = "plotly_white"
#: One colour per attribution model / lifecycle segment, the same on every chart.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
FLAG_COLOUR = "#d62728"
NEUTRAL_COLOUR = "#7f7f7f"


def words(values: pd.Series, *, code: bool = False) -> list[str]:
    """Coded values (``cant_lose``) in words, as Plotly text (:func:`.formats.words`)."""
    return [plotly(formats.words(value, code=code)) for value in values]


def layout(figure: go.Figure, title: str, height: int = 420) -> go.Figure:
    """``figure`` with its title, the template, ``height`` and the legend above it."""
    figure.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        template=TEMPLATE,
        height=height,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1.0, "xanchor": "right"},
    )
    return figure


def empty(title: str, message: str) -> go.Figure:
    """A figure that says why there is nothing to draw."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return layout(figure, title, height=260)
