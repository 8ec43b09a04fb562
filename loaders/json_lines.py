"""JSON exports: JSON lines (one document per line) and JSON arrays.

Both yield the text of each document with its line number; parsing and
typing happen in the typer, so a line that is not JSON is just a record with
a reason, never an exception. A document nested deeper than
:data:`~loaders.typing_engine.MAX_NESTING` levels is a record with a reason
too (Python's JSON decoder would raise RecursionError on it).
"""

from __future__ import annotations

import codecs
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
from .records import LineLedger, RecordBuffer
from .typing_engine import NESTED_TOO_DEEP, document_end

NOT_UTF8 = "not valid UTF-8"


def _decode_block(block: LineBlock) -> tuple[list[str], set[int]]:
    texts, bad = decode_lines(block.lines)
    return texts, set(bad)


def _add_block(buffer: RecordBuffer, block: LineBlock) -> None:
    """Add the non-blank lines of a block; lines that are not UTF-8 get a reason."""
    texts, numbers = block.arrow_lines()
    if texts is not None:
        buffer.add_arrow(numbers, texts)
        buffer.skip_lines(block.line_count - len(numbers))
        return
    decoded, bad_lines = _decode_block(block)
    for index, text in enumerate(decoded):
        if text.strip():
            buffer.add(
                block.first_line + index, text.strip(), NOT_UTF8 if index in bad_lines else None
            )
        else:
            buffer.skip_lines(1)


def iter_json_lines(
    path: Path, byte_range: ByteRange | None = None, *, ledger: LineLedger | None = None
) -> Iterator[pa.Table]:
    """Yield blocks of records from a JSON-lines file, or a range of it.

    Blank lines are not records. In a range, record numbers count from the
    range's first record.

    Raises:
        FileUnreadable: the file cannot be read (missing, corrupt gzip,
            binary), or its lines do not add up to the records read.
    """
    buffer = RecordBuffer(ledger=ledger)
    for block in iter_line_blocks(path, byte_range=byte_range):
        buffer.ledger.lines += block.line_count
        if block.is_first:
            _reject_binary(path, block.data)
        _add_block(buffer, block)
        yield from buffer.blocks_when_full()
    yield from buffer.last_block()
    buffer.ledger.check(path)


def _reject_binary(path: Path, data: bytes) -> None:
    """A file with NUL bytes near its start is binary, not JSON text.

    Raises:
        FileUnreadable: naming the file.
    """
    if b"\x00" in data[:8192]:
        raise FileUnreadable(path, "binary content (NUL bytes), not a JSON text file")


def iter_json_file(path: Path, *, ledger: LineLedger | None = None) -> Iterator[pa.Table]:
    """Yield blocks of documents from a JSON export in any layout.

    A JSON array, JSON lines (one document per line, the fast path), or
    documents spread over several lines one after another.

    Raises:
        FileUnreadable: the file cannot be read or is binary.
    """
    _reject_binary(path, _head(path))
    if _first_significant_byte(path) == b"[":
        yield from iter_json_array(path, ledger=ledger)
    elif lines_hold_whole_documents(path):
        yield from iter_json_lines(path, ledger=ledger)
    else:
        yield from iter_json_stream(path, ledger=ledger)


def iter_json_array(path: Path, *, ledger: LineLedger | None = None) -> Iterator[pa.Table]:
    """Yield blocks of documents from a JSON array file (``mongoexport --jsonArray``).

    An array with one document per line (``[{...},`` / ``{...},`` /
    ``{...}]``) is streamed line by line; any other layout (mongoexport writes
    the whole array on one line; ``--pretty`` spreads documents over lines)
    goes through :func:`iter_json_stream`.
    """
    if lines_hold_whole_documents(path):
        yield from _iter_array_lines(path, ledger)
    else:
        yield from iter_json_stream(path, ledger=ledger)


_HEAD_BYTES = 1024 * 1024


def _head(path: Path) -> bytes:
    with open_export(path) as handle:
        head = read_block(handle, path, _HEAD_BYTES)
    return head[3:] if head.startswith(b"\xef\xbb\xbf") else head


def _first_significant_byte(path: Path) -> bytes:
    return _head(path).lstrip()[:1]


def lines_hold_whole_documents(path: Path) -> bool:
    """Whether most of the first lines (array punctuation aside) are each a whole document.

    A majority vote, so that a truncated document on one line does not make
    the whole file look pretty-printed. A file whose first megabyte holds no
    complete line is one long line (a one-line array): not line by line.
    """
    head = _head(path)
    lines = head.splitlines()  # LF, CR LF and lone CR
    if len(head) == _HEAD_BYTES:
        lines = lines[:-1]  # the last line may go on
    elements = [
        element
        for element in (_strip_array_punctuation(line.decode("utf-8", "replace")) for line in lines)
        if element
    ][:200]
    if not elements:
        return len(head) < _HEAD_BYTES
    whole = sum(1 for element in elements if _is_json_object(element))
    return whole * 2 >= len(elements)


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
    except RecursionError:  # nested too deep for the decoder, but one line
        return text.startswith("{") and document_end(text, 0) == len(text)


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


def _iter_array_lines(path: Path, ledger: LineLedger | None) -> Iterator[pa.Table]:
    buffer = RecordBuffer(ledger=ledger)
    for block in iter_line_blocks(path):
        buffer.ledger.lines += block.line_count
        if block.is_first:
            _reject_binary(path, block.data)
        texts, bad = _decode_block(block)
        for index, text in enumerate(texts):
            element = _strip_array_punctuation(text)
            if element:
                buffer.add(block.first_line + index, element, NOT_UTF8 if index in bad else None)
            else:
                buffer.skip_lines(1)  # blank, or only the array's punctuation
        yield from buffer.blocks_when_full()
    yield from buffer.last_block()
    buffer.ledger.check(path)


#: A document longer than this is not waited for: the decoder gives up on it.
MAX_DOCUMENT_CHARS = 16 * 1024 * 1024


def iter_json_stream(path: Path, *, ledger: LineLedger | None = None) -> Iterator[pa.Table]:
    """Yield blocks of documents from a stream of JSON documents, in any layout.

    Handles a JSON array (on one line, as ``mongoexport --jsonArray`` writes
    it, or pretty-printed) and documents one after another spread over lines
    (``mongoexport --pretty``). The file is decoded in blocks with a JSON
    decoder, so memory stays bounded by a block and the largest document.
    Each document's record carries the line it starts on. A malformed
    document is rejected up to the next line that starts a document at its
    indentation or less (a truncated document does not swallow the rest).

    Documents may share a line, so the ledger counts records, not lines. A
    lone CR ends a line like LF (line numbers count both).

    Raises:
        FileUnreadable: the file cannot be read, or is not valid UTF-8.
    """
    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    buffer = RecordBuffer(ledger=ledger)
    buffer.ledger.line_based = False
    text, position, line, counted_to = "", 0, 1, 0
    held = ""  # a CR at the end of a read, until the next read tells whether LF follows
    started = ended = exhausted = False
    with open_export(path) as handle:

        def more() -> bool:
            """Append the next block to the text; False at the end of the file."""
            nonlocal text, position, counted_to, exhausted, line, held
            if exhausted:
                return False
            data = read_block(handle, path)
            exhausted = not data
            try:
                chunk = held + utf8.decode(data, final=exhausted)
            except UnicodeDecodeError as error:
                raise FileUnreadable(path, "not valid UTF-8") from error
            held = "\r" if chunk.endswith("\r") and not exhausted else ""
            chunk = _lone_crs_to_lf(chunk[: len(chunk) - len(held)])
            if position > len(text) // 2:  # drop what has been consumed
                line += text.count("\n", counted_to, position)  # lines are counted to here
                text, counted_to, position = text[position:], 0, 0
            text += chunk
            return not exhausted or bool(chunk)

        more()
        if text.startswith("\ufeff"):
            position = 1
        while True:
            # Skip blanks and the array's punctuation.
            while True:
                while position < len(text) and text[position] in " \t\r\n":
                    position += 1
                if position < len(text) or not more():
                    break
            if position >= len(text):
                break
            character = text[position]
            if character == "[" and not started:
                started = True
                position += 1
                continue
            if character == "," or (character == "]" and not ended):
                ended = ended or character == "]"
                position += 1
                continue
            started = True
            line += text.count("\n", counted_to, position)
            counted_to = position
            try:
                _, end = decoder.raw_decode(text, position)
            except RecursionError:
                deep_end = document_end(text, position)
                if deep_end is None and len(text) - position < MAX_DOCUMENT_CHARS and more():
                    continue  # the document goes on in the next block
                end = deep_end if deep_end is not None else _resync(text, position)
                buffer.add(line, text[position:end], NESTED_TOO_DEEP)
                position = end
                yield from buffer.blocks_when_full()
                continue
            except json.JSONDecodeError as error:
                end = _resync(text, position)
                # No next document in sight: this one may just be cut by the block.
                waiting = end >= len(text) and len(text) - position < MAX_DOCUMENT_CHARS
                if waiting and more():
                    continue
                fragment = text[position:end].rstrip().rstrip(",]").rstrip()
                buffer.add(line, fragment, f"not valid JSON: {error.msg}")
                position = end
                continue
            buffer.add(line, text[position:end])
            position = end
            yield from buffer.blocks_when_full()
    yield from buffer.last_block()


def _resync(text: str, position: int) -> int:
    """Where the document after a malformed one starts (or the end of the text).

    The next line whose first non-blank character opens an object at the
    malformed document's indentation or less (an optional comma first); on
    one line (a one-line array), the next ``},{``.
    """
    line_start = text.rfind("\n", 0, position) + 1
    indent = position - line_start
    next_line = text.find("\n", position)
    if next_line >= 0:
        for match in _DOCUMENT_LINE.finditer(text, next_line + 1):
            if len(match.group(1)) <= indent:
                return match.start()
    element = _NEXT_ELEMENT.search(text, position + 1)
    return element.start(1) if element else len(text)


def _lone_crs_to_lf(text: str) -> str:
    """Every CR not followed by LF becomes LF, so that lines end with LF or CR LF."""
    if "\r" not in text or text.count("\r") == text.count("\r\n"):
        return text
    return _LONE_CR.sub("\n", text)


_LONE_CR = re.compile(r"\r(?!\n)")
#: A line that starts a document: blanks, an optional comma, an opening brace.
_DOCUMENT_LINE = re.compile(r"^([ \t]*),?[ \t]*\{", re.MULTILINE)
#: The next element of an array written on one line.
_NEXT_ELEMENT = re.compile(r"\}\s*,\s*(\{)")
