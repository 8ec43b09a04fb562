"""The contract and the dbt sources describe the same raw tables, column by column."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from loaders.contract import TABLES, TableSpec, default_required
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
    import dataclasses

    with pytest.raises(ValueError, match="amount term 'product' is not a number"):
        dataclasses.replace(spec, amount_terms=("amount", "-product"))
