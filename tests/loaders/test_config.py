"""Configuration per table: another tool's export mapped onto the contract, and every setting
that cannot be right refused in one line before anything is read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.config import table_specs
from loaders.contract import TABLES_BY_NAME, TableSpec
from tests.conftest import REPO

PREFIX = "SOURCES__RAW_EXPORTS__"


@pytest.fixture(autouse=True)
def _no_configured_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: no table settings inherited from the shell."""
    for variable in list(os.environ):
        if variable.startswith(PREFIX):
            monkeypatch.delenv(variable)


def configured(monkeypatch: pytest.MonkeyPatch, **variables: str) -> dict[str, TableSpec]:
    for name, value in variables.items():
        monkeypatch.setenv(PREFIX + name, value)
    return {spec.name: spec for spec in table_specs()}


@pytest.mark.slow
def test_without_settings_the_contract_is_unchanged() -> None:
    assert {spec.name: spec for spec in table_specs()} == TABLES_BY_NAME


def test_the_environment_maps_a_foreign_sales_export(monkeypatch: pytest.MonkeyPatch) -> None:
    sales = configured(
        monkeypatch,
        SALES__GLOBS='["exports/orders_*.csv"]',
        SALES__DATE_FORMATS='["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S %z"]',
        SALES__DECIMAL_SEPARATOR=",",
        SALES__THOUSANDS_SEPARATOR=".",
        SALES__COLUMNS__ORDER_ID="Order No",
        SALES__COLUMNS__CUSTOMER_ID="Client",
        SALES__COLUMNS__SALES="Amount (EUR)",
        SALES__COLUMNS__DATE="Order Date",
        SALES__CONSTANTS__ROW_INDEX="0",
    )["sales"]
    assert sales.globs == ("exports/orders_*.csv",)
    assert sales.date_formats == ("%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S %z")
    assert (sales.decimal_separator, sales.thousands_separator) == (",", ".")
    assert [field.header for field in sales.fields] == [
        "",
        "Order Date",
        "Client",
        "Order No",
        "Amount (EUR)",
    ]
    assert sales.constants == (("row_index", "0"),)
    assert sales.required == ("order_id", "sales")


def test_columns_of_a_json_table_are_document_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    events = configured(
        monkeypatch,
        EVENTS__COLUMNS__TRAFFIC_SOURCE="source.medium",
        EVENTS__COLUMNS__UTM__CAMPAIGN_ID="campaign__id",
    )["events"]
    assert events.field("traffic_source").json_path == ("source", "medium")
    assert events.field("utm__campaign_id").json_path == ("campaign", "id")
    assert events.field("utm__source").json_path == ("utm", "source")


def test_a_whole_table_of_columns_as_json_and_one_column_over_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sales = configured(
        monkeypatch,
        SALES__COLUMNS='{"order_id": "Order No", "sales": "Total"}',
        SALES__COLUMNS__SALES="Amount",
    )["sales"]
    assert (sales.field("order_id").header, sales.field("sales").header) == ("Order No", "Amount")


def test_a_configured_key_is_required_instead_of_the_contract_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sales = configured(monkeypatch, SALES__KEY='["customer_id", "date"]')["sales"]
    assert sales.required == ("customer_id", "date", "sales")


def test_configured_date_formats_come_before_a_table_s_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shopify = configured(monkeypatch, SHOPIFY_ORDERS__DATE_FORMATS="%d.%m.%Y %H:%M")[
        "shopify_orders"
    ]
    assert shopify.date_formats == ("%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S %z")


def test_constants_of_every_toml_type_become_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from loaders import config

    monkeypatch.setattr(
        config,
        "_toml_settings",
        lambda: {"marketplace_sales": {"constants": {"category": True, "units_sold": 1}}},
    )
    market = {spec.name: spec for spec in table_specs()}["marketplace_sales"]
    assert market.constants == (("category", "true"), ("units_sold", "1"))


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SALEZ__GLOBS": "x"}, r"raw_exports\.salez: no such table; .*did you mean sales"),
        ({"SALES__GLOB": "x"}, r"sales\.glob is not a setting; .*did you mean globs"),
        (
            {"SALES__COLUMNS__ORDERID": "Order No"},
            r"sales\.columns\.orderid: sales has no column orderid \(did you mean order_id\?\)",
        ),
        (
            {"SALES__CONSTANTS__CHANNEL": "web"},
            r"sales\.constants\.channel: sales has no column channel",
        ),
        (
            {"SALES__COLUMNS__ORDER_ID": "sales"},
            r"sales\.columns: header 'sales' is mapped twice \(order_id and sales\)",
        ),
        (
            {"SALES__COLUMNS__DATE": "Day", "SALES__COLUMNS__CUSTOMER_ID": "day"},
            r"header 'Day' is mapped twice \(date and customer_id\)",
        ),
        (
            {"EVENTS__COLUMNS__USER_ID": "session_id"},
            r"events\.columns: path 'session_id' is mapped twice \(user_id and session_id\)",
        ),
        (
            {"EVENTS__COLUMNS__UTM__SOURCE": "utm"},
            r"events\.columns: .*utm is both a value and an object",
        ),
        (
            {"SALES__COLUMNS__ROW_INDEX": "Idx", "SALES__CONSTANTS__ROW_INDEX": "0"},
            r"constants\.row_index: row_index is mapped to 'Idx' in columns too",
        ),
        ({"SALES__CONSTANTS__ORDER_ID": "1"}, r"a key column cannot be a constant"),
        ({"SALES__CONSTANTS__DATE": "soon"}, r'sales\.constants: date: not a date: "soon"'),
        ({"SALES__CONSTANTS__ROW_INDEX": "1.5"}, r"row_index: not an integer"),
        ({"SALES__DECIMAL_SEPARATOR": "1"}, r"decimal_separator cannot be '1' \(a digit"),
        ({"SALES__THOUSANDS_SEPARATOR": "-"}, r"thousands_separator cannot be '-'"),
        ({"SALES__DECIMAL_SEPARATOR": ".."}, r"must be one character, got '\.\.'"),
        ({"SALES__DECIMAL_SEPARATOR": " "}, r"decimal_separator cannot be a blank"),
        (
            {"SALES__THOUSANDS_SEPARATOR": "."},
            r"both '\.' \(decimal_separator defaults to '\.'\)",
        ),
        (
            {"SALES__DECIMAL_SEPARATOR": ",", "SALES__THOUSANDS_SEPARATOR": ","},
            r"decimal_separator and thousands_separator are both ','$",
        ),
        (
            {"TRANSACTIONS__DECIMAL_SEPARATOR": ","},
            r"transactions\.decimal_separator: separators apply to CSV tables only",
        ),
        ({"SALES__DATE_FORMATS": '["%d/%m/%Y", "%Q"]'}, r"date_formats: '%Q': .*%Q"),
        ({"SALES__DATE_FORMATS": "%d/%m"}, r"date_formats: '%d/%m': has no year"),
        ({"SALES__DATE_FORMATS": '["%d/%m/%Y"'}, r"date_formats is not a JSON list"),
        ({"SALES__FORMAT": "xml"}, r"format must be mongo, jsonl or csv"),
        ({"SALES__KEY": '["order_no"]'}, r"key column\(s\) \['order_no'\] are not contract"),
        ({"SALES": "csv/*.csv"}, r"SOURCES__RAW_EXPORTS__SALES: name one setting"),
        ({"SALES__GLOBS__EXTRA": "x"}, r"GLOBS__EXTRA: only columns and constants take a column"),
        ({"SALES__COLUMNS": '["Order No"]'}, r"SALES__COLUMNS must be a table of column = value"),
    ],
)
def test_a_setting_that_cannot_be_right_is_one_error(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        configured(monkeypatch, **variables)
    assert "\n" not in str(raised.value)


def _cli_load(cwd: Path, source: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``python -m loaders load`` run from ``cwd`` (where dlt finds ``.dlt/config.toml``)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(PREFIX)}
    environment["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "loaders", "load", "--source-dir", str(source), *extra],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[sources.raw_exports.sales]\nglobs = ["csv/*.csv"]\nbogus = 1\n',
            "error: configuration: sources.raw_exports.sales.bogus is not a setting",
        ),
        (
            '[sources.raw_exports.sales.columns]\norder_id = "Order No"\ncustomer = "Client"\n',
            "error: configuration: sources.raw_exports.sales.columns.customer: "
            "sales has no column customer (did you mean customer_id?)",
        ),
        (
            "[sources.raw_exports.reviewz]\nkey = ['review_id']\n",
            "error: configuration: sources.raw_exports.reviewz: no such table",
        ),
        (
            "[sources.raw_exports.sales]\ndate_formats = ['%d/%m/%Y %H:%M', '%Y-%m-%d %J']\n",
            "error: configuration: sources.raw_exports.sales.date_formats: '%Y-%m-%d %J'",
        ),
    ],
)
def test_a_wrong_config_toml_stops_the_load_in_one_line_and_loads_nothing(
    tmp_path: Path, toml: str, message: str
) -> None:
    (tmp_path / ".dlt").mkdir()
    (tmp_path / ".dlt/config.toml").write_text(toml)
    source = tmp_path / "raw"
    (source / "csv").mkdir(parents=True)
    (source / "csv/sales.csv").write_text(",Date,Customer ID,Order ID,Sales\n0,2025-01-02,1,1,2\n")
    warehouse = tmp_path / "warehouse.duckdb"
    completed = _cli_load(tmp_path, source, "--duckdb-path", str(warehouse))
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines() == [completed.stderr.strip()]
    assert completed.stderr.startswith(message), completed.stderr
    assert not warehouse.exists()
