"""What every dashboard page shares: the cached query, the sidebar's filters, the error guard.

Each page module in ``views/`` lays out its page with these (``guarded`` runs it);
``app.py`` draws the :func:`sidebar` and routes the pages. Queries go through one cache
keyed on the warehouse's version (the DuckDB file's stamp; on PostgreSQL the minute),
so a rebuild shows at once and flipping between pages does not query again. The caches
live here, in an imported module, because Streamlit executes a page's file afresh on
every run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from ..reporting import questions
from . import data, tables
from .data import Filters, Source, WarehouseUnavailable
from .text import markdown

PROJECT_DIR = Path(__file__).resolve().parents[2]

_FILTERS_KEY = "dashboard_filters"

_UNAVAILABLE_KEY = "dashboard_unavailable"


def current_source() -> Source:
    """The configured dbt target's marts (``DBT_TARGET``), read-only."""
    return Source(data.configured_target())


@st.cache_data(show_spinner=False, ttl=3600, max_entries=1024)
def _cached(target: str, version: str, sql: str) -> pd.DataFrame:
    return Source(target).query(sql)


def query(sql: str) -> pd.DataFrame:
    """The rows of ``sql`` on the configured target, cached until the warehouse changes."""
    source = current_source()
    version = source.version()
    if source.target != "duckdb":
        version += f":{int(time.time() // 60)}"
    return _cached(source.target, version, sql).copy()


@st.cache_resource(show_spinner="Compiling the business questions with dbt ...")
def compiled_questions(target: str) -> dict[str, str]:
    """The business questions' SQL for ``target``, compiled once per process."""
    return {
        analysis.name: analysis.sql for analysis in questions.compiled_analyses(target, PROJECT_DIR)
    }


def show_unavailable(error: WarehouseUnavailable) -> None:
    """Say why the warehouse cannot be read, and stop the page."""
    if error.reason == "rebuilding":
        st.warning(error.message, icon="⏳")
    else:
        st.error(error.message, icon="🚫")
    st.stop()


def guarded(page: Callable[[Filters], None]) -> None:
    """Run a page; a warehouse that cannot be read becomes a message, not a stack trace."""
    unavailable = st.session_state.get(_UNAVAILABLE_KEY)
    if isinstance(unavailable, WarehouseUnavailable):
        show_unavailable(unavailable)
    filters = st.session_state.get(_FILTERS_KEY) or Filters()
    try:
        page(filters)
    except WarehouseUnavailable as error:
        show_unavailable(error)


def sidebar() -> None:
    """The filters every page shares: date range and country (stored for the pages)."""
    st.session_state.pop(_UNAVAILABLE_KEY, None)
    source = current_source()
    st.sidebar.caption(f"Warehouse: **{source.target}** (read-only)")
    try:
        first_day, last_day = data.order_date_bounds(query)
        countries = data.countries(query)
        as_of = data.as_of_date(query)
    except WarehouseUnavailable as error:
        st.session_state[_UNAVAILABLE_KEY] = error
        return
    if as_of is not None:
        st.sidebar.caption(f"Data as of **{as_of:%Y-%m-%d}** (the build's as-of date)")
    start: date | None = None
    end: date | None = None
    narrowed = False
    if first_day is not None and last_day is not None:
        bounds = (first_day, last_day)
        # The widget's state is ours: a rebuild that moves the span of orders resets the
        # range to the new span (a kept state would silently hide the new days).
        if st.session_state.get("filter_dates_bounds") != bounds:
            st.session_state["filter_dates_bounds"] = bounds
            st.session_state["filter_dates"] = bounds
        chosen = st.sidebar.date_input(
            "Date range",
            min_value=first_day,
            max_value=last_day,
            key="filter_dates",
            help="Orders, cohorts, campaigns active and social series within these days.",
        )
        values = list(chosen) if isinstance(chosen, tuple | list) else [chosen]
        start = values[0] if values else first_day
        end = values[1] if len(values) > 1 else last_day
        narrowed = (start, end) != bounds
    names = dict(zip(countries["country_code"], countries["country"], strict=True))
    codes = st.sidebar.multiselect(
        "Country",
        options=list(names),
        format_func=lambda code: f"{names.get(code, code)} ({code})",
        key="filter_countries",
        placeholder="All countries",
        help="Customers' country: orders, RFM segments, lifetime value and churn risk.",
    )
    st.session_state[_FILTERS_KEY] = Filters(
        start=start, end=end, narrowed=narrowed, country_codes=tuple(codes)
    )


def scope(filters: Filters, *, dates: bool, countries: bool, what: str = "") -> None:
    """Say which filters apply to what follows (and which do not)."""
    parts = []
    if dates and filters.start and filters.end:
        parts.append(f"{filters.start:%Y-%m-%d} to {filters.end:%Y-%m-%d}")
    elif filters.narrowed:
        parts.append("all dates (not split by day)")
    if countries and filters.country_codes:
        parts.append("countries " + ", ".join(markdown(code) for code in filters.country_codes))
    elif filters.country_codes:
        parts.append("all countries (not split by country)")
    prefix = f"{what}: " if what else ""
    st.caption(prefix + ("; ".join(parts) if parts else "all data"))


def table(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    codes: Sequence[str] = (),
    labels: dict[str, str] | None = None,
    **options: Any,
) -> None:
    """``frame`` as a readable table: headers in words, one format per kind, no cut-off."""
    tables.show(tables.layout(frame, columns, codes=codes, labels=labels), **options)


def chart(figure: Any, key: str) -> None:
    """A Plotly figure across the page, under a stable ``key``."""
    st.plotly_chart(figure, key=key, config={"displaylogo": False})


def missing(note: str | None) -> bool:
    """Show what a section lacks (a gaps sentence, its data values escaped); True if shown."""
    if note is None:
        return False
    st.info(markdown(note), icon="ℹ️")
    return True
