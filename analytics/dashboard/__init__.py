"""The dashboards: a live Streamlit app on the marts and a self-contained HTML report.

``python -m analytics dashboard`` (``make dashboard``) serves ``app.py``;
``python -m analytics report --html`` (``make report``) writes the file of
:mod:`analytics.reporting.html`.
One module per page in ``views/`` holds the page's queries, figures and layout; the
HTML report draws the same figures from those modules. Shared by the pages (and the
report): :mod:`.data` (read-only access, the sidebar's and the evidence's queries),
:mod:`.charts` (the figures' template and colours), :mod:`.formats`, :mod:`.gaps`,
:mod:`.text`, and for the Streamlit pages :mod:`.shell` and :mod:`.tables`.
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
