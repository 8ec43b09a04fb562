"""Opening export files: gzip detection, streaming in line-aligned blocks.

Every reader goes through :func:`open_export` and :func:`iter_line_blocks`, so
a missing file, a truncated gzip or an I/O error always becomes one
:class:`FileUnreadable` with the file and the reason.

A line ends with LF, CR LF or a lone CR (old Mac and some Excel exports), in
any mix: :func:`iter_line_blocks` turns every lone CR into LF, so that every
reader splits lines on LF only and counts them the same way.
"""

from __future__ import annotations

import gzip
import itertools
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa

#: Bytes read at a time. Blocks are cut at the last newline, so a block holds
#: whole lines; memory stays bounded by a few blocks whatever the file size.
BLOCK_BYTES = 16 * 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"
_LONE_CR = re.compile(rb"\r(?!\n)")
_WHITESPACE = np.array([9, 10, 11, 12, 13, 32], dtype=np.uint8)


class FileUnreadable(Exception):
    """A file that cannot be read at all: nothing of it may be loaded."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason

    def __reduce__(self) -> tuple[type[FileUnreadable], tuple[str, str]]:
        # Raised in worker processes: must survive pickling with both fields.
        return (FileUnreadable, (self.path, self.reason))


class ConfigurationMismatch(FileUnreadable):
    """A file that contradicts the configuration (it has a column given a constant)."""

    def __reduce__(self) -> tuple[type[ConfigurationMismatch], tuple[str, str]]:
        return (ConfigurationMismatch, (self.path, self.reason))


def is_gzip(path: Path) -> bool:
    """Tell a gzip file by its magic bytes (the extension may lie)."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_export(path: Path) -> BinaryIO:
    """Open an export for binary reading, decompressing gzip transparently.

    Raises:
        FileUnreadable: the file is missing, is a directory or cannot be opened.
    """
    if not path.exists():
        raise FileUnreadable(path, "file not found")
    if not path.is_file():
        raise FileUnreadable(path, "not a regular file")
    try:
        if is_gzip(path):
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return path.open("rb")
    except OSError as error:
        raise FileUnreadable(path, f"cannot open: {error.strerror or error}") from error


def read_block(handle: BinaryIO, path: Path, size: int | None = None) -> bytes:
    """Read up to ``size`` bytes (BLOCK_BYTES), turning decompression errors into FileUnreadable."""
    try:
        return handle.read(BLOCK_BYTES if size is None else size)
    except EOFError as error:
        raise FileUnreadable(path, "truncated gzip: the compressed stream ends early") from error
    except (gzip.BadGzipFile, zlib.error) as error:
        raise FileUnreadable(path, f"corrupt gzip: {error}") from error
    except OSError as error:
        raise FileUnreadable(path, f"read error: {error}") from error


@dataclass(frozen=True)
class LineBlock:
    """Whole lines of a file.

    Attributes:
        first_line: 1-based number of the first line in the block.
        data: The lines joined by newlines (none after the last one).
        is_first: Whether this is the first block of the file.
        line_count: How many lines the block holds (an empty block is one empty line).
    """

    first_line: int
    data: bytes
    is_first: bool
    line_count: int

    @property
    def lines(self) -> list[bytes]:
        """The lines without their terminator (LF or CR LF)."""
        lines = self.data.split(b"\n")
        _strip_carriage_returns(lines)
        return lines

    def arrow_lines(self) -> tuple[pa.StringArray | None, pa.Int64Array]:
        """The non-blank lines as an Arrow string array (no copy) and their line numbers.

        A line keeps its terminator (JSON does not mind; whoever shows the text
        strips it). Returns ``None`` for the array when the block is not valid
        UTF-8; the caller then falls back to :meth:`lines` and
        :func:`decode_lines`.
        """
        buffer = np.frombuffer(self.data, dtype=np.uint8)
        newlines = np.flatnonzero(buffer == 10)
        count = len(newlines) + 1
        offsets = np.empty(count + 1, dtype=np.int32)
        offsets[0] = 0
        offsets[1:-1] = newlines + 1
        offsets[-1] = len(self.data)
        numbers = np.arange(self.first_line, self.first_line + count, dtype=np.int64)
        array = pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(self.data))
        try:
            array.validate(full=True)
        except pa.ArrowInvalid:
            return None, pa.array(numbers)
        # Blank lines are not records: a line is blank if it is empty or all
        # whitespace; only lines that start with whitespace need a closer look.
        starts = offsets[:-1]
        lengths = np.diff(offsets)
        first_bytes = np.zeros(count, dtype=np.uint8)
        non_empty = lengths > 0
        first_bytes[non_empty] = buffer[starts[non_empty]]
        maybe_blank = np.flatnonzero(~non_empty | np.isin(first_bytes, _WHITESPACE))
        if len(maybe_blank) == 0:
            return array, pa.array(numbers)
        keep = np.ones(count, dtype=bool)
        for index in maybe_blank:
            if not self.data[offsets[index] : offsets[index + 1]].strip():
                keep[index] = False
        mask = pa.array(keep)
        return array.filter(mask), pa.array(numbers[keep])


@dataclass(frozen=True)
class ByteRange:
    """A part of an uncompressed file: whole lines from ``start`` to ``end`` (exclusive).

    ``first_line`` is the 1-based number of the line at ``start``.
    """

    start: int
    end: int
    first_line: int


def split_into_ranges(path: Path, parts: int) -> list[ByteRange]:
    """Cut an uncompressed file into about ``parts`` ranges of whole lines.

    The line number at each cut is counted in one pass over the file.
    """
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as handle:
        for part in range(1, parts):
            handle.seek(max(size * part // parts, cuts[-1]))
            handle.readline()  # to the start of the next line
            position = handle.tell()
            if cuts[-1] < position < size:
                cuts.append(position)
        cuts.append(size)
        handle.seek(0)
        first_lines, line, position, after_cr = [1], 1, 0, False
        for cut in cuts[1:-1]:
            while position < cut and (data := handle.read(min(BLOCK_BYTES, cut - position))):
                line += count_line_ends(data, after_cr)
                after_cr = data.endswith(b"\r")
                position += len(data)
            first_lines.append(line)
    return [
        ByteRange(start, end, first_line)
        for (start, end), first_line in zip(itertools.pairwise(cuts), first_lines, strict=True)
    ]


def count_line_ends(data: bytes, after_cr: bool = False) -> int:
    """Line ends in ``data``: LF, CR LF and lone CR each count once.

    ``after_cr`` says the bytes before ``data`` ended with a CR, so that a CR LF
    cut between two reads is not counted twice.
    """
    count = data.count(b"\n")
    if b"\r" in data:
        count += data.count(b"\r") - data.count(b"\r\n")
    if after_cr and data.startswith(b"\n"):
        count -= 1
    return count


def _lone_crs_to_lf(data: bytes) -> bytes:
    """Every CR not followed by LF becomes LF (pure LF and CR LF data is returned as is)."""
    if b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"):
        return data
    return _LONE_CR.sub(b"\n", data)


def iter_line_blocks(
    path: Path, block_bytes: int | None = None, byte_range: ByteRange | None = None
) -> Iterator[LineBlock]:
    """Stream a (possibly gzipped) file, or a range of it, as blocks of whole lines.

    A UTF-8 byte-order mark at the start is removed. The last line may lack a
    newline. A lone CR ends a line like LF and CR LF do, and is delivered as
    LF. Line numbers count from the start of the file, also in a range.

    Raises:
        FileUnreadable: missing file, truncated or corrupt gzip, I/O error.
    """
    if block_bytes is None:
        block_bytes = BLOCK_BYTES  # read when called, so that it can be changed
    with open_export(path) as handle:
        carry = b""
        next_line = 1
        first = True
        remaining: int | None = None
        if byte_range is not None:
            handle.seek(byte_range.start)
            next_line = byte_range.first_line
            first = byte_range.start == 0
            remaining = byte_range.end - byte_range.start
        ended = False
        while not ended:
            size = block_bytes if remaining is None else min(block_bytes, remaining)
            data = read_block(handle, path, size) if size > 0 else b""
            if remaining is not None:
                remaining -= len(data)
            ended = not data
            if first and carry == b"" and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            if first and carry == b"" and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
                raise FileUnreadable(
                    path, "UTF-16 text (as Excel or PowerShell save it): re-export as UTF-8"
                )
            data = carry + data
            # A CR at the end may be the first half of a CR LF: it waits for the next read.
            held = b"\r" if data.endswith(b"\r") and not ended else b""
            data = _lone_crs_to_lf(data[: len(data) - len(held)])
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data + held
                continue
            carry = data[cut + 1 :] + held
            block = data[:cut]
            count = block.count(b"\n") + 1
            yield LineBlock(next_line, block, first, count)
            next_line += count
            first = False
        if carry:
            yield LineBlock(next_line, carry, first, 1)


def _strip_carriage_returns(lines: list[bytes]) -> None:
    for index, line in enumerate(lines):
        if line.endswith(b"\r"):
            lines[index] = line[:-1]


def decode_lines(lines: list[bytes], encoding: str = "utf-8") -> tuple[list[str], list[int]]:
    """Decode lines, returning the text and the indexes of undecodable lines.

    With ``utf-8`` a line that is not valid UTF-8 is decoded with
    replacement characters and reported, so the caller can reject it.
    """
    try:
        joined = b"\n".join(lines).decode(encoding)
    except UnicodeDecodeError:
        texts: list[str] = []
        bad: list[int] = []
        for index, line in enumerate(lines):
            try:
                texts.append(line.decode(encoding))
            except UnicodeDecodeError:
                texts.append(line.decode(encoding, errors="replace"))
                bad.append(index)
        return texts, bad
    return joined.split("\n"), []
