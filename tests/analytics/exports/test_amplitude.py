"""The Amplitude export without a warehouse: rows to events, validation, and the
splitting of events into request files by count, bytes and events per user or device."""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from analytics.cli import build_parser
from analytics.exports import amplitude
from analytics.exports.amplitude import (
    API_KEY_PLACEHOLDER,
    API_LIMITS,
    ApiLimits,
    ExportError,
    event_problems,
    export_events,
    row_to_event,
)


def _row(number: int, **changes: Any) -> dict[str, Any]:
    """A mart row of an anonymous product view, one device per row unless changed."""
    row: dict[str, Any] = {
        "event_id": f"E-{number}",
        "event_at": None,
        "user_id": None,
        "device_id": hashlib.md5(f"session:S-{number}".encode()).hexdigest(),
        "insert_id": hashlib.md5(f"E-{number}".encode()).hexdigest(),
        "event_type": "product",
        "time": 1_741_064_767_000 + number,
        "session_id": 1_741_064_700_000,
        "platform": "Web",
        "os_name": "chrome",
        "country": "Germany",
        "city": "Berlin",
        "price": None,
        "quantity": None,
        "revenue": None,
        "product_id": None,
        "revenue_type": None,
        "event_properties__traffic_source": "organic",
        "event_properties__price": Decimal("25.00"),
        "event_properties__is_conversion": False,
        "user_properties__country": None,
        "user_properties__rfm_segment": None,
    }
    row.update(changes)
    return row


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("amplitude_batch_*.json"))


def _events(directory: Path) -> list[dict[str, Any]]:
    return [
        event for path in _files(directory) for event in json.loads(path.read_bytes())["events"]
    ]


def _limits(**changes: Any) -> ApiLimits:
    values = {
        "api": "batch",
        "endpoint": "https://api2.amplitude.com/batch",
        "max_events": 2000,
        "max_bytes": 20_000_000,
        "max_events_per_id": 1000,
    }
    values.update(changes)
    return ApiLimits(**values)


# --- rows to events ------------------------------------------------------------------------------


def test_a_row_becomes_an_api_event_without_nulls_or_lineage() -> None:
    row = _row(
        1,
        user_id="customer-100001",
        event_type="purchase",
        price=Decimal("19.99"),
        quantity=2,
        revenue=Decimal("39.98"),
        product_id="Garden Hose Pro",
        revenue_type="purchase",
        event_properties__is_conversion=True,
        user_properties__rfm_segment="champions",
    )
    event = row_to_event(row)
    assert event == {
        "user_id": "customer-100001",
        "device_id": row["device_id"],
        "insert_id": row["insert_id"],
        "event_type": "purchase",
        "time": 1_741_064_767_001,
        "session_id": 1_741_064_700_000,
        "platform": "Web",
        "os_name": "chrome",
        "country": "Germany",
        "city": "Berlin",
        "price": 19.99,
        "quantity": 2,
        "revenue": 39.98,
        "productId": "Garden Hose Pro",
        "revenueType": "purchase",
        "event_properties": {"traffic_source": "organic", "price": 25.0, "is_conversion": True},
        "user_properties": {"rfm_segment": "champions"},
    }
    assert event_problems(event) == []


def test_property_objects_without_values_are_left_out() -> None:
    event = row_to_event(_row(1, user_properties__country=None))
    assert "user_properties" not in event
    assert "user_id" not in event


def test_an_unknown_column_is_an_error() -> None:
    with pytest.raises(ExportError, match="'customer_email'"):
        row_to_event({**_row(1), "customer_email": "x"})


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"device_id": None}, "neither user_id nor device_id"),
        ({"device_id": "abcd"}, "device_id is shorter than 5 characters"),
        ({"user_id": "undefined"}, "user_id 'undefined' is an id Amplitude rejects"),
        ({"device_id": "00000000-0000-0000-0000-000000000000"}, "is an id Amplitude rejects"),
        ({"user_id": "someone@example.com"}, "user_id looks like an email address"),
        ({"event_properties__page_path": "/x?to=a@b.co"}, "looks like an email address"),
        ({"event_type": None}, "event_type missing"),
        ({"event_type": "[Amplitude] Revenue"}, "reserved by Amplitude"),
        ({"time": 1.5}, "time is not an integer"),
        ({"session_id": -2}, "session_id is negative but not -1"),
        ({"city": "x" * 1025}, "city is longer than 1024 characters"),
        ({"product_id": "Garden Hose Pro"}, "productId without price and quantity or revenue"),
        ({"user_properties__$set": "x"}, "keys starting with $ are operations"),
        ({"price": float("nan"), "quantity": 1}, "price is not a number"),
    ],
)
def test_events_breaking_the_documented_rules_are_refused(
    changes: dict[str, Any], problem: str, tmp_path: Path
) -> None:
    event = row_to_event(_row(1, **changes))
    assert any(problem in found for found in event_problems(event)), event_problems(event)
    with pytest.raises(ExportError, match="row 2 "):
        export_events([_row(0), _row(1, **changes)], tmp_path / "out")
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_session_id_minus_one_means_no_session_and_is_valid() -> None:
    assert event_problems(row_to_event(_row(1, session_id=-1))) == []


# --- splitting ----------------------------------------------------------------------------------


def test_files_hold_at_most_the_events_per_file(tmp_path: Path) -> None:
    rows = [_row(number) for number in range(5)]
    result = export_events(rows, tmp_path, events_per_file=2)
    assert [batch.events for batch in result.files] == [2, 2, 1]
    assert [path.name for path in _files(tmp_path)] == [
        "amplitude_batch_00001.json",
        "amplitude_batch_00002.json",
        "amplitude_batch_00003.json",
    ]
    assert [event["insert_id"] for event in _events(tmp_path)] == [r["insert_id"] for r in rows]


def test_files_are_split_by_payload_bytes(tmp_path: Path) -> None:
    rows = [
        _row(number, event_properties__page_path="/" + "p" * (100 * number)) for number in range(8)
    ]
    sizes = [len(json.dumps(row_to_event(row), separators=(",", ":"))) for row in rows]
    overhead = len(f'{{"api_key":"{API_KEY_PLACEHOLDER}","events":[]}}')
    limit = overhead + sizes[-1] + 1 + sizes[-2]  # the two largest events still fit together
    result = export_events(rows, tmp_path, limits=_limits(max_bytes=limit))
    assert len(result.files) >= 3
    assert sum(batch.events for batch in result.files) == len(rows)
    for path, batch in zip(_files(tmp_path), result.files, strict=True):
        body = path.read_bytes()
        assert len(body) == batch.bytes <= limit
        assert batch.sha256 == hashlib.sha256(body).hexdigest()
        assert json.loads(body)["api_key"] == API_KEY_PLACEHOLDER
    assert [event["insert_id"] for event in _events(tmp_path)] == [r["insert_id"] for r in rows]
    # a file is closed only when the next event would not fit in it
    first_of_next = 0
    for batch in result.files[:-1]:
        first_of_next += batch.events
        assert batch.bytes + 1 + sizes[first_of_next] > limit


def test_a_payload_exactly_at_the_limit_is_allowed(tmp_path: Path) -> None:
    rows = [_row(0), _row(1)]
    size = len(
        json.dumps(
            {"api_key": API_KEY_PLACEHOLDER, "events": [row_to_event(row) for row in rows]},
            separators=(",", ":"),
        )
    )
    result = export_events(rows, tmp_path, limits=_limits(max_bytes=size))
    assert [batch.bytes for batch in result.files] == [size]
    result = export_events(rows, tmp_path, limits=_limits(max_bytes=size - 1))
    assert [batch.events for batch in result.files] == [1, 1]


def test_an_event_larger_than_a_request_may_be_is_a_clear_error(tmp_path: Path) -> None:
    export_events([_row(0)], tmp_path)  # a previous export
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    huge = _row(1, event_properties__page_path="/" + "p" * 1000)
    with pytest.raises(
        ExportError,
        match=r"insert_id='[0-9a-f]{32}' is [\d,]+ bytes.*over the 500-byte limit of the batch API",
    ):
        export_events([_row(0), huge], tmp_path, limits=_limits(max_bytes=500))
    # the failed export left the previous one as it was, and no scratch folder behind
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
    assert not list(tmp_path.parent.glob(".amplitude-export-*"))


def test_events_of_one_device_are_capped_per_file(tmp_path: Path) -> None:
    rows = [_row(number, device_id="d" * 32) for number in range(5)]
    result = export_events(rows, tmp_path, limits=_limits(max_events_per_id=2))
    assert [batch.events for batch in result.files] == [2, 2, 1]


def test_events_of_one_user_are_capped_per_file_across_devices(tmp_path: Path) -> None:
    rows = [_row(number, user_id="customer-100001") for number in range(3)]
    rows.insert(1, _row(9))  # another visitor does not count against the cap
    result = export_events(rows, tmp_path, limits=_limits(max_events_per_id=2))
    assert [batch.events for batch in result.files] == [3, 1]


def test_the_http_api_limits_are_the_documented_ones() -> None:
    assert API_LIMITS["http"].max_events < 2000
    assert API_LIMITS["http"].max_bytes < 1_000_000
    assert API_LIMITS["batch"].max_events == 2000
    assert API_LIMITS["batch"].max_bytes <= 20_000_000


@pytest.mark.parametrize("events_per_file", [0, 2001])
def test_events_per_file_must_be_within_the_api_limit(events_per_file: int, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="between 1 and 2,000"):
        export_events([_row(0)], tmp_path, events_per_file=events_per_file)


# --- the export folder --------------------------------------------------------------------------


def test_a_new_export_replaces_the_old_files_and_writes_a_manifest(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("kept")
    export_events([_row(number) for number in range(5)], tmp_path, events_per_file=1)
    result = export_events([_row(0)], tmp_path, api_key="k-123")
    assert [path.name for path in _files(tmp_path)] == ["amplitude_batch_00001.json"]
    assert (tmp_path / "notes.txt").read_text() == "kept"
    assert json.loads(_files(tmp_path)[0].read_bytes())["api_key"] == "k-123"
    manifest = json.loads((tmp_path / "manifest.json").read_bytes())
    assert manifest["api_key"] == "$AMPLITUDE_API_KEY"
    assert "k-123" not in (tmp_path / "manifest.json").read_text()
    assert manifest["events"] == result.events == 1
    assert manifest["files"][0]["sha256"] == result.files[0].sha256
    assert manifest["limits"]["max_bytes_per_file"] == 20_000_000


def test_no_rows_make_no_files_and_an_empty_manifest(tmp_path: Path) -> None:
    result = export_events([], tmp_path)
    assert result.files == []
    assert json.loads((tmp_path / "manifest.json").read_bytes())["events"] == 0


def test_the_command_prints_one_summary_line_with_the_placeholder_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AMPLITUDE_API_KEY", raising=False)
    monkeypatch.setattr(amplitude, "read_mart", lambda target: iter([_row(0), _row(1)]))
    out = io.StringIO()
    assert amplitude.run_export("duckdb", tmp_path, "http", None, out=out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert "1 files, 2 events" in lines[0]
    assert "placeholder" in lines[0]
    assert json.loads(_files(tmp_path)[0].read_bytes())["api_key"] == API_KEY_PLACEHOLDER


def test_the_subcommand_is_registered() -> None:
    args = build_parser().parse_args(
        ["amplitude-export", "--target", "postgres", "--api", "http", "--events-per-file", "10"]
    )
    assert (args.target, args.api, args.events_per_file, args.out) == (
        "postgres",
        "http",
        10,
        "data/amplitude",
    )
