"""The dashboards: a live Streamlit app on the marts and a self-contained HTML report.

``python -m analytics dashboard`` (``make dashboard``) serves ``app.py``;
``python -m analytics report --html`` (``make report``) writes ``report_html.py``'s file.
Both draw the figures of :mod:`.charts` from the frames of :mod:`.data`.
"""

#: (url_path, title) of every dashboard page, in the navigation's order.
PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "Overview"),
    ("customers", "Customers"),
    ("campaigns", "Campaigns"),
    ("products", "Products"),
    ("social", "Social to sales"),
    ("experiments", "Experiments"),
)
