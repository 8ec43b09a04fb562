"""``python -m analytics amplitude-export``: ``marts.amplitude_events`` as Amplitude request files.

Each file ``amplitude_batch_00001.json``, ``..._00002.json``, ... is one complete
request body of Amplitude's Batch Event Upload API (``--api batch``, the default) or
HTTP V2 API (``--api http``)::

    {"api_key": "...", "events": [{...}, ...]}

ready to be POSTed as it is (``Content-Type: application/json``); nothing here ever
opens a network connection. The files respect the documented per-request limits
(events per request and payload bytes, both) and cap the events of any one user or
device per file (see :data:`API_LIMITS`); every event is checked against the
documented field rules before it is written. The documentation read, with its
addresses, is in ``models/marts/amplitude/_amplitude__docs.md``.

The rows are streamed from the warehouse in chunks, in (time, insert_id) order, so
memory stays flat at any scale, and the files are written into a scratch folder that
replaces the previous export only once the whole export succeeded, together with a
``manifest.json`` (files, events, bytes and SHA-256 per file, the limits used).

The API key comes from ``$AMPLITUDE_API_KEY``; without it the files carry the
placeholder :data:`API_KEY_PLACEHOLDER`, which Amplitude rejects, and the summary
says so. Never commit files made with a real key (``data/`` is gitignored).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO, TypeGuard

import orjson

from ..warehouse import WarehouseError, connect

#: The relation the export reads (the same schema and name on both targets).
RELATION = "marts.amplitude_events"
#: Batch files: ``amplitude_batch_00001.json``, ... (at least five digits).
FILE_PREFIX = "amplitude_batch_"
MANIFEST = "manifest.json"
#: The environment variable holding the Amplitude project API key.
API_KEY_VARIABLE = "AMPLITUDE_API_KEY"
#: Written instead of a key when ``$AMPLITUDE_API_KEY`` is unset; Amplitude rejects it.
API_KEY_PLACEHOLDER = "REPLACE_WITH_AMPLITUDE_API_KEY"
#: Rows fetched from the warehouse at a time.
CHUNK_ROWS = 10_000
#: DuckDB's memory for the ordered read (it spills the sort to disk beyond).
DUCKDB_MEMORY_LIMIT = "512MB"

#: Documentation the rules below come from.
DOCUMENTATION = (
    "https://amplitude.com/docs/apis/analytics/http-v2",
    "https://amplitude.com/docs/apis/analytics/batch-event-upload",
    "https://amplitude.com/docs/apis/analytics/http-api-batching-retries",
    "https://amplitude.com/docs/faq/api-choice",
)

#: Amplitude's default minimum length of ``user_id`` and ``device_id``.
MIN_ID_LENGTH = 5
#: Amplitude's limit for every string value (ids, property values).
MAX_STRING_LENGTH = 1024
#: The most keys a property object may have (Amplitude's SDKs keep at most 1,024).
MAX_PROPERTY_KEYS = 1024
#: Ids Amplitude rejects with a 400 (compared case-insensitively, trimmed).
INVALID_IDS = frozenset(
    {
        "anonymous",
        "nil",
        "none",
        "null",
        "n/a",
        "na",
        "undefined",
        "unknown",
        '""',
        "00000000-0000-0000-0000-000000000000",
        "{}",
        "lmy47d",
        "0",
        "-1",
    }
)
#: Event types reserved for Amplitude or with a special meaning.
RESERVED_EVENT_TYPES = frozenset(
    {
        "[Amplitude] Start Session",
        "[Amplitude] End Session",
        "[Amplitude] Revenue",
        "[Amplitude] Revenue (Verified)",
        "[Amplitude] Revenue (Unverified)",
        "[Amplitude] Merged User",
        "$identify",
        "$groupidentify",
    }
)
#: Something that looks like an email address: never allowed in an export.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class ApiLimits:
    """What one request (one file) of an Amplitude upload API may hold."""

    api: str
    endpoint: str
    #: Events per request.
    max_events: int
    #: Bytes of the JSON request body.
    max_bytes: int
    #: Events of any single user_id or device_id per request (throttling guard).
    max_events_per_id: int


#: The documented limits, read conservatively (see _amplitude__docs.md): HTTP V2 "fewer
#: than 2000 events per request" and "under 1 MB"; Batch "The limit per batch is 2000
#: events" and "must not exceed 20MB". Per id: Batch throttles above 1,000 events per
#: second for a device or user, HTTP V2 above 30 (10 in its 429 description), so a file
#: sent at most once a second never exceeds the rate.
API_LIMITS: dict[str, ApiLimits] = {
    "batch": ApiLimits("batch", "https://api2.amplitude.com/batch", 2000, 20_000_000, 1000),
    "http": ApiLimits("http", "https://api2.amplitude.com/2/httpapi", 1999, 999_999, 10),
}

#: Columns of the mart that are top-level event fields, and their JSON names.
TOP_LEVEL_FIELDS: dict[str, str] = {
    "user_id": "user_id",
    "device_id": "device_id",
    "event_type": "event_type",
    "time": "time",
    "insert_id": "insert_id",
    "session_id": "session_id",
    "platform": "platform",
    "os_name": "os_name",
    "country": "country",
    "city": "city",
    "price": "price",
    "quantity": "quantity",
    "revenue": "revenue",
    "product_id": "productId",
    "revenue_type": "revenueType",
}
#: Column prefixes of the property objects (dlt's double-underscore nesting).
PROPERTY_PREFIXES: dict[str, str] = {
    "event_properties__": "event_properties",
    "user_properties__": "user_properties",
}
#: Columns of the mart kept for lineage, never sent.
LINEAGE_COLUMNS = frozenset({"event_id", "event_at"})
_INTEGER_FIELDS = ("time", "session_id", "quantity")
_NUMBER_FIELDS = ("price", "revenue")
_STRING_FIELDS = ("platform", "os_name", "country", "city", "productId", "revenueType")


class ExportError(Exception):
    """The export cannot produce valid request files; the message says why."""


# --- rows to events ------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """A warehouse value as the JSON value Amplitude expects."""
    if isinstance(value, Decimal):
        # numeric(18, 2) -> a JSON number with a fraction; a scale-0 decimal -> an integer
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


#: Warehouse value types that JSON has no type for (exact types: a fast lookup per value).
_CONVERTED_TYPES = frozenset({Decimal, datetime, date})


@functools.lru_cache(maxsize=16)
def _column_plan(columns: tuple[str, ...]) -> tuple[tuple[str, str | None, str], ...]:
    """Per sent column: (column, property object or None for top level, JSON key)."""
    plan: list[tuple[str, str | None, str]] = []
    for column in columns:
        if column in TOP_LEVEL_FIELDS:
            plan.append((column, None, TOP_LEVEL_FIELDS[column]))
            continue
        for prefix, name in PROPERTY_PREFIXES.items():
            if column.startswith(prefix):
                plan.append((column, name, column[len(prefix) :]))
                break
        else:
            if column not in LINEAGE_COLUMNS:
                raise ExportError(
                    f"column {column!r} of {RELATION} is not an Amplitude field, a property "
                    "(event_properties__*, user_properties__*) or a lineage column"
                )
    return tuple(plan)


def row_to_event(row: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the mart as an Amplitude event object (null values left out).

    Top-level fields come in column order, then ``event_properties`` and
    ``user_properties`` (left out when all their values are null).

    Raises:
        ExportError: a column is neither an API field, a property nor a lineage column.
    """
    event: dict[str, Any] = {}
    properties: dict[str, dict[str, Any]] = {}
    for column, name, key in _column_plan(tuple(row)):
        value = row[column]
        if value is None:
            continue
        if type(value) in _CONVERTED_TYPES:
            value = _json_value(value)
        if name is None:
            event[key] = value
        else:
            properties.setdefault(name, {})[key] = value
    event.update(properties)
    return event


# --- validation ---------------------------------------------------------------------------------


def _is_integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return _is_integer(value)


def _check_string(name: str, value: Any, problems: list[str]) -> None:
    if not isinstance(value, str):
        problems.append(f"{name} is not a string")
    elif len(value) > MAX_STRING_LENGTH:
        problems.append(f"{name} is longer than {MAX_STRING_LENGTH} characters")
    elif "@" in value and EMAIL_PATTERN.search(value):
        problems.append(f"{name} looks like an email address")


def _check_id(name: str, value: Any, problems: list[str]) -> None:
    _check_string(name, value, problems)
    if isinstance(value, str):
        if len(value) < MIN_ID_LENGTH:
            problems.append(f"{name} is shorter than {MIN_ID_LENGTH} characters")
        if value.strip().lower() in INVALID_IDS:
            problems.append(f"{name} {value!r} is an id Amplitude rejects")


def event_problems(event: Mapping[str, Any]) -> list[str]:
    """What makes an event break Amplitude's documented rules (empty when valid)."""
    problems: list[str] = []
    if "user_id" not in event and "device_id" not in event:
        problems.append("neither user_id nor device_id")
    for name in ("user_id", "device_id"):
        if name in event:
            _check_id(name, event[name], problems)
    event_type = event.get("event_type")
    if not isinstance(event_type, str) or not event_type:
        problems.append("event_type missing or not a string")
    else:
        _check_string("event_type", event_type, problems)
        if event_type in RESERVED_EVENT_TYPES:
            problems.append(f"event_type {event_type!r} is reserved by Amplitude")
    if "insert_id" in event:
        _check_string("insert_id", event["insert_id"], problems)
    for name in _INTEGER_FIELDS:
        if name in event and not _is_integer(event[name]):
            problems.append(f"{name} is not an integer")
    if _is_integer(event.get("time")) and event["time"] < 0:
        problems.append("time is before the epoch")
    session_id = event.get("session_id")
    if _is_integer(session_id) and session_id < 0 and session_id != -1:
        problems.append("session_id is negative but not -1")
    for name in _NUMBER_FIELDS:
        if name in event and not _is_number(event[name]):
            problems.append(f"{name} is not a number")
    for name in _STRING_FIELDS:
        if name in event:
            _check_string(name, event[name], problems)
    has_amount = "revenue" in event or ("price" in event and "quantity" in event)
    for name in ("productId", "revenueType"):
        if name in event and not has_amount:
            problems.append(f"{name} without price and quantity or revenue")
    for name in PROPERTY_PREFIXES.values():
        if name not in event:
            continue
        values = event[name]
        if not isinstance(values, dict):
            problems.append(f"{name} is not an object")
            continue
        if len(values) > MAX_PROPERTY_KEYS:
            problems.append(f"{name} has more than {MAX_PROPERTY_KEYS} keys")
        for key, value in values.items():
            if key.startswith("$"):
                problems.append(f"{name}.{key}: keys starting with $ are operations")
            if isinstance(value, str):
                _check_string(f"{name}.{key}", value, problems)
            elif not (_is_number(value) or isinstance(value, bool)):
                problems.append(f"{name}.{key} is not a string, number or boolean")
    return problems


# --- batching -----------------------------------------------------------------------------------


@dataclass
class BatchFile:
    """One written request file."""

    name: str
    events: int
    bytes: int
    sha256: str
    first_time: int | None
    last_time: int | None


@dataclass
class ExportResult:
    """What an export wrote."""

    api: str
    directory: Path
    limits: ApiLimits
    max_events_per_file: int
    api_key_is_placeholder: bool
    files: list[BatchFile] = field(default_factory=list)

    @property
    def events(self) -> int:
        """Events in all files."""
        return sum(batch.events for batch in self.files)

    @property
    def bytes(self) -> int:
        """Bytes of all files."""
        return sum(batch.bytes for batch in self.files)


class BatchWriter:
    """Packs encoded events into request files within the limits, in arrival order."""

    def __init__(
        self, directory: Path, api_key: str, limits: ApiLimits, max_events_per_file: int
    ) -> None:
        self.directory = directory
        self.limits = limits
        self.max_events = max_events_per_file
        self._prefix = b'{"api_key":' + orjson.dumps(api_key) + b',"events":['
        self._suffix = b"]}"
        self._events: list[bytes] = []
        self._size = 0
        self._ids: Counter[str] = Counter()
        self._times: list[int] = []
        self.files: list[BatchFile] = []

    def _overhead(self) -> int:
        return len(self._prefix) + len(self._suffix)

    def add(self, event: Mapping[str, Any]) -> None:
        """Add one (valid) event, starting a new file when it would not fit.

        Raises:
            ExportError: the event alone is larger than a request may be.
        """
        encoded = orjson.dumps(event)
        alone = self._overhead() + len(encoded)
        if alone > self.limits.max_bytes:
            raise ExportError(
                f"event insert_id={event.get('insert_id')!r} is {len(encoded):,} bytes: a "
                f"request holding only it would be {alone:,} bytes, over the "
                f"{self.limits.max_bytes:,}-byte limit of the {self.limits.api} API"
            )
        ids = [f"{name}:{event[name]}" for name in ("user_id", "device_id") if name in event]
        if self._events and (
            len(self._events) >= self.max_events
            or self._size + 1 + len(encoded) > self.limits.max_bytes
            or any(self._ids[key] >= self.limits.max_events_per_id for key in ids)
        ):
            self.flush()
        self._size = (self._size + 1 if self._events else self._overhead()) + len(encoded)
        self._events.append(encoded)
        self._ids.update(ids)
        if _is_integer(event.get("time")):
            self._times.append(event["time"])

    def flush(self) -> None:
        """Write the pending events as the next file (nothing when there are none)."""
        if not self._events:
            return
        body = self._prefix + b",".join(self._events) + self._suffix
        assert len(body) == self._size, "size bookkeeping out of step"
        name = f"{FILE_PREFIX}{len(self.files) + 1:05d}.json"
        (self.directory / name).write_bytes(body)
        self.files.append(
            BatchFile(
                name=name,
                events=len(self._events),
                bytes=len(body),
                sha256=hashlib.sha256(body).hexdigest(),
                first_time=min(self._times) if self._times else None,
                last_time=max(self._times) if self._times else None,
            )
        )
        self._events = []
        self._size = 0
        self._ids.clear()
        self._times = []


def _manifest(result: ExportResult, source: str) -> dict[str, Any]:
    return {
        "api": result.api,
        "endpoint": result.limits.endpoint,
        "source": source,
        "api_key": "placeholder" if result.api_key_is_placeholder else f"${API_KEY_VARIABLE}",
        "limits": {
            "max_events_per_file": result.max_events_per_file,
            "max_bytes_per_file": result.limits.max_bytes,
            "max_events_per_user_or_device_per_file": result.limits.max_events_per_id,
            "min_id_length": MIN_ID_LENGTH,
            "max_string_length": MAX_STRING_LENGTH,
            "documentation": list(DOCUMENTATION),
        },
        "files": [asdict(batch) for batch in result.files],
        "events": result.events,
        "bytes": result.bytes,
    }


def export_events(
    rows: Iterable[Mapping[str, Any]],
    out_dir: Path,
    api: str = "batch",
    events_per_file: int | None = None,
    api_key: str | None = None,
    limits: ApiLimits | None = None,
    source: str = RELATION,
) -> ExportResult:
    """Write ``rows`` (mart rows, in the order to send) as request files into ``out_dir``.

    The files go to a scratch folder next to ``out_dir`` first; only when every event
    was valid and written do they replace the previous batch files and manifest of
    ``out_dir`` (other files there are left alone).

    Args:
        rows: rows of ``marts.amplitude_events`` (column name -> value).
        out_dir: the export folder (created if needed).
        api: ``batch`` or ``http``.
        events_per_file: fewer events per file than the API allows (e.g. 10 for HTTP V2
            on Amplitude's Starter plan).
        api_key: the project API key; :data:`API_KEY_PLACEHOLDER` when ``None``.
        limits: other limits than the documented ones of ``api`` (tests).
        source: where the rows come from, for the manifest.

    Raises:
        ExportError: an invalid event, an event too large for a request, or a bad option.
    """
    if api not in API_LIMITS:
        raise ExportError(f"unknown API {api!r}: batch or http")
    limits = limits or API_LIMITS[api]
    max_events = limits.max_events if events_per_file is None else events_per_file
    if not 1 <= max_events <= limits.max_events:
        raise ExportError(
            f"--events-per-file must be between 1 and {limits.max_events:,} for the {api} API"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".amplitude-export-", dir=out_dir.parent))
    try:
        writer = BatchWriter(scratch, api_key or API_KEY_PLACEHOLDER, limits, max_events)
        for number, row in enumerate(rows, start=1):
            event = row_to_event(row)
            problems = event_problems(event)
            if problems:
                raise ExportError(
                    f"row {number:,} (insert_id={event.get('insert_id')!r}) breaks "
                    f"Amplitude's rules: {'; '.join(problems)}"
                )
            writer.add(event)
        writer.flush()
        result = ExportResult(api, out_dir, limits, max_events, api_key is None, writer.files)
        (scratch / MANIFEST).write_bytes(
            orjson.dumps(_manifest(result, source), option=orjson.OPT_INDENT_2) + b"\n"
        )
        for stale in [*out_dir.glob(f"{FILE_PREFIX}*.json"), out_dir / MANIFEST]:
            stale.unlink(missing_ok=True)
        for written in scratch.iterdir():
            os.replace(written, out_dir / written.name)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# --- reading the warehouse ----------------------------------------------------------------------


_QUERY = f"select * from {RELATION} order by time, insert_id"


def _rows(names: list[str], chunk: list[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    for values in chunk:
        yield dict(zip(names, values, strict=True))


def read_mart(target: str, chunk_rows: int = CHUNK_ROWS) -> Iterator[dict[str, Any]]:
    """Stream the rows of ``marts.amplitude_events`` in send order, ``chunk_rows`` at a time.

    Read-only, through :func:`analytics.warehouse.connect`: DuckDB opens ``$DUCKDB_PATH``
    (default ``data/warehouse.duckdb``); PostgreSQL connects with dlt's secrets or the
    libpq variables (``PG*``) and reads through a server-side cursor.
    """
    if target not in ("duckdb", "postgres"):
        raise ExportError(f"unknown target {target!r}: duckdb or postgres")
    try:
        with contextlib.ExitStack() as stack:
            if target == "duckdb":
                # The ordered read is a sort: bounded memory, spilling to a scratch folder
                # (removed after the connection is closed).
                spill = stack.enter_context(
                    tempfile.TemporaryDirectory(prefix="amplitude-export-duckdb-")
                )
                connection = stack.enter_context(connect(target))
                connection.execute(f"set memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
                connection.execute(f"set temp_directory = '{spill}'")
                cursor = connection.execute(_QUERY)
                names = [column[0] for column in cursor.description or []]
                while chunk := cursor.fetchmany(chunk_rows):
                    yield from _rows(names, chunk)
                return
            connection = stack.enter_context(connect(target))
            with connection.cursor(name="amplitude_export") as cursor:
                cursor.itersize = chunk_rows
                cursor.execute(_QUERY)
                columns: list[str] = []
                while chunk := cursor.fetchmany(chunk_rows):
                    columns = columns or [column[0] for column in cursor.description or []]
                    yield from _rows(columns, chunk)
    except WarehouseError as error:
        raise ExportError(str(error)) from error


def run_export(
    target: str,
    out_dir: Path,
    api: str = "batch",
    events_per_file: int | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """The command: export, print a one-line summary, return the exit code."""
    api_key = os.environ.get(API_KEY_VARIABLE) or None
    try:
        result = export_events(
            read_mart(target),
            out_dir,
            api=api,
            events_per_file=events_per_file,
            api_key=api_key,
            source=f"{target}:{RELATION}",
        )
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    key = (
        f"api key from ${API_KEY_VARIABLE}"
        if api_key
        else f"api key placeholder (set ${API_KEY_VARIABLE})"
    )
    print(
        f"amplitude-export: {len(result.files):,} files, {result.events:,} events, "
        f"{result.bytes:,} bytes for the {api} API (at most {result.max_events_per_file:,} "
        f"events and {result.limits.max_bytes:,} bytes per file) in {out_dir}/; {key}",
        file=out,
    )
    return 0
