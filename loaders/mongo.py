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
from typing import Literal

import bson
import pyarrow as pa
from bson import json_util
from bson.errors import BSONError

from .files import ByteRange, FileUnreadable, open_export, read_block
from .json_lines import iter_json_array, iter_json_lines
from .records import RECORDS_PER_BLOCK, RecordBuffer

MongoLayout = Literal["jsonl", "array", "bson"]

_MAX_BSON_DOCUMENT = 16 * 1024 * 1024 + 16 * 1024
_JSON_OPTIONS = json_util.RELAXED_JSON_OPTIONS


def detect_layout(path: Path) -> MongoLayout:
    """Tell mongoexport JSON lines, a JSON array and mongodump BSON apart.

    Raises:
        FileUnreadable: the file is none of the three (or is empty of content).
    """
    with open_export(path) as handle:
        head = read_block(handle, path, 65536)
    if _looks_like_bson(head):
        return "bson"
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
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


def iter_mongo_export(path: Path, byte_range: ByteRange | None = None) -> Iterator[pa.Table]:
    """Yield blocks of documents from any mongoexport / mongodump layout.

    A byte range is only meaningful for JSON lines (the loader splits nothing else).
    """
    if byte_range is not None:
        yield from iter_json_lines(path, byte_range)
        return
    layout = detect_layout(path)
    if layout == "bson":
        yield from iter_bson(path)
    elif layout == "array":
        yield from iter_json_array(path)
    else:
        yield from iter_json_lines(path)


def iter_bson(path: Path) -> Iterator[pa.Table]:
    """Yield blocks of documents from a mongodump ``.bson`` file.

    Each document becomes one record, numbered from 1 (in the ``_source_line``
    column). A document whose bytes do not decode is rejected with its bytes
    in base64; a length prefix that runs past the end of the file (a
    truncated dump) rejects the remaining bytes as one record.
    """
    buffer = RecordBuffer()
    number = 0
    with open_export(path) as handle:
        pending = b""
        exhausted = False
        while True:
            if len(pending) < 4 and not exhausted:
                more = read_block(handle, path)
                exhausted = not more
                pending += more
            if not pending:
                break
            number += 1
            if len(pending) < 4:
                buffer.add(number, _b64(pending), "truncated BSON: incomplete length prefix")
                break
            (size,) = struct.unpack("<i", pending[:4])
            if size < 5 or size > _MAX_BSON_DOCUMENT:
                if number == 1:
                    raise FileUnreadable(
                        path, "not a BSON file (the first document length is invalid)"
                    )
                rest = pending + (b"" if exhausted else _read_rest(handle, path))
                buffer.add(number, _b64(rest), f"corrupt BSON: invalid document length {size}")
                break
            while len(pending) < size and not exhausted:
                more = read_block(handle, path)
                exhausted = not more
                pending += more
            if len(pending) < size:
                buffer.add(
                    number,
                    _b64(pending),
                    f"truncated BSON: document declares {size} bytes, {len(pending)} remain",
                )
                break
            raw, pending = pending[:size], pending[size:]
            try:
                document = bson.decode(raw)
            except (BSONError, ValueError, OverflowError) as error:
                buffer.add(number, _b64(raw), f"corrupt BSON document: {error}")
            else:
                buffer.add(number, json_util.dumps(document, json_options=_JSON_OPTIONS))
            if len(buffer) >= RECORDS_PER_BLOCK:
                table = buffer.flush()
                if table is not None:
                    yield table
    table = buffer.flush()
    if table is not None:
        yield table


def _read_rest(handle: object, path: Path) -> bytes:
    chunks = []
    while data := read_block(handle, path):  # type: ignore[arg-type]
        chunks.append(data)
    return b"".join(chunks)


def _b64(raw: bytes) -> str:
    return "base64:" + base64.b64encode(raw).decode("ascii")
