"""CSV exports: UTF-8 (with or without BOM) or Latin-1, comma or semicolon.

Header cells are matched to contract fields after snake_case normalisation
(``Customer ID`` -> ``customer_id``; the unnamed index column of a pandas
export matches a field whose header is ``""``). The delimiter is sniffed from
the header; the encoding is decided per block (UTF-8 unless the bytes are
not, then Windows-1252, then Latin-1), so one stray byte never stops a load.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from .contract import TableSpec
from .files import FileUnreadable, LineBlock, iter_line_blocks
from .records import RECORDS_PER_BLOCK, RecordBuffer

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
    ignored: list[str]


def read_header(path: Path, spec: TableSpec, header_line: str) -> CsvLayout:
    """Match the header to the contract.

    Raises:
        FileUnreadable: the header lacks a key column, or has no column at all.
    """
    if "\x00" in header_line:
        raise FileUnreadable(path, "binary content (NUL bytes), not a CSV file")
    delimiter = sniff_delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter))
    normalised = [normalise_header(cell) for cell in header]
    positions: dict[str, int | None] = {}
    for field in spec.fields:
        wanted = normalise_header(field.header if field.header is not None else field.name)
        positions[field.name] = normalised.index(wanted) if wanted in normalised else None
    missing_keys = [key for key in spec.key if positions.get(key) is None]
    if missing_keys:
        expected = [spec.field(key).header or key for key in missing_keys]
        raise FileUnreadable(
            path,
            f"not a {spec.name} CSV: the header has no column for key {', '.join(expected)} "
            f"(header: {header_line[:200]!r})",
        )
    used = {position for position in positions.values() if position is not None}
    ignored = [cell for index, cell in enumerate(header) if index not in used]
    return CsvLayout(delimiter, header, positions, ignored)


def iter_csv(
    path: Path, spec: TableSpec, layout_out: list[CsvLayout] | None = None
) -> Iterator[pa.Table]:
    """Yield blocks of records with one text cell per contract field.

    A row with a different number of fields than the header is a record with
    a reason (its cells are not used). Blank lines are not records. Blocks
    without a quote character are split directly (one line, one record);
    from the first block with a quote on, Python's csv module parses the rest,
    so quoted delimiters and line breaks inside quotes are honoured.

    Args:
        path: The CSV file.
        spec: The table it feeds.
        layout_out: If given, the detected layout is appended to it.

    Raises:
        FileUnreadable: missing or empty file, no header, key column absent.
    """
    names = [field.name for field in spec.fields]
    blocks = iter_line_blocks(path)
    first = next(blocks, None)
    if first is None:
        raise FileUnreadable(path, "empty file: no header line")
    lines = decode_csv_block(first)
    header_index = next((i for i, text in enumerate(lines) if text.strip()), None)
    if header_index is None:
        raise FileUnreadable(path, "empty file: no header line")
    layout = read_header(path, spec, lines[header_index])
    if layout_out is not None:
        layout_out.append(layout)
    buffer = RecordBuffer(names)

    def decoded_blocks() -> Iterator[tuple[int, list[str]]]:
        yield first.first_line + header_index + 1, lines[header_index + 1 :]
        for block in blocks:
            yield block.first_line, decode_csv_block(block)

    remaining = decoded_blocks()
    for first_line, texts in remaining:
        if any('"' in text for text in texts):
            rest = itertools.chain([(first_line, texts)], remaining)
            yield from _parse_quoted(rest, layout, names, buffer)
            break
        _split_unquoted(first_line, texts, layout, names, buffer)
        if len(buffer) >= RECORDS_PER_BLOCK:
            table = buffer.flush()
            if table is not None:
                yield table
    table = buffer.flush()
    if table is not None:
        yield table


def _split_unquoted(
    first_line: int, texts: list[str], layout: CsvLayout, names: list[str], buffer: RecordBuffer
) -> None:
    """Records of a block without quotes: one per non-blank line."""
    width = len(layout.header)
    rows = [text.split(layout.delimiter) for text in texts]
    if all(len(row) == width for row in rows):
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
        cells = [
            pa.array(columns[position], pa.string())
            if position is not None
            else pa.nulls(len(rows), pa.string())
            for position in (layout.positions[name] for name in names)
        ]
        numbers = pa.array(range(first_line, first_line + len(rows)), pa.int64())
        buffer.add_arrow(numbers, pa.array(texts, pa.string()), cells)
        return
    positions = [layout.positions[name] for name in names]
    for offset, (text, row) in enumerate(zip(texts, rows, strict=True)):
        if not text.strip():
            continue
        if len(row) != width:
            buffer.add(first_line + offset, text, f"expected {width} fields, found {len(row)}")
        else:
            buffer.add(
                first_line + offset,
                text,
                None,
                [row[p] if p is not None else None for p in positions],
            )


def _parse_quoted(
    blocks: Iterator[tuple[int, list[str]]],
    layout: CsvLayout,
    names: list[str],
    buffer: RecordBuffer,
) -> Iterator[pa.Table]:
    """Records of the rest of the file through the csv module."""
    width = len(layout.header)
    positions = [layout.positions[name] for name in names]
    consumed: list[tuple[int, str]] = []

    def feed() -> Iterator[str]:
        for first_line, texts in blocks:
            for offset, text in enumerate(texts):
                consumed.append((first_line + offset, text))
                # csv needs the line end to keep newlines inside quoted fields.
                yield text + "\n"

    reader = csv.reader(feed(), delimiter=layout.delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            line = consumed[0][0] if consumed else 0
            buffer.add(line, "\n".join(text for _, text in consumed), f"malformed CSV: {error}")
            consumed.clear()
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            consumed.clear()
            continue
        line = consumed[0][0]
        text = consumed[0][1] if len(consumed) == 1 else "\n".join(text for _, text in consumed)
        consumed.clear()
        if len(row) != width:
            buffer.add(line, text, f"expected {width} fields, found {len(row)}")
        else:
            buffer.add(line, text, None, [row[p] if p is not None else None for p in positions])
        if len(buffer) >= RECORDS_PER_BLOCK:
            table = buffer.flush()
            if table is not None:
                yield table
