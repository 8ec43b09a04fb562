"""``python -m analytics amplitude-export`` writes request files Amplitude accepts (issue 3).

The command runs against the generated warehouse of each target (session builds of
``conftest.py``) for both APIs, and every file is checked by the validator below, written
from Amplitude's documentation (addresses in ``models/marts/amplitude/_amplitude__docs.md``)
and independent of ``analytics/exports/amplitude.py``: the request body, the per-request limits
(events and bytes), the per-user and per-device cap, every event field's type and rule
(ids of at least 5 characters and never one Amplitude rejects, times and sessions in
milliseconds, unique insert_ids, revenue only on purchases, no email address anywhere).
The events are also traced back to ``core.fct_events`` on their own: one per event that
can be placed in time, with its time, user and type. Both targets write identical files,
and every run has Python's sockets disabled: the command makes no network call.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.integration.conftest import Build

pytestmark = pytest.mark.slow

# --- the documented rules ------------------------------------------------------------------------

#: Per request: Batch "The limit per batch is 2000 events", "must not exceed 20MB";
#: HTTP V2 "fewer than 2000 events per request", "under 1 MB".
MAX_EVENTS = {"batch": 2000, "http": 1999}
MAX_BYTES = {"batch": 20_000_000, "http": 999_999}
#: Per user or device and request (throttling: Batch 1,000 events per second per id;
#: HTTP V2 10 per second in its 429 description, 30 in the API FAQ: the lower one).
MAX_EVENTS_PER_ID = {"batch": 1000, "http": 10}
MIN_ID_LENGTH = 5
MAX_STRING_LENGTH = 1024
INVALID_IDS = {
    "anonymous", "nil", "none", "null", "n/a", "na", "undefined", "unknown", '""',
    "00000000-0000-0000-0000-000000000000", "{}", "lmy47d", "0", "-1",
}  # fmt: skip
RESERVED_EVENT_TYPES = {
    "[Amplitude] Start Session", "[Amplitude] End Session", "[Amplitude] Revenue",
    "[Amplitude] Revenue (Verified)", "[Amplitude] Revenue (Unverified)",
    "[Amplitude] Merged User", "$identify", "$groupidentify",
}  # fmt: skip
#: The event keys of the HTTP V2 / Batch event object the export may use.
EVENT_KEYS = {
    "user_id", "device_id", "event_type", "time", "insert_id", "session_id", "platform",
    "os_name", "country", "city", "price", "quantity", "revenue", "productId", "revenueType",
    "event_properties", "user_properties",
}  # fmt: skip
STRING_KEYS = {"platform", "os_name", "country", "city", "productId", "revenueType"}
REVENUE_KEYS = {"price", "quantity", "revenue", "productId", "revenueType"}
FILE_NAME = re.compile(r"amplitude_batch_(\d{5,})\.json")
HEX32 = re.compile(r"[0-9a-f]{32}")
PLACEHOLDER_KEY = "REPLACE_WITH_AMPLITUDE_API_KEY"
TEST_KEY = "test-key-not-a-real-one"


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_integer(value) or isinstance(value, float)) and math.isfinite(value)


def _string_problems(name: str, value: Any) -> list[str]:
    if not isinstance(value, str):
        return [f"{name} is not a string"]
    if len(value) > MAX_STRING_LENGTH:
        return [f"{name} is longer than {MAX_STRING_LENGTH}"]
    return []


def _id_problems(name: str, value: Any) -> list[str]:
    problems = _string_problems(name, value)
    if not problems:
        if len(value) < MIN_ID_LENGTH:
            problems.append(f"{name} {value!r} is shorter than {MIN_ID_LENGTH}")
        if value.strip().lower() in INVALID_IDS:
            problems.append(f"{name} {value!r} is an invalid id")
    return problems


def event_problems(event: Any) -> list[str]:
    """Amplitude's documented rules for one event object."""
    if not isinstance(event, dict):
        return ["not an object"]
    problems = [f"unknown key {key!r}" for key in event if key not in EVENT_KEYS]
    if "user_id" not in event and "device_id" not in event:
        problems.append("neither user_id nor device_id")
    for name in ("user_id", "device_id"):
        if name in event:
            problems += _id_problems(name, event[name])
    event_type = event.get("event_type")
    problems += _string_problems("event_type", event_type)
    if event_type in RESERVED_EVENT_TYPES or event_type == "":
        problems.append(f"event_type {event_type!r} is reserved or empty")
    if not _is_integer(event.get("time")) or event["time"] < 0:
        problems.append("time is not milliseconds since the epoch")
    session_id = event.get("session_id", -1)
    if not _is_integer(session_id) or (session_id < 0 and session_id != -1):
        problems.append("session_id is neither -1 nor milliseconds since the epoch")
    problems += _string_problems("insert_id", event.get("insert_id"))
    for name in STRING_KEYS & event.keys():
        problems += _string_problems(name, event[name])
    revenue_keys = REVENUE_KEYS & event.keys()
    if revenue_keys:
        if event_type != "purchase":
            problems.append(f"revenue fields on a {event_type!r} event")
        if revenue_keys != REVENUE_KEYS:
            problems.append(f"partial revenue fields {sorted(revenue_keys)}")
        elif not (
            _is_number(event["price"])
            and event["price"] >= 0
            and _is_integer(event["quantity"])
            and event["quantity"] >= 1
            and _is_number(event["revenue"])
            and abs(event["revenue"] - event["price"] * event["quantity"]) < 0.005
            and event["revenueType"] == "purchase"
        ):
            problems.append("revenue fields inconsistent")
    for name in ("event_properties", "user_properties"):
        if name not in event:
            continue
        values = event[name]
        if not isinstance(values, dict) or not values:
            problems.append(f"{name} is not a non-empty object")
            continue
        for key, value in values.items():
            if key.startswith("$"):
                problems.append(f"{name}.{key} is an operation")
            if isinstance(value, str):
                problems += _string_problems(f"{name}.{key}", value)
            elif not (_is_number(value) or isinstance(value, bool)):
                problems.append(f"{name}.{key} is not a string, number or boolean")
    if "user_properties" in event and "user_id" not in event:
        problems.append("user properties on an anonymous event")
    return problems


@dataclass
class Export:
    api: str
    directory: Path
    files: list[Path]
    bodies: list[bytes]

    @property
    def events(self) -> list[dict[str, Any]]:
        return [event for body in self.bodies for event in json.loads(body)["events"]]


def validate_export(export: Export, api_key: str) -> list[dict[str, Any]]:
    """Every file of the export against the rules; returns all events in file order."""
    assert export.files, "no file written"
    numbers = [int(FILE_NAME.fullmatch(path.name).group(1)) for path in export.files]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(numbers) + 1)), "file numbers not 1..n"
    events: list[dict[str, Any]] = []
    for path, body in zip(export.files, export.bodies, strict=True):
        assert len(body) <= MAX_BYTES[export.api], f"{path.name}: {len(body):,} bytes"
        assert b"@" not in body, f"{path.name}: an '@' (email-like text) in the export"
        request = json.loads(body)
        assert set(request) == {"api_key", "events"}, f"{path.name}: body keys {set(request)}"
        assert request["api_key"] == api_key
        batch = request["events"]
        assert isinstance(batch, list) and 1 <= len(batch) <= MAX_EVENTS[export.api], path.name
        per_id = Counter(
            f"{name}:{event[name]}" for event in batch for name in ("user_id", "device_id")
            if name in event
        )  # fmt: skip
        busiest = per_id.most_common(1)[0]
        assert busiest[1] <= MAX_EVENTS_PER_ID[export.api], f"{path.name}: {busiest}"
        for index, event in enumerate(batch):
            problems = event_problems(event)
            assert not problems, f"{path.name} event {index}: {problems}: {event}"
        events += batch
    insert_ids = Counter(event["insert_id"] for event in events)
    assert insert_ids.most_common(1)[0][1] == 1, "an insert_id appears twice"
    return events


# --- running the command -------------------------------------------------------------------------

#: Runs the CLI with every Python-level socket connection refused: an HTTP client (any
#: library in Python) would fail the export. The PostgreSQL driver (libpq, C) is not
#: affected, so the postgres target still reads its warehouse.
GUARDED_MAIN = """
import socket, sys

def refuse(self, address):
    raise OSError(f"network connection attempted to {address!r}")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = lambda *args, **kwargs: refuse(None, args[0] if args else None)
from analytics.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_export(build: Build, out: Path, *arguments: str, api_key: str | None = None) -> Export:
    environment = {k: v for k, v in build.environment.items() if k != "AMPLITUDE_API_KEY"}
    if api_key is not None:
        environment["AMPLITUDE_API_KEY"] = api_key
    command = [sys.executable, "-c", GUARDED_MAIN, "amplitude-export", "--target", build.target]
    completed = subprocess.run(
        [*command, "--out", str(out), *arguments],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert len(completed.stdout.splitlines()) == 1, completed.stdout
    api = arguments[arguments.index("--api") + 1] if "--api" in arguments else "batch"
    files = sorted(out.glob("amplitude_batch_*.json"))
    return Export(api, out, files, [path.read_bytes() for path in files])


@pytest.fixture(scope="module")
def batch_export(generated_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Export:
    assert generated_build.returncode == 0, generated_build.failures()
    out = tmp_path_factory.mktemp(f"amplitude_{generated_build.target}") / "batch"
    return run_export(generated_build, out)


@pytest.fixture(scope="module")
def http_export(generated_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Export:
    assert generated_build.returncode == 0, generated_build.failures()
    out = tmp_path_factory.mktemp(f"amplitude_{generated_build.target}") / "http"
    return run_export(generated_build, out, "--api", "http", api_key=TEST_KEY)


def _epoch_ms(value: dt.datetime) -> int:
    return (value - dt.datetime(1970, 1, 1)) // dt.timedelta(milliseconds=1)


# --- tests ---------------------------------------------------------------------------------------


def test_every_batch_file_is_a_valid_request(batch_export: Export) -> None:
    validate_export(batch_export, PLACEHOLDER_KEY)
    # the batch API's files are full up to the last one (count or bytes decide)
    assert all(len(json.loads(body)["events"]) == 2000 for body in batch_export.bodies[:-1])


def test_every_http_file_is_a_valid_request_with_the_key(http_export: Export) -> None:
    validate_export(http_export, TEST_KEY)


def test_files_hold_every_row_of_the_mart_once(
    generated_build: Build, batch_export: Export, http_export: Export
) -> None:
    rows = generated_build.scalar("select count(*) from marts.amplitude_events")
    assert rows > 1000
    for export in (batch_export, http_export):
        assert len(export.events) == rows
        manifest = json.loads((export.directory / "manifest.json").read_bytes())
        assert manifest["events"] == rows
        assert [entry["name"] for entry in manifest["files"]] == [f.name for f in export.files]
        for entry, body in zip(manifest["files"], export.bodies, strict=True):
            assert entry["bytes"] == len(body)
            assert entry["sha256"] == hashlib.sha256(body).hexdigest()
        assert TEST_KEY not in (export.directory / "manifest.json").read_text()


def test_events_are_the_placeable_events_of_fct_events(
    generated_build: Build, batch_export: Export
) -> None:
    as_of_date = generated_build.scalar("select as_of_date from intermediate.int_as_of_date")
    placeable = {
        hashlib.md5(row["event_id"].encode()).hexdigest(): row
        for row in generated_build.rows("core.fct_events").to_dict("records")
        if row["event_at"] is not None
        and row["event_at"].date() <= as_of_date
        and row["event_type"] is not None
    }
    events = {event["insert_id"]: event for event in batch_export.events}
    assert events.keys() == placeable.keys()
    window_end = _epoch_ms(dt.datetime.combine(as_of_date + dt.timedelta(days=1), dt.time()))
    for insert_id, event in events.items():
        source = placeable[insert_id]
        assert event["time"] == _epoch_ms(source["event_at"]) < window_end
        assert event["event_type"] == source["event_type"]
        if source["customer_id"] is None:
            assert "user_id" not in event
        else:
            assert event["user_id"] == f"customer-{source['customer_id']}"
        assert HEX32.fullmatch(event["device_id"])
        assert event["event_properties"]["is_conversion"] is (source["event_type"] == "purchase")
    purchases_with_revenue = sum(
        row["event_type"] == "purchase"
        and row["unit_price"] is not None
        and row["unit_price"] >= 0
        and row["quantity"] is not None
        and row["quantity"] > 0
        for row in placeable.values()
    )
    assert sum("revenue" in event for event in events.values()) == purchases_with_revenue > 0
    assert any("user_properties" in event for event in events.values())


def test_sessions_are_their_start_in_milliseconds(batch_export: Export) -> None:
    by_device: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in batch_export.events:
        by_device[event["device_id"]].append(event)
    for device_id, events in by_device.items():
        sessions = {event["session_id"] for event in events}
        assert len(sessions) == 1, f"device {device_id}: {sessions}"
        (session_id,) = sessions
        # the generated events all have a type, so the first exported event starts it
        assert session_id == min(event["time"] for event in events), device_id


def test_the_validator_rejects_what_amplitude_rejects() -> None:
    valid = {"device_id": "a" * 32, "event_type": "home", "time": 1, "insert_id": "x"}
    assert event_problems(valid) == []
    for change in (
        {"device_id": "abcd"},
        {"device_id": "NULL"},
        {"device_id": "00000000-0000-0000-0000-000000000000"},
        {"user_id": "-1"},
        {"event_type": "[Amplitude] Revenue"},
        {"time": "2025-01-01T00:00:00Z"},
        {"time": 1.5},
        {"session_id": -5},
        {"price": 1.0},
        {"price": 1.0, "quantity": 1, "revenue": 1.0, "productId": "p", "revenueType": "purchase"},
        {"event_properties": {"$set": 1}},
        {"event_properties": {"nested": {"a": 1}}},
        {"user_properties": {"country": "France"}},
        {"city": "x" * 1025},
        {"device_ids": "typo"},
    ):
        assert event_problems({**valid, **change}), change


@pytest.mark.postgres
def test_both_targets_write_identical_files(
    duckdb_generated: Build, postgres_generated: Build, tmp_path: Path
) -> None:
    exports = [
        run_export(build, tmp_path / build.target)
        for build in (duckdb_generated, postgres_generated)
    ]
    assert [path.name for path in exports[0].files] == [path.name for path in exports[1].files]
    for duckdb_body, postgres_body in zip(exports[0].bodies, exports[1].bodies, strict=True):
        assert duckdb_body == postgres_body


def test_events_per_file_lowers_the_count(generated_build: Build, tmp_path: Path) -> None:
    export = run_export(generated_build, tmp_path / "out", "--events-per-file", "500")
    events = validate_export(export, PLACEHOLDER_KEY)
    assert all(len(json.loads(body)["events"]) <= 500 for body in export.bodies)
    assert len(events) == generated_build.scalar("select count(*) from marts.amplitude_events")
