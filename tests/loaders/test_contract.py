"""The contract and the dbt sources describe the same raw tables, column by column."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from loaders.contract import TABLES, TABLES_BY_NAME, Field, TableSpec, default_required
from loaders.contract_yaml import SOURCES, render_all, stale_files
from loaders.pipeline import LOADED_FILES_SCHEMA
from loaders.workers import REJECTED_SCHEMA
from tests.conftest import REPO

#: The data_type a dbt source declares for each contract type.
DECLARED_TYPES = {
    "id": "text",
    "text": "text",
    "integer": "bigint",
    "number": "double precision",
    "boolean": "boolean",
    "timestamp": "timestamp with time zone",
    "date": "date",
    "json": "json",
}
METADATA = [
    ("_source_file", "text"),
    ("_source_line", "bigint"),
    ("_loaded_at", "timestamp with time zone"),
    ("_dlt_load_id", "text"),
]


def _declared_sources() -> dict[str, list[list[tuple[str, str | None]]]]:
    declared: dict[str, list[list[tuple[str, str | None]]]] = {}
    for path in sorted((REPO / "models/staging").glob("*/_*__sources.yml")):
        document = yaml.safe_load(Path(path).read_text())
        for source in document.get("sources", []):
            if source.get("schema") != "raw" or source["name"] == "loader":
                continue
            for table in source.get("tables", []):
                columns = [(c["name"], c.get("data_type")) for c in table.get("columns", [])]
                declared.setdefault(table["name"], []).append(columns)
    return declared


@pytest.mark.slow
@pytest.mark.parametrize("spec", TABLES, ids=[spec.name for spec in TABLES])
def test_every_raw_table_is_one_dbt_source_with_the_contract_s_columns(spec: TableSpec) -> None:
    declared = _declared_sources().get(spec.name, [])
    assert len(declared) == 1, f"{spec.name} is declared {len(declared)} times"
    expected = [(field.name, DECLARED_TYPES[field.type]) for field in spec.fields] + METADATA
    assert declared[0] == expected


def test_required_columns_default_to_the_key_and_the_main_amount() -> None:
    # Adjustments (discount, shipping) count 0 when an export has no column for them.
    by_name = {spec.name: spec for spec in TABLES}
    assert by_name["transactions"].required == ("transaction_id", "amount")
    assert by_name["shopify_orders"].required == ("order_name", "subtotal")
    assert by_name["social_trends"].required == ("date", "platform", "category", "topic")
    assert default_required(("a",), ("b", "-c")) == ("a", "b")


def test_a_table_with_an_amount_term_that_is_not_a_number_is_refused() -> None:
    spec = next(spec for spec in TABLES if spec.name == "transactions")
    with pytest.raises(ValueError, match="amount term 'product' is not a number"):
        dataclasses.replace(spec, amount_terms=("amount", "-product"))


def test_the_checked_in_sources_yaml_is_what_the_contract_generates() -> None:
    # A hand edit of a sources YAML, or a contract change without `make sources`, fails here.
    assert stale_files(REPO) == []


def test_a_column_added_to_the_contract_makes_its_sources_yaml_stale(tmp_path: Path) -> None:
    for path, text in render_all().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    assert stale_files(tmp_path) == []
    spec = TABLES_BY_NAME["reviews"]
    widened = dataclasses.replace(
        spec, fields=(*spec.fields, Field("helpful_votes", "integer", "Votes."))
    )
    tables = tuple(widened if table is spec else table for table in TABLES)
    assert stale_files(tmp_path, tables) == [Path("models/staging/web/_web__sources.yml")]
    written = yaml.safe_load(render_all(tables)[Path("models/staging/web/_web__sources.yml")])
    reviews = next(t for t in written["sources"][0]["tables"] if t["name"] == "reviews")
    assert {"name": "helpful_votes", "data_type": "bigint", "description": "Votes."} in (
        reviews["columns"]
    )


def test_a_contract_table_in_no_source_is_refused() -> None:
    extra = dataclasses.replace(TABLES_BY_NAME["sales"], name="sales_returns")
    with pytest.raises(ValueError, match="sales_returns"):
        render_all((*TABLES, extra))


#: The warehouse type of each Arrow type the loader writes its audit tables with.
AUDIT_TYPES = {
    pa.string(): "text",
    pa.int64(): "bigint",
    pa.float64(): "double precision",
    pa.timestamp("us", tz="UTC"): "timestamp with time zone",
}


@pytest.mark.parametrize(
    ("table", "schema"),
    [("_loaded_files", LOADED_FILES_SCHEMA), ("_rejected_records", REJECTED_SCHEMA)],
)
def test_the_loader_source_declares_the_columns_the_loader_writes(
    table: str, schema: pa.Schema
) -> None:
    loader = next(source for source in SOURCES if source.name == "loader")
    audit = next(audit for audit in loader.audit_tables if audit.name == table)
    declared = {column.name: column.data_type for column in audit.columns}
    assert declared == {field.name: AUDIT_TYPES[field.type] for field in schema}
