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


@pytest.mark.parametrize("value", ["soon", "2025-13-45", "31/31/2025", "20245-01-01"])
def test_impossible_timestamps_are_rejected(value: str) -> None:
    typed, reason = one_value("value_timestamp", value)
    assert typed is None
    assert reason == f'value_timestamp: not a timestamp: "{value}"'


@pytest.mark.parametrize(
    "value", ["2025-03-04", "2025/03/04", "04.03.2025", "2025-03-04T05:06:07Z", "Mar 04, 2025"]
)
def test_dates(value: str) -> None:
    assert one_value("value_date", value) == (date(2025, 3, 4), None)


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


NUL = "\\u0000"  # how a NUL character is shown in rejected texts and reasons


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
