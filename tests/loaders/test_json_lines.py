"""JSON lines and JSON arrays: every non-blank line is a record with its true line number."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pyarrow as pa
import pytest

from loaders.files import FileUnreadable
from loaders.json_lines import iter_json_array, iter_json_lines


def records(blocks) -> list[dict]:  # type: ignore[no-untyped-def]
    return pa.concat_tables(list(blocks)).to_pylist()


def test_lines_blank_lines_crlf_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"a": 1}\r\n\r\n   \n{"a": 2}\nnot json\n{"a": 3}')
    got = records(iter_json_lines(path))
    # Lines keep their terminator at this stage; the typer strips it from reject texts.
    assert [(r["_source_line"], r["_record_number"], r["_text"].rstrip()) for r in got] == [
        (1, 1, '{"a": 1}'),
        (4, 2, '{"a": 2}'),
        (5, 3, "not json"),
        (6, 4, '{"a": 3}'),
    ]
    assert all(r["_pre_reason"] is None for r in got)


def test_a_line_that_is_not_utf8_is_a_record_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": "caf\xe9"}\n{"a": 3}\n')
    got = records(iter_json_lines(path))
    assert [(r["_source_line"], r["_pre_reason"]) for r in got] == [
        (1, None),
        (2, "not valid UTF-8"),
        (3, None),
    ]


def test_many_blocks_keep_counting_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import loaders.files as files

    monkeypatch.setattr(files, "BLOCK_BYTES", 64)
    path = tmp_path / "events.jsonl.gz"
    lines = [json.dumps({"n": n}) for n in range(1, 501)]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    got = records(iter_json_lines(path))
    assert [r["_source_line"] for r in got] == list(range(1, 501))
    assert [json.loads(r["_text"])["n"] for r in got] == list(range(1, 501))


def test_binary_content_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\x00\x00\x00\x10binary")
    with pytest.raises(FileUnreadable, match="binary content"):
        records(iter_json_lines(path))


def test_a_json_array_with_one_document_per_line(tmp_path: Path) -> None:
    path = tmp_path / "campaigns.json"
    path.write_text('[{"id": 1},\n{"id": 2},\n{oops},\n{"id": 4}]\n', encoding="utf-8")
    got = records(iter_json_array(path))
    assert [(r["_source_line"], r["_text"]) for r in got] == [
        (1, '{"id": 1}'),
        (2, '{"id": 2}'),
        (3, "{oops}"),
        (4, '{"id": 4}'),
    ]


def test_a_pretty_printed_json_array_resynchronises_after_a_bad_document(
    tmp_path: Path,
) -> None:
    path = tmp_path / "campaigns.json"
    path.write_text(
        '[{\n\t"id": 1,\n\t"nested": {\n\t\t"x": 1\n\t}\n},\n'
        '{\n\t"id": 2,\n\t"broken": \n},\n'
        '{\n\t"id": 3\n}]\n',
        encoding="utf-8",
    )
    got = records(iter_json_array(path))
    assert [r["_source_line"] for r in got] == [1, 7, 11]
    assert json.loads(got[0]["_text"]) == {"id": 1, "nested": {"x": 1}}
    assert got[1]["_pre_reason"].startswith("not valid JSON")
    assert '"id": 2' in got[1]["_text"]
    assert json.loads(got[2]["_text"]) == {"id": 3}


def test_one_truncated_document_does_not_make_an_array_look_pretty_printed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "campaigns.json"
    path.write_text('[\n{"id": 1},\n{"id": 2, "name": \n{"id": 3}\n]\n', encoding="utf-8")
    got = records(iter_json_array(path))
    assert [(r["_source_line"], r["_text"], r["_pre_reason"]) for r in got] == [
        (2, '{"id": 1}', None),
        (3, '{"id": 2, "name":', None),
        (4, '{"id": 3}', None),
    ]


def test_ranges_of_a_file_read_like_the_whole_file(tmp_path: Path) -> None:
    from loaders.files import split_into_ranges

    path = tmp_path / "events.jsonl"
    lines = [json.dumps({"n": n, "pad": "x" * (n % 7)}) if n % 11 else "" for n in range(1, 301)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = records(iter_json_lines(path))
    ranges = split_into_ranges(path, 4)
    assert len(ranges) == 4
    assert ranges[0].start == 0 and ranges[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(ranges))
    parts = [records(iter_json_lines(path, byte_range)) for byte_range in ranges]
    assert [(r["_source_line"], r["_text"].rstrip()) for part in parts for r in part] == [
        (r["_source_line"], r["_text"].rstrip()) for r in whole
    ]


def test_ranges_know_their_first_line(tmp_path: Path) -> None:
    from loaders.files import split_into_ranges

    path = tmp_path / "e.jsonl"
    path.write_text("".join(f'{{"n": {n}}}\n' for n in range(1, 1001)))
    ranges = split_into_ranges(path, 7)
    for byte_range in ranges:
        with path.open("rb") as handle:
            handle.seek(byte_range.start)
            first = json.loads(handle.readline())["n"]
        assert first == byte_range.first_line


def test_mongoexport_json_array_on_one_line(tmp_path: Path) -> None:
    from loaders.json_lines import iter_json_file

    # Byte for byte what mongoexport --jsonArray writes: "[", documents joined by ",", "]".
    path = tmp_path / "customers.json"
    path.write_text(
        '[{"_id":{"$oid":"65a1b2c3d4e5f60718293a01"},"customer_id":1},'
        '{"_id":{"$oid":"65a1b2c3d4e5f60718293a02"},"customer_id":2}]'
    )
    got = records(iter_json_file(path))
    assert [(r["_source_line"], json.loads(r["_text"])["customer_id"]) for r in got] == [
        (1, 1),
        (1, 2),
    ]


def test_a_broken_document_in_a_one_line_array_costs_only_itself(tmp_path: Path) -> None:
    from loaders.json_lines import iter_json_file

    path = tmp_path / "customers.json"
    path.write_text('[{"id":1},{"id":2,"x":},{"id":3},{"id":4}]')
    got = records(iter_json_file(path))
    assert [r["_pre_reason"] is None for r in got] == [True, False, True, True]
    assert [json.loads(r["_text"])["id"] for r in got if r["_pre_reason"] is None] == [1, 3, 4]


def test_mongoexport_pretty_documents_one_after_another(tmp_path: Path) -> None:
    from loaders.json_lines import iter_json_file

    docs = [
        {"_id": {"$oid": f"65a1b2c3d4e5f607182930{n:02d}"}, "n": n, "tags": ["a"]} for n in range(5)
    ]
    path = tmp_path / "customers.json"
    path.write_text("\n".join(json.dumps(doc, indent="\t") for doc in docs) + "\n")
    got = records(iter_json_file(path))
    assert [json.loads(r["_text"])["n"] for r in got] == list(range(5))
    assert [r["_source_line"] for r in got] == [1 + 9 * n for n in range(5)]


def test_an_indented_pretty_array_with_a_broken_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import loaders.files as files
    from loaders.json_lines import iter_json_file

    monkeypatch.setattr(files, "BLOCK_BYTES", 37)  # documents cross many reads
    body = json.dumps([{"id": n, "nested": {"deep": [n, {"x": n}]}} for n in range(5)], indent=2)
    body = body.replace('"id": 1,', '"id": 1,,')  # document 1 is broken
    path = tmp_path / "campaigns.json"
    path.write_text(body)
    got = records(iter_json_file(path))
    assert [r["_pre_reason"] is None for r in got] == [True, False, True, True, True]
    assert [json.loads(r["_text"])["id"] for r in got if r["_pre_reason"] is None] == [0, 2, 3, 4]
    assert '"id": 1,,' in got[1]["_text"]


# --- line ends, deep nesting and the line ledger --------------------------------------------


def _typed(path: Path, table: str = "events") -> tuple[list[dict], list[dict]]:
    from loaders.contract import TABLES_BY_NAME
    from loaders.json_lines import iter_json_file
    from loaders.typing_engine import Typer

    typer = Typer(TABLES_BY_NAME[table], is_json=True)
    rows: list[dict] = []
    rejected: list[dict] = []
    try:
        for block in iter_json_file(path):
            out = typer.type_block(block)
            rows += out.rows.to_pylist()
            rejected += out.rejected.to_pylist()
    finally:
        typer.close()
    return rows, rejected


@pytest.mark.slow
@pytest.mark.parametrize("newline", ["\r", "\r\n", "mixed"])
def test_cr_only_and_mixed_line_ends_keep_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str
) -> None:
    import loaders.files as files

    lines = [json.dumps({"event_id": f"e{n}"}) if n % 7 else "" for n in range(1, 101)]
    ends = [
        "\r\n" if newline == "\r\n" or (newline == "mixed" and n % 3) else "\r" for n in range(100)
    ]
    path = tmp_path / "events.jsonl"
    path.write_bytes("".join(line + end for line, end in zip(lines, ends, strict=True)).encode())
    expected = [(n, f"e{n}") for n in range(1, 101) if n % 7]
    for block_bytes in (files.BLOCK_BYTES, *range(5, 120, 7)):  # CR LF cut between reads too
        monkeypatch.setattr(files, "BLOCK_BYTES", block_bytes)
        rows, rejected = _typed(path)
        assert not rejected, block_bytes
        assert sorted((r["_source_line"], r["event_id"]) for r in rows) == expected


@pytest.mark.slow
@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_a_pretty_printed_export_with_cr_line_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str
) -> None:
    import loaders.files as files

    docs = [json.dumps({"event_id": f"e{n}", "utm": {"source": "x"}}, indent=2) for n in range(4)]
    path = tmp_path / "events.json"
    path.write_bytes(("\n".join(docs) + "\n").replace("\n", newline).encode())
    for block_bytes in (files.BLOCK_BYTES, *range(5, 60, 3)):  # CR LF cut between reads too
        monkeypatch.setattr(files, "BLOCK_BYTES", block_bytes)
        rows, rejected = _typed(path)
        assert not rejected, block_bytes
        # Each document is 6 lines long.
        assert [(r["_source_line"], r["event_id"]) for r in rows] == [
            (1 + 6 * n, f"e{n}") for n in range(4)
        ], block_bytes


def _deep(kind: str, depth: int, key: str = "e-deep") -> str:
    """An event whose properties hold a value nested ``depth`` levels: 2 + depth in all."""
    inner = "[" * depth + "]" * depth if kind == "arrays" else '{"a":' * depth + "1" + "}" * depth
    return json.dumps({"event_id": key})[:-1] + ', "properties": {"x": ' + inner + "}}"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["arrays", "objects"])
@pytest.mark.parametrize("layout", ["json lines", "array on one line", "pretty", "array lines"])
def test_a_document_nested_10000_levels_deep_is_one_rejected_record(
    tmp_path: Path, kind: str, layout: str
) -> None:
    from loaders.typing_engine import NESTED_TOO_DEEP

    good = [json.dumps({"event_id": f"e{n}"}) for n in range(4)]
    deep = _deep(kind, 10_000)
    path = tmp_path / "events.json"
    if layout == "json lines":
        path.write_text("\n".join([good[0], good[1], deep, good[2], good[3]]) + "\n")
        deep_line = 3
    elif layout == "array on one line":
        path.write_text("[" + ",".join([good[0], good[1], deep, good[2], good[3]]) + "]")
        deep_line = 1
    elif layout == "array lines":
        path.write_text("[\n" + ",\n".join([good[0], good[1], deep, good[2], good[3]]) + "\n]\n")
        deep_line = 4
    else:
        pretty = [json.dumps(json.loads(text), indent=2) for text in good]  # 3 lines each
        path.write_text("\n".join([pretty[0], pretty[1], deep, pretty[2], pretty[3]]) + "\n")
        deep_line = 7
    rows, rejected = _typed(path)
    assert sorted(r["event_id"] for r in rows) == ["e0", "e1", "e2", "e3"]
    assert [(r["_source_line"], r["_record_number"], r["_reason"]) for r in rejected] == [
        (deep_line, 3, NESTED_TOO_DEEP)
    ]


def test_nesting_is_accepted_up_to_the_limit(tmp_path: Path) -> None:
    from loaders.typing_engine import MAX_NESTING, NESTED_TOO_DEEP

    path = tmp_path / "events.jsonl"
    path.write_text(
        "\n".join(
            [
                _deep("arrays", MAX_NESTING - 2, "at-limit"),
                _deep("objects", MAX_NESTING - 2, "at-limit-objects"),
                _deep("arrays", MAX_NESTING - 1, "over"),
                json.dumps({"event_id": "wide", "properties": {"x": [[1]] * 500}}),
                json.dumps({"event_id": "brackets-in-text", "uri": "[" * 500}),
            ]
        )
        + "\n"
    )
    rows, rejected = _typed(path)
    assert sorted(r["event_id"] for r in rows) == [
        "at-limit",
        "at-limit-objects",
        "brackets-in-text",
        "wide",
    ]
    assert [(r["_source_line"], r["_reason"]) for r in rejected] == [(3, NESTED_TOO_DEEP)]


def test_json_lines_account_for_every_line(tmp_path: Path) -> None:
    from loaders.records import LineLedger

    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"a": 1}\n\n  \r\n{"a": 2}\rnot json\n{"a": "caf\xe9"}\n')
    ledger = LineLedger()
    got = records(iter_json_lines(path, ledger=ledger))
    assert [r["_source_line"] for r in got] == [1, 4, 5, 6]
    assert (ledger.lines, ledger.in_records, ledger.outside_records, ledger.records) == (6, 4, 2, 4)


def test_a_binary_file_that_starts_like_json_is_unreadable(tmp_path: Path) -> None:
    from loaders.json_lines import iter_json_file

    path = tmp_path / "events.json"
    path.write_bytes(b"\x00" * 100_000)
    with pytest.raises(FileUnreadable, match="binary content"):
        records(iter_json_file(path))


def test_ranges_of_a_file_with_mixed_line_ends_read_like_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import loaders.files as files
    from loaders.files import split_into_ranges

    ends = ["\n", "\r", "\r\n"]
    path = tmp_path / "events.jsonl"
    path.write_bytes("".join(json.dumps({"n": n}) + ends[n % 3] for n in range(1, 401)).encode())
    whole = records(iter_json_lines(path))
    assert [r["_source_line"] for r in whole] == list(range(1, 401))
    for block_bytes in (files.BLOCK_BYTES, 7, 50):  # CR LF cut between counting reads too
        monkeypatch.setattr(files, "BLOCK_BYTES", block_bytes)
        parts = [
            records(iter_json_lines(path, byte_range)) for byte_range in split_into_ranges(path, 5)
        ]
        assert [r["_source_line"] for part in parts for r in part] == list(range(1, 401))
