"""The warning block that ends make run's report (issue 10: nothing silently wrong)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from analytics.reporting.report import data_quality_warnings, print_data_quality_warnings

# table, rejection_rate, reject reason, invalid_rate, dq issue, needs_attention,
# missing_columns, amount_unreconciled
ROWS: list[tuple[Any, ...]] = [
    ("campaigns", Decimal("2.38"), "budget", Decimal("5.00"), "missing_spend", True, None, None),
    ("customers", Decimal("0.10"), "age", Decimal("3.40"), "invalid_email", True, None, None),
    ("events", Decimal("0.05"), "not valid JSON", Decimal("0.10"), "x", False, None, None),
    ("sales", Decimal("0"), None, Decimal("0"), None, False, "customer_id", Decimal("0.00")),
    ("transactions", None, None, None, None, False, None, Decimal("12.50")),
    ("reviews", None, None, None, None, False, None, None),
]


def test_names_each_table_that_needs_a_look_with_share_and_top_reason() -> None:
    lines = data_quality_warnings(ROWS)
    assert lines == [
        "  campaigns: 2.38% of records rejected (most often: budget); "
        "5.00% of rows invalid (most often: missing_spend)",
        "  customers: 0.10% of records rejected (most often: age); "
        "3.40% of rows invalid (most often: invalid_email)",
        "  sales: files without column(s) customer_id",
        "  transactions: 12.50 of the money read is unaccounted for",
    ]


def test_no_block_when_all_is_well() -> None:
    out = io.StringIO()
    quiet = [row for row in ROWS if row[0] in ("events", "reviews")]
    print_data_quality_warnings(lambda sql: (["x"], quiet), out)
    assert out.getvalue() == ""


def test_the_block_is_visible_and_points_at_the_details() -> None:
    out = io.StringIO()
    print_data_quality_warnings(lambda sql: (["x"], ROWS), out)
    text = out.getvalue()
    assert "WARNING: the data of these tables needs a look" in text
    assert text.strip().startswith("!" * 78) and text.strip().endswith("!" * 78)
    assert "raw._rejected_records" in text
