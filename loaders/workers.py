"""Reading and typing export files in parallel, to Parquet files dlt imports as they are.

Each file is read and typed by :func:`stage_file`, in a pool of worker
processes when there is enough data to pay for them (two cores: one file per
core, largest first). A worker writes two Parquet files: the typed rows with
the metadata columns (``_source_file``, ``_source_line``, ``_loaded_at``,
``_dlt_load_id``), exactly as the raw table stores them, and the rejected
records. dlt then imports those files into its load package without
re-encoding them, so the main process only orchestrates.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .contract import LOADED_AT_COLUMN, SOURCE_FILE_COLUMN, SOURCE_LINE_COLUMN, TableSpec
from .csv_files import iter_csv
from .files import FileUnreadable
from .json_lines import iter_json_lines
from .mongo import iter_mongo_export
from .typing_engine import ARROW_TYPES, REASON_COLUMN, RECORD_COLUMN, TEXT_COLUMN, Typer

LOAD_ID_COLUMN = "_dlt_load_id"

#: Below this many bytes of input, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 24 * 1024 * 1024
WORKERS = 2

_NOT_JSON_REASONS = ("not valid JSON", "not a JSON object")
_STAMP = pa.timestamp("us", tz="UTC")


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
class StagedFile:
    """A file read and typed: its counts and the Parquet files to import."""

    result: FileResult
    rows_path: str | None
    rejected_path: str | None


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
    ]
)


def read_typed(
    spec: TableSpec, path: Path, threads: int | None = None
) -> Iterator[tuple[pa.Table, pa.Table]]:
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
    typer = Typer(spec, is_json=spec.format != "csv", threads=threads)
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


def _constant(value: Any, arrow_type: pa.DataType, length: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, arrow_type), length)


def stage_file(
    spec: TableSpec,
    path: str,
    relative: str,
    out_dir: str,
    loaded_at: datetime,
    load_id: str,
    threads: int | None = None,
) -> StagedFile:
    """Read and type one file into Parquet files ready for dlt to import.

    Raises:
        FileUnreadable: the file cannot be read (nothing is written then).
    """
    started = time.perf_counter()
    source = Path(path)
    result = FileResult(spec.name, relative, size_bytes=source.stat().st_size)
    stem = Path(out_dir) / relative.replace("/", "__")
    rows_path, rejected_path = f"{stem}.rows.parquet", f"{stem}.rejected.parquet"
    schema = raw_schema(spec)
    rows_writer: pq.ParquetWriter | None = None
    rejected_writer: pq.ParquetWriter | None = None
    try:
        for rows, rejected in read_typed(spec, source, threads):
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
                rows_writer = rows_writer or pq.ParquetWriter(rows_path, schema)
                rows_writer.write_table(table)
            if rejected.num_rows:
                reasons = rejected[REASON_COLUMN].to_pylist()
                # The code of the first reason, as staging names it: "amount", "not valid JSON".
                result.reasons.update(reason.split("; ")[0].split(":")[0] for reason in reasons)
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
                    ],
                    schema=REJECTED_SCHEMA,
                )
                rejected_writer = rejected_writer or pq.ParquetWriter(
                    rejected_path, REJECTED_SCHEMA
                )
                rejected_writer.write_table(table)
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
    return StagedFile(
        result,
        rows_path if rows_writer is not None else None,
        rejected_path if rejected_writer is not None else None,
    )


@dataclass(frozen=True)
class FileJob:
    """One file to stage."""

    spec: TableSpec
    path: Path
    relative: str


class Stager:
    """Stages every file of a run, in worker processes when it pays.

    Work starts at :meth:`start` (inside dlt's extract, once the load id is
    known); :meth:`staged` then returns each file's outcome in the order the
    caller asks, waiting for it if needed.
    """

    def __init__(self, jobs: list[FileJob], out_dir: Path, loaded_at: datetime) -> None:
        self.jobs = jobs
        self.out_dir = out_dir
        self.loaded_at = loaded_at
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.futures: dict[str, concurrent.futures.Future[StagedFile]] = {}
        self.done: dict[str, StagedFile] = {}
        self.load_id: str | None = None
        total = sum(job.path.stat().st_size for job in jobs)
        self.parallel = total >= PARALLEL_MIN_BYTES and len(jobs) > 1 and (os.cpu_count() or 1) > 1

    def start(self, load_id: str) -> None:
        """Submit every file (largest first) once the load id is known."""
        if self.load_id is not None:
            return
        self.load_id = load_id
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if not self.parallel:
            return
        context = multiprocessing.get_context("spawn")
        self.pool = concurrent.futures.ProcessPoolExecutor(WORKERS, mp_context=context)
        for job in sorted(self.jobs, key=lambda job: job.path.stat().st_size, reverse=True):
            self.futures[job.relative] = self.pool.submit(
                stage_file,
                job.spec,
                str(job.path),
                job.relative,
                str(self.out_dir),
                self.loaded_at,
                load_id,
                WORKERS,
            )

    def staged(self, job: FileJob) -> StagedFile:
        """The outcome of one file (raises what staging it raised)."""
        assert self.load_id is not None, "start() first"
        if job.relative not in self.done:
            if job.relative in self.futures:
                self.done[job.relative] = self.futures[job.relative].result()
            else:
                self.done[job.relative] = stage_file(
                    job.spec,
                    str(job.path),
                    job.relative,
                    str(self.out_dir),
                    self.loaded_at,
                    self.load_id,
                )
        return self.done[job.relative]

    def close(self) -> None:
        """Stop the workers (cancelling what has not started)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
