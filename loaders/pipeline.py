"""The dlt pipeline that lands every export in the ``raw`` dataset.

Files are read and typed by :mod:`loaders.workers` (in two worker processes
when there is enough data), each into a Parquet file of typed rows and one of
rejected records. One dlt resource per raw table imports its files as they
are:

* typed rows go to the table itself, merged on the table's key with dlt's
  ``delete-insert`` strategy and a ``merge_key``: a reload replaces every row
  whose key it brings, so loading the same files twice changes nothing, and
  a changed document replaces the old one. Duplicate documents *inside* one
  load are all kept (staging de-duplicates them and counts what it removed),
  which is why the key is a ``merge_key`` and not a ``primary_key`` (dlt
  would silently de-duplicate on a primary key). Into an empty table the
  rows are simply appended, which is the same and twice as fast;
* rejected records go to ``_rejected_records`` (file, line, record number,
  raw text, reason, load id);
* one row per file goes to ``_loaded_files`` (lines and records read,
  loaded, rejected; the contract columns the file has no column for, each
  also a warning line; the amount read and the amount rejected, for revenue
  reconciliation), in a package of its own that is loaded last.

Nothing is loaded before every file has been read: a file that cannot be
read at all raises :class:`~loaders.files.FileUnreadable` during extraction,
dlt then commits no load package and the warehouse is untouched. A run that
was killed leaves at most an uncommitted or partly loaded package; the next
run discards it and loads everything again, which the merge keys make
idempotent. After the load, the rows and rejects in the warehouse are counted
per file and must equal what was read.

The raw tables are the only copy of the loaded values the load leaves: dlt's merge
staging dataset (``_dlt_raw_staging``, filled on reloads) is emptied and the data
files of its load packages are deleted after every load, and what a killed load
left in either is cleared by the next one.

The ledger never claims rows the raw tables do not hold: before the raw
package is loaded, the ledger rows of the files it reloads are deleted, and
the new ones are only written once every raw row has landed and reconciled.
A load killed in between leaves those files out of ``_loaded_files`` until
the next run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

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
    TableSpec,
)
from .duckdb_settings import DUCKDB_SETTINGS
from .files import ConfigurationMismatch, FileUnreadable
from .workers import LOAD_ID_COLUMN, REJECTED_SCHEMA, FileJob, FileResult, Stager, raw_schema

_Cause = TypeVar("_Cause", bound=BaseException)

LOADED_FILES_TABLE = "_loaded_files"
PIPELINE_NAME = "marketing_raw"
STAGING_LAYOUT = "_dlt_%s_staging"


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


_DLT_TYPES: dict[pa.DataType, str] = {
    pa.string(): "text",
    pa.int64(): "bigint",
    pa.float64(): "double",
    pa.bool_(): "bool",
    pa.date32(): "date",
    pa.timestamp("us", tz="UTC"): "timestamp",
}


def dlt_columns(schema: pa.Schema, json_columns: tuple[str, ...] = ()) -> dict[str, Any]:
    """Dlt column hints agreeing with an Arrow schema (types and nullability).

    ``json_columns`` hold JSON text and land as JSON (DuckDB) / JSONB (PostgreSQL).
    """
    columns: dict[str, Any] = {}
    for column in schema:
        hint: dict[str, Any] = {
            "data_type": "json" if column.name in json_columns else _DLT_TYPES[column.type],
            "nullable": column.nullable,
        }
        if hint["data_type"] == "timestamp":
            hint["timezone"] = True
        columns[column.name] = hint
    return columns


LOADED_FILES_SCHEMA = pa.schema(
    [
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("table_name", pa.string(), nullable=False),
        pa.field("file_size_bytes", pa.int64()),
        pa.field("records_read", pa.int64(), nullable=False),
        pa.field("rows_loaded", pa.int64(), nullable=False),
        pa.field("rows_rejected", pa.int64(), nullable=False),
        pa.field("seconds", pa.float64()),
        pa.field(LOADED_AT_COLUMN, pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field(LOAD_ID_COLUMN, pa.string(), nullable=False),
        # Contract columns the file has no column for, comma-separated in contract order.
        pa.field("missing_columns", pa.string()),
        # Sums of the records' amounts (null for tables without amount terms).
        pa.field("amount_read", pa.float64()),
        pa.field("amount_rejected", pa.float64()),
        pa.field("rejected_without_amount", pa.int64()),
        # Physical lines (header and blank lines too) of line-oriented files.
        pa.field("lines_read", pa.int64()),
    ]
)


def _rows_in(parquet_file: str) -> int:
    """Rows of a Parquet file, from its footer."""
    return int(pq.ParquetFile(parquet_file).metadata.num_rows)


def _table_rows(
    spec: TableSpec,
    jobs: list[FileJob],
    stager: Stager,
    results: list[FileResult],
    out: TextIO,
) -> Callable[[], Iterator[Any]]:
    """The generator of one raw table's resource: the staged Parquet files to import."""
    import dlt

    def table_rows() -> Iterator[Any]:
        stager.start(dlt.current.load_package_state()["load_id"])
        schema_of_files = raw_schema(spec).empty_table()
        for job in jobs:
            staged = stager.staged(job)
            results.append(staged.result)
            _print_file(staged.result, out)
            _print_missing_columns(staged.result, spec.format == "csv", out)
            for path, rows in staged.rows_files:
                yield dlt.mark.with_file_import(
                    path, stager.rows_format, rows, hints=schema_of_files
                )

    return table_rows


def _resources(
    plans: list[tuple[TableSpec, list[FileJob]]],
    stager: Stager,
    results: list[FileResult],
    filled: set[str],
    out: TextIO,
) -> list[Any]:
    """One resource per raw table, then the rejected records.

    dlt evaluates them one after another (FIFO), so when the rejected
    records' resource runs, every file has been staged.
    """
    import dlt

    resources: list[Any] = []
    for spec, jobs in plans:
        # Merging into an empty table is appending, and appending skips dlt's
        # staging copy and delete (half the load time of a first load).
        disposition: Any = (
            {"disposition": "merge", "strategy": "delete-insert"}
            if spec.name in filled
            else "append"
        )

        table_rows = _table_rows(spec, jobs, stager, results, out)
        resources.append(
            dlt.resource(
                table_rows,
                name=spec.name,
                write_disposition=disposition,
                merge_key=list(spec.key),
                columns=dlt_columns(
                    raw_schema(spec),
                    tuple(column.name for column in spec.fields if column.type == "json"),
                ),
            )
        )
    jobs = [job for _, file_jobs in plans for job in file_jobs]

    def rejected_records() -> Iterator[Any]:
        schema_of_files = REJECTED_SCHEMA.empty_table()
        for job in jobs:
            staged = stager.staged(job)
            for path in staged.rejected_paths:
                yield dlt.mark.with_file_import(
                    path, "parquet", _rows_in(path), hints=schema_of_files
                )

    resources.append(
        dlt.resource(
            rejected_records,
            name=REJECTED_TABLE,
            write_disposition="append",
            columns=dlt_columns(REJECTED_SCHEMA),
        )
    )
    return resources


def _ledger_rows(report: LoadReport, loaded_at: datetime) -> list[dict[str, Any]]:
    """The ``_loaded_files`` rows of a load: one per file."""
    return [
        {
            "source_file": result.path,
            "table_name": result.table,
            "file_size_bytes": result.size_bytes,
            "records_read": result.records,
            "rows_loaded": result.landed,
            "rows_rejected": result.rejected,
            "seconds": round(result.seconds, 3),
            LOADED_AT_COLUMN: loaded_at,
            LOAD_ID_COLUMN: report.load_id,
            "lines_read": result.lines,
            "missing_columns": ",".join(result.missing_columns) or None,
            "amount_read": result.amount_read,
            "amount_rejected": result.amount_rejected,
            "rejected_without_amount": result.rejected_without_amount,
        }
        for result in report.files
    ]


class _ExpectedHintWarnings(logging.Filter):
    """Hide dlt's warning that our column hints differ from the Arrow types.

    They differ on purpose: review tags travel as JSON text and land as
    JSON/JSONB because the hint says so.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "when merging arrow schema with dlt schema" not in record.getMessage()


class _OneLineJobWarnings(logging.Filter):
    """Shorten dlt's warnings about a failed load job to one line, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Traceback (most recent call last)" in message:
            record.msg, record.args = one_line(message), ()
        return True


def one_line(message: str) -> str:
    """A message on one line: its first line, and the exception a traceback in it ends with."""
    lines = [line for line in message.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    marker = "Traceback (most recent call last):"
    if marker not in message:
        return first
    first = first.split(marker)[0].rstrip()
    for line in message.split(marker, 1)[1].splitlines():
        if line.strip() and not line[0].isspace():
            return f"{first} {line.strip()}".strip()
    return first


def make_pipeline(destination: Destination, duckdb_file: Path | None = None) -> Any:
    """The dlt pipeline for a destination (DuckDB file or PostgreSQL)."""
    import dlt

    dlt_logger = logging.getLogger("dlt")
    for kind in (_ExpectedHintWarnings, _OneLineJobWarnings):
        if not any(isinstance(f, kind) for f in dlt_logger.filters):
            dlt_logger.addFilter(kind())

    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    # One resource (table) after another, in contract order: per-file timings stay true.
    os.environ.setdefault("EXTRACT__NEXT_ITEM_MODE", "fifo")
    # No copy of the loaded values outside the raw tables (personal data included): after
    # each load dlt empties the tables of the merge staging dataset and deletes the data
    # files of the completed jobs. Forced: no configuration may turn them off.
    os.environ["LOAD__TRUNCATE_STAGING_DATASET"] = "true"
    os.environ["LOAD__DELETE_COMPLETED_JOBS"] = "true"
    if destination == "duckdb":
        database = duckdb_path(duckdb_file)
        database.parent.mkdir(parents=True, exist_ok=True)
        from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

        target: Any = dlt.destinations.duckdb(
            credentials=DuckDbCredentials(str(database), local_config=dict(DUCKDB_SETTINGS)),
            staging_dataset_name_layout=STAGING_LAYOUT,
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


def _print_missing_columns(result: FileResult, is_csv: bool, out: TextIO) -> None:
    """One warning line per contract column the file has no column for."""
    what = "header" if is_csv else "key"
    for column in result.missing_columns:
        close = result.close_matches.get(column)
        hint = f' (close {what}: "{close}")' if close else ""
        print(f"  warning: {result.path}: no column for {column}{hint}", file=out, flush=True)


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

    started = time.perf_counter()
    if not source_dir.is_dir():
        raise LoadError(f"{source_dir}: source directory not found")
    try:
        configured = table_specs()
    except ValueError as error:
        raise LoadError(f"configuration: {error}") from error
    specs = [spec for spec in configured if tables is None or spec.name in tables]
    if tables:
        unknown = sorted(set(tables) - {spec.name for spec in specs})
        if unknown:
            raise LoadError(f"unknown table(s): {', '.join(unknown)}")
    loaded_at = datetime.now(UTC).replace(microsecond=0)
    results: list[FileResult] = []
    skipped: list[str] = []
    plans: list[tuple[TableSpec, list[FileJob]]] = []
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
        jobs = [FileJob(spec, path, path.relative_to(source_dir).as_posix()) for path in files]
        plans.append((spec, jobs))
    if not plans:
        print("  nothing to load", file=out)
        return LoadReport(None, [], skipped, time.perf_counter() - started)
    _refuse_shared_files(plans)

    folder = pipelines_dir(
        destination, duckdb_path(duckdb_file) if destination == "duckdb" else None
    )
    typed_files = folder / PIPELINE_NAME / "typed_files"
    shutil.rmtree(typed_files, ignore_errors=True)  # left by a killed run
    typed_files.mkdir(parents=True)
    staging_dir = Path(tempfile.mkdtemp(prefix="run-", dir=typed_files))
    # PostgreSQL loads CSV with COPY; dlt would otherwise convert Parquet to CSV itself.
    stager = Stager(
        [job for _, jobs in plans for job in jobs],
        staging_dir,
        loaded_at,
        rows_format="csv" if destination == "postgres" else "parquet",
    )
    stager.warm_up()  # the workers start while dlt sets up
    pipeline: Any = None
    try:
        try:
            pipeline = make_pipeline(destination, duckdb_file)
            if pipeline.has_pending_data:
                print(
                    "  an earlier load was interrupted: discarding its pending package, "
                    "this run loads everything again",
                    file=out,
                )
                pipeline.abort_packages()
            filled = _tables_with_rows(pipeline, [spec.name for spec in specs])
        except Exception as error:
            where = duckdb_path(duckdb_file) if destination == "duckdb" else "PostgreSQL"
            raise LoadError(
                f"cannot open the warehouse ({where}): {_root_message(error)}"
            ) from error
        resources = _resources(plans, stager, results, filled, out)
        source = dlt.source(name="raw_exports", max_table_nesting=0)(lambda: resources)()
        reloaded = [job.relative for _, jobs in plans for job in jobs]
        extract_info, (extract_seconds, normalize_seconds, load_seconds) = _run_steps(
            pipeline, source, stager, reloaded
        )
    except BaseException:
        if pipeline is not None:  # best effort: the error that stopped the load is the news
            with contextlib.suppress(Exception):
                _clear_load_leftovers(pipeline)
        stager.abort()  # interrupted or failed: the workers' files are of no use
        raise
    finally:
        stager.close()
        shutil.rmtree(staging_dir, ignore_errors=True)
    try:
        _clear_load_leftovers(pipeline)
    except Exception as error:
        raise LoadError(
            f"loaded, but dlt's staging copy could not be cleared: {_root_message(error)}"
        ) from error
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
        _finish(pipeline, report, loaded_at)
    report.seconds = time.perf_counter() - started
    return report


def _clear_load_leftovers(pipeline: Any) -> None:
    """Leave no copy of loaded values outside the raw tables, in the warehouse or on disk.

    dlt copies a reload's rows into its merge staging dataset (``_dlt_raw_staging``) and
    keeps every load package's data files in its working folder; both hold the values in
    clear, emails and phones included. dlt itself empties the staging tables after a
    load and deletes the files of completed jobs (see :func:`make_pipeline`). What a
    killed or failed load left behind goes here: rows in staging tables (of any table,
    merged this time or not) and the job files of aborted packages (dlt keeps those of
    failed jobs). dlt's own tables (``_dlt_version``) and each package's metadata
    (state, schema, outcome) stay: they hold no loaded value.
    """
    from dlt.common.storages.load_package import PackageStorage
    from dlt.common.storages.load_storage import LoadStorage

    with pipeline.sql_client() as client:
        staging = client.staging_dataset_name
        tables = sorted(
            row[0]
            for row in client.execute_sql(_TABLES_SQL, staging)
            if not str(row[0]).startswith("_dlt_")
        )
        if tables:
            with client.with_staging_dataset():
                client.truncate_tables(*tables)
    loaded = Path(pipeline.working_dir) / "load" / LoadStorage.LOADED_FOLDER
    job_folders = (
        PackageStorage.NEW_JOBS_FOLDER,
        PackageStorage.STARTED_JOBS_FOLDER,
        PackageStorage.FAILED_JOBS_FOLDER,
        PackageStorage.COMPLETED_JOBS_FOLDER,
        PackageStorage.EXCEPTIONS_FOLDER,  # a database error may quote a value
    )
    for package in sorted(loaded.iterdir()) if loaded.is_dir() else []:
        for folder in job_folders:
            for job_file in (package / folder).glob("*"):
                if job_file.is_file():
                    job_file.unlink()


def _refuse_shared_files(plans: list[tuple[TableSpec, list[FileJob]]]) -> None:
    """Stop before anything is read when one file would feed two tables.

    Raises:
        LoadError: naming the file and the tables whose globs both match it.
    """
    tables_of: dict[str, list[str]] = {}
    for spec, jobs in plans:
        for job in jobs:
            tables_of.setdefault(job.relative, []).append(spec.name)
    shared = {path: names for path, names in tables_of.items() if len(names) > 1}
    if shared:
        described = "; ".join(f"{path} ({' and '.join(names)})" for path, names in shared.items())
        raise LoadError(f"files matched by the globs of more than one table: {described}")


def _root_message(error: BaseException) -> str:
    """The first line of the innermost cause: what actually went wrong."""
    while error.__cause__ is not None:
        error = error.__cause__
    message = (str(error).strip().splitlines() or [type(error).__name__])[0]
    # dlt wraps database errors in advice about credentials and the internet.
    return message.split("The actual reason given is: ")[-1]


def _run_steps(
    pipeline: Any, source: Any, stager: Stager, reloaded: list[str]
) -> tuple[Any, tuple[float, ...]]:
    """Run dlt's extract, normalize and load; return the extract info and their timings.

    Before the load step, the ledger forgets the ``reloaded`` files: from then
    on until the new ledger rows are written, it claims nothing about them.

    Raises:
        LoadError: a file cannot be read (nothing is loaded then) or a step failed.
    """
    from dlt.pipeline.exceptions import PipelineStepFailed

    try:
        step = time.perf_counter()
        extract_info = pipeline.extract(source)
        extract_seconds = time.perf_counter() - step
        stager.close()
        step = time.perf_counter()
        pipeline.normalize()
        normalize_seconds = time.perf_counter() - step
        step = time.perf_counter()
        _forget_ledger_rows(pipeline, reloaded)
        pipeline.load(raise_on_failed_jobs=True)
        load_seconds = time.perf_counter() - step
    except PipelineStepFailed as error:
        stager.close()
        if pipeline.has_pending_data:
            pipeline.abort_packages()
        unreadable = _find_cause(error, FileUnreadable)
        if unreadable is not None:
            prefix = "configuration: " if isinstance(unreadable, ConfigurationMismatch) else ""
            raise LoadError(
                f"{prefix}{unreadable.path}: {unreadable.reason}; nothing was loaded"
            ) from unreadable
        if _find_cause(error, BrokenProcessPool) is not None:
            raise LoadError(
                "a worker process stopped before its files were read (interrupted, or "
                "killed for lack of memory); nothing was loaded"
            ) from error
        raise LoadError(f"{error.step} failed: {one_line(str(error.exception))}") from error
    return extract_info, (extract_seconds, normalize_seconds, load_seconds)


def _forget_ledger_rows(pipeline: Any, files: list[str]) -> None:
    """Delete the ledger rows of files about to be reloaded (one statement, atomic)."""
    with pipeline.sql_client() as client:
        tables = {row[0] for row in client.execute_sql(_TABLES_SQL, RAW_DATASET)}
        if LOADED_FILES_TABLE not in tables or not files:
            return
        placeholders = ", ".join(["%s"] * len(files))
        client.execute_sql(
            f"delete from {client.make_qualified_table_name(LOADED_FILES_TABLE)} "
            f"where source_file in ({placeholders})",
            *files,
        )


def _insert_ledger_rows(client: Any, rows: list[dict[str, Any]]) -> bool:
    """Replace the files' ledger rows in one transaction; False if the table cannot take them.

    The table must exist with every column; otherwise dlt has to create or
    widen it (:func:`_write_ledger`).
    """
    names = LOADED_FILES_SCHEMA.names
    columns = {
        row[0]
        for row in client.execute_sql(
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s",
            RAW_DATASET,
            LOADED_FILES_TABLE,
        )
    }
    if not columns >= set(names):
        return False
    table = client.make_qualified_table_name(LOADED_FILES_TABLE)
    files = [row["source_file"] for row in rows]
    values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(rows))
    with client.begin_transaction():
        client.execute_sql(
            f"delete from {table} where source_file in ({', '.join(['%s'] * len(files))})",
            *files,
        )
        client.execute_sql(
            f"insert into {table} ({', '.join(names)}) values {values}",
            *[row[name] for row in rows for name in names],
        )
    return True


def _write_ledger(pipeline: Any, report: LoadReport, loaded_at: datetime) -> None:
    """Load the ledger rows through dlt, which creates or widens ``_loaded_files``.

    A package of its own (about a second), only when the table is new or
    lacks a column: later loads insert the rows directly.

    Raises:
        LoadError: the ledger could not be loaded (the raw tables are complete).
    """
    import dlt
    from dlt.pipeline.exceptions import PipelineStepFailed

    rows = _ledger_rows(report, loaded_at)
    resource = dlt.resource(
        lambda: iter([pa.Table.from_pylist(rows, schema=LOADED_FILES_SCHEMA)]),
        name=LOADED_FILES_TABLE,
        write_disposition="merge",
        merge_key="source_file",
        columns=dlt_columns(LOADED_FILES_SCHEMA),
    )
    source = dlt.source(name="raw_exports", max_table_nesting=0)(lambda: [resource])()
    try:
        pipeline.extract(source)
        pipeline.normalize()
        pipeline.load(raise_on_failed_jobs=True)
    except PipelineStepFailed as error:
        if pipeline.has_pending_data:
            pipeline.abort_packages()
        raise LoadError(
            f"the raw tables are loaded, but not the file ledger ({LOADED_FILES_TABLE}): "
            f"{error.step} failed: {one_line(str(error.exception))}"
        ) from error


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


def _find_cause(error: BaseException, kind: type[_Cause]) -> _Cause | None:
    """The first exception of ``kind`` in the chain of causes (dlt wraps them twice)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _finish(pipeline: Any, report: LoadReport, loaded_at: datetime) -> None:
    """Make each file's rows and rejects exactly its latest version's; reconcile; ledger.

    The merge replaced every row whose key the new version of a file brings;
    rows and rejects of an older version of the same file that the new one
    no longer has are deleted here. Then, per file, the rows and rejected
    records in the warehouse must equal what was read; only then are the
    files' ledger rows written (:func:`_write_ledger`).

    Raises:
        LoadError: the rows do not reconcile (the ledger is not written), or
            the ledger could not be written.
    """
    written = False
    with pipeline.sql_client() as client:
        tables = {row[0] for row in client.execute_sql(_TABLES_SQL, RAW_DATASET)}
        holders = [(result.table, SOURCE_FILE_COLUMN, result.path) for result in report.files]
        holders += [(REJECTED_TABLE, "source_file", result.path) for result in report.files]
        for table, file_column, path in holders:
            if table in tables:
                client.execute_sql(
                    f"delete from {client.make_qualified_table_name(table)} "
                    f"where {file_column} = %s and {LOAD_ID_COLUMN} <> %s",
                    path,
                    report.load_id,
                )
        held: dict[tuple[str, str], int] = {}
        for table in sorted({result.table for result in report.files} | {REJECTED_TABLE}):
            if table not in tables:
                continue
            file_column = "source_file" if table == REJECTED_TABLE else SOURCE_FILE_COLUMN
            for path, count in client.execute_sql(
                f"select {file_column}, count(*) "
                f"from {client.make_qualified_table_name(table)} group by 1"
            ):
                held[(table, path)] = int(count)
        problems = []
        for result in report.files:
            rows = held.get((result.table, result.path), 0)
            rejects = held.get((REJECTED_TABLE, result.path), 0)
            if rows != result.landed or rejects != result.rejected:
                problems.append(
                    f"{result.path}: read {result.records:,} ({result.landed:,} rows, "
                    f"{result.rejected:,} rejected), but the warehouse holds {rows:,} rows "
                    f"and {rejects:,} rejected records from it"
                )
        if problems:
            raise LoadError("rows do not reconcile: " + "; ".join(problems))
        written = _insert_ledger_rows(client, _ledger_rows(report, loaded_at))
    if not written:
        _write_ledger(pipeline, report, loaded_at)


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
