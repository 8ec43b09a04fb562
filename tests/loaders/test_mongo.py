"""MongoDB exports: JSON lines, JSON arrays and mongodump BSON, told apart by content."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import bson
import pyarrow as pa
import pytest
from bson import Decimal128, Int64, ObjectId

from loaders.contract import TABLES_BY_NAME
from loaders.files import FileUnreadable
from loaders.mongo import detect_layout, iter_bson, iter_mongo_export
from loaders.typing_engine import Typer

DOCUMENTS = [
    {
        "_id": ObjectId("65a1b2c3d4e5f60718293a4b"),
        "transaction_id": "TX-00000001",
        "customer_id": Int64(100001),
        "amount": Decimal128("129.90"),
        "quantity": 2,
        "timestamp": dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC),
        "status": "refunded",
    },
    {"transaction_id": "TX-00000002", "customer_id": "100002", "amount": 10.5},
]


def typed(path: Path) -> tuple[list[dict], list[dict]]:
    typer = Typer(TABLES_BY_NAME["transactions"], is_json=True)
    rows, rejected = [], []
    for block in iter_mongo_export(path):
        out = typer.type_block(block)
        rows += out.rows.to_pylist()
        rejected += out.rejected.to_pylist()
    return (
        sorted(rows, key=lambda r: r["_source_line"]),
        sorted(rejected, key=lambda r: r["_source_line"]),
    )


def check_documents(rows: list[dict]) -> None:
    assert rows[0]["_id"] == "65a1b2c3d4e5f60718293a4b"
    assert rows[0]["customer_id"] == "100001"
    assert rows[0]["amount"] == pytest.approx(129.90)
    assert rows[0]["timestamp"] == dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    assert rows[1]["customer_id"] == "100002"


def test_bson_dump_round_trips_through_extended_json(tmp_path: Path) -> None:
    path = tmp_path / "transactions.bson"
    path.write_bytes(b"".join(bson.encode(d) for d in DOCUMENTS))
    assert detect_layout(path) == "bson"
    rows, rejected = typed(path)
    assert not rejected
    check_documents(rows)
    assert [r["_source_line"] for r in rows] == [1, 2]


def test_canonical_extended_json_lines(tmp_path: Path) -> None:
    from bson import json_util

    path = tmp_path / "transactions.json.gz"
    text = "\n".join(
        json_util.dumps(d, json_options=json_util.CANONICAL_JSON_OPTIONS) for d in DOCUMENTS
    )
    path.write_bytes(gzip.compress(text.encode()))
    assert detect_layout(path) == "jsonl"
    rows, rejected = typed(path)
    assert not rejected
    check_documents(rows)


def test_relaxed_json_array(tmp_path: Path) -> None:
    from bson import json_util

    path = tmp_path / "transactions.json"
    docs = [json_util.dumps(d, json_options=json_util.RELAXED_JSON_OPTIONS) for d in DOCUMENTS]
    path.write_text("[" + ",\n".join(docs) + "]", encoding="utf-8")
    assert detect_layout(path) == "array"
    rows, rejected = typed(path)
    assert not rejected
    check_documents(rows)


def test_a_truncated_bson_dump_rejects_the_remaining_bytes(tmp_path: Path) -> None:
    path = tmp_path / "transactions.bson"
    data = b"".join(bson.encode(d) for d in DOCUMENTS)
    path.write_bytes(data[:-10])
    got = pa.concat_tables(list(iter_bson(path))).to_pylist()
    assert got[0]["_pre_reason"] is None
    assert got[1]["_pre_reason"].startswith("truncated BSON")
    assert got[1]["_text"].startswith("base64:")


def test_a_corrupt_document_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    good = bson.encode(DOCUMENTS[1])
    bad = bytearray(bson.encode({"a": "text"}))
    bad[4] = 0x7E  # an element type that does not exist
    path = tmp_path / "transactions.bson"
    path.write_bytes(good + bytes(bad) + good)
    got = pa.concat_tables(list(iter_bson(path))).to_pylist()
    assert [r["_pre_reason"] is None for r in got] == [True, False, True]
    assert got[1]["_pre_reason"].startswith("corrupt BSON document")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("customers.json", b"date,customer\n2025-01-01,1\n", "not a MongoDB export"),
        ("customers.bson", b"\xff\xff\xff\x7f\x00\x00", "not a BSON file"),
    ],
)
def test_files_that_are_no_mongo_export_are_unreadable(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileUnreadable, match=reason):
        detect_layout(path)


def test_a_first_line_of_garbage_does_not_hide_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "customers.json"
    path.write_text("### export started\n" + json.dumps({"customer_id": 1}) + "\n")
    assert detect_layout(path) == "jsonl"


def test_an_empty_dump_of_an_empty_collection_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "transactions.bson"
    path.write_bytes(b"")
    assert detect_layout(path) == "bson"
    assert list(iter_mongo_export(path)) == []


@pytest.mark.slow
def test_reading_a_big_dump_takes_linear_time(tmp_path: Path) -> None:
    import time

    def seconds(count: int) -> float:
        path = tmp_path / f"t{count}.bson"
        path.write_bytes(b"".join(bson.encode({"transaction_id": f"TX-{n}"}) for n in range(count)))
        started = time.perf_counter()
        rows = sum(block.num_rows for block in iter_bson(path))
        assert rows == count
        return time.perf_counter() - started

    small, large = seconds(20_000), seconds(80_000)
    assert large < small * 8  # quadratic reading took 14 times longer


def test_a_date_beyond_pythons_range_reaches_the_typer(tmp_path: Path) -> None:
    from bson.datetime_ms import DatetimeMS

    path = tmp_path / "transactions.bson"
    path.write_bytes(bson.encode({"transaction_id": "TX-1", "timestamp": DatetimeMS(10**15)}))
    rows, rejected = typed(path)
    assert not rows
    assert rejected[0]["_reason"].startswith("timestamp: not a timestamp")


def _nested_bson(depth: int, kind: int, transaction_id: str) -> bytes:
    """A document {transaction_id, deep: {a: {a: ...}}} nested ``depth`` levels below deep.

    Built byte by byte: pymongo's encoder stops far earlier than a corrupt dump does.
    """
    import struct

    inner = b"\x05\x00\x00\x00\x00"  # the innermost empty document (or array)
    for _ in range(depth):
        body = bytes([kind]) + b"0\x00" + inner + b"\x00"
        inner = struct.pack("<i", len(body) + 4) + body
    text = transaction_id.encode() + b"\x00"
    body = (
        b"\x02transaction_id\x00"
        + struct.pack("<i", len(text))
        + text
        + bytes([kind])
        + b"deep\x00"
        + inner
        + b"\x00"
    )
    return struct.pack("<i", len(body) + 4) + body


@pytest.mark.slow
@pytest.mark.parametrize("depth", [150, 700, 10_000])
@pytest.mark.parametrize("kind", [3, 4], ids=["objects", "arrays"])
def test_a_deeply_nested_bson_document_is_one_rejected_record(
    tmp_path: Path, depth: int, kind: int
) -> None:
    from loaders.typing_engine import NESTED_TOO_DEEP

    path = tmp_path / "transactions.bson"
    path.write_bytes(
        bson.encode(DOCUMENTS[0]) + _nested_bson(depth, kind, "TX-DEEP") + bson.encode(DOCUMENTS[1])
    )
    assert bson.decode(_nested_bson(20, kind, "TX-SHALLOW"))["transaction_id"] == "TX-SHALLOW"
    rows, rejected = typed(path)
    check_documents(rows)
    assert [r["_source_line"] for r in rows] == [1, 3]
    assert [(r["_source_line"], r["_reason"]) for r in rejected] == [(2, NESTED_TOO_DEEP)]
    assert rejected[0]["_text"].startswith("base64:") or '"TX-DEEP"' in rejected[0]["_text"]


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
        b"PK\x03\x04" + bytes(range(256)) * 40,
        # A first length that fits, with a NUL where the first document would end.
        b"\x10\x00\x00\x00\x02garbage\xff\xfe\x01\x00" + bytes(range(1, 256)) * 40,
    ],
    ids=["png", "zip", "plausible length"],
)
def test_a_binary_file_at_a_bson_path_is_no_bson(tmp_path: Path, content: bytes) -> None:
    from loaders.workers import FileJob, merge_parts, stage_file

    path = tmp_path / "transactions.bson"
    path.write_bytes(content)
    job = FileJob(TABLES_BY_NAME["transactions"], path, "mongo/transactions.bson")
    with pytest.raises(FileUnreadable, match="not a BSON file") as raised:
        staged = stage_file(job, str(tmp_path), dt.datetime.now(dt.UTC), "load")
        merge_parts(job, [staged])
    assert raised.value.path == str(path)
