"""The block of records every reader produces and the typer consumes.

Readers of line-oriented formats (CSV, JSON lines, JSON arrays with one
document per line) also keep a :class:`LineLedger`: every physical line the
file reader delivered is either part of exactly one record or outside every
record (the header, a blank line, array punctuation). A reader that lost or
double-counted a line cannot go unnoticed: the file stops the load.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from .contract import SOURCE_LINE_COLUMN
from .files import FileUnreadable
from .typing_engine import PRE_REASON_COLUMN, RECORD_COLUMN, TEXT_COLUMN


@dataclass
class LineLedger:
    """How a file's lines and records were accounted for.

    Attributes:
        line_based: Whether the format's records are made of whole lines
            (False for BSON and JSON documents that may share a line); the
            line counts below are only kept when it is.
        lines: Physical lines the file reader delivered (counted from the bytes).
        in_records: Lines that are part of a record (a record with a quoted
            line break spans several).
        outside_records: Header lines, blank lines and array punctuation.
        records: Records handed to the typer.
    """

    line_based: bool = True
    lines: int = 0
    in_records: int = 0
    outside_records: int = 0
    records: int = 0

    def check(self, path: Path) -> None:
        """Stop unless every line belongs to exactly one record or to none.

        Raises:
            FileUnreadable: the counts do not add up (nothing of the file may load).
        """
        if self.line_based and self.lines != self.in_records + self.outside_records:
            raise FileUnreadable(
                path,
                f"line accounting does not add up: {self.lines:,} lines read, "
                f"{self.in_records:,} in records and {self.outside_records:,} outside them",
            )


#: Records handed to the typer at a time (bounded memory, big enough for DuckDB).
RECORDS_PER_BLOCK = 250_000


class RecordBuffer:
    """Collects records of one file and cuts them into Arrow blocks.

    Each record has its 1-based first line (or document number), its text and
    an optional reason the reader already knows it cannot be loaded. CSV
    records also carry one cell per contract field. Readers add records one
    by one (:meth:`add`) or, on the fast path, as Arrow arrays
    (:meth:`add_arrow`).
    """

    def __init__(self, cell_columns: Sequence[str] = (), ledger: LineLedger | None = None) -> None:
        self.cell_columns = list(cell_columns)
        self.ledger = ledger if ledger is not None else LineLedger()
        self.record_count = 0
        self._pieces: list[pa.Table] = []
        self._piece_rows = 0
        self._lines: list[int] = []
        self._texts: list[str] = []
        self._reasons: list[str | None] = []
        self._cells: list[list[str | None]] = [[] for _ in self.cell_columns]

    def __len__(self) -> int:
        return self._piece_rows + len(self._lines)

    def add(
        self,
        line: int,
        text: str,
        reason: str | None = None,
        cells: Sequence[str | None] | None = None,
        lines: int = 1,
    ) -> None:
        """Add one record that spans ``lines`` physical lines."""
        self.ledger.in_records += lines
        self._lines.append(line)
        self._texts.append(text)
        self._reasons.append(reason)
        if cells is None:
            for column in self._cells:
                column.append(None)
        else:
            for column, cell in zip(self._cells, cells, strict=True):
                column.append(cell)

    def add_arrow(
        self,
        lines: pa.Array,
        texts: pa.Array,
        cells: list[pa.Array] | None = None,
        reasons: pa.Array | None = None,
    ) -> None:
        """Add one-line records as Arrow arrays, with their cells and reasons if any."""
        self.ledger.in_records += len(lines)
        self._move_python_rows()
        if reasons is None:
            reasons = pa.nulls(len(lines), pa.string())
        self._pieces.append(self._table(lines, texts, reasons, cells))
        self._piece_rows += len(lines)

    def skip_lines(self, count: int) -> None:
        """Account for lines that are no record (header, blank lines, punctuation)."""
        self.ledger.outside_records += count

    def _table(
        self,
        lines: pa.Array,
        texts: pa.Array,
        reasons: pa.Array,
        cells: list[pa.Array] | None,
    ) -> pa.Table:
        columns: dict[str, pa.Array] = {
            SOURCE_LINE_COLUMN: lines,
            TEXT_COLUMN: texts,
            PRE_REASON_COLUMN: reasons,
        }
        for index, name in enumerate(self.cell_columns):
            columns[name] = cells[index] if cells is not None else pa.nulls(len(lines), pa.string())
        return pa.table(columns)

    def _move_python_rows(self) -> None:
        if not self._lines:
            return
        cells = [pa.array(column, pa.string()) for column in self._cells]
        self._pieces.append(
            self._table(
                pa.array(self._lines, pa.int64()),
                pa.array(self._texts, pa.string()),
                pa.array(self._reasons, pa.string()),
                cells,
            )
        )
        self._piece_rows += len(self._lines)
        self._lines = []
        self._texts = []
        self._reasons = []
        self._cells = [[] for _ in self.cell_columns]

    def blocks_when_full(self) -> Iterator[pa.Table]:
        """The buffered records as a block, once there are enough of them."""
        if len(self) >= RECORDS_PER_BLOCK:
            yield from self.last_block()

    def last_block(self) -> Iterator[pa.Table]:
        """Whatever is buffered, as a block (nothing if the buffer is empty)."""
        table = self.flush()
        if table is not None:
            yield table

    def flush(self) -> pa.Table | None:
        """Return the buffered records as one block and empty the buffer."""
        self._move_python_rows()
        if not self._pieces:
            return None
        table = pa.concat_tables(self._pieces) if len(self._pieces) > 1 else self._pieces[0]
        first = self.record_count + 1
        self.record_count += table.num_rows
        self.ledger.records = self.record_count
        self._pieces = []
        self._piece_rows = 0
        numbers = pa.array(np.arange(first, first + table.num_rows, dtype=np.int64))
        return table.add_column(1, RECORD_COLUMN, numbers)
