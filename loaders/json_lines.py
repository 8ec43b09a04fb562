"""JSON exports: JSON lines (one document per line) and JSON arrays.

Both yield the text of each document with its line number; parsing and
typing happen in the typer, so a line that is not JSON is just a record with
a reason, never an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from .files import (
    ByteRange,
    FileUnreadable,
    LineBlock,
    decode_lines,
    iter_line_blocks,
    open_export,
    read_block,
)
from .records import RECORDS_PER_BLOCK, RecordBuffer

NOT_UTF8 = "not valid UTF-8"

#: In a pretty-printed array a document starts with ``{`` at column 0.
_ELEMENT_START = re.compile(r"^[\[,]?\{", re.MULTILINE)


def _decode_block(block: LineBlock) -> tuple[list[str], set[int]]:
    texts, bad = decode_lines(block.lines)
    return texts, set(bad)


def _add_block(buffer: RecordBuffer, block: LineBlock) -> None:
    """Add the non-blank lines of a block; lines that are not UTF-8 get a reason."""
    texts, numbers = block.arrow_lines()
    if texts is not None:
        buffer.add_arrow(numbers, texts)
        return
    decoded, bad = _decode_block(block)
    bad_lines = set(bad)
    for index, text in enumerate(decoded):
        if text.strip():
            buffer.add(
                block.first_line + index, text.strip(), NOT_UTF8 if index in bad_lines else None
            )


def iter_json_lines(path: Path, byte_range: ByteRange | None = None) -> Iterator[pa.Table]:
    """Yield blocks of records from a JSON-lines file, or a range of it.

    Blank lines are not records. In a range, record numbers count from the
    range's first record.

    Raises:
        FileUnreadable: the file cannot be read (missing, corrupt gzip, binary).
    """
    buffer = RecordBuffer()
    for block in iter_line_blocks(path, byte_range=byte_range):
        if block.is_first:
            _reject_binary(path, block)
        _add_block(buffer, block)
        if len(buffer) >= RECORDS_PER_BLOCK:
            table = buffer.flush()
            if table is not None:
                yield table
    table = buffer.flush()
    if table is not None:
        yield table


def _reject_binary(path: Path, block: LineBlock) -> None:
    head = block.data[:8192]
    if b"\x00" in head:
        raise FileUnreadable(path, "binary content (NUL bytes), not a JSON text file")


def first_significant_byte(path: Path) -> bytes:
    """The first byte that is not whitespace (after a UTF-8 BOM), or b'' if none."""
    with open_export(path) as handle:
        head = read_block(handle, path, 65536)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    stripped = head.lstrip()
    return stripped[:1]


def iter_json_array(path: Path) -> Iterator[pa.Table]:
    """Yield blocks of documents from a JSON array file (``mongoexport --jsonArray``).

    The usual layout has one document per line (``[{...},`` / ``{...},`` /
    ``{...}]``) and is streamed line by line. A pretty-printed array, whose
    documents span several lines, is read whole and split with a JSON
    decoder; a malformed document there is rejected up to the next line that
    starts a document at column 0.
    """
    if _array_is_one_document_per_line(path):
        yield from _iter_array_lines(path)
    else:
        yield from _iter_array_pretty(path)


def _array_is_one_document_per_line(path: Path) -> bool:
    """Whether most of the first lines each hold a whole document (mongoexport's layout).

    A majority vote, so that a truncated document on one line does not make
    the whole file look pretty-printed.
    """
    for block in iter_line_blocks(path):
        texts, _ = _decode_block(block)
        elements = [_strip_array_punctuation(text) for text in texts[:200]]
        elements = [element for element in elements if element]
        whole = sum(1 for element in elements if element[0] == "{" and element[-1] == "}")
        return whole * 2 >= len(elements)
    return True


def _strip_array_punctuation(text: str) -> str:
    element = text.strip()
    if element.startswith("["):
        element = element[1:].lstrip()
    if element.startswith(","):
        element = element[1:].lstrip()
    if element.endswith("]"):
        element = element[:-1].rstrip()
    if element.endswith(","):
        element = element[:-1].rstrip()
    return element


def _iter_array_lines(path: Path) -> Iterator[pa.Table]:
    buffer = RecordBuffer()
    for block in iter_line_blocks(path):
        if block.is_first:
            _reject_binary(path, block)
        texts, bad = _decode_block(block)
        for index, text in enumerate(texts):
            element = _strip_array_punctuation(text)
            if element:
                buffer.add(block.first_line + index, element, NOT_UTF8 if index in bad else None)
        if len(buffer) >= RECORDS_PER_BLOCK:
            table = buffer.flush()
            if table is not None:
                yield table
    table = buffer.flush()
    if table is not None:
        yield table


def _iter_array_pretty(path: Path) -> Iterator[pa.Table]:
    with open_export(path) as handle:
        chunks = []
        while data := read_block(handle, path):
            chunks.append(data)
    raw = b"".join(chunks)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileUnreadable(path, f"not valid UTF-8 at byte {error.start}") from error
    decoder = json.JSONDecoder()
    buffer = RecordBuffer()
    position = text.find("[") + 1
    length = len(text)
    line, counted_to = 1, 0
    while position < length:
        while position < length and text[position] in " \t\r\n,":
            position += 1
        if position >= length or text[position] == "]":
            break
        line += text.count("\n", counted_to, position)
        counted_to = position
        try:
            _, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            match = _ELEMENT_START.search(text, text.find("\n", position) + 1 or length)
            end = match.start() if match else length
            fragment = text[position:end].rstrip().rstrip(",]").rstrip()
            buffer.add(line, fragment, f"not valid JSON: {error.msg}")
            position = end
            continue
        buffer.add(line, text[position:end])
        position = end
        if len(buffer) >= RECORDS_PER_BLOCK:
            table = buffer.flush()
            if table is not None:
                yield table
    table = buffer.flush()
    if table is not None:
        yield table
