"""The dbt sources YAML, generated from the raw contract.

Every ``models/staging/<source>/_<source>__sources.yml`` is written from
:mod:`loaders.contract` (tables, columns, types, descriptions, keys, file
globs) and from the few things below that only the dbt docs need: which raw
tables form which dbt source, the source's own description, and the loader's
audit tables (written by the pipeline, not read from an export). The YAML is
never edited by hand: ``make sources`` (``python -m loaders sources-yaml``)
rewrites it, and tests/loaders/test_contract.py fails when a checked-in file
differs from what this module writes, so the loader and the dbt sources cannot
drift apart.

The output is plain text built line by line (not a YAML dumper), so that it is
byte-for-byte deterministic and reads like the hand-written YAML of the other
folders.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .contract import (
    LOADED_AT_COLUMN,
    RAW_DATASET,
    SOURCE_FILE_COLUMN,
    SOURCE_LINE_COLUMN,
    TABLES,
    FieldType,
    TableSpec,
)

#: The first lines of every generated file.
HEADER = (
    "# Generated from loaders/contract.py and loaders/contract_yaml.py by `make sources`\n"
    "# (python -m loaders sources-yaml): edit those and run it, not this file.\n"
)

#: The column type a dbt source declares for each contract type (as the warehouses hold it).
DECLARED_TYPES: dict[FieldType, str] = {
    "id": "text",
    "text": "text",
    "integer": "bigint",
    "number": "double precision",
    "boolean": "boolean",
    "timestamp": "timestamp with time zone",
    "date": "date",
    "json": "json",
}


@dataclass(frozen=True)
class Column:
    """A column of a source table that the contract does not describe."""

    name: str
    data_type: str
    description: str


#: The columns the loader adds to every export table, after the contract's.
METADATA_COLUMNS: tuple[Column, ...] = (
    Column(SOURCE_FILE_COLUMN, "text", "{{ doc('raw__source_file') }}"),
    Column(SOURCE_LINE_COLUMN, "bigint", "{{ doc('raw__source_line') }}"),
    Column(LOADED_AT_COLUMN, "timestamp with time zone", "{{ doc('raw__loaded_at') }}"),
    Column("_dlt_load_id", "text", "{{ doc('raw__dlt_load_id') }}"),
)


@dataclass(frozen=True)
class AuditTable:
    """A table the loader writes about its own loads (not fed by an export file).

    Attributes:
        name: The raw table name.
        description: Its dbt description; line breaks are kept in the YAML.
        columns: Its columns, in the order the docs list them.
        freshness: False: no freshness check on this table (the source's is
            switched off for it).
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    freshness: bool = True


@dataclass(frozen=True)
class SourceDoc:
    """One dbt source: a staging folder and the raw tables it declares.

    Attributes:
        name: The source name, which is also its staging folder's name.
        description: The source's dbt description; line breaks are kept.
        tables: The contract tables it declares, in this order.
        header_label: For exports whose columns are mapped from another
            tool's headers: each column's description ends with
            ``<label>: <header>.`` so the docs say which column feeds it.
        key_note: Appended in parentheses to the key in a table's description,
            when the key needs saying more about (raw table -> note).
        audit_tables: The loader's own tables, declared after the contract's.
    """

    name: str
    description: str
    tables: tuple[str, ...] = ()
    header_label: str | None = None
    key_note: tuple[tuple[str, str], ...] = ()
    audit_tables: tuple[AuditTable, ...] = ()

    @property
    def path(self) -> Path:
        """The YAML file, relative to the dbt project."""
        return Path("models/staging") / self.name / f"_{self.name}__sources.yml"


#: How the sources of exports end their description.
_TYPED_BY_THE_LOADER = (
    "Typed by the loader (see loaders/contract.py); duplicates kept, staging\n"
    "deduplicates. Only the staging models of this folder read it."
)

_LOADED_FILES = AuditTable(
    name="_loaded_files",
    description=(
        "The file ledger: one row per export file ever loaded, merged on\n"
        "source_file, so a file loaded again keeps only the counts of its\n"
        "latest load. For every file records_read = rows_loaded +\n"
        "rows_rejected, which the loader checks against the warehouse after\n"
        "each load; amount_read = the amounts of the rows it loaded +\n"
        "amount_rejected. Its freshness is the freshness of the loader."
    ),
    columns=(
        Column("source_file", "text", "{{ doc('raw__source_file') }} The key of the ledger."),
        Column("table_name", "text", "{{ doc('loader__table_name') }}"),
        Column(
            "file_size_bytes",
            "bigint",
            "Size of the file on disk in bytes, as read (gzipped files: compressed size).",
        ),
        Column(
            "records_read",
            "bigint",
            "Records the loader read from the file: CSV rows after the header and JSON lines "
            "(blank lines are not records), MongoDB documents.",
        ),
        Column(
            "lines_read",
            "bigint",
            "Physical lines of the file (LF, CR LF or CR each end one), header and blank lines "
            "included, for CSV and JSON files read line by line; every one of them belongs to "
            "exactly one record or to none, which the loader checks. Null for BSON and for JSON "
            "whose documents may share a line (--pretty, an array on one line).",
        ),
        Column("rows_loaded", "bigint", "Of those, records typed and loaded into the raw table."),
        Column(
            "rows_rejected", "bigint", "Of those, records written to `_rejected_records` instead."
        ),
        Column(
            "seconds",
            "double precision",
            "Seconds the loader spent reading and typing the file (not the database load).",
        ),
        Column(
            LOADED_AT_COLUMN,
            "timestamp with time zone",
            "When the load that last loaded the file started (UTC). The freshness of the source "
            "is measured on it.",
        ),
        Column("_dlt_load_id", "text", "{{ doc('raw__dlt_load_id') }}"),
        Column("missing_columns", "text", "{{ doc('loader__missing_columns') }}"),
        Column("amount_read", "double precision", "{{ doc('loader__amount_read') }}"),
        Column("amount_rejected", "double precision", "{{ doc('loader__amount_rejected') }}"),
        Column("rejected_without_amount", "bigint", "{{ doc('loader__rejected_without_amount') }}"),
    ),
)

_REJECTED_RECORDS = AuditTable(
    name="_rejected_records",
    description=(
        "One row per record of an export that could not be parsed or typed,\n"
        "with where it was and why. After each load only the latest load's\n"
        "rejects of each file it loaded remain (a file loaded again without\n"
        "rejects leaves none). No freshness check: a clean load leaves this\n"
        "table empty or old by design; the ledger's freshness covers it."
    ),
    columns=(
        Column("table_name", "text", "{{ doc('loader__table_name') }}"),
        Column("source_file", "text", "{{ doc('raw__source_file') }}"),
        Column(
            "line_number",
            "bigint",
            "Line where the record starts in its file, from 1 (in a CSV the header is line 1); "
            "for BSON files the document number.",
        ),
        Column(
            "record_number",
            "bigint",
            "Ordinal of the record among the records of its file, from 1.",
        ),
        Column(
            "record_text",
            "text",
            "The raw text of the record as read; BSON documents as `base64:` followed by their "
            "bytes in base64.",
        ),
        Column("reason", "text", "{{ doc('loader__reason') }}"),
        Column(LOADED_AT_COLUMN, "timestamp with time zone", "{{ doc('raw__loaded_at') }}"),
        Column("_dlt_load_id", "text", "{{ doc('raw__dlt_load_id') }}"),
        Column("amount", "double precision", "{{ doc('loader__record_amount') }}"),
    ),
    freshness=False,
)

#: Every dbt source of the raw dataset, one per staging folder.
SOURCES: tuple[SourceDoc, ...] = (
    SourceDoc(
        name="loader",
        description=(
            "The loader's own audit tables in the `raw` schema, written by every\n"
            "`python -m loaders load` next to the export tables (see\n"
            "loaders/pipeline.py and loaders/workers.py): the ledger of the files it\n"
            "loaded and the records it could not load. Either table may not exist\n"
            "yet (nothing loaded, or no record ever rejected); the staging models\n"
            "then read an empty relation. Only the staging models of this folder\n"
            "read it."
        ),
        audit_tables=(_LOADED_FILES, _REJECTED_RECORDS),
    ),
    SourceDoc(
        name="market",
        description=(
            "Market-intelligence CSV feeds: social-media trends and marketplace sales, "
            "loaded by dlt into the `raw` schema.\n" + _TYPED_BY_THE_LOADER
        ),
        tables=("social_trends", "marketplace_sales"),
    ),
    SourceDoc(
        name="mongo",
        description=(
            "MongoDB exports (mongoexport JSON or mongodump BSON) loaded by the dlt `mongo` "
            "loader into the `raw` schema.\n" + _TYPED_BY_THE_LOADER
        ),
        tables=("customers", "transactions", "campaigns"),
    ),
    SourceDoc(
        name="sales",
        description=(
            "The sales-orders CSV export (one row per order, header "
            "`,Date,Customer ID,Order ID,Sales`) loaded by dlt into the `raw` schema.\n"
            + _TYPED_BY_THE_LOADER
        ),
        tables=("sales",),
    ),
    SourceDoc(
        name="shopify",
        description=(
            "Shopify's standard orders export (Admin > Orders > Export: `orders_export_1.csv`,\n"
            "`orders_export_2.csv`, ...), loaded by dlt into the `raw` schema with the\n"
            "built-in column mapping of loaders/contract.py. One row per line item;\n"
            "order-level columns are filled on an order's first row only. Typed by the\n"
            "loader (timestamps with Shopify's offsets land in UTC); every line kept.\n"
            "Only the staging models of this folder read it."
        ),
        tables=("shopify_orders",),
        header_label="Shopify column",
        key_note=(("shopify_orders", "shared by the lines of an order"),),
    ),
    SourceDoc(
        name="web",
        description=(
            "Website exports in JSON lines: analytics events and product reviews, "
            "loaded by dlt into the `raw` schema.\n" + _TYPED_BY_THE_LOADER
        ),
        tables=("events", "reviews"),
    ),
)


def _quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _folded(text: str, indent: int) -> list[str]:
    """A folded block scalar (``>``): each line of ``text`` on its own YAML line."""
    return [">"] + [" " * indent + line for line in text.splitlines()]


def _columns(columns: Iterable[Column]) -> list[str]:
    lines = ["        columns:"]
    for column in columns:
        lines += [
            f"          - name: {column.name}",
            f"            data_type: {column.data_type}",
            f"            description: {_quoted(column.description)}",
        ]
    return lines


def _table(name: str, description: str, columns: Iterable[Column]) -> list[str]:
    folded = _folded(description, 10)
    return [
        f"      - name: {name}",
        f"        description: {folded[0]}",
        *folded[1:],
        *_columns(columns),
    ]


def _contract_table(spec: TableSpec, source: SourceDoc) -> list[str]:
    key = ", ".join(spec.key)
    note = dict(source.key_note).get(spec.name)
    if note:
        key = f"{key} ({note})"
    description = f"{spec.description} Key: {key}; files: {', '.join(spec.globs)}."
    columns = []
    for field in spec.fields:
        text = field.description
        if source.header_label and field.header is not None:
            text = f"{text} {source.header_label}: {field.header}."
        columns.append(Column(field.name, DECLARED_TYPES[field.type], text))
    return _table(spec.name, description, [*columns, *METADATA_COLUMNS])


def render(source: SourceDoc, tables: Iterable[TableSpec] = TABLES) -> str:
    """The text of ``source``'s YAML file, with ``tables`` as the contract."""
    by_name = {spec.name: spec for spec in tables}
    folded = _folded(source.description, 6)
    lines = [
        "version: 2",
        "",
        "sources:",
        f"  - name: {source.name}",
        f"    description: {folded[0]}",
        *folded[1:],
        f"    schema: {RAW_DATASET}",
        "    loader: dlt",
        "    config:",
        f"      loaded_at_field: {LOADED_AT_COLUMN}",
        "      freshness:",
        "        warn_after: {count: 7, period: day}",
        "        error_after: {count: 30, period: day}",
        "    tables:",
    ]
    for name in source.tables:
        lines += _contract_table(by_name[name], source)
    for audit in source.audit_tables:
        table = _table(audit.name, audit.description, audit.columns)
        if not audit.freshness:
            # The table's config goes between its description and its columns.
            at = table.index("        columns:")
            table[at:at] = ["        config:", "          freshness: null"]
        lines += table
    return HEADER + "\n" + "\n".join(lines) + "\n"


def render_all(tables: Iterable[TableSpec] = TABLES) -> dict[Path, str]:
    """Every sources YAML file (path relative to the dbt project -> text)."""
    specs = tuple(tables)
    declared = [name for source in SOURCES for name in source.tables]
    undeclared = sorted({spec.name for spec in specs} - set(declared))
    if undeclared or len(declared) != len(set(declared)):
        raise ValueError(
            "every contract table belongs to exactly one source in loaders/contract_yaml.py: "
            f"undeclared {undeclared}, declared {declared}"
        )
    return {source.path: render(source, specs) for source in SOURCES}


def stale_files(project_dir: Path, tables: Iterable[TableSpec] = TABLES) -> list[Path]:
    """The sources YAML files under ``project_dir`` that differ from what would be written."""
    stale = []
    for path, text in render_all(tables).items():
        target = project_dir / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale


def write_all(project_dir: Path) -> list[Path]:
    """Write every sources YAML file under ``project_dir``; return the ones that changed."""
    changed = stale_files(project_dir)
    for path, text in render_all().items():
        if path in changed:
            (project_dir / path).write_text(text, encoding="utf-8")
    return changed
