"""MongoDB exports: mongoexport JSON (lines or ``--jsonArray``) and mongodump BSON.

The layout is detected from the content, not the extension: a BSON document
starts with its little-endian length, a JSON array with ``[``, JSON lines
with ``{``. BSON documents are rendered as relaxed Extended JSON so that all
three layouts go through the same typer, which unwraps ``$oid``, ``$date``,
``$numberLong`` and friends.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import bson
import pyarrow as pa
from bson import json_util
from bson.codec_options import CodecOptions, DatetimeConversion
from bson.errors import BSONError

from .files import ByteRange, FileUnreadable, open_export, read_block
from .json_lines import iter_json_file, iter_json_lines
from .records import LineLedger, RecordBuffer
from .typing_engine import NESTED_TOO_DEEP

MongoLayout = Literal["jsonl", "array", "bson"]

_MAX_BSON_DOCUMENT = 16 * 1024 * 1024 + 16 * 1024
_JSON_OPTIONS = json_util.RELAXED_JSON_OPTIONS
_CODEC_OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(
    datetime_conversion=DatetimeConversion.DATETIME_AUTO
)


def detect_layout(path: Path) -> MongoLayout:
    """Tell mongoexport JSON lines, a JSON array and mongodump BSON apart.

    Raises:
        FileUnreadable: the file is none of the three (or is empty of content).
    """
    with open_export(path) as handle:
        head = read_block(handle, path, 65536)
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if not text.strip():
        # Empty (mongodump writes 0 bytes for an empty collection): no records.
        return "bson" if ".bson" in path.name else "jsonl"
    if _looks_like_bson(head):
        return "bson"
    for raw_line in text.splitlines()[:50]:
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith(b"["):
            return "array"
        if line.startswith(b"{"):
            return "jsonl"
    if path.suffix == ".bson" or path.name.endswith(".bson.gz"):
        raise FileUnreadable(path, "not a BSON file (the first document length is invalid)")
    if not text.strip():
        return "jsonl"
    raise FileUnreadable(
        path, "not a MongoDB export: neither JSON lines, a JSON array nor mongodump BSON"
    )


def _looks_like_bson(head: bytes) -> bool:
    if len(head) < 5:
        return False
    (size,) = struct.unpack("<i", head[:4])
    if size < 5 or size > _MAX_BSON_DOCUMENT:
        return False
    if size <= len(head):
        return bool(head[size - 1] == 0)
    # A first document longer than the sniffed head: trust the element type byte.
    return head[4] in range(0x01, 0x14) or head[4] in (0x7F, 0xFF)


def iter_mongo_export(
    path: Path, byte_range: ByteRange | None = None, *, ledger: LineLedger | None = None
) -> Iterator[pa.Table]:
    """Yield blocks of documents from any mongoexport / mongodump layout.

    A byte range is only meaningful for JSON lines (the loader splits nothing else).
    """
    if byte_range is not None:
        yield from iter_json_lines(path, byte_range, ledger=ledger)
        return
    if detect_layout(path) == "bson":
        yield from iter_bson(path, ledger=ledger)
    else:
        yield from iter_json_file(path, ledger=ledger)


def iter_bson(path: Path, *, ledger: LineLedger | None = None) -> Iterator[pa.Table]:
    """Yield blocks of documents from a mongodump ``.bson`` file.

    Each document becomes one record, numbered from 1 (in the ``_source_line``
    column). A document whose bytes do not decode is rejected with its bytes
    in base64; a length prefix that runs past the end of the file (a
    truncated dump) rejects the remaining bytes as one record. Dates out of
    Python's range stay dates (the typer then rejects them with its reason).
    A document nested too deeply to decode or render is rejected as nested
    too deep (so are the shallower ones above the limit, by the typer).
    """
    buffer = RecordBuffer(ledger=ledger)
    buffer.ledger.line_based = False
    number = 0
    with open_export(path) as handle:
        data = b""
        offset = 0  # start of the next document in data
        exhausted = False

        def have(count: int) -> bool:
            """Make sure ``count`` bytes from offset are in data, if the file has them."""
            nonlocal data, offset, exhausted
            while len(data) - offset < count and not exhausted:
                more = read_block(handle, path)
                exhausted = not more
                data = data[offset:] + more  # compact only when refilling
                offset = 0
            return len(data) - offset >= count

        while have(1):
            number += 1
            if not have(4):
                buffer.add(number, _b64(data[offset:]), "truncated BSON: incomplete length prefix")
                break
            (size,) = struct.unpack_from("<i", data, offset)
            if size < 5 or size > _MAX_BSON_DOCUMENT:
                if number == 1:
                    raise FileUnreadable(
                        path, "not a BSON file (the first document length is invalid)"
                    )
                have(1 << 62)  # the rest of the file
                reason = f"corrupt BSON: invalid document length {size}"
                buffer.add(number, _b64(data[offset:]), reason)
                break
            if not have(size):
                buffer.add(
                    number,
                    _b64(data[offset:]),
                    f"truncated BSON: document declares {size} bytes, {len(data) - offset} remain",
                )
                break
            raw = data[offset : offset + size]
            offset += size
            try:
                document = bson.decode(raw, codec_options=_CODEC_OPTIONS)
                text = json_util.dumps(document, json_options=_JSON_OPTIONS)
            except RecursionError:
                buffer.add(number, _b64(raw), NESTED_TOO_DEEP)
            except (BSONError, ValueError, OverflowError) as error:
                too_deep = "recursion" in str(error)  # the C decoder's own depth guard
                reason = NESTED_TOO_DEEP if too_deep else f"corrupt BSON document: {error}"
                buffer.add(number, _b64(raw), reason)
            else:
                buffer.add(number, text)
            yield from buffer.blocks_when_full()
    yield from buffer.last_block()


def _b64(raw: bytes) -> str:
    return "base64:" + base64.b64encode(raw).decode("ascii")
