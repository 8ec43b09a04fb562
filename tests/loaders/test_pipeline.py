"""Loading into DuckDB and PostgreSQL: every record lands or is rejected, reloading changes
nothing, an unreadable file loads nothing, a killed load re-run equals a clean load."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from loaders.contract import TABLES
from loaders.pipeline import LoadError, load
from tests.conftest import REPO, SHARED_SALES
from tests.loaders.exports import write_exports
from tests.loaders.shopify import HEADER, Line, Order, write_orders_export

pytestmark = pytest.mark.slow

Query = Callable[[str], list[tuple[Any, ...]]]


def _duckdb_query(path: Path) -> Query:
    import duckdb

    def query(sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    return query


def _postgres_query() -> Query:
    import psycopg2

    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg2.connect("") as connection, connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return query


class Target:
    """A warehouse under test: how to load into it and how to query it."""

    def __init__(self, kind: str, duckdb_file: Path | None, query: Query) -> None:
        self.kind = kind
        self.duckdb_file = duckdb_file
        self.query = query

    def load(self, source: Path, **kwargs: Any):  # type: ignore[no-untyped-def]
        return load(source, self.kind, self.duckdb_file, out=io.StringIO(), **kwargs)  # type: ignore[arg-type]

    def cli_args(self) -> list[str]:
        if self.kind == "duckdb":
            return ["--destination", "duckdb", "--duckdb-path", str(self.duckdb_file)]
        return ["--destination", "postgres"]

    def tables(self) -> set[str]:
        if self.duckdb_file is not None and not self.duckdb_file.exists():
            return set()
        rows = self.query(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        )
        return {row[0] for row in rows}

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every raw table's rows, without the columns that name the load."""
        result = {}
        for table in sorted(self.tables()):
            if table.startswith("_dlt"):
                continue
            columns = [
                row[0]
                for row in self.query(
                    "select column_name from information_schema.columns "
                    f"where table_schema = 'raw' and table_name = '{table}' order by column_name"
                )
                if row[0] not in ("_dlt_load_id", "_loaded_at", "seconds")
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            result[table] = sorted(
                self.query(f'select {listed} from raw."{table}"'), key=lambda row: repr(row)
            )
        return result


def _physical_lines(path: Path) -> int | None:
    """Lines of a text export as any editor counts them (LF, CR LF or CR); None for BSON."""
    import gzip

    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return None if path.suffix == ".bson" else len(data.splitlines())


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    if request.param == "duckdb":
        path = tmp_path / "warehouse.duckdb"
        return Target("duckdb", path, _duckdb_query(path))
    request.getfixturevalue("postgres_database")
    return Target("postgres", None, _postgres_query())


@pytest.fixture
def exports(tmp_path: Path, shared_sales: Path) -> tuple[Path, dict]:
    root = tmp_path / "raw"
    return root, write_exports(root, shared_sales)


def test_every_record_lands_or_is_rejected(target: Target, exports: tuple[Path, dict]) -> None:
    root, expected = exports
    report = target.load(root)
    assert {result.path for result in report.files} == set(expected)
    for path, want in expected.items():
        landed = target.query(
            f"select count(*) from raw.{want.table} where _source_file = '{path}'"
        )[0][0]
        rejected = target.query(
            f"select count(*) from raw._rejected_records where source_file = '{path}'"
        )[0][0]
        assert (landed, rejected) == (want.records - want.rejected, want.rejected), path
        ledger = target.query(
            "select records_read, rows_loaded, rows_rejected, lines_read from raw._loaded_files "
            f"where source_file = '{path}'"
        )
        assert ledger == [
            (
                want.records,
                want.records - want.rejected,
                want.rejected,
                _physical_lines(root / path),
            )
        ]
    reasons = dict(
        target.query(
            "select source_file || ':' || cast(line_number as varchar), reason "
            "from raw._rejected_records"
        )
    )
    assert reasons["mongo/customers.json:4"] == "not valid JSON"
    assert reasons["mongo/customers.json:5"] == "missing key field customer_id"
    assert reasons["mongo/customers.json:8"] == 'age: not an integer: "forty"'
    assert reasons["json/events.jsonl.gz:11"] == "utm: expected a JSON object, got a JSON varchar"
    assert reasons["csv/social_trends.csv:5"] == "expected 7 fields, found 3"
    assert reasons["mongo/transactions.bson:21"] == 'quantity: not an integer: "many"'
    text = target.query(
        "select record_text from raw._rejected_records "
        "where source_file = 'mongo/customers.json' and line_number = 4"
    )
    assert text == [("this line is not JSON at all",)]


def test_values_land_typed(target: Target, exports: tuple[Path, dict]) -> None:
    root, _ = exports
    target.load(root)
    customers = target.query(
        "select customer_id, country, age, marketing_consent from raw.customers "
        "order by customer_id, _source_line"
    )
    assert customers == [
        ("100001", " France ", 34, True),
        ("100002", "Frankreich", 240, True),
        ("100002", None, 41, None),
        ("100003", "ES", -5, None),
    ]
    transactions = target.query(
        "select count(*), sum(amount), count(status) from raw.transactions"
    )[0]
    assert (transactions[0], float(transactions[1]), transactions[2]) == (20, 2580.0, 1)
    market = target.query("select sum(revenue) from raw.marketplace_sales")[0][0]
    assert float(market) == 540.0
    sales = pd.read_csv(SHARED_SALES)  # the exports fixture made sure it exists
    total = target.query("select count(*), sum(sales), count(distinct order_id) from raw.sales")[0]
    assert total[0] == len(sales) == total[2]
    assert float(total[1]) == pytest.approx(sales["Sales"].sum(), rel=1e-12)


def test_loading_twice_changes_nothing(target: Target, exports: tuple[Path, dict]) -> None:
    root, _ = exports
    target.load(root)
    first = target.snapshot()
    target.load(root)
    assert target.snapshot() == first
    assert set(first) >= {spec.name for spec in TABLES} | {"_rejected_records", "_loaded_files"}


def test_a_changed_document_replaces_the_old_one(
    target: Target, exports: tuple[Path, dict]
) -> None:
    root, _ = exports
    target.load(root)
    path = root / "mongo/customers.json"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace('"country": "ES"', '"country": "Spain"')
    del lines[3]  # the line that was not JSON is fixed by removing it
    path.write_text("\n".join(lines) + "\n")
    target.load(root)
    assert target.query("select country from raw.customers where customer_id = '100003'") == [
        ("Spain",)
    ]
    assert target.query(
        "select count(*) from raw._rejected_records where source_file = 'mongo/customers.json'"
    ) == [(2,)]
    assert target.query("select count(*) from raw.customers") == [(4,)]


def test_an_unreadable_file_stops_the_load_and_loads_nothing(
    target: Target, exports: tuple[Path, dict]
) -> None:
    root, _ = exports
    events = root / "json/events.jsonl.gz"
    data = events.read_bytes()
    events.write_bytes(data[: len(data) - 20])
    command = [sys.executable, "-m", "loaders", "load", "--source-dir", str(root)]
    completed = subprocess.run(
        command + target.cli_args(), capture_output=True, text=True, cwd=REPO, check=False
    )
    assert completed.returncode == 1
    assert f"error: {events}: truncated gzip" in completed.stderr
    assert "nothing was loaded" in completed.stderr
    assert not target.tables() & {spec.name for spec in TABLES}

    events.write_bytes(data)
    target.load(root)
    before = target.snapshot()
    (root / "csv/sales.csv").write_text("this,is,not\nthe,sales,export\n")
    with pytest.raises(LoadError, match=r"csv/sales.csv: not a sales CSV"):
        target.load(root)
    assert target.snapshot() == before


def test_missing_sources_are_skipped(target: Target, tmp_path: Path, shared_sales: Path) -> None:
    root = tmp_path / "only_sales"
    (root / "csv").mkdir(parents=True)
    (root / "csv/sales.csv").write_bytes(shared_sales.read_bytes())
    out = io.StringIO()
    report = load(root, target.kind, target.duckdb_file, out=out)  # type: ignore[arg-type]
    assert sorted(report.skipped) == sorted(spec.name for spec in TABLES if spec.name != "sales")
    assert "customers          skipped: no file matches mongo/customers.json" in out.getvalue()
    assert target.tables() & {spec.name for spec in TABLES} == {"sales"}


def test_globs_come_from_configuration(
    target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_sales: Path
) -> None:
    root = tmp_path / "custom"
    (root / "exports").mkdir(parents=True)
    (root / "exports/orders_2021.csv").write_bytes(shared_sales.read_bytes())
    monkeypatch.setenv("SOURCES__RAW_EXPORTS__SALES__GLOBS", '["exports/orders_*.csv"]')
    report = target.load(root, tables=["sales"])
    assert [(r.path, r.landed) for r in report.files] == [("exports/orders_2021.csv", 40_000)]


_CRASHING_LOAD = textwrap.dedent(
    """
    import os, sys
    import loaders.workers as workers
    from dlt.destinations.impl.duckdb import duck
    from dlt.destinations.impl.postgres import postgres

    stage, after = sys.argv[1], int(sys.argv[2])
    count = {"n": 0}

    def crash_when_due():
        count["n"] += 1
        if count["n"] == after:
            os._exit(9)

    if stage == "extract":
        read_typed = workers.read_typed
        def crashing_read(*args, **kwargs):
            crash_when_due()
            yield from read_typed(*args, **kwargs)
        workers.read_typed = crashing_read
    elif stage == "forget":  # right after the ledger forgot the files, before the load
        import loaders.pipeline as pipeline
        forget = pipeline._forget_ledger_rows
        def forget_then_crash(*args):
            forget(*args)
            crash_when_due()
        pipeline._forget_ledger_rows = forget_then_crash
    elif stage == "ledger":  # raw complete and reconciled, the ledger not yet written
        import loaders.pipeline as pipeline
        def crash(*args):
            crash_when_due()
        pipeline._insert_ledger_rows = crash
        pipeline._write_ledger = crash
    else:
        for job in (duck.DuckDbCopyJob, postgres.PostgresCsvCopyJob):
            run = job.run
            def crashing_run(self, run=run):
                crash_when_due()
                return run(self)
            job.run = crashing_run

    from loaders.cli import main
    sys.exit(main(sys.argv[3:]))
    """
)


def _assert_the_ledger_claims_only_what_raw_holds(target: Target) -> None:
    """Every ledger row's counts are exactly the rows and rejects raw holds from its file."""
    tables = target.tables()
    if "_loaded_files" not in tables:
        return
    for path, table, load_id, loaded, rejected in target.query(
        "select source_file, table_name, _dlt_load_id, rows_loaded, rows_rejected "
        "from raw._loaded_files"
    ):
        rows = target.query(
            f"select count(*), count(case when _dlt_load_id = '{load_id}' then 1 end) "
            f"from raw.{table} where _source_file = '{path}'"
        )[0]
        rejects = (0, 0)
        if "_rejected_records" in tables:
            rejects = target.query(
                f"select count(*), count(case when _dlt_load_id = '{load_id}' then 1 end) "
                f"from raw._rejected_records where source_file = '{path}'"
            )[0]
        assert (tuple(rows), tuple(rejects)) == ((loaded, loaded), (rejected, rejected)), path


@pytest.mark.parametrize(
    ("stage", "after"),
    [("extract", 4), ("forget", 1), ("load", 3), ("load", 9), ("ledger", 1)],
)
def test_a_killed_load_run_again_equals_one_clean_load(
    target: Target, exports: tuple[Path, dict], tmp_path: Path, stage: str, after: int
) -> None:
    root, _ = exports
    target.load(root)
    clean = target.snapshot()
    changed = root / "mongo/customers.json"
    changed.write_text(changed.read_text().replace('"Lyon"', '"Grenoble"'))
    target.load(root)
    expected = target.snapshot()

    # Start over from the first state, then crash a load of the changed files part-way.
    changed.write_text(changed.read_text().replace('"Grenoble"', '"Lyon"'))
    target.load(root)
    assert target.snapshot() == clean
    changed.write_text(changed.read_text().replace('"Lyon"', '"Grenoble"'))
    arguments = ["load", "--source-dir", str(root), *target.cli_args()]
    crashed = subprocess.run(
        [sys.executable, "-c", _CRASHING_LOAD, stage, str(after), *arguments],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=os.environ.copy(),
        check=False,
    )
    assert crashed.returncode == 9, crashed.stderr
    _assert_the_ledger_claims_only_what_raw_holds(target)
    target.load(root)
    assert target.snapshot() == expected


@pytest.mark.parametrize(("stage", "after"), [("load", 2), ("load", 5), ("ledger", 1)])
def test_a_first_load_killed_part_way_run_again_is_complete(
    target: Target, exports: tuple[Path, dict], stage: str, after: int
) -> None:
    root, expected = exports
    arguments = ["load", "--source-dir", str(root), *target.cli_args()]
    crashed = subprocess.run(
        [sys.executable, "-c", _CRASHING_LOAD, stage, str(after), *arguments],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=os.environ.copy(),
        check=False,
    )
    assert crashed.returncode == 9, crashed.stderr
    _assert_the_ledger_claims_only_what_raw_holds(target)
    target.load(root)
    for path, want in expected.items():
        landed = target.query(
            f"select count(*) from raw.{want.table} where _source_file = '{path}'"
        )[0][0]
        rejected = target.query(
            f"select count(*) from raw._rejected_records where source_file = '{path}'"
        )[0][0]
        assert (landed, rejected) == (want.records - want.rejected, want.rejected), path
    after_rerun = target.snapshot()
    target.load(root)
    assert target.snapshot() == after_rerun


def test_files_staged_in_worker_processes_land_the_same(
    target: Target, exports: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    import loaders.workers

    root, expected = exports
    target.load(root)
    in_process = target.snapshot()
    monkeypatch.setattr(loaders.workers, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(loaders.workers, "SPLIT_BYTES", 300)  # JSON lines in parts
    report = target.load(root)
    assert {r.path: (r.records, r.rejected) for r in report.files} == {
        path: (want.records, want.rejected) for path, want in expected.items()
    }
    assert target.snapshot() == in_process


def test_a_shorter_version_of_a_file_leaves_no_rows_of_the_old_one(
    target: Target, exports: tuple[Path, dict]
) -> None:
    root, expected = exports
    target.load(root)
    path = root / "csv/social_trends.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:3]))  # header, two good rows; the bad rows are gone
    report = target.load(root)
    assert target.query("select count(*) from raw.social_trends") == [(2,)]
    assert target.query(
        "select count(*) from raw._rejected_records where source_file = 'csv/social_trends.csv'"
    ) == [(0,)]
    assert [r.landed for r in report.files if r.path == "csv/social_trends.csv"] == [2]
    others = {p: w for p, w in expected.items() if p != "csv/social_trends.csv"}
    for source_file, want in others.items():
        assert target.query(
            f"select count(*) from raw.{want.table} where _source_file = '{source_file}'"
        ) == [(want.records - want.rejected,)]


def test_a_file_matched_by_two_tables_stops_the_load_before_anything_is_read(
    target: Target, exports: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = exports
    monkeypatch.setenv("SOURCES__RAW_EXPORTS__EVENTS__GLOBS", '["json/*.jsonl*"]')
    with pytest.raises(LoadError, match=r"json/reviews.jsonl \(events and reviews\)"):
        target.load(root)
    assert not target.tables()


def test_bad_configuration_and_a_locked_warehouse_are_one_line_errors(
    tmp_path: Path, exports: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = exports
    warehouse = tmp_path / "locked.duckdb"
    monkeypatch.setenv("SOURCES__RAW_EXPORTS__SALES__GLOBS", '["csv/*.csv')
    with pytest.raises(LoadError, match=r"sources\.raw_exports\.sales\.globs is not a JSON list"):
        load(root, "duckdb", warehouse, out=io.StringIO())
    monkeypatch.delenv("SOURCES__RAW_EXPORTS__SALES__GLOBS")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(warehouse)!r}); "
            "print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        command = [sys.executable, "-m", "loaders", "load", "--source-dir", str(root)]
        completed = subprocess.run(
            [*command, "--duckdb-path", str(warehouse)],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
    finally:
        holder.kill()
        holder.wait()
    assert completed.returncode == 1
    assert len(completed.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert completed.stderr.startswith(f"error: cannot open the warehouse ({warehouse})")
    assert "Could not set lock" in completed.stderr


# --- another tool's exports: Shopify, configured mappings, missing columns, the amount ledger ----


def _shopify_rows(target: Target) -> list[tuple[Any, ...]]:
    return target.query(
        "select order_name, _source_line, email, financial_status, paid_at, created_at, "
        "lineitem_quantity, lineitem_name, lineitem_price, subtotal, shipping, total, "
        "discount_code, discount_amount, accepts_marketing, billing_country, order_id "
        "from raw.shopify_orders order by _source_file, _source_line"
    )


PLUS_TWO = dt.timezone(dt.timedelta(hours=2))


def test_a_shopify_orders_export_lands_every_line_item_in_utc(
    target: Target, tmp_path: Path
) -> None:
    root = tmp_path / "shop"
    write_orders_export(
        root,
        [
            Order(
                "#1001",
                [Line("Yoga Mat Premium", 2, 45.0), Line("Water Bottle", 1, 12.5)],
                shipping=4.9,
                taxes=3.2,
                discount_code="WELCOME10",
                discount_amount=10.0,
                accepts_marketing=True,
            ),
            Order("#1002", [Line("Wireless Earbuds Pro", 1, 129.0)], email=None,
                  financial_status="refunded", billing_country="CA",
                  created_at=dt.datetime(2025, 7, 1, 23, 30, tzinfo=PLUS_TWO)),
        ],
    )  # fmt: skip
    write_orders_export(
        root,
        [Order("#1003", [Line("Board Game Strategy", 3, 20.0), Line("Dice", 2, 1.5)])],
        file_name="orders_export_2.csv",
    )
    out = io.StringIO()
    report = load(root, target.kind, target.duckdb_file, out=out)  # type: ignore[arg-type]
    assert [(r.path, r.records, r.rejected) for r in report.files] == [
        ("shopify/orders_export_1.csv", 3, 0),
        ("shopify/orders_export_2.csv", 2, 0),
    ]
    assert "warning" not in out.getvalue()  # the built-in mapping finds every column
    created = dt.datetime(2025, 1, 6, 12, 0, tzinfo=dt.UTC)
    rows = [
        (row[0], row[1], *[_plain(value) for value in row[2:]]) for row in _shopify_rows(target)
    ]
    assert rows == [
        ("#1001", 2, "customer@example.com", "paid", created + dt.timedelta(minutes=1), created,
         2, "Yoga Mat Premium", 45.0, 92.5, 4.9, 100.6, "WELCOME10", 10.0, True, "US",
         "5000000001001"),
        # a later line of the order: Name, Email, Created at and the line only
        ("#1001", 3, "customer@example.com", None, None, created,
         1, "Water Bottle", 12.5, None, None, None, None, None, None, None, None),
        # a guest checkout (no email), created at 23:30 +02:00
        ("#1002", 4, None, "refunded", dt.datetime(2025, 7, 1, 21, 31, tzinfo=dt.UTC),
         dt.datetime(2025, 7, 1, 21, 30, tzinfo=dt.UTC),
         1, "Wireless Earbuds Pro", 129.0, 129.0, 0.0, 129.0, None, 0.0, False, "CA",
         "5000000001002"),
        ("#1003", 2, "customer@example.com", "paid", created + dt.timedelta(minutes=1), created,
         3, "Board Game Strategy", 20.0, 63.0, 0.0, 63.0, None, 0.0, False, "US",
         "5000000001003"),
        ("#1003", 3, "customer@example.com", None, None, created,
         2, "Dice", 1.5, None, None, None, None, None, None, None, None),
    ]  # fmt: skip
    first = target.snapshot()
    target.load(root)
    assert target.snapshot() == first  # a reload of the same exports changes nothing

    # The shop exports #1001 again (now one line, refunded) in a new file; the old file is
    # archived. Every line of the order is replaced; the other orders stay.
    (root / "shopify/orders_export_1.csv").unlink()
    write_orders_export(
        root,
        [Order("#1001", [Line("Yoga Mat Premium", 2, 45.0)], financial_status="refunded")],
        file_name="orders_export_3.csv",
    )
    target.load(root)
    assert target.query(
        "select order_name, count(*), max(financial_status) from raw.shopify_orders "
        "group by 1 order by 1"
    ) == [("#1001", 1, "refunded"), ("#1002", 1, "refunded"), ("#1003", 2, "paid")]


def _plain(value: Any) -> Any:
    """An empty text cell as None: DuckDB keeps it as exported (''), PostgreSQL's COPY
    lands it as NULL; staging treats both as missing."""
    return None if value == "" else value


_FOREIGN_SALES = (
    "Order No;Order Date;Client;Amount (EUR)\n"
    "A-1001;06/01/2025 09:30;C-17;1.234,56\n"
    "A-1002;2025-01-07 23:30:00 -0500;C-18;99,90\n"
    "A-1003;07/01/2025 10:00;C-19;12.5\n"
    ";08/01/2025 11:00;C-20;10,00\n"
)

_FOREIGN_CONFIG = """
[sources.raw_exports.sales]
globs = ["exports/orders_*.csv"]
date_formats = ["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S %z"]
decimal_separator = ","
thousands_separator = "."

[sources.raw_exports.sales.columns]
order_id = "Order No"
customer_id = "Client"
sales = "Amount (EUR)"
date = "order date"

[sources.raw_exports.sales.constants]
row_index = 0
"""


def test_a_foreign_sales_export_loads_by_configuration(target: Target, tmp_path: Path) -> None:
    """The README's worked example, from .dlt/config.toml through the command line."""
    (tmp_path / ".dlt").mkdir()
    (tmp_path / ".dlt/config.toml").write_text(_FOREIGN_CONFIG)
    source = tmp_path / "raw"
    (source / "exports").mkdir(parents=True)
    (source / "exports/orders_jan.csv").write_text(_FOREIGN_SALES, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__")}
    environment["PYTHONPATH"] = str(REPO)
    completed = subprocess.run(
        [sys.executable, "-m", "loaders", "load", "--source-dir", str(source), *target.cli_args()],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "warning" not in completed.stdout
    assert target.query(
        "select order_id, customer_id, date, sales, row_index from raw.sales order by order_id"
    ) == [
        ("A-1001", "C-17", dt.date(2025, 1, 6), 1234.56, 0),
        ("A-1002", "C-18", dt.date(2025, 1, 8), 99.9, 0),  # 23:30 -0500 is the 8th in UTC
    ]
    assert target.query(
        "select line_number, reason, amount from raw._rejected_records order by line_number"
    ) == [(4, 'sales: not a number: "12.5"', None), (5, "missing key field order_id", 10.0)]


def _ledger_exports(root: Path) -> None:
    (root / "csv").mkdir(parents=True)
    (root / "csv/sales.csv").write_text(
        ",Date,Customer ID,Order ID,Sales\n"
        "0,2025-01-02,7,1,10.50\n"
        "1,2025-01-02,7,2,abc\n"  # a bad amount: rejected, no amount
        "2,2025-01-02,8,,20.25\n"  # no key: rejected, its amount counts
        "3,2025-13-45,9,4,5.00\n"  # a bad date: rejected, its amount counts
        "4,2025-01-03,9,5\n"  # too few fields: rejected, no amount
        "5,2025-01-03,9,6,\n"  # no amount at all: loaded, counts 0
        "6,2025-01-04,9,7,1,5\n"  # a decimal comma splits the row: rejected, no amount
        "7,2025-01-04,10,8,100\n",
        encoding="utf-8",
    )
    (root / "mongo").mkdir()
    documents = [
        {"transaction_id": "T1", "amount": 100, "discount_applied": 10, "shipping_cost": 4.5},
        {"transaction_id": "T2", "amount": "50.5"},
        {"transaction_id": "T3", "amount": "x", "discount_applied": 2, "shipping_cost": 1},
        {"amount": 30, "shipping_cost": 3},
        {"transaction_id": "T5", "quantity": "many"},
    ]
    (root / "mongo/transactions.json").write_text(
        "\n".join(json.dumps(document) for document in documents) + "\nnot json\n"
    )
    write_orders_export(
        root,
        [
            Order("#1", [Line("A", 2, 10.0), Line("B", 1, 5.0)], shipping=4.0),
            Order("#2", [Line("C", 1, 7.5)]),
        ],
    )
    with (root / "shopify/orders_export_1.csv").open("a", encoding="utf-8", newline="") as handle:
        bad = Order("#3", [Line("D", 1, 8.0)], shipping=2.0).rows()[0]
        bad["Created at"] = "yesterday"
        import csv

        csv.writer(handle).writerow([bad[column] for column in HEADER])


#: Per file: (amount read, amount rejected, rejected without amount), worked out by hand.
_LEDGER = {
    "csv/sales.csv": (10.5 + 20.25 + 5.0 + 100.0, 20.25 + 5.0, 3),
    "mongo/transactions.json": (94.5 + 50.5 + (-2 + 1) + 33.0, -1.0 + 33.0, 2),
    "shopify/orders_export_1.csv": (29.0 + 7.5 + 10.0, 10.0, 0),
}
_AMOUNT_SQL = {
    "csv/sales.csv": "select sum(sales) from raw.sales",
    "mongo/transactions.json": (
        "select sum(coalesce(amount, 0) - coalesce(discount_applied, 0) "
        "+ coalesce(shipping_cost, 0)) from raw.transactions"
    ),
    "shopify/orders_export_1.csv": (
        "select sum(coalesce(subtotal, 0) + coalesce(shipping, 0)) from raw.shopify_orders"
    ),
}


def test_the_amount_read_is_the_rows_loaded_plus_what_was_rejected(
    target: Target, tmp_path: Path
) -> None:
    root = tmp_path / "ledger"
    _ledger_exports(root)
    target.load(root)
    ledger = {
        row[0]: row[1:]
        for row in target.query(
            "select source_file, amount_read, amount_rejected, rejected_without_amount, "
            "rows_rejected from raw._loaded_files"
        )
    }
    for path, (read, rejected, without) in _LEDGER.items():
        amount_read, amount_rejected, rejected_without_amount, _ = ledger[path]
        assert amount_read == pytest.approx(read), path
        assert amount_rejected == pytest.approx(rejected), path
        assert rejected_without_amount == without, path
        loaded = target.query(_AMOUNT_SQL[path])[0][0]
        assert amount_read == pytest.approx(float(loaded) + amount_rejected), path
        rejects = target.query(
            "select coalesce(sum(amount), 0), count(*) - count(amount) from raw._rejected_records "
            f"where source_file = '{path}'"
        )[0]
        assert (pytest.approx(float(rejects[0])), rejects[1]) == (amount_rejected, without), path
    assert target.query(
        "select line_number, amount from raw._rejected_records "
        "where source_file = 'csv/sales.csv' order by line_number"
    ) == [(3, None), (4, 20.25), (5, 5.0), (6, None), (8, None)]


def test_missing_columns_are_warned_about_and_recorded(target: Target, tmp_path: Path) -> None:
    root = tmp_path / "narrow"
    (root / "csv").mkdir(parents=True)
    (root / "csv/sales.csv").write_text(",Date,CustomerId,Order ID,Sales\n0,2025-01-02,7,1,2\n")
    (root / "csv/marketplace_sales.csv").write_text(
        "date,marketplace,product,revenue\n2025-01-02,Amazon,Mat,10\n"
    )
    (root / "json").mkdir()
    (root / "json/reviews.jsonl").write_text(
        '{"review_id": "r1", "product": "Mat", "titel": "ok", "rating": 5, "tags": []}\n'
        '{"review_id": "r2", "product": "Mat", "body": null, "rating": "x"}\n'
    )
    out = io.StringIO()
    load(root, target.kind, target.duckdb_file, out=out)  # type: ignore[arg-type]
    warnings = [line for line in out.getvalue().splitlines() if "warning:" in line]
    assert warnings == [
        '  warning: csv/sales.csv: no column for customer_id (close header: "CustomerId")',
        "  warning: json/reviews.jsonl: no column for customer_id",
        "  warning: json/reviews.jsonl: no column for created_at",
        '  warning: json/reviews.jsonl: no column for title (close key: "titel")',
        "  warning: json/reviews.jsonl: no column for return_requested",
        "  warning: csv/marketplace_sales.csv: no column for category",
        "  warning: csv/marketplace_sales.csv: no column for units_sold",
    ]
    assert dict(target.query("select source_file, missing_columns from raw._loaded_files")) == {
        "csv/sales.csv": "customer_id",
        "json/reviews.jsonl": "customer_id,created_at,title,return_requested",
        "csv/marketplace_sales.csv": "category,units_sold",
    }


@pytest.mark.parametrize(
    ("path", "content", "message"),
    [
        (
            "csv/sales.csv",
            ",Date,Customer ID,Order ID,Sales EUR\n0,2025-01-02,7,1,2\n",
            r"csv/sales.csv: not a sales CSV: the header has no column for amount Sales "
            r'\(sales; close header: "Sales EUR"\)',
        ),
        (
            "mongo/transactions.json",
            '{"transaction_id": "T1", "Amount": 5, "discount_applied": 0, "shipping_cost": 0}\n',
            r"mongo/transactions.json: not a transactions export: no record of the file has "
            r'the amount field amount \(close key: "Amount"\); nothing was loaded',
        ),
        (
            "mongo/customers.json",
            '{"customerId": 1, "email": "a@b.c"}\n{"customerId": 2}\n',
            r"not a customers export: no record of the file has the key field customer_id "
            r'\(close key: "customerId"\)',
        ),
    ],
)
def test_a_file_without_a_required_column_stops_the_load(
    target: Target, tmp_path: Path, path: str, content: str, message: str
) -> None:
    root = tmp_path / "bad"
    (root / path).parent.mkdir(parents=True)
    (root / path).write_text(content)
    (root / "csv").mkdir(exist_ok=True)
    (root / "csv/marketplace_sales.csv").write_text(MARKETPLACE_ROWS)
    with pytest.raises(LoadError, match=message) as raised:
        target.load(root)
    assert "\n" not in str(raised.value)
    assert not target.tables() & {spec.name for spec in TABLES}


MARKETPLACE_ROWS = (
    "date,marketplace,product,category,units_sold,revenue\n2025-01-02,Amazon,Mat,Sport,1,10\n"
)


def test_a_column_the_configuration_gives_a_constant_stops_the_load(
    target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "constant"
    (root / "csv").mkdir(parents=True)
    (root / "csv/marketplace_sales.csv").write_text(MARKETPLACE_ROWS)
    (root / "json").mkdir()
    (root / "json/reviews.jsonl").write_text('{"review_id": "r1", "rating": 4}\n')
    monkeypatch.setenv("SOURCES__RAW_EXPORTS__MARKETPLACE_SALES__CONSTANTS__CATEGORY", "Sport")
    with pytest.raises(
        LoadError,
        match=r"^configuration: .*csv/marketplace_sales.csv: marketplace_sales\.constants\."
        r"category: the file has a column for category \('category'\)",
    ):
        target.load(root)
    monkeypatch.delenv("SOURCES__RAW_EXPORTS__MARKETPLACE_SALES__CONSTANTS__CATEGORY")
    monkeypatch.setenv("SOURCES__RAW_EXPORTS__REVIEWS__CONSTANTS__RATING", "5")
    with pytest.raises(LoadError, match=r"^configuration: .*reviews.jsonl: reviews\.constants"):
        target.load(root)
    assert not target.tables() & {spec.name for spec in TABLES}


# --- records PostgreSQL could not hold, odd files, killed workers ---------------------------


def _run_cli(target: Target, root: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "loaders", "load", "--source-dir", str(root)]
    return subprocess.run(
        command + target.cli_args(), capture_output=True, text=True, cwd=REPO, check=False, **kwargs
    )


def _deep_array(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_nul_characters_deep_nesting_and_stray_quotes_are_rejected_alike_on_both_targets(
    target: Target, tmp_path: Path
) -> None:
    import json

    from bson import encode

    root = tmp_path / "raw"
    for folder in ("json", "csv", "mongo"):
        (root / folder).mkdir(parents=True)
    events = [json.dumps({"event_id": f"ev-{n}", "city": "Lyon"}) for n in range(6)]
    events[1] = '{"event_id": "ev-1", "city": "Ly\\u0000on"}'
    events[3] = '{"event_id": "ev-3", "properties": {"x": ' + _deep_array(10_000) + "}}"
    (root / "json/events.jsonl").write_bytes("\r".join(events).encode() + b"\r")  # old Mac
    reviews = [
        '{"review_id": "RV-1", "tags": ["battery\\u0000"]}',
        '{"review_id": "RV-2", "tags": ' + _deep_array(100_000) + "}",  # too deep for JSONB
        '{"review_id": "RV-3", "tags": ["\\\\u0000 is how it is written"]}',
    ]
    (root / "json/reviews.jsonl").write_text("\n".join(reviews) + "\n")
    social = [
        "date,platform,category,topic,trend_category,mentions,engagement",
        "2025-01-01,TikTok,Audio,#earbuds,review,120,4500",
        "2025-01-01,Reddit,Au\x00dio,#earbuds,review,80,2100",
        '2025-01-02,TikTok,Audio,"#earbuds,review,1,1',
        *[f"2025-01-{day:02d},TikTok,Audio,#earbuds,review,{day},1" for day in range(3, 30)],
    ]
    (root / "csv/social_trends.csv").write_bytes("\r\n".join(social).encode() + b"\r\n")
    customers = json.dumps({"customer_id": "1", "city": "Lyon"}, indent=2)  # --pretty, 4 lines
    deep_customer = '{"customer_id": "2", "x": ' + _deep_array(10_000) + "}"
    (root / "mongo/customers.json").write_text(customers + "\n" + deep_customer + "\n")
    transactions = [
        encode({"transaction_id": "TX-1", "amount": 1.0}),
        encode({"transaction_id": "TX-2\x00", "amount": 2.0}),
    ]
    (root / "mongo/transactions.bson").write_bytes(b"".join(transactions))

    completed = _run_cli(target, root)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.strip() == ""
    rejected = target.query(
        "select source_file, line_number, record_number, reason, record_text "
        "from raw._rejected_records order by source_file, line_number"
    )
    nul = "\\u0000"
    assert [row[:4] for row in rejected] == [
        ("csv/social_trends.csv", 3, 2, f"category: NUL character ({nul})"),
        ("csv/social_trends.csv", 4, 3, "unterminated quote: the quoted field never ends"),
        ("json/events.jsonl", 2, 2, f"city: NUL character ({nul})"),
        ("json/events.jsonl", 4, 4, "nested deeper than 100 levels"),
        ("json/reviews.jsonl", 1, 1, f"tags: NUL character ({nul})"),
        ("json/reviews.jsonl", 2, 2, "nested deeper than 100 levels"),
        ("mongo/customers.json", 5, 2, "nested deeper than 100 levels"),
        ("mongo/transactions.bson", 2, 2, f"transaction_id: NUL character ({nul})"),
    ]
    texts = {(row[0], row[1]): row[4] for row in rejected}
    assert (
        texts[("csv/social_trends.csv", 3)]
        == f"2025-01-01,Reddit,Au{nul}dio,#earbuds,review,80,2100"
    )
    assert texts[("json/events.jsonl", 2)] == events[1]
    assert texts[("json/reviews.jsonl", 2)] == reviews[1]
    assert target.query("select count(*) from raw.social_trends") == [(28,)]
    assert target.query("select event_id from raw.events order by event_id") == [
        (f"ev-{n}",) for n in (0, 2, 4, 5)
    ]
    assert target.query("select review_id from raw.reviews") == [("RV-3",)]
    assert target.query("select customer_id from raw.customers") == [("1",)]
    assert target.query("select transaction_id from raw.transactions") == [("TX-1",)]
    ledger = target.query(
        "select source_file, lines_read, records_read, rows_loaded, rows_rejected "
        "from raw._loaded_files order by source_file"
    )
    assert ledger == [
        ("csv/social_trends.csv", 31, 30, 28, 2),
        ("json/events.jsonl", 6, 6, 4, 2),
        ("json/reviews.jsonl", 3, 3, 1, 2),
        ("mongo/customers.json", None, 2, 1, 1),  # --pretty: documents may share lines
        ("mongo/transactions.bson", None, 2, 1, 1),
    ]


def test_a_255_byte_file_name_in_deep_folders_loads(
    target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "raw"
    folder = root.joinpath(*["f" * 200] * 8)
    folder.mkdir(parents=True)
    name = "é" * 124 + "e.jsonl"  # 255 bytes in UTF-8, the file-system limit
    assert len(name.encode()) == 255
    (folder / name).write_text('{"event_id": "ev-1"}\n{"event_id": "ev-2"}\n')
    monkeypatch.setenv("SOURCES__RAW_EXPORTS__EVENTS__GLOBS", '["**/*.jsonl"]')
    relative = (folder / name).relative_to(root).as_posix()
    for parallel in (False, True):  # staged in this process, then in worker processes
        if parallel:
            import loaders.workers

            monkeypatch.setattr(loaders.workers, "PARALLEL_MIN_BYTES", 0)
        report = target.load(root, tables=["events"])
        assert [(r.path, r.landed) for r in report.files] == [(relative, 2)]
        assert target.query("select _source_file, count(*) from raw.events group by 1") == [
            (relative, 2)
        ]
        assert target.query("select source_file, rows_loaded from raw._loaded_files") == [
            (relative, 2)
        ]


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("mongo/transactions.bson", "zip"),
        ("mongo/transactions.bson", "plausible BSON"),
        ("mongo/customers.json", "zip"),
        ("csv/sales.csv", "zip"),
        ("json/events.jsonl", "zip"),
    ],
)
def test_a_binary_file_stops_the_load_with_one_line_and_loads_nothing(
    target: Target, tmp_path: Path, relative: str, kind: str
) -> None:
    import random
    import zipfile

    root = tmp_path / "raw"
    (root / relative).parent.mkdir(parents=True)
    noise = random.Random(7).randbytes(300_000)
    if kind == "zip":
        archive = tmp_path / "export.zip"
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("data.bin", noise)
        (root / relative).write_bytes(archive.read_bytes())
    else:  # a first length that fits, with a NUL where the first document would end
        (root / relative).write_bytes(b"\x10\x00\x00\x00\x02garbage\xff\xfe\x01\x00" + noise)
    completed = _run_cli(target, root, timeout=120)
    assert completed.returncode == 1
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr  # one line, no traceback
    assert lines[0].startswith(f"error: {root / relative}: ")
    assert lines[0].endswith("nothing was loaded")
    assert not target.tables() & ({spec.name for spec in TABLES} | {"_loaded_files"})


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _big_events(path: Path, megabytes: int) -> int:
    """JSON lines of distinct events, about ``megabytes`` MB; returns their number."""
    import json

    line = (
        json.dumps(
            {
                "event_id": "ev-{n:08d}",
                "user_id": "100001",
                "created_at": "2025-02-01T10:00:00Z",
                "event_type": "product",
                "traffic_source": "Email",
                "utm": {"source": "newsletter", "medium": "email", "campaign_id": "CMP-0001"},
                "uri": "/product/" + "x" * 200,
                "properties": {"product": "Yoga Mat Premium", "price": "45.00", "quantity": 1},
            }
        )
        .replace("{", "{{")
        .replace("}", "}}")
        .replace("{{n:08d}}", "{n:08d}")
    )
    count = megabytes * 1024 * 1024 // len(line.format(n=0))
    with path.open("w") as handle:
        handle.writelines(line.format(n=n) + "\n" for n in range(count))
    return count


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM", "SIGINT"])
def test_a_load_killed_while_workers_stage_leaves_no_process_and_no_false_ledger(
    target: Target, exports: tuple[Path, dict], signal_name: str
) -> None:
    import signal
    import time

    from loaders.workers import staging_name

    root, _ = exports
    events = _big_events(root / "json/events.jsonl", 60)  # over PARALLEL_MIN_BYTES
    target.load(root)
    clean = target.snapshot()
    assert target.query(
        "select rows_loaded from raw._loaded_files where source_file = 'json/events.jsonl'"
    ) == [(events,)]

    command = [sys.executable, "-m", "loaders", "load", "--source-dir", str(root)]
    loader = subprocess.Popen(
        command + target.cli_args(),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as in a terminal
    )
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.1)
            workers = [
                pid
                for pid in _children(loader.pid)
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]
        assert len(workers) >= 2, "the worker processes did not start"
        # A worker writes the big file's typed rows from its first block on.
        staged = f"{staging_name('json/events.jsonl')}.0.rows.*"
        pipelines = Path(os.environ["MARKETING_PIPELINES_DIR"])
        while time.monotonic() < deadline and not list(pipelines.rglob(staged)):
            time.sleep(0.02)
        children = _children(loader.pid)
        if signal_name == "SIGINT":  # Ctrl-C: the terminal signals the whole group
            os.killpg(loader.pid, signal.SIGINT)
        else:
            loader.send_signal(getattr(signal, signal_name))
        loader.wait(timeout=60)
    finally:
        loader.kill()
        loader.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in children):
        time.sleep(0.1)
    survivors = [pid for pid in children if _running(pid)]
    for pid in survivors:  # so that a failing run leaves nothing behind either
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "processes outlived the loader"
    assert loader.stdout is not None
    printed = loader.stdout.read()
    assert "json/events.jsonl " not in printed  # killed before the big file was staged
    assert loader.stderr is not None
    if signal_name == "SIGINT":
        assert loader.returncode == 130
        assert loader.stderr.read().strip().splitlines() == [
            "error: load interrupted; raw._loaded_files counts nothing it left half-loaded, "
            "and the next load starts over"
        ]
    else:
        assert loader.returncode == -getattr(signal, signal_name)
    _assert_the_ledger_claims_only_what_raw_holds(target)
    assert target.snapshot() == clean  # killed during extract: nothing changed
    target.load(root)
    assert target.snapshot() == clean
