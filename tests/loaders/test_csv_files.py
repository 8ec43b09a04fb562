"""CSV reading: encodings, delimiters, header matching, line numbers and bad rows."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pytest

from loaders.contract import TABLES_BY_NAME
from loaders.csv_files import iter_csv, normalise_header, sniff_delimiter
from loaders.files import FileUnreadable

SALES = TABLES_BY_NAME["sales"]
MARKET = TABLES_BY_NAME["marketplace_sales"]


def read_all(path: Path, spec=SALES) -> pa.Table:  # type: ignore[no-untyped-def]
    return pa.concat_tables(list(iter_csv(path, spec)))


def test_header_names_are_snake_cased_like_dlt() -> None:
    assert normalise_header(" Customer ID ") == "customer_id"
    assert normalise_header("Order-ID") == "order_id"
    assert normalise_header("") == ""


def test_delimiter_is_sniffed_from_the_header() -> None:
    assert sniff_delimiter("date;marketplace;product") == ";"
    assert sniff_delimiter(",Date,Customer ID,Order ID,Sales") == ","
    assert sniff_delimiter('"a;b",c,d') == ","


def test_the_shared_sales_export_reads_as_it_is(shared_sales: Path) -> None:
    table = read_all(shared_sales)
    assert table.num_rows == 40_000
    assert table.column("_pre_reason").null_count == 40_000
    first = table.slice(0, 1).to_pylist()[0]
    assert first["_source_line"] == 2
    assert (first["row_index"], first["date"], first["customer_id"], first["order_id"]) == (
        "0",
        "2021-01-01",
        "990787",
        "1",
    )
    assert table.column("_source_line").to_pylist()[-1] == 40_001


def test_latin1_semicolon_bom_and_gzip(tmp_path: Path) -> None:
    text = (
        "date;marketplace;product;category;units_sold;revenue\n"
        "2025-01-02;El Corte Inglés;Yoga Mat Premium;Sports & Outdoors;3;135,00\n"
    )
    latin = tmp_path / "latin.csv"
    latin.write_bytes(text.encode("latin-1"))
    bom = tmp_path / "bom.csv.gz"
    bom.write_bytes(gzip.compress(b"\xef\xbb\xbf" + text.encode("utf-8")))
    for path in (latin, bom):
        row = read_all(path, MARKET).to_pylist()[0]
        assert row["marketplace"] == "El Corte Inglés"
        assert row["revenue"] == "135,00"
        assert row["_source_line"] == 2


def test_quoted_fields_keep_delimiters_and_newlines_and_line_numbers_stay_true(
    tmp_path: Path,
) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text(
        ",Date,Customer ID,Order ID,Sales\n"
        '0,2021-01-01,"1,001",1,10.00\n'
        '1,2021-01-01,1002,"2\nstill 2",11.00\n'
        "\n"
        "2,2021-01-02,1003,3,12.00\n",
        encoding="utf-8",
    )
    rows = read_all(path).to_pylist()
    assert [(r["_source_line"], r["customer_id"], r["order_id"]) for r in rows] == [
        (2, "1,001", "1"),
        (3, "1002", "2\nstill 2"),
        (6, "1003", "3"),
    ]
    assert rows[1]["_text"] == '1,2021-01-01,1002,"2\nstill 2",11.00'


def test_rows_with_the_wrong_number_of_fields_carry_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(
        ",Date,Customer ID,Order ID,Sales\n0,2021-01-01,1001,1\n1,2021-01-01,1002,2,3,4\n",
        encoding="utf-8",
    )
    rows = read_all(path).to_pylist()
    assert [(r["_source_line"], r["_pre_reason"], r["_text"]) for r in rows] == [
        (2, "expected 5 fields, found 4", "0,2021-01-01,1001,1"),
        (3, "expected 5 fields, found 6", "1,2021-01-01,1002,2,3,4"),
    ]


def test_missing_optional_columns_are_null_and_extra_columns_ignored(tmp_path: Path) -> None:
    path = tmp_path / "narrow.csv"
    path.write_text("Order ID;Sales;Channel\n7;1,5;web\n", encoding="utf-8")
    row = read_all(path).to_pylist()[0]
    assert (row["order_id"], row["sales"], row["date"]) == ("7", "1,5", None)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"a,b,c\n1,2,3\n", "not a sales CSV: the header has no column for key Order ID"),
        (b"\x00\x01\x02binary", "binary content (NUL bytes), not a CSV file"),
    ],
)
def test_files_that_are_not_the_declared_csv_are_unreadable(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes(content)
    with pytest.raises(FileUnreadable) as raised:
        read_all(path)
    assert raised.value.path == str(path)
    assert raised.value.reason.startswith(reason)


@pytest.mark.slow
def test_a_truncated_gzip_is_unreadable(tmp_path: Path, shared_sales: Path) -> None:
    data = gzip.compress(shared_sales.read_bytes())
    path = tmp_path / "sales.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileUnreadable, match="truncated gzip"):
        read_all(path)


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(FileUnreadable, match="file not found"):
        read_all(tmp_path / "nope.csv")


def test_a_quoted_line_break_across_a_block_boundary_is_one_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import loaders.files as files

    path = tmp_path / "sales.csv"
    rows = [f'{n},2024-01-0{n % 9 + 1},c{n},"o{n}\nstill {n}",{n}.50' for n in range(40)]
    path.write_text(",Date,Customer ID,Order ID,Sales\n" + "\n".join(rows) + "\n")
    for block_bytes in (40, 64, 80, 100, 1000):
        monkeypatch.setattr(files, "BLOCK_BYTES", block_bytes)
        got = read_all(path).to_pylist()
        assert [r["_pre_reason"] for r in got] == [None] * 40, block_bytes
        assert [(r["_source_line"], r["order_id"]) for r in got] == [
            (2 + 2 * n, f"o{n}\nstill {n}") for n in range(40)
        ]


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_csv_has_no_records(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes(content)
    assert list(iter_csv(path, SALES)) == []


def test_a_stray_quote_rejects_its_line_not_the_rest_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import loaders.csv_files as csv_files

    monkeypatch.setattr(csv_files, "MAX_RECORD_LINES", 5)
    path = tmp_path / "sales.csv"
    good = [f"{n},2024-01-02,c{n},o{n},{n}.00" for n in range(3, 20)]
    path.write_text(
        ",Date,Customer ID,Order ID,Sales\n"
        "1,2024-01-02,c1,o1,1.00\n"
        '2,2024-01-02,c2,"o2,2.00\n' + "\n".join(good) + "\n"
    )
    got = read_all(path).to_pylist()
    assert len(got) == 19
    assert got[1]["_source_line"] == 3
    assert (
        got[1]["_pre_reason"] == "unterminated quote: the quoted field does not end within 5 lines"
    )
    assert [r["order_id"] for r in got[2:]] == [f"o{n}" for n in range(3, 20)]
    assert [r["_source_line"] for r in got[2:]] == list(range(4, 21))


def test_utf16_is_unreadable_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_bytes(",Date,Customer ID,Order ID,Sales\n".encode("utf-16"))
    with pytest.raises(FileUnreadable, match=r"UTF-16 text .* re-export as UTF-8"):
        read_all(path)


# --- configured headers, missing and required columns --------------------------------------------


def layout_of(path: Path, spec=SALES):  # type: ignore[no-untyped-def]
    seen = []
    pa.concat_tables(list(iter_csv(path, spec, seen.append)) or [pa.table({})])
    return seen[0]


def test_configured_headers_match_after_normalisation(tmp_path: Path) -> None:
    import dataclasses

    spec = dataclasses.replace(
        SALES,
        fields=tuple(
            dataclasses.replace(field, header={"order_id": "Order No", "sales": "Amount (EUR)"}
                                .get(field.name, field.header))
            for field in SALES.fields
        ),
        constants=(("row_index", "0"),),
    )  # fmt: skip
    path = tmp_path / "orders.csv"
    path.write_text("ORDER NO;Date;amount eur;Customer ID\nA-1;2025-01-02;1,5;7\n")
    row = read_all(path, spec).to_pylist()[0]
    assert (row["order_id"], row["sales"], row["customer_id"], row["row_index"]) == (
        "A-1",
        "1,5",
        "7",
        None,  # the typer fills the constant
    )
    assert layout_of(path, spec).missing == ()


def test_a_missing_column_is_reported_with_a_close_header(tmp_path: Path) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(",Date,CustomerId,Order ID,Sales,Channel\n0,2025-01-02,7,1,2.5,web\n")
    layout = layout_of(path)
    assert layout.missing == ("customer_id",)
    assert layout.close == {"customer_id": "CustomerId"}
    path.write_text("Order ID,Sales\n1,2.5\n")
    layout = layout_of(path)
    assert layout.missing == ("row_index", "date", "customer_id")
    assert layout.close == {}


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            ",Date,Customer ID,Order ID,Sales EUR\n",
            "not a sales CSV: the header has no column for amount Sales (sales; close header: "
            '"Sales EUR")',
        ),
        (
            ",Date,Customer ID,OrderID,Sale\n",
            'the header has no column for key Order ID (order_id; close header: "OrderID"), '
            'amount Sales (sales; close header: "Sale")',
        ),
    ],
)
def test_a_missing_required_column_stops_the_file_naming_a_close_header(
    tmp_path: Path, header: str, reason: str
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(header + "0,2025-01-02,7,1,2.5\n")
    with pytest.raises(FileUnreadable) as raised:
        read_all(path)
    assert reason in raised.value.reason
    assert "\n" not in raised.value.reason


def test_a_header_for_a_column_given_a_constant_contradicts_the_configuration(
    tmp_path: Path,
) -> None:
    import dataclasses

    from loaders.files import ConfigurationMismatch

    spec = dataclasses.replace(SALES, constants=(("row_index", "0"),))
    path = tmp_path / "sales.csv"
    path.write_text(",Date,Customer ID,Order ID,Sales\n0,2025-01-02,7,1,2.5\n")
    with pytest.raises(ConfigurationMismatch, match=r"sales\.constants\.row_index: the file has"):
        read_all(path, spec)


# --- unterminated quotes, line ends and the line ledger -------------------------------------

HEADER = ",Date,Customer ID,Order ID,Sales"
UNTERMINATED = "unterminated quote"


def _sales_lines(count: int, delimiter: str = ",") -> list[str]:
    return [
        delimiter.join([str(n), "2024-01-02", f"c{n}", f"o{n}", f"{n}.50"]) for n in range(count)
    ]


def _stray(n: int, delimiter: str = ",") -> str:
    """A record whose order id opens a quote that never closes."""
    return delimiter.join([str(n), "2024-01-02", f"c{n}", f'"o{n}', f"{n}.50"])


def _write(path: Path, text: str, compress: bool = False) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def _ledger_of(path: Path, spec=SALES):  # type: ignore[no-untyped-def]
    from loaders.records import LineLedger

    ledger = LineLedger()
    table = pa.concat_tables(list(iter_csv(path, spec, ledger=ledger)))
    return table, ledger


@pytest.mark.parametrize("position", ["first", "middle", "last", "last without newline"])
@pytest.mark.parametrize("variant", ["arrow block", "csv module block", "gzip", "semicolon"])
def test_an_unterminated_quote_rejects_its_line_and_nothing_else(
    tmp_path: Path, position: str, variant: str
) -> None:
    delimiter = ";" if variant == "semicolon" else ","
    lines = _sales_lines(3000, delimiter)
    stray_at = {"first": 0, "middle": 1500, "last": 2999, "last without newline": 2999}[position]
    lines[stray_at] = _stray(stray_at, delimiter)
    if variant == "csv module block":
        # A legitimate line break inside quotes sends the whole block to the csv module.
        lines[10] = delimiter.join(["10", "2024-01-02", "c10", '"o10\nstill o10"', "10.50"])
    header = HEADER.replace(",", delimiter)
    ending = "" if position == "last without newline" else "\n"
    text = header + "\n" + "\n".join(lines) + ending
    path = _write(tmp_path / "sales.csv", text, compress=variant == "gzip")
    table, ledger = _ledger_of(path)
    got = table.to_pylist()
    physical = [2 + n + (1 if variant == "csv module block" and n > 10 else 0) for n in range(3000)]
    assert [r["_source_line"] for r in got] == physical
    rejected = [(r["_source_line"], r["_pre_reason"]) for r in got if r["_pre_reason"]]
    assert len(rejected) == 1
    assert rejected[0][0] == physical[stray_at]
    assert rejected[0][1].startswith(UNTERMINATED)
    assert got[stray_at]["_text"] == _stray(stray_at, delimiter)
    expected = [f"o{n}" for n in range(3000)]
    if variant == "csv module block":
        expected[10] = "o10\nstill o10"
    assert [r["order_id"] for n, r in enumerate(got) if n != stray_at] == [
        order for n, order in enumerate(expected) if n != stray_at
    ]
    assert ledger.lines == len(text.splitlines()) == ledger.in_records + ledger.outside_records


def test_an_unterminated_quote_across_many_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import loaders.files as files

    lines = _sales_lines(400)
    for stray_at in (5, 123, 124, 399):
        lines[stray_at] = _stray(stray_at)
    path = _write(tmp_path / "sales.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    for block_bytes in (64, 500, 4096):
        monkeypatch.setattr(files, "BLOCK_BYTES", block_bytes)
        got = read_all(path).to_pylist()
        assert [r["_source_line"] for r in got] == list(range(2, 402)), block_bytes
        assert [r["_source_line"] - 2 for r in got if r["_pre_reason"]] == [5, 123, 124, 399]
        assert all(r["_pre_reason"].startswith(UNTERMINATED) for r in got if r["_pre_reason"])


@pytest.mark.slow
def test_an_unterminated_quote_in_a_file_bigger_than_one_block(tmp_path: Path) -> None:
    from loaders.files import BLOCK_BYTES

    lines = _sales_lines(900_000)  # about 31 MB: two blocks of 16 MB
    assert len("\n".join(lines)) > BLOCK_BYTES
    stray_at = [10, 420_000, 899_998]
    for n in stray_at:
        lines[n] = _stray(n)
    path = _write(tmp_path / "sales.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    table, ledger = _ledger_of(path)
    assert table.num_rows == 900_000
    assert table["_source_line"].to_pylist() == list(range(2, 900_002))
    reasons = table["_pre_reason"]
    rejected = table.filter(pa.compute.is_valid(reasons))
    assert [line - 2 for line in rejected["_source_line"].to_pylist()] == stray_at
    assert ledger.lines == 900_001 == ledger.in_records + ledger.outside_records


def test_two_stray_quotes_each_reject_only_their_own_line(tmp_path: Path) -> None:
    lines = _sales_lines(50)
    # The quote of line 15 closes the field line 10 opened, in a record that is
    # no valid CSV ('"' then 'o'): each stray line is rejected on its own.
    for n in (10, 15, 30, 40):
        lines[n] = _stray(n)
    lines[5] = '5,2024-01-02,c5,o5",5.50'
    path = _write(tmp_path / "sales.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    got = read_all(path).to_pylist()
    assert [r["_source_line"] for r in got] == list(range(2, 52))
    assert [r["_source_line"] - 2 for r in got if r["_pre_reason"]] == [10, 15, 30, 40]
    assert got[5]["order_id"] == 'o5"'  # a quote inside an unquoted field is a character


def test_a_multi_line_record_with_the_wrong_width_rejects_its_first_line_alone(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path / "sales.csv",
        HEADER + '\n0,2024-01-02,c0,"o0\nrest",0.50,extra\n1,2024-01-02,c1,o1,1.50\n',
    )
    table, ledger = _ledger_of(path)
    got = table.to_pylist()
    assert [(r["_source_line"], (r["_pre_reason"] or "")[:18]) for r in got] == [
        (2, UNTERMINATED),
        (3, "expected 5 fields,"),
        (4, ""),
    ]
    assert ledger.lines == 4 == ledger.in_records + ledger.outside_records


@pytest.mark.parametrize("newline", ["\r", "\r\n", "mixed"])
def test_cr_only_and_mixed_line_ends_keep_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, newline: str
) -> None:
    import loaders.files as files

    lines = [HEADER, *_sales_lines(60)]
    lines[20] = '19,2024-01-02,c19,"o19' + ("\r" if newline != "\r\n" else "\r\n") + 'more",19.50'
    lines[40] = ""
    ends = [
        "\r\n" if newline == "\r\n" or (newline == "mixed" and n % 2) else "\r" for n in range(61)
    ]
    text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    path = _write(tmp_path / "sales.csv", text)
    for block_bytes in (files.BLOCK_BYTES, *range(5, 120, 7)):  # CR LF cut between reads too
        monkeypatch.setattr(files, "BLOCK_BYTES", block_bytes)
        table, ledger = _ledger_of(path)
        got = table.to_pylist()
        # Lines 21-22 are one record (a quoted line break), line 42 is blank.
        expected = [*range(2, 22), *range(23, 42), *range(43, 63)]
        assert [r["_source_line"] for r in got] == expected, block_bytes
        assert [r["_pre_reason"] for r in got] == [None] * 59
        assert got[19]["order_id"] in ("o19\nmore", "o19\r\nmore")
        assert got[-1]["order_id"] == "o59"
        assert ledger.lines == 62 == ledger.in_records + ledger.outside_records


def test_the_ledger_counts_header_blank_lines_and_record_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "sales.csv",
        "\n" + HEADER + '\n\n0,2024-01-02,c0,"o0\n\nstill",0.50\n   \n1,2024-01-02,c1,o1,1.50\n',
    )
    table, ledger = _ledger_of(path)
    assert table["_source_line"].to_pylist() == [4, 8]
    assert (ledger.lines, ledger.in_records, ledger.outside_records) == (8, 4, 4)
    assert ledger.records == 2


def test_lines_that_do_not_add_up_stop_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import loaders.records as records

    add = records.RecordBuffer.add

    def losing_add(self, line, text, reason=None, cells=None, lines=1):  # type: ignore[no-untyped-def]
        add(self, line, text, reason, cells, lines=max(1, lines - 1))  # forgets a line

    monkeypatch.setattr(records.RecordBuffer, "add", losing_add)
    path = _write(tmp_path / "sales.csv", HEADER + '\n0,2024-01-02,c0,"o0\nmore",0.50\n')
    with pytest.raises(FileUnreadable, match="line accounting does not add up: 3 lines read"):
        read_all(path)
