"""The Streamlit app: the sidebar, and the route to each page's module in ``views/``.

``python -m analytics dashboard`` (``make dashboard``) serves it.

Reads the marts of the configured dbt target (``DBT_TARGET``: duckdb, the default, or
postgres) read-only. Run it directly with
``streamlit run analytics/dashboard/app.py`` from the project folder as well.
"""

import sys
from pathlib import Path

_PROJECT = Path(__file__).resolve().parents[2]
if str(_PROJECT) not in sys.path:  # `streamlit run` puts only this folder on the path
    sys.path.insert(0, str(_PROJECT))

import streamlit as st  # noqa: E402

from analytics.dashboard import PAGES  # noqa: E402
from analytics.dashboard.shell import sidebar  # noqa: E402

st.set_page_config(page_title="Marketing analytics", page_icon="📈", layout="wide")
# Each page's module runs as its script. (Not a folder named pages/: beside the main
# script Streamlit would take that for its legacy multipage layout.)
pages = [st.Page(f"views/{path}.py", title=title, url_path=path) for path, title in PAGES]


def _home() -> None:
    """The root URL opens the first page under its own address (/overview)."""
    st.switch_page(pages[0])


# The default page answers at "/" only; a hidden one there keeps /overview a real address.
navigation = st.navigation(
    [st.Page(_home, title="Home", url_path="home", default=True, visibility="hidden"), *pages]
)
sidebar()
navigation.run()
