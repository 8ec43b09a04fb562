"""The dlt pipeline that lands every export in the ``raw`` dataset.

One dlt resource per raw table reads its files, types each block of records
(:mod:`loaders.typing_engine`) and yields Arrow tables:

* typed rows to the table itself, merged on the table's key with dlt's
  ``delete-insert`` strategy and a ``merge_key``: a reload replaces every row
  whose key it brings, so loading the same files twice changes nothing, and
  a changed document replaces the old one. Duplicate documents *inside* one
  load are all kept (staging de-duplicates them and counts what it removed),
  which is why the key is a ``merge_key`` and not a ``primary_key`` (dlt
  would silently de-duplicate on a primary key);
* rejected records to ``_rejected_records`` (file, line, record number, raw
  text, reason, load id);
* one row per file to ``_loaded_files`` (records read, loaded, rejected).

Nothing is loaded before every file has been read: a file that cannot be
read at all raises :class:`~loaders.files.FileUnreadable` during extraction,
dlt then commits no load package and the warehouse is untouched. A run that
was killed leaves at most an uncommitted or partly loaded package; the next
run discards it and loads everything again, which the merge keys make
idempotent.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, cast

import pyarrow as pa

from .config import (
    Destination,
    duckdb_path,
    find_files,
    pipelines_dir,
    postgres_credentials,
    table_specs,
)
from .contract import (
    LOADED_AT_COLUMN,
    RAW_DATASET,
    REJECTED_TABLE,
    SOURCE_FILE_COLUMN,
    SOURCE_LINE_COLUMN,
    TableSpec,
)
from .csv_files import iter_csv
from .files import FileUnreadable
from .json_lines import iter_json_lines
from .mongo import iter_mongo_export
from .typing_engine import REASON_COLUMN, RECORD_COLUMN, TEXT_COLUMN, Typer

LOADED_FILES_TABLE = "_loaded_files"
LOAD_ID_COLUMN = "_dlt_load_id"
PIPELINE_NAME = "marketing_raw"
STAGING_LAYOUT = "_dlt_%s_staging"

_NOT_JSON_REASONS = ("not valid JSON", "not a JSON object")


@dataclass
class FileResult:
    """What happened to one file."""

    table: str
    path: str
    records: int = 0
    landed: int = 0
    rejected: int = 0
    seconds: float = 0.0
    size_bytes: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


@dataclass
class LoadReport:
    """The outcome of a load run."""

    load_id: str | None
    files: list[FileResult]
    skipped: list[str]
    seconds: float
    extract_seconds: float = 0.0
    normalize_seconds: float = 0.0
    load_seconds: float = 0.0

    @property
    def records(self) -> int:
        """Records read from all files."""
        return sum(result.records for result in self.files)

    @property
    def landed(self) -> int:
        """Rows landed in raw tables."""
        return sum(result.landed for result in self.files)

    @property
    def rejected(self) -> int:
        """Records recorded as rejected."""
        return sum(result.rejected for result in self.files)


class LoadError(Exception):
    """A load that stopped: the message names the file and the reason."""


def read_typed(spec: TableSpec, path: Path) -> Iterator[tuple[pa.Table, pa.Table]]:
    """Read and type one file: yield (typed rows, rejected records) per block.

    Raises:
        FileUnreadable: the file cannot be read, or none of its records has
            the declared format (e.g. a CSV under a JSON name).
    """
    if spec.format == "csv":
        blocks = iter_csv(path, spec)
    elif spec.format == "mongo":
        blocks = iter_mongo_export(path)
    else:
        blocks = iter_json_lines(path)
    typer = Typer(spec, is_json=spec.format != "csv")
    landed = 0
    not_json = 0
    records = 0
    try:
        for block in blocks:
            typed = typer.type_block(block)
            records += block.num_rows
            landed += typed.rows.num_rows
            if spec.format != "csv" and typed.rejected.num_rows:
                reasons = typed.rejected[REASON_COLUMN].to_pylist()
                not_json += sum(1 for reason in reasons if reason.startswith(_NOT_JSON_REASONS))
            yield typed.rows, typed.rejected
    finally:
        typer.close()
    if records and landed == 0 and not_json == records:
        kind = "a MongoDB export" if spec.format == "mongo" else "JSON lines"
        raise FileUnreadable(path, f"not {kind}: none of its {records:,} records is a JSON object")


def _column_hints(spec: TableSpec) -> dict[str, dict[str, Any]]:
    hints: dict[str, dict[str, Any]] = {}
    for column in spec.fields:
        hint: dict[str, Any] = {}
        if column.type == "json":
            hint["data_type"] = "json"
        if column.type == "timestamp":
            hint.update(data_type="timestamp", timezone=True)
        if column.name in spec.key:
            hint["nullable"] = False
        if hint:
            hints[column.name] = hint
    hints[LOADED_AT_COLUMN] = {"data_type": "timestamp", "timezone": True, "nullable": False}
    hints[SOURCE_FILE_COLUMN] = {"data_type": "text", "nullable": False}
    hints[SOURCE_LINE_COLUMN] = {"data_type": "bigint", "nullable": False}
    hints[LOAD_ID_COLUMN] = {"data_type": "text", "nullable": False}
    return hints


_REJECTED_COLUMNS: dict[str, dict[str, Any]] = {
    "table_name": {"data_type": "text", "nullable": False},
    "source_file": {"data_type": "text", "nullable": False},
    "line_number": {"data_type": "bigint", "nullable": False},
    "record_number": {"data_type": "bigint", "nullable": False},
    "record_text": {"data_type": "text"},
    "reason": {"data_type": "text", "nullable": False},
    LOADED_AT_COLUMN: {"data_type": "timestamp", "timezone": True, "nullable": False},
    LOAD_ID_COLUMN: {"data_type": "text", "nullable": False},
}

_LOADED_FILES_COLUMNS: dict[str, dict[str, Any]] = {
    "source_file": {"data_type": "text", "nullable": False},
    "table_name": {"data_type": "text", "nullable": False},
    "file_size_bytes": {"data_type": "bigint"},
    "records_read": {"data_type": "bigint", "nullable": False},
    "rows_loaded": {"data_type": "bigint", "nullable": False},
    "rows_rejected": {"data_type": "bigint", "nullable": False},
    "seconds": {"data_type": "double"},
    LOADED_AT_COLUMN: {"data_type": "timestamp", "timezone": True, "nullable": False},
    LOAD_ID_COLUMN: {"data_type": "text", "nullable": False},
}

_ARROW_OF = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def _arrow_schema(columns: dict[str, dict[str, Any]]) -> pa.Schema:
    """An Arrow schema agreeing with dlt column hints (types and nullability)."""
    return pa.schema(
        [
            pa.field(name, _ARROW_OF[hint["data_type"]], nullable=hint.get("nullable", True))
            for name, hint in columns.items()
        ]
    )


_REJECTED_SCHEMA = _arrow_schema(_REJECTED_COLUMNS)
_LOADED_FILES_SCHEMA = _arrow_schema(_LOADED_FILES_COLUMNS)


def _constant(value: Any, arrow_type: pa.DataType, length: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, arrow_type), length)


def _with_metadata(rows: pa.Table, source_file: str, loaded_at: datetime, load_id: str) -> pa.Table:
    count = rows.num_rows
    stamp = pa.timestamp("us", tz="UTC")
    return (
        rows.append_column(
            pa.field(SOURCE_FILE_COLUMN, pa.string(), nullable=False),
            _constant(source_file, pa.string(), count),
        )
        .append_column(
            pa.field(LOADED_AT_COLUMN, stamp, nullable=False), _constant(loaded_at, stamp, count)
        )
        .append_column(
            pa.field(LOAD_ID_COLUMN, pa.string(), nullable=False),
            _constant(load_id, pa.string(), count),
        )
    )


def _rejected_rows(
    rejected: pa.Table, table: str, source_file: str, loaded_at: datetime, load_id: str
) -> pa.Table:
    count = rejected.num_rows
    return pa.table(
        schema=_REJECTED_SCHEMA,
        data={
            "table_name": _constant(table, pa.string(), count),
            "source_file": _constant(source_file, pa.string(), count),
            "line_number": rejected[SOURCE_LINE_COLUMN],
            "record_number": rejected[RECORD_COLUMN],
            "record_text": rejected[TEXT_COLUMN],
            "reason": rejected[REASON_COLUMN],
            LOADED_AT_COLUMN: _constant(loaded_at, pa.timestamp("us", tz="UTC"), count),
            LOAD_ID_COLUMN: _constant(load_id, pa.string(), count),
        },
    )


def _table_resource(
    spec: TableSpec,
    files: list[Path],
    source_dir: Path,
    loaded_at: datetime,
    results: list[FileResult],
    on_file: Callable[[FileResult], None],
    table_is_empty: bool,
) -> Any:
    import dlt

    rejected_hints = dlt.mark.make_hints(
        table_name=REJECTED_TABLE, write_disposition="append", columns=cast(Any, _REJECTED_COLUMNS)
    )
    ledger_hints = dlt.mark.make_hints(
        table_name=LOADED_FILES_TABLE,
        write_disposition="merge",
        merge_key="source_file",
        columns=cast(Any, _LOADED_FILES_COLUMNS),
    )

    # Every table this resource writes is a table variant with its own hints:
    # hints set on the resource itself would leak into the two shared tables.
    # Merging into an empty table is appending, and appending skips dlt's
    # staging copy and delete (half the load time of a first load).
    disposition: Any = (
        "append" if table_is_empty else {"disposition": "merge", "strategy": "delete-insert"}
    )
    table_hints = dlt.mark.make_hints(
        table_name=spec.name,
        write_disposition=disposition,
        merge_key=list(spec.key),
        columns=cast(Any, _column_hints(spec)),
    )

    @dlt.resource(name=spec.name)
    def resource() -> Iterator[Any]:
        load_id = dlt.current.load_package_state()["load_id"]
        for path in files:
            relative = path.relative_to(source_dir).as_posix()
            result = FileResult(spec.name, relative, size_bytes=path.stat().st_size)
            started = time.perf_counter()
            for rows, rejected in read_typed(spec, path):
                result.records += rows.num_rows + rejected.num_rows
                result.landed += rows.num_rows
                result.rejected += rejected.num_rows
                if rows.num_rows:
                    yield dlt.mark.with_hints(
                        _with_metadata(rows, relative, loaded_at, load_id),
                        table_hints,
                        create_table_variant=True,
                    )
                if rejected.num_rows:
                    result.reasons.update(
                        reason.split(":")[0] if ":" in reason else reason
                        for reason in rejected[REASON_COLUMN].to_pylist()
                    )
                    yield dlt.mark.with_hints(
                        _rejected_rows(rejected, spec.name, relative, loaded_at, load_id),
                        rejected_hints,
                        create_table_variant=True,
                    )
            result.seconds = time.perf_counter() - started
            ledger = pa.Table.from_pylist(
                [
                    {
                        "source_file": relative,
                        "table_name": spec.name,
                        "file_size_bytes": result.size_bytes,
                        "records_read": result.records,
                        "rows_loaded": result.landed,
                        "rows_rejected": result.rejected,
                        "seconds": round(result.seconds, 3),
                        LOADED_AT_COLUMN: loaded_at,
                        LOAD_ID_COLUMN: load_id,
                    }
                ],
                schema=_LOADED_FILES_SCHEMA,
            )
            yield dlt.mark.with_hints(ledger, ledger_hints, create_table_variant=True)
            results.append(result)
            on_file(result)

    return resource


class _ExpectedHintWarnings(logging.Filter):
    """Hide dlt's warning that our column hints differ from the Arrow types.

    They differ on purpose: review tags travel as JSON text and land as
    JSON/JSONB because the hint says so.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "when merging arrow schema with dlt schema" not in record.getMessage()


def make_pipeline(destination: Destination, duckdb_file: Path | None = None) -> Any:
    """The dlt pipeline for a destination (DuckDB file or PostgreSQL)."""
    import dlt

    dlt_logger = logging.getLogger("dlt")
    if not any(isinstance(f, _ExpectedHintWarnings) for f in dlt_logger.filters):
        dlt_logger.addFilter(_ExpectedHintWarnings())

    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    # One resource (table) after another, in contract order: per-file timings stay true.
    os.environ.setdefault("EXTRACT__NEXT_ITEM_MODE", "fifo")
    if destination == "duckdb":
        database = duckdb_path(duckdb_file)
        database.parent.mkdir(parents=True, exist_ok=True)
        target: Any = dlt.destinations.duckdb(
            credentials=str(database), staging_dataset_name_layout=STAGING_LAYOUT
        )
        folder = pipelines_dir(destination, database)
    elif destination == "postgres":
        target = dlt.destinations.postgres(
            credentials=postgres_credentials(), staging_dataset_name_layout=STAGING_LAYOUT
        )
        folder = pipelines_dir(destination, None)
    else:
        raise ValueError(f"unknown destination {destination!r}: use duckdb or postgres")
    folder.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=target,
        dataset_name=RAW_DATASET,
        pipelines_dir=str(folder),
    )


def _print_file(result: FileResult, out: TextIO) -> None:
    rate = result.records / result.seconds if result.seconds else 0.0
    print(
        f"  {result.table:<18} {result.path:<34} {result.records:>10,} read "
        f"{result.landed:>10,} loaded {result.rejected:>7,} rejected "
        f"{result.seconds:6.2f} s ({rate:,.0f} rows/s)",
        file=out,
        flush=True,
    )


def load(
    source_dir: Path,
    destination: Destination = "duckdb",
    duckdb_file: Path | None = None,
    tables: list[str] | None = None,
    out: TextIO = sys.stdout,
) -> LoadReport:
    """Load every export present in ``source_dir`` into the ``raw`` dataset.

    Raises:
        LoadError: the source directory is missing, a file cannot be read
            (nothing is loaded then), or the landed rows do not reconcile.
    """
    import dlt
    from dlt.pipeline.exceptions import PipelineStepFailed

    started = time.perf_counter()
    if not source_dir.is_dir():
        raise LoadError(f"{source_dir}: source directory not found")
    specs = [spec for spec in table_specs() if tables is None or spec.name in tables]
    if tables:
        unknown = sorted(set(tables) - {spec.name for spec in specs})
        if unknown:
            raise LoadError(f"unknown table(s): {', '.join(unknown)}")
    loaded_at = datetime.now(UTC).replace(microsecond=0)
    results: list[FileResult] = []
    skipped: list[str] = []
    pipeline = make_pipeline(destination, duckdb_file)
    if pipeline.has_pending_data:
        print(
            "  an earlier load was interrupted: discarding its pending package, "
            "this run loads everything again",
            file=out,
        )
        pipeline.abort_packages()
    filled = _tables_with_rows(pipeline, [spec.name for spec in specs])
    resources = []
    for spec in specs:
        files = find_files(source_dir, spec)
        if not files:
            patterns = ", ".join(spec.globs)
            skipped.append(spec.name)
            print(
                f"  {spec.name:<18} skipped: no file matches {patterns} (or .gz) in {source_dir}",
                file=out,
            )
            continue
        resources.append(
            _table_resource(
                spec,
                files,
                source_dir,
                loaded_at,
                results,
                lambda r: _print_file(r, out),
                table_is_empty=spec.name not in filled,
            )
        )
    if not resources:
        print("  nothing to load", file=out)
        return LoadReport(None, [], skipped, time.perf_counter() - started)

    source = dlt.source(name="raw_exports", max_table_nesting=0)(lambda: resources)()
    try:
        step = time.perf_counter()
        extract_info = pipeline.extract(source)
        extract_seconds = time.perf_counter() - step
        step = time.perf_counter()
        pipeline.normalize()
        normalize_seconds = time.perf_counter() - step
        step = time.perf_counter()
        pipeline.load(raise_on_failed_jobs=True)
        load_seconds = time.perf_counter() - step
    except PipelineStepFailed as error:
        if pipeline.has_pending_data:
            pipeline.abort_packages()
        unreadable = _find_cause(error, FileUnreadable)
        if unreadable is not None:
            raise LoadError(
                f"{unreadable.path}: {unreadable.reason}; nothing was loaded"
            ) from unreadable
        raise LoadError(f"{error.step} failed: {error.exception}") from error
    load_id = extract_info.loads_ids[-1] if extract_info.loads_ids else None
    report = LoadReport(
        load_id,
        results,
        skipped,
        time.perf_counter() - started,
        extract_seconds,
        normalize_seconds,
        load_seconds,
    )
    if load_id is not None:
        _finish(pipeline, report)
    report.seconds = time.perf_counter() - started
    return report


def _tables_with_rows(pipeline: Any, tables: list[str]) -> set[str]:
    """The raw tables that exist and hold at least one row."""
    with pipeline.sql_client() as client:
        existing = {row[0] for row in client.execute_sql(_TABLES_SQL, RAW_DATASET)}
        filled = set()
        for table in sorted(existing & set(tables)):
            qualified = client.make_qualified_table_name(table)
            if client.execute_sql(f"select 1 from {qualified} limit 1"):
                filled.add(table)
        return filled


def _find_cause(error: BaseException, kind: type[FileUnreadable]) -> FileUnreadable | None:
    """The first exception of ``kind`` in the chain of causes (dlt wraps them twice)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _finish(pipeline: Any, report: LoadReport) -> None:
    """Drop rejects older than this load for the files it loaded, then reconcile."""
    loaded_files = {result.path for result in report.files}
    with pipeline.sql_client() as client:
        rejected_table = client.make_qualified_table_name(REJECTED_TABLE)
        tables = {row[0] for row in client.execute_sql(_TABLES_SQL, RAW_DATASET)}
        if REJECTED_TABLE in tables:
            for path in sorted(loaded_files):
                client.execute_sql(
                    f"delete from {rejected_table} "
                    f"where source_file = %s and {LOAD_ID_COLUMN} <> %s",
                    path,
                    report.load_id,
                )
        landed: dict[tuple[str, str], int] = {}
        for table in sorted({result.table for result in report.files}):
            if table not in tables:
                continue
            qualified = client.make_qualified_table_name(table)
            for source_file, count in client.execute_sql(
                f"select {SOURCE_FILE_COLUMN}, count(*) from {qualified} "
                f"where {LOAD_ID_COLUMN} = %s group by 1",
                report.load_id,
            ):
                landed[(table, source_file)] = int(count)
        rejected: dict[str, int] = {}
        if REJECTED_TABLE in tables:
            for source_file, count in client.execute_sql(
                f"select source_file, count(*) from {rejected_table} "
                f"where {LOAD_ID_COLUMN} = %s group by 1",
                report.load_id,
            ):
                rejected[source_file] = int(count)
    problems = []
    for result in report.files:
        in_table = landed.get((result.table, result.path), 0)
        in_rejects = rejected.get(result.path, 0)
        if in_table != result.landed or in_rejects != result.rejected:
            problems.append(
                f"{result.path}: read {result.records:,}, but the warehouse holds "
                f"{in_table:,} rows and {in_rejects:,} rejected records from this load"
            )
    if problems:
        raise LoadError("rows do not reconcile: " + "; ".join(problems))


_TABLES_SQL = "select table_name from information_schema.tables where table_schema = %s"


def print_summary(report: LoadReport, out: TextIO = sys.stdout) -> None:
    """The end-of-load summary: per table and in total, read = loaded + rejected."""
    if not report.files:
        return
    print("", file=out)
    print(f"  {'table':<18} {'files':>5} {'read':>11} {'loaded':>11} {'rejected':>9}", file=out)
    for table in dict.fromkeys(result.table for result in report.files):
        mine = [result for result in report.files if result.table == table]
        print(
            f"  {table:<18} {len(mine):>5} {sum(r.records for r in mine):>11,} "
            f"{sum(r.landed for r in mine):>11,} {sum(r.rejected for r in mine):>9,}",
            file=out,
        )
    rate = report.records / report.seconds if report.seconds else 0.0
    print(
        f"  {'total':<18} {len(report.files):>5} {report.records:>11,} {report.landed:>11,} "
        f"{report.rejected:>9,}",
        file=out,
    )
    print(
        f"\n  load {report.load_id} into '{RAW_DATASET}': {report.seconds:.2f} s "
        f"({rate:,.0f} records/s; extract {report.extract_seconds:.2f} s, "
        f"normalize {report.normalize_seconds:.2f} s, load {report.load_seconds:.2f} s)",
        file=out,
    )
    if report.rejected:
        reasons: Counter[str] = Counter()
        for result in report.files:
            reasons.update(result.reasons)
        top = ", ".join(f"{reason} ({count:,})" for reason, count in reasons.most_common(5))
        print(
            f"  rejected records are in {RAW_DATASET}.{REJECTED_TABLE} with file, line and reason;"
            f" most common: {top}",
            file=out,
        )
