"""Reading and typing export files in parallel, to Parquet files dlt imports as they are.

Each file is read and typed by :func:`stage_file`, in a pool of worker
processes when there is enough data to pay for them (two cores: one file per
core, largest first). A worker writes two Parquet files: the typed rows with
the metadata columns (``_source_file``, ``_source_line``, ``_loaded_at``,
``_dlt_load_id``), exactly as the raw table stores them, and the rejected
records. dlt then imports those files into its load package without
re-encoding them, so the main process only orchestrates.

Every file's counts are checked where they are made: the records the reader
produced must be the rows plus the rejects the typer returned, and (for
line-oriented formats) every line of the file must belong to exactly one
record or to none (:class:`~loaders.records.LineLedger`); otherwise the file
stops the load. Worker processes watch their parent: when the loader dies
(killed, or a terminal closed), they exit at once instead of finishing their
file for nobody.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import math
import multiprocessing
import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .contract import LOADED_AT_COLUMN, SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN, TableSpec
from .csv_files import CsvLayout, close_match, iter_csv
from .files import ByteRange, ConfigurationMismatch, FileUnreadable, is_gzip, split_into_ranges
from .json_lines import iter_json_file, iter_json_lines, lines_hold_whole_documents
from .mongo import detect_layout, iter_mongo_export
from .records import LineLedger
from .typing_engine import (
    AMOUNT_COLUMN,
    ARROW_TYPES,
    REASON_COLUMN,
    RECORD_COLUMN,
    TEXT_COLUMN,
    TypedBlock,
    Typer,
)

LOAD_ID_COLUMN = "_dlt_load_id"

#: Below this many bytes of input, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 24 * 1024 * 1024
WORKERS = 2
#: JSON-lines files are read in parts of about this size (in worker processes).
SPLIT_BYTES = 96 * 1024 * 1024
#: How often a worker process checks that the loader that started it still runs.
PARENT_POLL_SECONDS = 0.2

_NOT_BSON_REASONS = ("corrupt BSON", "truncated BSON")
_NOT_JSON_REASONS = ("not valid JSON", "not a JSON object", *_NOT_BSON_REASONS)
_SAMPLE_VALUE = re.compile(r': ".*"$')
_STAMP = pa.timestamp("us", tz="UTC")


@dataclass
class FileResult:
    """What happened to one file.

    ``missing_columns`` are the contract columns the file has no column for
    (in contract order; columns given a constant are not missing), with a
    close header or key for some in ``close_matches``. The amounts are the
    sums of the records' amounts (see :class:`~loaders.typing_engine.TypedBlock`)
    read and rejected, None for a table without amount terms.
    ``lines`` are the file's physical lines (header and blank lines
    included) for line-oriented formats, None for BSON and for JSON whose
    documents may share lines.
    """

    table: str
    path: str
    records: int = 0
    landed: int = 0
    rejected: int = 0
    seconds: float = 0.0
    size_bytes: int = 0
    not_json: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    missing_columns: tuple[str, ...] = ()
    close_matches: dict[str, str] = field(default_factory=dict)
    amount_read: float | None = None
    amount_rejected: float | None = None
    rejected_without_amount: int | None = None
    #: JSON: contract columns some record has; a sample of the documents' paths.
    present_columns: set[str] = field(default_factory=set)
    document_paths: set[str] = field(default_factory=set)
    lines: int | None = None


RowsFormat = Literal["parquet", "csv"]


@dataclass
class StagedFile:
    """A file (or a part of one) read and typed: its counts and the files to import.

    ``rows_files`` are the typed rows, each with its row count, in the format
    the destination loads fastest (Parquet for DuckDB, CSV for PostgreSQL's
    COPY); ``rejected_paths`` are Parquet files of rejected records.
    """

    result: FileResult
    rows_files: list[tuple[str, int]]
    rejected_paths: list[str]


def raw_schema(spec: TableSpec) -> pa.Schema:
    """The Arrow schema of a raw table: contract columns, then the metadata columns."""
    return pa.schema(
        [
            pa.field(column.name, ARROW_TYPES[column.type], nullable=column.name not in spec.key)
            for column in spec.fields
        ]
        + [
            pa.field(SOURCE_LINE_COLUMN, pa.int64(), nullable=False),
            pa.field(SOURCE_FILE_COLUMN, pa.string(), nullable=False),
            pa.field(LOADED_AT_COLUMN, _STAMP, nullable=False),
            pa.field(LOAD_ID_COLUMN, pa.string(), nullable=False),
        ]
    )


REJECTED_SCHEMA = pa.schema(
    [
        pa.field("table_name", pa.string(), nullable=False),
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("line_number", pa.int64(), nullable=False),
        pa.field("record_number", pa.int64(), nullable=False),
        pa.field("record_text", pa.string()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field(LOADED_AT_COLUMN, _STAMP, nullable=False),
        pa.field(LOAD_ID_COLUMN, pa.string(), nullable=False),
        # The record's amount from the values that could be typed (null: none
        # could, or the table has no amount terms).
        pa.field("amount", pa.float64()),
    ]
)


def read_typed(
    spec: TableSpec,
    path: Path,
    threads: int | None = None,
    byte_range: ByteRange | None = None,
    on_layout: Callable[[CsvLayout], None] | None = None,
    ledger: LineLedger | None = None,
) -> Iterator[TypedBlock]:
    """Read and type one file, or a range of it: yield each block typed.

    ``on_layout`` is called with a CSV file's header layout once it is read.

    ``ledger`` is filled with the reader's line and record counts.

    Raises:
        FileUnreadable: the file cannot be read, or its lines do not add up.
    """
    if spec.format == "csv":
        blocks = iter_csv(path, spec, on_layout, ledger=ledger)
    elif spec.format == "mongo":
        blocks = iter_mongo_export(path, byte_range, ledger=ledger)
    elif byte_range is not None:
        blocks = iter_json_lines(path, byte_range, ledger=ledger)
    else:
        blocks = iter_json_file(path, ledger=ledger)
    typer = Typer(spec, is_json=spec.format != "csv", threads=threads)
    try:
        for block in blocks:
            yield typer.type_block(block)
    finally:
        typer.close()


def check_format(spec: TableSpec, path: Path, result: FileResult) -> None:
    """A JSON export none of whose records is a JSON object is not that format at all.

    Raises:
        FileUnreadable: the file is not JSON lines / a MongoDB export.
    """
    if result.records and result.landed == 0 and result.not_json == result.records:
        if any(reason.startswith(_NOT_BSON_REASONS) for reason in result.reasons):
            raise FileUnreadable(
                path, f"not a BSON file: none of its {result.records:,} documents decodes"
            )
        kind = "a MongoDB export" if spec.format == "mongo" else "JSON lines"
        raise FileUnreadable(
            path, f"not {kind}: none of its {result.records:,} records is a JSON object"
        )


def check_columns(spec: TableSpec, path: Path, result: FileResult) -> None:
    """Which contract columns a JSON file lacks; stop when it lacks a required one.

    A column is there when some record of the file has its path. The close
    key of a missing column comes from a sample of the documents' paths.

    Raises:
        FileUnreadable: no record has a required column (the key, an amount).
        ConfigurationMismatch: a record has a column the configuration gives
            a constant.
    """
    if spec.format == "csv" or not result.records or result.not_json == result.records:
        return
    constants = spec.constant_values
    clashing = [name for name in constants if name in result.present_columns]
    if clashing:
        raise ConfigurationMismatch(
            path,
            f"{spec.name}.constants.{clashing[0]}: records of the file have "
            f"{clashing[0]}; map it or remove the constant",
        )
    contract_paths = {"__".join(column.json_path) for column in spec.fields}
    candidates = {
        document_path.lower(): document_path.replace("__", ".")
        for document_path in result.document_paths
        if document_path not in contract_paths
        and not any(known.startswith(document_path + "__") for known in contract_paths)
    }
    result.missing_columns = tuple(
        column.name
        for column in spec.fields
        if column.name not in result.present_columns and column.name not in constants
    )
    result.close_matches = {}
    for name in result.missing_columns:
        found = close_match("__".join(spec.field(name).json_path).lower(), candidates)
        if found is not None:
            result.close_matches[name] = found
    lacking = [name for name in spec.required if name in result.missing_columns]
    if lacking:
        described = []
        for name in lacking:
            kind = "key" if name in spec.key else "amount" if name in spec.amount_columns else ""
            close = result.close_matches.get(name)
            described.append(
                f"the {kind or 'required'} field {'.'.join(spec.field(name).json_path)}"
                + (f' (close key: "{close}")' if close else "")
            )
        raise FileUnreadable(
            path,
            f"not a {spec.name} export: no record of the file has {', '.join(described)}",
        )


def _constant(value: Any, arrow_type: pa.DataType, length: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, arrow_type), length)


class _RowsWriter:
    """Writes typed rows to one Parquet or CSV file (dlt's CSV dialect: header, comma)."""

    def __init__(self, path: str, schema: pa.Schema, rows_format: RowsFormat) -> None:
        self.writer: pq.ParquetWriter | pacsv.CSVWriter
        if rows_format == "csv":
            options = pacsv.WriteOptions(include_header=True, delimiter=",")
            self.writer = pacsv.CSVWriter(path, schema, write_options=options)
        else:
            self.writer = pq.ParquetWriter(path, schema)

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()


def staging_name(relative: str) -> str:
    """A short name for a source file's staged files, whatever the length of its path.

    A file name may have 255 bytes and sit in deep folders; names derived
    from the path itself would overflow the file-name limit.
    """
    return hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def stage_file(
    job: FileJob,
    out_dir: str,
    loaded_at: datetime,
    load_id: str,
    threads: int | None = None,
    rows_format: RowsFormat = "parquet",
) -> StagedFile:
    """Read and type one file (or part) into files ready for dlt to import.

    The format check of a part is left to whoever merges the parts.

    Raises:
        FileUnreadable: the file cannot be read (nothing is written then).
    """
    started = time.perf_counter()
    spec, relative = job.spec, job.relative
    result = FileResult(spec.name, relative, size_bytes=job.path.stat().st_size)
    stem = Path(out_dir) / f"{staging_name(relative)}.{job.part}"
    rows_path, rejected_path = f"{stem}.rows.{rows_format}", f"{stem}.rejected.parquet"
    schema = raw_schema(spec)
    rows_writer: _RowsWriter | None = None
    rejected_writer: pq.ParquetWriter | None = None
    if spec.amount_terms:
        result.amount_read, result.amount_rejected, result.rejected_without_amount = 0.0, 0.0, 0

    def header_read(layout: CsvLayout) -> None:
        result.missing_columns, result.close_matches = layout.missing, dict(layout.close)

    ledger = LineLedger()
    try:
        for typed in read_typed(spec, job.path, threads, job.byte_range, header_read, ledger):
            rows, rejected = typed.rows, typed.rejected
            _add_amounts(result, typed)
            result.present_columns.update(typed.present)
            result.document_paths.update(typed.document_paths)
            result.records += rows.num_rows + rejected.num_rows
            result.landed += rows.num_rows
            result.rejected += rejected.num_rows
            if rows.num_rows:
                count = rows.num_rows
                table = pa.Table.from_arrays(
                    [
                        *rows.columns,
                        _constant(relative, pa.string(), count),
                        _constant(loaded_at, _STAMP, count),
                        _constant(load_id, pa.string(), count),
                    ],
                    schema=schema,
                )
                rows_writer = rows_writer or _RowsWriter(rows_path, schema, rows_format)
                rows_writer.write(table)
            if rejected.num_rows:
                reasons = rejected[REASON_COLUMN].to_pylist()
                # The first reason without its sample value: 'amount: not a number'.
                result.reasons.update(
                    _SAMPLE_VALUE.sub("", reason.split("; ")[0]) for reason in reasons
                )
                result.not_json += sum(1 for r in reasons if r.startswith(_NOT_JSON_REASONS))
                count = rejected.num_rows
                table = pa.Table.from_arrays(
                    [
                        _constant(spec.name, pa.string(), count),
                        _constant(relative, pa.string(), count),
                        rejected[SOURCE_LINE_COLUMN],
                        rejected[RECORD_COLUMN],
                        rejected[TEXT_COLUMN],
                        rejected[REASON_COLUMN],
                        _constant(loaded_at, _STAMP, count),
                        _constant(load_id, pa.string(), count),
                        rejected[AMOUNT_COLUMN],
                    ],
                    schema=REJECTED_SCHEMA,
                )
                rejected_writer = rejected_writer or pq.ParquetWriter(
                    rejected_path, REJECTED_SCHEMA
                )
                rejected_writer.write_table(table)
        if ledger.records != result.records:
            raise FileUnreadable(
                job.path,
                f"record accounting does not add up: {ledger.records:,} records read, "
                f"{result.records:,} typed",
            )
    except BaseException:
        for writer, written in ((rows_writer, rows_path), (rejected_writer, rejected_path)):
            if writer is not None:
                writer.close()
                Path(written).unlink(missing_ok=True)
        raise
    if rows_writer is not None:
        rows_writer.close()
    if rejected_writer is not None:
        rejected_writer.close()
    result.seconds = time.perf_counter() - started
    result.lines = ledger.lines if ledger.line_based else None
    return StagedFile(
        result,
        [(rows_path, result.landed)] if rows_writer is not None else [],
        [rejected_path] if rejected_writer is not None else [],
    )


def _add_amounts(result: FileResult, counted: TypedBlock | FileResult) -> None:
    """Add the amounts of a block, or of a part of the file, to the file's result."""
    if counted.amount_read is None:
        return
    result.amount_read = (result.amount_read or 0.0) + counted.amount_read
    result.amount_rejected = (result.amount_rejected or 0.0) + (counted.amount_rejected or 0.0)
    result.rejected_without_amount = (result.rejected_without_amount or 0) + (
        counted.rejected_without_amount or 0
    )


def merge_parts(job: FileJob, parts: list[StagedFile]) -> StagedFile:
    """One file's outcome from its parts, in order.

    Record numbers of the rejects of later parts are shifted by the records
    of the parts before them, so they count from the start of the file.

    Raises:
        FileUnreadable: the file, as a whole, is not the declared format.
    """
    result = FileResult(job.spec.name, job.relative, size_bytes=job.path.stat().st_size)
    if job.spec.amount_terms:
        result.amount_read, result.amount_rejected, result.rejected_without_amount = 0.0, 0.0, 0
    rows_files: list[tuple[str, int]] = []
    rejected_paths: list[str] = []
    for part in parts:
        for path in part.rejected_paths:
            if result.records:
                table = pq.read_table(path, schema=REJECTED_SCHEMA)
                shifted = pc.add(table["record_number"], result.records)
                table = table.set_column(
                    table.schema.get_field_index("record_number"),
                    REJECTED_SCHEMA.field("record_number"),
                    shifted,
                )
                pq.write_table(table, path)
            rejected_paths.append(path)
        rows_files.extend(part.rows_files)
        result.records += part.result.records
        result.landed += part.result.landed
        result.rejected += part.result.rejected
        result.not_json += part.result.not_json
        if part.result.lines is not None:
            result.lines = (result.lines or 0) + part.result.lines
        result.seconds = max(result.seconds, part.result.seconds)
        result.reasons.update(part.result.reasons)
        result.present_columns |= part.result.present_columns
        result.document_paths |= part.result.document_paths
        _add_amounts(result, part.result)
    if job.spec.format == "csv" and parts:
        result.missing_columns = parts[0].result.missing_columns
        result.close_matches = parts[0].result.close_matches
    check_format(job.spec, job.path, result)
    check_columns(job.spec, job.path, result)
    return StagedFile(result, rows_files, rejected_paths)


@dataclass(frozen=True)
class FileJob:
    """One file to stage, or one part (byte range) of it."""

    spec: TableSpec
    path: Path
    relative: str
    byte_range: ByteRange | None = None
    part: int = 0


def _splittable(job: FileJob) -> bool:
    """Uncompressed JSON lines big enough to be worth reading in parts."""
    if job.path.stat().st_size < SPLIT_BYTES or is_gzip(job.path):
        return False
    if job.spec.format == "mongo" and detect_layout(job.path) != "jsonl":
        return False
    return job.spec.format != "csv" and lines_hold_whole_documents(job.path)


def parts_of(job: FileJob) -> list[FileJob]:
    """The parts a file is read in (itself, unless it is big JSON lines)."""
    if not _splittable(job):
        return [job]
    count = math.ceil(job.path.stat().st_size / SPLIT_BYTES)
    ranges = split_into_ranges(job.path, count)
    return [
        dataclasses.replace(job, byte_range=byte_range, part=index)
        for index, byte_range in enumerate(ranges)
    ]


class Stager:
    """Stages every file of a run, in worker processes when it pays.

    Work starts at :meth:`start` (inside dlt's extract, once the load id is
    known); :meth:`staged` then returns each file's outcome in the order the
    caller asks, waiting for it if needed. In worker processes, big JSON-lines
    files are read in parts, so that one large file keeps both cores busy.
    """

    def __init__(
        self,
        jobs: list[FileJob],
        out_dir: Path,
        loaded_at: datetime,
        rows_format: RowsFormat = "parquet",
    ) -> None:
        self.jobs = jobs
        self.rows_format = rows_format
        self.out_dir = out_dir
        self.loaded_at = loaded_at
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        #: Per file, its parts' futures in part order.
        self.futures: dict[str, list[concurrent.futures.Future[StagedFile]]] = {}
        self.done: dict[str, StagedFile] = {}
        self.load_id: str | None = None
        total = sum(job.path.stat().st_size for job in jobs)
        self.parallel = total >= PARALLEL_MIN_BYTES and _cores() > 1

    def warm_up(self) -> None:
        """Start the worker processes now, so they are ready when work comes."""
        if self.parallel and self.pool is None:
            context = multiprocessing.get_context("spawn")
            self.pool = concurrent.futures.ProcessPoolExecutor(
                WORKERS, mp_context=context, initializer=_worker_init, initargs=(os.getpid(),)
            )
            for _ in range(WORKERS):
                self.pool.submit(_ready)

    def start(self, load_id: str) -> None:
        """Submit every file part (largest first) once the load id is known."""
        if self.load_id is not None:
            return
        self.load_id = load_id
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if not self.parallel:
            return
        parts = {job.relative: parts_of(job) for job in self.jobs}
        submitted: dict[tuple[str, int], concurrent.futures.Future[StagedFile]] = {}
        self.warm_up()
        assert self.pool is not None
        for part in sorted(
            (part for file_parts in parts.values() for part in file_parts),
            key=_part_size,
            reverse=True,
        ):
            submitted[(part.relative, part.part)] = self.pool.submit(
                stage_file,
                part,
                str(self.out_dir),
                self.loaded_at,
                load_id,
                _threads_per_worker(),
                self.rows_format,
            )
        for relative, file_parts in parts.items():
            self.futures[relative] = [submitted[(relative, part.part)] for part in file_parts]

    def staged(self, job: FileJob) -> StagedFile:
        """The outcome of one file (raises what staging it raised)."""
        assert self.load_id is not None, "start() first"
        if job.relative not in self.done:
            if job.relative in self.futures:
                outcomes = [future.result() for future in self.futures[job.relative]]
            else:
                outcomes = [
                    stage_file(
                        job,
                        str(self.out_dir),
                        self.loaded_at,
                        self.load_id,
                        rows_format=self.rows_format,
                    )
                ]
            self.done[job.relative] = merge_parts(job, outcomes)
        return self.done[job.relative]

    def close(self) -> None:
        """Stop the workers (cancelling what has not started)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def abort(self) -> None:
        """Stop the workers now, in the middle of a file if need be (the load is given up)."""
        if self.pool is not None:
            # The executor has no public way to stop a running task.
            for process in list(self.pool._processes.values()):
                process.terminate()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _ready() -> bool:
    """Nothing: importing this module (DuckDB, Arrow) is what warms a worker up."""
    return True


def _worker_init(parent: int) -> None:
    """Tie a worker process to the loader that started it.

    Ctrl-C in a terminal reaches every process of the group: a worker exits
    quietly (the loader then stops, naming the cause, and loads nothing). A
    thread checks the parent process every PARENT_POLL_SECONDS: once the
    loader is gone (a SIGKILL leaves it no time to stop anything), the worker
    exits at once.
    """
    signal.signal(signal.SIGINT, _exit_quietly)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _exit_quietly(signum: int, frame: object) -> None:
    os._exit(128 + signum)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _cores() -> int:
    """The cores this process may use (a container's limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _threads_per_worker() -> int:
    """DuckDB threads per worker: the cores shared out, so workers do not fight."""
    return max(1, _cores() // WORKERS)


def _part_size(part: FileJob) -> int:
    if part.byte_range is not None:
        return part.byte_range.end - part.byte_range.start
    return part.path.stat().st_size
