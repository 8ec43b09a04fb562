"""The typer: every accepted value format becomes the contract type; everything else is a
rejected record with a reason that names the field."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pytest

from loaders.contract import TABLES_BY_NAME, Field, TableSpec
from loaders.typing_engine import Typer, build_typing_sql


def _block(texts: list[str], cells: dict[str, list[str | None]] | None = None) -> pa.Table:
    count = len(texts)
    columns: dict[str, Any] = {
        "_source_line": pa.array(range(10, 10 + count), pa.int64()),
        "_record_number": pa.array(range(1, count + 1), pa.int64()),
        "_text": pa.array(texts, pa.string()),
        "_pre_reason": pa.nulls(count, pa.string()),
    }
    for name, values in (cells or {}).items():
        columns[name] = pa.array(values, pa.string())
    return pa.table(columns)


def type_json(spec: TableSpec, documents: list[Any]) -> tuple[list[dict], list[dict]]:
    texts = [d if isinstance(d, str) else json.dumps(d) for d in documents]
    typer = Typer(spec, is_json=True)
    try:
        typed = typer.type_block(_block(texts))
    finally:
        typer.close()
    rows = sorted(typed.rows.to_pylist(), key=lambda row: row["_source_line"])
    rejected = sorted(typed.rejected.to_pylist(), key=lambda row: row["_source_line"])
    return rows, rejected


ONE = TableSpec(
    name="probe",
    format="jsonl",
    globs=(),
    key=("key",),
    description="",
    fields=(
        Field("key", "id", ""),
        Field("value_id", "id", ""),
        Field("value_text", "text", ""),
        Field("value_integer", "integer", ""),
        Field("value_number", "number", ""),
        Field("value_boolean", "boolean", ""),
        Field("value_timestamp", "timestamp", ""),
        Field("value_date", "date", ""),
        Field("value_json", "json", ""),
        Field("nested__leaf", "number", ""),
    ),
)


def one_value(column: str, value: Any) -> tuple[Any, str | None]:
    """Type {"key": "k", column: value}; return (typed value, reject reason)."""
    rows, rejected = type_json(ONE, [{"key": "k", column: value}])
    if rejected:
        return None, rejected[0]["_reason"]
    return rows[0][column], None


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100001", "100001"),
        (100001, "100001"),
        (100001.0, "100001"),
        (" 100001 ", "100001"),
        ({"$numberLong": "100001"}, "100001"),
        ({"$numberInt": "7"}, "7"),
        ({"$oid": "65a1b2c3d4e5f60718293a4b"}, "65a1b2c3d4e5f60718293a4b"),
        ("CMP-0001", "CMP-0001"),
        ("1.50", "1.50"),
        ("n/a", None),
        (None, None),
    ],
)
def test_identifiers_are_normalised_text(value: Any, expected: str | None) -> None:
    assert one_value("value_id", value) == (expected, None)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12.0),
        (12.5, 12.5),
        ("12.50", 12.5),
        (" 12.50 ", 12.5),
        ("12,50", 12.5),
        ("-5", -5.0),
        ("1e3", 1000.0),
        ({"$numberDecimal": "19.99"}, 19.99),
        ({"$numberDouble": "0.5"}, 0.5),
        ({"$numberDouble": "NaN"}, None),
        ("", None),
        ("N/A", None),
        ("null", None),
        ("-", None),
    ],
)
def test_numbers_accept_the_documented_spellings(value: Any, expected: float | None) -> None:
    assert one_value("value_number", value) == (expected, None)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc", 'value_number: not a number: "abc"'),
        ("1,234.56", 'value_number: not a number: "1,234.56"'),
        ({"$numberDouble": "Infinity"}, 'value_number: not a number: "Infinity"'),
        (True, 'value_number: not a number: "true"'),
        ({"amount": 5}, "value_number: expected number, got a JSON object"),
        ([1, 2], "value_number: expected number, got a JSON array"),
    ],
)
def test_untypeable_numbers_reject_the_record_with_the_field_and_value(
    value: Any, reason: str
) -> None:
    assert one_value("value_number", value) == (None, reason)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        ("3", 3),
        (3.0, 3),
        ("3.0", 3),
        ({"$numberLong": "9007199254740993"}, 9007199254740993),
    ],
)
def test_integers(value: Any, expected: int) -> None:
    assert one_value("value_integer", value) == (expected, None)


@pytest.mark.parametrize("value", [2.5, "2.5", "two", True])
def test_non_integers_are_rejected(value: Any) -> None:
    typed, reason = one_value("value_integer", value)
    assert typed is None
    assert reason is not None and reason.startswith("value_integer: not an integer")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("yes", True),
        ("No", False),
        ("TRUE", True),
        ("f", False),
        (1, True),
        ("0", False),
    ],
)
def test_booleans(value: Any, expected: bool) -> None:
    assert one_value("value_boolean", value) == (expected, None)


def test_an_unknown_boolean_is_rejected() -> None:
    assert one_value("value_boolean", "maybe") == (
        None,
        'value_boolean: not a boolean: "maybe"',
    )


STAMP = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
MIDNIGHT = datetime(2025, 3, 4, tzinfo=UTC)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-04T05:06:07Z", STAMP),
        ("2025-03-04T05:06:07.000+00:00", STAMP),
        ("2025-03-04T07:06:07+02:00", STAMP),
        ("2025-03-04 05:06:07", STAMP),
        (1741064767000, STAMP),
        ("1741064767000", STAMP),
        ("1741064767", STAMP),
        ({"$date": "2025-03-04T05:06:07Z"}, STAMP),
        ({"$date": {"$numberLong": "1741064767000"}}, STAMP),
        ("2025-03-04", MIDNIGHT),
        ("2025/03/04", MIDNIGHT),
        ("04.03.2025", MIDNIGHT),
        ("04/03/2025", MIDNIGHT),
        ("20250304", MIDNIGHT),
        ("Mar 04, 2025", MIDNIGHT),
        ("04 Mar 2025", MIDNIGHT),
        ("2031-01-01T00:00:00Z", datetime(2031, 1, 1, tzinfo=UTC)),
    ],
)
def test_timestamps_in_every_documented_format(value: Any, expected: datetime) -> None:
    typed, reason = one_value("value_timestamp", value)
    assert reason is None
    assert typed == expected


@pytest.mark.slow
@pytest.mark.parametrize("value", ["soon", "2025-13-45", "31/31/2025", "20245-01-01"])
def test_impossible_timestamps_are_rejected(value: str) -> None:
    typed, reason = one_value("value_timestamp", value)
    assert typed is None
    assert reason == f'value_timestamp: not a timestamp: "{value}"'


@pytest.mark.slow
@pytest.mark.parametrize(
    "value", ["2025-03-04", "2025/03/04", "04.03.2025", "2025-03-04T05:06:07Z", "Mar 04, 2025"]
)
def test_dates(value: str) -> None:
    assert one_value("value_date", value) == (date(2025, 3, 4), None)


@pytest.mark.slow
def test_text_is_kept_exactly_as_exported() -> None:
    assert one_value("value_text", "  France ") == ("  France ", None)
    assert one_value("value_text", "") == ("", None)
    assert one_value("value_text", 42) == ("42", None)
    assert one_value("value_text", {"a": 1}) == (
        None,
        "value_text: expected text, got a JSON object",
    )


def test_json_values_keep_their_json() -> None:
    typed, reason = one_value("value_json", ["battery", " Shipping"])
    assert reason is None
    assert json.loads(typed) == ["battery", " Shipping"]
    assert one_value("value_json", None) == (None, None)
    assert one_value("value_json", "battery") == (
        None,
        "value_json: expected a JSON array or object, got a scalar",
    )


def test_nested_values_come_from_their_parent_object() -> None:
    rows, rejected = type_json(ONE, [{"key": "a", "nested": {"leaf": "2,5"}}, {"key": "b"}])
    assert not rejected
    assert [row["nested__leaf"] for row in rows] == [2.5, None]


def test_a_parent_that_is_not_an_object_is_a_reason() -> None:
    _, rejected = type_json(ONE, [{"key": "a", "nested": "google/cpc"}])
    assert rejected[0]["_reason"] == "nested: expected a JSON object, got a JSON varchar"


def test_document_level_problems() -> None:
    rows, rejected = type_json(
        ONE,
        [
            "this is not json",
            '{"key": "a", "value_number": 1',
            "[1, 2]",
            {"value_number": 1},
            {"key": None},
            {"key": "N/A"},
            {"key": "ok"},
        ],
    )
    assert [row["key"] for row in rows] == ["ok"]
    assert [(r["_source_line"], r["_reason"]) for r in rejected] == [
        (10, "not valid JSON"),
        (11, "not valid JSON"),
        (12, "not a JSON object but a JSON array"),
        (13, "missing key field key"),
        (14, "missing key field key"),
        (15, "missing key field key"),
    ]
    assert rejected[0]["_text"] == "this is not json"
    assert rejected[0]["_record_number"] == 1


def test_all_reasons_of_a_record_are_listed() -> None:
    _, rejected = type_json(
        ONE, [{"key": "k", "value_number": "x", "value_integer": 1.5, "value_boolean": "?"}]
    )
    assert rejected[0]["_reason"] == (
        'value_integer: not an integer: "1.5"; value_number: not a number: "x"; '
        'value_boolean: not a boolean: "?"'
    )


def test_csv_cells_are_typed_by_the_same_rules() -> None:
    spec = TABLES_BY_NAME["marketplace_sales"]
    cells = {
        "date": ["2025-01-02", "02.01.2025", "yesterday", "2025-01-02"],
        "marketplace": ["El Corte Inglés", "Amazon", "Amazon", None],
        "product": ["Yoga Mat Premium"] * 4,
        "category": ["Sports & Outdoors"] * 4,
        "units_sold": ["3", "4", "5", "6"],
        "revenue": ["135,00", "180.5", "1", "2"],
    }
    typer = Typer(spec, is_json=False)
    typed = typer.type_block(_block(["line"] * 4, cells))
    rows = sorted(typed.rows.to_pylist(), key=lambda row: row["_source_line"])
    assert [(r["date"], r["marketplace"], r["units_sold"], r["revenue"]) for r in rows] == [
        (date(2025, 1, 2), "El Corte Inglés", 3, 135.0),
        (date(2025, 1, 2), "Amazon", 4, 180.5),
    ]
    reasons = sorted(typed.rejected.to_pylist(), key=lambda row: row["_source_line"])
    assert [r["_reason"] for r in reasons] == [
        'date: not a date: "yesterday"',
        "missing key field marketplace",
    ]


def test_the_generated_statement_names_every_contract_column() -> None:
    for spec in TABLES_BY_NAME.values():
        sql = build_typing_sql(spec, is_json=spec.format != "csv")
        for field in spec.fields:
            assert f'"v:{field.name}"' in sql


def test_a_blank_text_key_is_a_missing_key() -> None:
    spec = TABLES_BY_NAME["social_trends"]
    cells = {
        "date": ["2025-01-02", "2025-01-02"],
        "platform": ["TikTok", "  "],
        "category": ["Audio", "Audio"],
        "topic": ["#earbuds", "#earbuds"],
        "trend_category": ["", ""],
        "mentions": ["10", "11"],
        "engagement": ["100", "110"],
    }
    typer = Typer(spec, is_json=False)
    typed = typer.type_block(_block(["a", "b"], cells))
    assert typed.rows.column("platform").to_pylist() == ["TikTok"]
    assert typed.rows.column("trend_category").to_pylist() == [""]
    assert typed.rejected.column("_reason").to_pylist() == ["missing key field platform"]


def test_extended_json_wrappers_with_blanks_and_in_nested_values() -> None:
    rows, rejected = type_json(
        ONE,
        [
            '{"key": {"$oid" : "65a1b2c3d4e5f60718293a4b"}, "value_timestamp": '
            '{ "$date" : { "$numberLong" : "1741064767000" } }, '
            '"nested": {"leaf": {"$numberDecimal": "1.25"}}, '
            '"value_text": "{\\"$oid\\": \\"x\\"}"}',
            '{"key": "k2", "value_timestamp": {"$date": 1741064767000}}',
        ],
    )
    assert not rejected
    assert rows[0]["key"] == "65a1b2c3d4e5f60718293a4b"
    assert rows[0]["value_timestamp"] == STAMP
    assert rows[0]["nested__leaf"] == 1.25
    assert rows[0]["value_text"] == '{"$oid": "x"}'
    assert rows[1]["value_timestamp"] == STAMP


@pytest.mark.parametrize("value", ["  n/a  ", "    null", "\tNone ", "-"])
def test_null_tokens_with_spaces_around_are_missing(value: str) -> None:
    assert one_value("value_number", value) == (None, None)


def test_a_long_blank_key_is_a_missing_key() -> None:
    _, rejected = type_json(ONE, [{"key": " " * 25}, {"key": "\t" * 30}])
    assert [r["_reason"] for r in rejected] == ["missing key field key"] * 2


# --- per-table options: date formats, separators, constants; amounts; present columns ----------

SALES = TABLES_BY_NAME["sales"]


def type_csv(spec: TableSpec, cells: dict[str, list[str | None]]) -> tuple[list[dict], list[dict]]:
    count = len(next(iter(cells.values())))
    full = {field.name: cells.get(field.name, [None] * count) for field in spec.fields}
    typer = Typer(spec, is_json=False)
    try:
        typed = typer.type_block(_block([f"line {n}" for n in range(count)], full))
    finally:
        typer.close()
    rows = sorted(typed.rows.to_pylist(), key=lambda row: row["_source_line"])
    rejected = sorted(typed.rejected.to_pylist(), key=lambda row: row["_source_line"])
    return rows, rejected


def with_options(spec: TableSpec, **options: Any) -> TableSpec:
    import dataclasses

    return dataclasses.replace(spec, **options)


def test_configured_date_formats_with_offsets_land_in_utc_and_come_first() -> None:
    spec = with_options(SALES, date_formats=("%m/%d/%Y", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S %z"))
    cells = {
        "order_id": ["1", "2", "3", "4", "5", "6"],
        "date": [
            "01/06/2025",  # the configured month-first form, not the built-in day-first
            "01/06/2025 09:30",
            "2025-01-06 22:00:00 -0500",  # 03:00 UTC the next day
            "2025-01-06 01:00:00 +02:00",  # 23:00 UTC the day before
            "06.01.2025",  # a built-in format still works
            "2025-01-06 07:00 -0500",  # no seconds: neither format
        ],
    }
    rows, rejected = type_csv(spec, cells)
    assert [r["date"] for r in rows] == [
        date(2025, 1, 6),
        date(2025, 1, 6),
        date(2025, 1, 7),
        date(2025, 1, 5),
        date(2025, 1, 6),
    ]
    assert [r["_reason"] for r in rejected] == ['date: not a date: "2025-01-06 07:00 -0500"']


def test_shopify_timestamps_with_their_offset_are_utc() -> None:
    spec = TABLES_BY_NAME["shopify_orders"]
    rows, rejected = type_csv(
        spec,
        {
            "order_name": ["#1001", "#1002"],
            "created_at": ["2025-01-06 07:00:00 -0500", "2025-07-01 23:30:00 +0200"],
        },
    )
    assert rejected == []
    assert [r["created_at"] for r in rows] == [
        datetime(2025, 1, 6, 12, 0, tzinfo=UTC),
        datetime(2025, 7, 1, 21, 30, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("decimal", "thousands", "good", "bad"),
    [
        (",", ".", {"1.234,56": 1234.56, "-1.234.567,5": -1234567.5, "12,5": 12.5, "7": 7.0,
                    "1234,56": 1234.56, ",5": 0.5},
         ["12.5", "1.23,4", "1,234.5", "1e3", "12,50 €"]),
        (".", ",", {"1,234.56": 1234.56, "12.5": 12.5, "1,000": 1000.0},
         ["12,50", "1,23.4", "1.234,56"]),
        (",", " ", {"1 234,56": 1234.56, " 12,5 ": 12.5}, ["12.5", "1 23,4"]),
        (",", None, {"12,50": 12.5, "1234,5": 1234.5}, ["12.50", "1.234,5"]),
        (".", None, {"12.50": 12.5, "-3": -3.0}, ["12,50", "1,234.5"]),
    ],
)  # fmt: skip
def test_configured_separators_read_numbers_and_refuse_other_forms(
    decimal: str, thousands: str | None, good: dict[str, float], bad: list[str]
) -> None:
    spec = with_options(SALES, decimal_separator=decimal, thousands_separator=thousands)
    values = [*good, *bad]
    rows, rejected = type_csv(
        spec, {"order_id": [str(n) for n in range(len(values))], "sales": values}
    )
    assert [r["sales"] for r in rows] == list(good.values())
    assert [r["_reason"] for r in rejected] == [f'sales: not a number: "{v}"' for v in bad]


def test_separators_apply_to_integers_too() -> None:
    spec = with_options(SALES, decimal_separator=",", thousands_separator=".")
    rows, rejected = type_csv(
        spec, {"order_id": ["1", "2", "3"], "row_index": ["1.234", "12", "1,5"]}
    )
    assert [r["row_index"] for r in rows] == [1234, 12]
    assert [r["_reason"] for r in rejected] == ['row_index: not an integer: "1,5"']


def test_without_options_a_decimal_comma_is_still_read() -> None:
    rows, _ = type_csv(SALES, {"order_id": ["1", "2"], "sales": ["12,50", "1e3"]})
    assert [r["sales"] for r in rows] == [12.5, 1000.0]


def test_constants_fill_a_column_and_are_typed() -> None:
    spec = with_options(SALES, constants=(("row_index", "0"), ("date", "2025-01-06")))
    rows, rejected = type_csv(spec, {"order_id": ["1", "2"], "sales": ["1", "2"]})
    assert [(r["row_index"], r["date"]) for r in rows] == [(0, date(2025, 1, 6))] * 2
    assert rejected == []


def test_a_constant_gives_no_amount_to_a_record_the_reader_could_not_split() -> None:
    spec = with_options(TABLES_BY_NAME["marketplace_sales"], constants=(("revenue", "5"),))
    cells: dict[str, list[str | None]] = {
        "date": ["2025-01-02", None],
        "marketplace": ["Amazon", None],
        "product": ["Mat", None],
    }
    block = _block(
        ["2025-01-02;Amazon;Mat", "2025-01-02;Amazon;Mat;x;y;z;w"],
        {field.name: cells.get(field.name, [None, None]) for field in spec.fields},
    )
    block = block.set_column(3, "_pre_reason", pa.array([None, "expected 6 fields, found 7"]))
    typer = Typer(spec, is_json=False)
    try:
        typed = typer.type_block(block)
    finally:
        typer.close()
    assert typed.rows.column("revenue").to_pylist() == [5.0]
    assert typed.rejected.column("_amount").to_pylist() == [None]
    assert (typed.amount_read, typed.rejected_without_amount) == (5.0, 1)


def test_a_json_constant_fills_documents_only() -> None:
    spec = with_options(TABLES_BY_NAME["transactions"], constants=(("shipping_cost", "4.9"),))
    rows, rejected = type_json(spec, [{"transaction_id": "t1", "amount": 10}, "not json"])
    assert [r["shipping_cost"] for r in rows] == [4.9]
    assert [(r["_reason"], r["_amount"]) for r in rejected] == [("not valid JSON", None)]


def test_each_record_s_amount_adds_its_terms_and_rejected_records_keep_theirs() -> None:
    spec = TABLES_BY_NAME["transactions"]  # amount - discount_applied + shipping_cost
    documents = [
        {"transaction_id": "t1", "amount": 100, "discount_applied": 10, "shipping_cost": 5},
        {"transaction_id": "t2", "amount": "50"},  # missing terms count 0
        {"transaction_id": "t3", "quantity": 2},  # no term: no amount
        {"amount": 30, "discount_applied": 3},  # no key: rejected with its amount
        {"transaction_id": "t5", "amount": "abc", "shipping_cost": 4},  # what could be typed
        {"transaction_id": "t6", "amount": "abc", "quantity": "x"},  # nothing could
        "{broken",
    ]
    typer = Typer(spec, is_json=True)
    try:
        typed = typer.type_block(
            _block([json.dumps(d) if isinstance(d, dict) else d for d in documents])
        )
    finally:
        typer.close()
    rejected = sorted(typed.rejected.to_pylist(), key=lambda row: row["_source_line"])
    assert [r["_amount"] for r in rejected] == [27.0, 4.0, None, None]
    assert typed.amount_read == pytest.approx(95 + 50 + 27 + 4)
    assert typed.amount_rejected == pytest.approx(31.0)
    assert typed.rejected_without_amount == 2
    assert "_amount" not in typed.rows.column_names


def test_each_amount_term_counts_in_whole_cents_as_the_warehouse_stores_it() -> None:
    # Staging rounds every money value to cents (half away from zero) before it
    # adds them: 10.005 - 0.004 + 2.995 is 10.01 - 0.00 + 3.00 there, 13.01,
    # not round(12.996) = 13.00, and the ledger must count the same cent.
    spec = TABLES_BY_NAME["transactions"]
    documents = [
        {
            "transaction_id": "t1",
            "amount": 10.005,
            "discount_applied": 0.004,
            "shipping_cost": 2.995,
        },
        {"transaction_id": "t2", "amount": -0.125},
        {"transaction_id": "t3", "amount": 1e40},  # beyond what the warehouse stores: as read
    ]
    typer = Typer(spec, is_json=True)
    try:
        typed = typer.type_block(_block([json.dumps(d) for d in documents[:2]]))
        huge = typer.type_block(_block([json.dumps(documents[2])]))
    finally:
        typer.close()
    assert typed.amount_read == pytest.approx(13.01 - 0.13)
    assert huge.amount_read == pytest.approx(1e40)
    rows, _ = type_json(spec, documents[:2])
    assert [row["amount"] for row in rows] == [10.005, -0.125]  # raw keeps what was read


def test_a_table_without_amount_terms_has_no_amounts() -> None:
    typer = Typer(TABLES_BY_NAME["reviews"], is_json=True)
    try:
        typed = typer.type_block(_block(['{"review_id": "r1"}', "{x"]))
    finally:
        typer.close()
    assert (typed.amount_read, typed.amount_rejected, typed.rejected_without_amount) == (
        None,
        None,
        None,
    )
    assert typed.rejected.column("_amount").to_pylist() == [None]


def test_a_json_column_is_present_when_some_record_has_its_path() -> None:
    spec = TABLES_BY_NAME["events"]
    documents = [
        {"event_id": "e1", "utm": {"source": "news"}, "properties": {"price": None}},
        {"event_id": "e2", "user_id": None, "country": {"name": "France"}, "device": ""},
        {"event_id": "e3", "sequence_number": "first"},
        'not json, but it mentions "browser"',
    ]
    typer = Typer(spec, is_json=True)
    try:
        typed = typer.type_block(
            _block([json.dumps(d) if isinstance(d, dict) else d for d in documents])
        )
    finally:
        typer.close()
    assert typed.present == {
        "event_id",
        "utm__source",
        "properties__price",  # null, but there
        "user_id",  # null, but there
        "country",  # an object where text belongs: there (and rejected)
        "device",
        "sequence_number",  # not a number: there (and rejected)
    }
    assert {"utm__source", "properties__price"} <= typed.document_paths


NUL = "\\u0000"  # how a NUL character is shown in rejected texts and reasons


@pytest.mark.slow
@pytest.mark.parametrize(
    ("column", "document_text", "reason"),
    [
        (
            "value_text",
            '{"key": "k", "value_text": "a\\u0000b"}',
            f"value_text: NUL character ({NUL})",
        ),
        (
            "value_id",
            '{"key": "k", "value_id": {"$oid": "\\u0000"}}',
            f"value_id: NUL character ({NUL})",
        ),
        ("key", '{"key": "k\\u0000"}', f"key: NUL character ({NUL})"),
        (
            "value_json",
            '{"key": "k", "value_json": ["x\\u0000"]}',
            f"value_json: NUL character ({NUL})",
        ),
        (
            "value_json",
            '{"key": "k", "value_json": {"a\\\\\\u0000": 1}}',
            f"value_json: NUL character ({NUL})",
        ),
        (
            "value_number",
            '{"key": "k", "value_number": "1\\u0000"}',
            f"value_number: NUL character ({NUL})",
        ),
        (
            "nested__leaf",
            '{"key": "k", "nested": {"leaf": "\\u0000"}}',
            f"nested__leaf: NUL character ({NUL})",
        ),
    ],
)
def test_a_nul_character_in_a_json_value_rejects_the_record(
    column: str, document_text: str, reason: str
) -> None:
    rows, rejected = type_json(ONE, [document_text, {"key": "fine", "value_text": "ok"}])
    assert [row["key"] for row in rows] == ["fine"]
    assert len(rejected) == 1
    assert rejected[0]["_reason"].split("; ")[0] == reason
    assert "\x00" not in rejected[0]["_reason"] + rejected[0]["_text"]
    assert rejected[0]["_text"] == document_text


def test_nul_characters_outside_the_contract_and_escaped_backslashes_load() -> None:
    rows, rejected = type_json(
        ONE,
        [
            '{"key": "a", "not_in_contract": "x\\u0000"}',
            '{"key": "b", "value_text": "\\\\u0000", "value_json": ["\\\\u0000"]}',
        ],
    )
    assert not rejected
    assert [(r["key"], r["value_text"], r["value_json"]) for r in rows] == [
        ("a", None, None),
        ("b", "\\u0000", '["\\\\u0000"]'),
    ]


def test_a_nul_byte_in_a_csv_cell_rejects_the_record_and_shows_as_an_escape() -> None:
    spec = TABLES_BY_NAME["marketplace_sales"]
    cells = {
        "date": ["2025-01-02", "2025-01-02", "2025-01-02"],
        "marketplace": ["Ama\x00zon", "Amazon", "Amazon"],
        "product": ["Yoga Mat Premium"] * 3,
        "category": ["Sports & Outdoors"] * 3,
        "units_sold": ["3", "4\x00", "5"],
        "revenue": ["1", "2", "3"],
    }
    texts = [";".join(values) for values in zip(*cells.values(), strict=True)]
    typer = Typer(spec, is_json=False)
    typed = typer.type_block(_block(texts, cells))
    assert typed.rows["units_sold"].to_pylist() == [5]
    reasons = sorted(typed.rejected.to_pylist(), key=lambda row: row["_source_line"])
    assert [r["_reason"] for r in reasons] == [
        f"marketplace: NUL character ({NUL})",
        f'units_sold: NUL character ({NUL}); units_sold: not an integer: "4{NUL}"',
    ]
    assert reasons[0]["_text"] == f"2025-01-02;Ama{NUL}zon;Yoga Mat Premium;Sports & Outdoors;3;1"


def test_a_document_nested_deeper_than_the_limit_is_rejected_before_parsing() -> None:
    from loaders.typing_engine import MAX_NESTING, NESTED_TOO_DEEP, nesting_depth

    deep = '{"key": "deep", "value_json": ' + "[" * 200_000 + "]" * 200_000 + "}"
    limit = (
        '{"key": "limit", "value_json": ' + "[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1) + "}"
    )
    assert nesting_depth(limit) == MAX_NESTING
    assert nesting_depth('{"a": "[[[[", "b": [{"c": "]]"}]}') == 3
    rows, rejected = type_json(ONE, [deep, limit, {"key": "plain"}])
    assert sorted(row["key"] for row in rows) == ["limit", "plain"]
    assert [(r["_source_line"], r["_reason"]) for r in rejected] == [(10, NESTED_TOO_DEEP)]
