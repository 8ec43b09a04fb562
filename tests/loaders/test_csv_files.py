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
    assert got[1]["_pre_reason"] == "unterminated quote: the quoted field never ends"
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

    from loaders.config import ConfigurationMismatch

    spec = dataclasses.replace(SALES, constants=(("row_index", "0"),))
    path = tmp_path / "sales.csv"
    path.write_text(",Date,Customer ID,Order ID,Sales\n0,2025-01-02,7,1,2.5\n")
    with pytest.raises(ConfigurationMismatch, match=r"sales\.constants\.row_index: the file has"):
        read_all(path, spec)
