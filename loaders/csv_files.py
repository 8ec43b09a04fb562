"""CSV exports: UTF-8 (with or without BOM) or Latin-1, comma or semicolon.

Header cells are matched to contract fields after snake_case normalisation
(``Customer ID`` -> ``customer_id``; the unnamed index column of a pandas
export matches a field whose header is ``""``; configuration may name
another header per column). A contract column the header lacks is reported
with the closest unmatched header cell; a missing required column stops the
file. The delimiter is sniffed from
the header; the encoding is decided per block (UTF-8 unless the bytes are
not, then Windows-1252, then Latin-1), so one stray byte never stops a load.
"""

from __future__ import annotations

import collections
import csv
import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .contract import TableSpec
from .files import ConfigurationMismatch, FileUnreadable, LineBlock, iter_line_blocks
from .records import LineLedger, RecordBuffer

DELIMITERS = (",", ";", "\t", "|")

csv.field_size_limit(64 * 1024 * 1024)


def normalise_header(name: str) -> str:
    """snake_case a header cell the way dlt names columns."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most cells (outside quotes)."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 0 else ","


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def decode_csv_block(block: LineBlock) -> list[str]:
    """Decode a block: UTF-8, else Windows-1252 / Latin-1.

    A block that is not UTF-8 but holds no UTF-8 multi-byte sequence at all is
    a single-byte export and is decoded whole (fast); a block mixing both is
    decoded line by line, each line UTF-8 if it can be.
    """
    try:
        return block.data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        pass
    if not _UTF8_MULTIBYTE.search(block.data):
        for encoding in ("cp1252", "latin-1"):
            try:
                return block.data.decode(encoding).split("\n")
            except UnicodeDecodeError:
                continue
    texts = []
    for line in block.data.split(b"\n"):
        for encoding in ("utf-8", "cp1252", "latin-1"):
            try:
                texts.append(line.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
    return texts


@dataclass(frozen=True)
class CsvLayout:
    """What the header told us about a CSV file."""

    delimiter: str
    header: list[str]
    #: Index of the header cell feeding each contract field, or None if absent.
    positions: dict[str, int | None]
    #: Contract columns the header has no cell for (constants aside), in contract order.
    missing: tuple[str, ...] = ()
    #: For a missing column, the closest header cell no column matched.
    close: dict[str, str] = field(default_factory=dict)


def expected_header(spec: TableSpec, name: str) -> str:
    """The header cell that feeds a contract column (as configured, or its name)."""
    header = spec.field(name).header
    return header if header is not None else name


def close_match(wanted: str, candidates: dict[str, str]) -> str | None:
    """The candidate (normalised -> as shown) closest to ``wanted``, if one is close."""
    matches = difflib.get_close_matches(wanted, list(candidates), n=1)
    return candidates[matches[0]] if matches else None


def read_header(path: Path, spec: TableSpec, header_line: str) -> CsvLayout:
    """Match the header to the contract.

    Raises:
        FileUnreadable: the header lacks a required column (the key, an
            amount), or has no column at all.
        ConfigurationMismatch: the header has a column for a column the
            configuration gives a constant.
    """
    if "\x00" in header_line:
        raise FileUnreadable(path, "binary content (NUL bytes), not a CSV file")
    delimiter = sniff_delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter))
    normalised = [normalise_header(cell) for cell in header]
    constants = spec.constant_values
    positions: dict[str, int | None] = {}
    for column in spec.fields:
        wanted = normalise_header(expected_header(spec, column.name))
        position = normalised.index(wanted) if wanted in normalised else None
        if column.name in constants and position is not None:
            raise ConfigurationMismatch(
                path,
                f"{spec.name}.constants.{column.name}: the file has a column for "
                f"{column.name} ({header[position]!r}); map it or remove the constant",
            )
        positions[column.name] = None if column.name in constants else position
    used = {position for position in positions.values() if position is not None}
    unmatched = {
        normalised[index]: cell
        for index, cell in enumerate(header)
        if index not in used and normalised[index]
    }
    missing = tuple(
        column.name
        for column in spec.fields
        if positions[column.name] is None and column.name not in constants
    )
    close = {}
    for name in missing:
        found = close_match(normalise_header(expected_header(spec, name)), unmatched)
        if found is not None:
            close[name] = found
    lacking = [name for name in spec.required if name in missing]
    if lacking:
        described = []
        for name in lacking:
            kind = "key" if name in spec.key else "amount" if name in spec.amount_columns else ""
            label = expected_header(spec, name) or '"" (an unnamed column)'
            details = [name] if label != name else []
            if name in close:
                details.append(f'close header: "{close[name]}"')
            described.append(
                " ".join(part for part in (kind or "required column", label) if part)
                + (f" ({'; '.join(details)})" if details else "")
            )
        raise FileUnreadable(
            path,
            f"not a {spec.name} CSV: the header has no column for {', '.join(described)}; "
            f"header: {header_line[:200]!r}",
        )
    return CsvLayout(delimiter, header, positions, missing, close)


def iter_csv(
    path: Path,
    spec: TableSpec,
    on_layout: Callable[[CsvLayout], None] | None = None,
    *,
    ledger: LineLedger | None = None,
) -> Iterator[pa.Table]:
    """Yield blocks of records with one text cell per contract field.

    A row with a different number of fields than the header is a record with
    a reason (its cells are not used). Blank lines are not records. A block is
    parsed by Arrow's CSV reader when every record in it is one line (checked
    by counting), else by Python's csv module (a line break inside quotes);
    the next block goes back to Arrow once no record is left open. A quote
    that never closes into a well-formed record rejects the line that opened
    it, and only that line (see :class:`_QuotedParser`). An empty file (or one
    of blank lines) has no records.

    Args:
        path: The CSV file.
        spec: The table it feeds.
        on_layout: Called with what the header told (its missing columns)
            once it is read.
        ledger: Filled with the file's line and record counts (checked here).

    Raises:
        FileUnreadable: missing file, binary content, a required column
            (key, amount) absent from the header, or lines that do not add up
            to the records read.
    """
    names = [field.name for field in spec.fields]
    ledger = ledger if ledger is not None else LineLedger()
    blocks = iter_line_blocks(path)
    first = next(blocks, None)
    if first is None:
        return  # an empty export: no records
    ledger.lines += first.line_count
    lines = decode_csv_block(first)
    header_index = next((i for i, text in enumerate(lines) if text.strip()), None)
    if header_index is None:
        ledger.outside_records += len(lines)
        ledger.check(path)
        return  # only blank lines: no records
    layout = read_header(path, spec, lines[header_index])
    if on_layout is not None:
        on_layout(layout)
    buffer = RecordBuffer(names, ledger)
    buffer.skip_lines(header_index + 1)
    quoted = _QuotedParser(layout, names, buffer)

    def utf8_blocks() -> Iterator[tuple[int, bytes]]:
        rest = lines[header_index + 1 :]
        if rest:
            yield first.first_line + header_index + 1, "\n".join(rest).encode("utf-8")
        for block in blocks:
            ledger.lines += block.line_count
            try:
                block.data.decode("utf-8")
            except UnicodeDecodeError:
                yield block.first_line, "\n".join(decode_csv_block(block)).encode("utf-8")
            else:
                yield block.first_line, block.data

    for first_line, data in utf8_blocks():
        if quoted.is_idle and _arrow_block(first_line, data, layout, names, buffer):
            yield from buffer.blocks_when_full()
            continue
        for _ in quoted.parse(first_line, data.decode("utf-8").split("\n")):
            yield from buffer.blocks_when_full()
    for _ in quoted.finish():
        yield from buffer.blocks_when_full()
    yield from buffer.last_block()
    ledger.check(path)


def _arrow_block(
    first_line: int, data: bytes, layout: CsvLayout, names: list[str], buffer: RecordBuffer
) -> bool:
    """Parse a block with Arrow's CSV reader; False if a record spans lines.

    Arrow numbers the rows it reads, skipping empty lines, so as long as
    rows read = non-empty lines, row k is the k-th non-empty line and every
    record keeps its true line number.
    """
    if not data:
        buffer.skip_lines(1)  # one empty line
        return True
    if data.count(b'"') % 2:
        # A quoted field runs on past the block's end (quotes inside quotes are
        # doubled, so a whole block holds an even number of them).
        return False
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(data)]))
    has_cr = np.zeros(len(ends), dtype=bool)
    nonzero = ends > starts
    has_cr[nonzero] = raw[ends[nonzero] - 1] == 13
    ends = ends - has_cr
    non_empty = np.flatnonzero(ends > starts)
    width = len(layout.header)
    invalid: list[tuple[int, str, int]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append((row.number or 0, row.text, row.actual_columns))
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(
                column_names=[f"c{i}" for i in range(width)], use_threads=False
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=layout.delimiter, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return False
    if table.num_rows + len(invalid) != len(non_empty) or any(n < 1 for n, _, _ in invalid):
        return False
    status = np.zeros(len(non_empty), dtype=np.int8)  # 0 valid, 1 wrong width, 2 blank
    reasons: list[str | None] = [None] * len(non_empty)
    for number, text, actual in invalid:
        if text.strip():
            status[number - 1] = 1
            reasons[number - 1] = f"expected {width} fields, found {actual}"
        else:
            status[number - 1] = 2
    keep = np.flatnonzero(status != 2)
    valid_rank = np.cumsum(status == 0) - 1
    take = np.where(status[keep] == 0, valid_rank[keep], table.num_rows)
    take_indices = pa.array(take, pa.int64())
    line_texts = pa.StringArray.from_buffers(
        len(starts),
        pa.py_buffer(np.concatenate((starts, [len(data)])).astype(np.int32)),
        pa.py_buffer(data),
    )
    positions = [layout.positions[name] for name in names]
    cells = [
        pa.concat_arrays([table.column(f"c{p}").combine_chunks(), pa.nulls(1, pa.string())]).take(
            take_indices
        )
        if p is not None
        else pa.nulls(len(keep), pa.string())
        for p in positions
    ]
    physical = non_empty[keep]
    buffer.add_arrow(
        pa.array(first_line + physical, pa.int64()),
        pc.utf8_rtrim(line_texts.take(pa.array(physical)), characters="\r\n"),
        cells,
        pa.array([reasons[k] for k in keep], pa.string()) if len(invalid) else None,
    )
    buffer.skip_lines(len(starts) - len(physical))  # empty and blank lines
    return True


#: A quoted field spanning more lines than this is a stray quote, not a field.
MAX_RECORD_LINES = 1000

UNTERMINATED = "unterminated quote"


class _NeedMore(Exception):
    """The lines at hand end inside a record: the next block holds the rest."""


class _Unterminated(Exception):
    """The record open at the first consumed line never closes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _QuotedParser:
    """Records through Python's csv module, for blocks Arrow cannot read line by line.

    A quoted field may hold line breaks, so a record may span lines, also
    across blocks (the lines of a record still open at a block's end wait for
    the next block). A quote that opens a field and does not close into a
    well-formed record (one that the csv module parses strictly, with as many
    fields as the header) is a stray quote: its line is rejected on its own
    ("unterminated quote") and reading resumes on the line after it. So it is
    when the quote is still open at the end of the file, or after
    MAX_RECORD_LINES lines. Records on one line are read as Arrow reads them
    (a quote inside an unquoted field is a character like any other).
    """

    def __init__(self, layout: CsvLayout, names: list[str], buffer: RecordBuffer) -> None:
        self.layout = layout
        self.width = len(layout.header)
        self.positions = [layout.positions[name] for name in names]
        self.buffer = buffer
        self.pending: list[tuple[int, str]] = []

    @property
    def is_idle(self) -> bool:
        """Whether no record is open (the next block may go to Arrow)."""
        return not self.pending

    def parse(self, first_line: int, texts: list[str]) -> Iterator[None]:
        """Read the records of a block's lines; yields after each record added."""
        lines = collections.deque(self.pending)
        lines.extend((first_line + offset, text) for offset, text in enumerate(texts))
        self.pending = []
        yield from self._records(lines, at_end=False)

    def finish(self) -> Iterator[None]:
        """At the end of the file: whatever record is still open."""
        lines = collections.deque(self.pending)
        self.pending = []
        yield from self._records(lines, at_end=True)

    def _records(self, lines: collections.deque[tuple[int, str]], at_end: bool) -> Iterator[None]:
        consumed: list[tuple[int, str]] = []

        def feed() -> Iterator[str]:
            while True:
                if not lines:
                    if not consumed:
                        return  # between records: the lines are all read
                    if at_end:
                        raise _Unterminated(f"{UNTERMINATED}: the quoted field never ends")
                    raise _NeedMore
                item = lines.popleft()
                consumed.append(item)
                if len(consumed) > MAX_RECORD_LINES:
                    raise _Unterminated(
                        f"{UNTERMINATED}: the quoted field does not end within "
                        f"{MAX_RECORD_LINES:,} lines"
                    )
                # csv needs the line end to keep newlines inside quoted fields.
                yield item[1] + "\n"

        def restart_after_first_line(reason: str) -> None:
            """Reject the first consumed line alone; read the others again."""
            line, text = consumed[0]
            self.buffer.add(line, text.rstrip("\r"), reason)
            lines.extendleft(reversed(consumed[1:]))
            consumed.clear()

        delimiter = self.layout.delimiter
        reader = csv.reader(feed(), delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except _NeedMore:
                self.pending = consumed
                return
            except _Unterminated as stop:
                restart_after_first_line(stop.reason)
                reader = csv.reader(feed(), delimiter=delimiter)
                yield None
                continue
            except csv.Error as error:
                if len(consumed) > 1:
                    restart_after_first_line(f"{UNTERMINATED}: {error}")
                else:
                    line, text = consumed[0]
                    self.buffer.add(line, text.rstrip("\r"), f"malformed CSV: {error}")
                    consumed.clear()
                reader = csv.reader(feed(), delimiter=delimiter)
                yield None
                continue
            if len(consumed) > 1 and not self._well_formed(consumed, row):
                restart_after_first_line(
                    f"{UNTERMINATED}: the quoted field does not close into a record "
                    f"of {self.width} fields"
                )
                reader = csv.reader(feed(), delimiter=delimiter)
                yield None
                continue
            if len(consumed) == 1 and (not row or (len(row) == 1 and not row[0].strip())):
                self.buffer.skip_lines(1)  # a blank line
                consumed.clear()
                continue
            line = consumed[0][0]
            if len(consumed) == 1:
                text = consumed[0][1].rstrip("\r")
            else:
                text = "\n".join(text.rstrip("\r") for _, text in consumed)
            span = len(consumed)
            consumed.clear()
            if len(row) != self.width:
                self.buffer.add(
                    line, text, f"expected {self.width} fields, found {len(row)}", lines=span
                )
            else:
                cells = [row[p] if p is not None else None for p in self.positions]
                self.buffer.add(line, text, None, cells, lines=span)
            yield None

    def _well_formed(self, consumed: list[tuple[int, str]], row: list[str]) -> bool:
        """A record over several lines: strictly valid CSV with the header's width."""
        if len(row) != self.width:
            return False
        strict = csv.reader(
            (text + "\n" for _, text in consumed), delimiter=self.layout.delimiter, strict=True
        )
        try:
            rows = list(strict)
        except csv.Error:
            return False
        return len(rows) == 1
