"""Configuration: which files feed which table, how to read them, and where the warehouse is.

Defaults come from :mod:`loaders.contract`. Per table, dlt configuration
(``.dlt/config.toml``, or the environment) changes which files feed it and
maps another tool's export onto the contract's columns::

    [sources.raw_exports.sales]
    globs = ["exports/orders_*.csv"]      # files, relative to the source directory
    format = "csv"                        # mongo | jsonl | csv
    key = ["order_id"]                    # contract column names
    date_formats = ["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S %z"]  # before the built-in ones
    decimal_separator = ","               # CSV numbers; default "." (and a lone decimal comma)
    thousands_separator = "."             # CSV numbers; default none: "1.234,56" -> 1234.56

    [sources.raw_exports.sales.columns]   # contract column = the export's header
    order_id = "Order No"
    customer_id = "Client"

    [sources.raw_exports.sales.constants] # a value for a column the export lacks
    row_index = 0

The environment spells the same settings ``SOURCES__RAW_EXPORTS__<TABLE>__<SETTING>``
(``SOURCES__RAW_EXPORTS__SALES__GLOBS='["csv/sales_*.csv"]'``,
``SOURCES__RAW_EXPORTS__SALES__COLUMNS__ORDER_ID="Order No"``) and wins over
the files. Headers are matched after snake_case normalisation (``order no``
matches ``Order No``). For JSON tables, ``columns`` maps a contract column to
a path in the document (``traffic_source = "source.medium"``, or with
``__``); separators apply to CSV only (JSON numbers always use a point).
Date formats are strptime formats (``%z`` reads ``-0500`` and ``+02:00``;
results are in UTC) for the table's date and timestamp columns; separators
apply to its integer and number columns.

Anything that cannot be right stops the load before it reads a file, with
one line (``error: configuration: ...``): an unknown table or setting, a
``columns`` or ``constants`` entry naming no contract column, a header
mapped twice, a constant that is also mapped or does not type, an invalid
separator, a date format DuckDB cannot use. A file that has a column the
configuration gives a constant stops the load too.

Credentials never live in code: PostgreSQL comes from dlt secrets
(``DESTINATION__POSTGRES__CREDENTIALS``) or the libpq variables dbt uses too
(``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``PGDATABASE``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from .contract import TABLES, Field, TableSpec, default_required

Destination = Literal["duckdb", "postgres"]

CONFIG_SECTION = "sources.raw_exports"
DEFAULT_SOURCE_DIR = Path("data/raw")
DEFAULT_DUCKDB_PATH = Path("data/warehouse.duckdb")
PIPELINES_DIR = Path("data/_dlt")

#: The settings a table accepts.
SETTINGS = (
    "globs",
    "format",
    "key",
    "columns",
    "constants",
    "date_formats",
    "decimal_separator",
    "thousands_separator",
)
#: Settings that are tables of contract column -> value.
_PER_COLUMN = ("columns", "constants")
_ENV_PREFIX = "SOURCES__RAW_EXPORTS__"


def _close(word: str, choices: list[str]) -> str:
    """`` (did you mean x?)`` when one of the choices is close to ``word``."""
    matches = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {matches[0]}?)" if matches else ""


def _as_tuple(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip().startswith("[") else [value]
        except ValueError as error:
            raise ValueError(f"{what} is not a JSON list of strings: {value!r}") from error
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings, got {value!r}")
    return tuple(value)


def _as_mapping(value: Any, what: str) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise ValueError(f"{what} is not a JSON object: {value!r}") from error
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be a table of column = value, got {value!r}")
    return {str(name): item for name, item in value.items()}


def _as_text(value: Any, what: str) -> str:
    """A constant as the text the typer reads (TOML values of any scalar type)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError(f"{what} must be a single value, got {value!r}")


def _toml_settings() -> dict[str, dict[str, Any]]:
    """The ``sources.raw_exports`` tables of dlt's configuration files, merged.

    The provider dlt asks first wins, as for any dlt setting.
    """
    import dlt
    from dlt.common.configuration.providers import EnvironProvider

    try:
        providers = list(dlt.config.config_providers)
    except Exception as error:  # a malformed config.toml
        raise ValueError(f"cannot read dlt's configuration: {_first_line(error)}") from error
    merged: dict[str, dict[str, Any]] = {}
    for provider in reversed(providers):
        if isinstance(provider, EnvironProvider):
            continue
        try:
            section, _ = provider.get_value("raw_exports", dict, None, "sources")
        except Exception as error:
            raise ValueError(f"cannot read {provider.name}: {_first_line(error)}") from error
        if section is None:
            continue
        if not isinstance(section, Mapping):
            raise ValueError(f"{CONFIG_SECTION} must be a table of tables, got {section!r}")
        for table, settings in section.items():
            if not isinstance(settings, Mapping):
                raise ValueError(
                    f"{CONFIG_SECTION}.{table} must be a table of settings, got {settings!r}"
                )
            into = merged.setdefault(str(table), {})
            for name, value in settings.items():
                if name in _PER_COLUMN and isinstance(value, Mapping):
                    into[name] = {**into.get(name, {}), **value}
                else:
                    into[name] = value
    return merged


def _environment_settings() -> dict[str, dict[str, Any]]:
    """``SOURCES__RAW_EXPORTS__<TABLE>__<SETTING>[__<COLUMN>]`` variables, per table."""
    found: dict[str, dict[str, Any]] = {}
    for variable in sorted(os.environ):
        if not variable.startswith(_ENV_PREFIX):
            continue
        value = os.environ[variable]
        table, _, rest = variable[len(_ENV_PREFIX) :].partition("__")
        setting, _, column = rest.partition("__")
        table, setting, column = table.lower(), setting.lower(), column.lower()
        if not setting:
            raise ValueError(
                f"{variable}: name one setting, e.g. {_ENV_PREFIX}{table.upper()}__GLOBS"
            )
        into = found.setdefault(table, {})
        if column and setting in _PER_COLUMN:
            # After a variable setting the whole table (it sorts first), if any.
            into.setdefault(setting, {})[column] = value
        elif column:
            raise ValueError(
                f"{variable}: only {' and '.join(_PER_COLUMN)} take a column after the setting"
            )
        elif setting in _PER_COLUMN:
            into[setting] = {**into.get(setting, {}), **_as_mapping(value, variable)}
        else:
            into[setting] = value
    return found


def configured_settings() -> dict[str, dict[str, Any]]:
    """Every table's configured settings: dlt's files, then the environment over them."""
    settings = _toml_settings()
    for table, overrides in _environment_settings().items():
        into = settings.setdefault(table, {})
        for name, value in overrides.items():
            if name in _PER_COLUMN and isinstance(into.get(name), Mapping):
                into[name] = {**into[name], **value}
            else:
                into[name] = value
    return settings


def table_specs() -> tuple[TableSpec, ...]:
    """The contract's tables with the configured settings applied.

    Raises:
        ValueError: a setting that cannot be right (see the module docstring),
            in one line naming it.
    """
    settings = configured_settings()
    names = [spec.name for spec in TABLES]
    for table in settings:
        if table not in names:
            raise ValueError(
                f"{CONFIG_SECTION}.{table}: no such table; tables: {', '.join(names)}"
                f"{_close(table, names)}"
            )
    return tuple(
        _configured(spec, settings[spec.name]) if spec.name in settings else spec for spec in TABLES
    )


def _configured(spec: TableSpec, settings: dict[str, Any]) -> TableSpec:
    """One table with its settings applied and checked."""
    where = f"{CONFIG_SECTION}.{spec.name}"
    for name in settings:
        if name not in SETTINGS:
            raise ValueError(
                f"{where}.{name} is not a setting; known settings: {', '.join(SETTINGS)}"
                f"{_close(name, list(SETTINGS))}"
            )
    columns = [column.name for column in spec.fields]
    changes: dict[str, Any] = {}
    if "globs" in settings:
        changes["globs"] = _as_tuple(settings["globs"], f"{where}.globs")
    if "key" in settings:
        key = _as_tuple(settings["key"], f"{where}.key")
        unknown = [k for k in key if k not in columns]
        if unknown or not key:
            raise ValueError(f"{spec.name}: key column(s) {unknown} are not contract fields")
        changes["key"] = key
        if spec.required == default_required(spec.key, spec.amount_terms):
            changes["required"] = default_required(key, spec.amount_terms)
    file_format = settings.get("format", spec.format)
    if file_format not in ("mongo", "jsonl", "csv"):
        raise ValueError(f"{spec.name}: format must be mongo, jsonl or csv")
    if "format" in settings:
        changes["format"] = file_format
    is_csv = file_format == "csv"
    if "date_formats" in settings:
        changes["date_formats"] = _date_formats(
            _as_tuple(settings["date_formats"], f"{where}.date_formats"), spec, where
        )
    for name in ("decimal_separator", "thousands_separator"):
        if name in settings:
            if not is_csv:
                raise ValueError(
                    f"{where}.{name}: separators apply to CSV tables only "
                    "(JSON numbers always use a point)"
                )
            changes[name] = _separator(settings[name], f"{where}.{name}", name)
    decimal = changes.get("decimal_separator", spec.decimal_separator) or "."
    thousands = changes.get("thousands_separator", spec.thousands_separator)
    if decimal == thousands:
        default = "" if "decimal_separator" in changes else " (decimal_separator defaults to '.')"
        raise ValueError(
            f"{where}: decimal_separator and thousands_separator are both {decimal!r}{default}"
        )
    mapping = _as_mapping(settings.get("columns", {}), f"{where}.columns")
    constants = _as_mapping(settings.get("constants", {}), f"{where}.constants")
    for kind, entries in (("columns", mapping), ("constants", constants)):
        for name in entries:
            if name not in columns:
                raise ValueError(
                    f"{where}.{kind}.{name}: {spec.name} has no column {name}"
                    f"{_close(name, columns)}"
                )
    fields = [
        _mapped(column, mapping[column.name], is_csv, f"{where}.columns.{column.name}")
        if column.name in mapping
        else column
        for column in spec.fields
    ]
    if mapping:
        changes["fields"] = tuple(fields)
    texts: list[tuple[str, str]] = []
    for name, value in constants.items():
        if name in mapping:
            raise ValueError(
                f"{where}.constants.{name}: {name} is mapped to {mapping[name]!r} in columns too; "
                "a column comes from the file or from a constant, not both"
            )
        if name in changes.get("key", spec.key):
            raise ValueError(f"{where}.constants.{name}: a key column cannot be a constant")
        texts.append((name, _as_text(value, f"{where}.constants.{name}")))
    if constants:
        changes["constants"] = tuple(texts)
    configured = dataclasses.replace(spec, **changes) if changes else spec
    _refuse_double_mapping(configured, is_csv, where)
    if constants:
        from .typing_engine import constant_problems

        problems = constant_problems(configured)
        if problems:
            raise ValueError(f"{where}.constants: {'; '.join(problems)}")
    return configured


def _mapped(column: Field, value: Any, is_csv: bool, what: str) -> Field:
    """A field fed by another header (CSV) or document path (JSON)."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a header (text), got {value!r}")
    if is_csv:
        return dataclasses.replace(column, header=value)
    path = tuple(value.split(".") if "." in value else value.split("__"))
    if not all(part.strip() for part in path):
        raise ValueError(f"{what}: {value!r} is not a document path (keys joined by . or __)")
    return dataclasses.replace(column, path=path)


def _refuse_double_mapping(spec: TableSpec, is_csv: bool, where: str) -> None:
    """Two columns fed by one header (CSV, after normalisation) or one path (JSON).

    Raises:
        ValueError: naming the header and the columns.
    """
    from .csv_files import expected_header, normalise_header

    constants = spec.constant_values
    fed_by: dict[str, list[str]] = {}
    for column in spec.fields:
        if column.name in constants:
            continue
        if is_csv:
            source = normalise_header(expected_header(spec, column.name))
        else:
            source = ".".join(column.json_path)
        fed_by.setdefault(source, []).append(column.name)
    for source, names in fed_by.items():
        if len(names) > 1:
            what = "header" if is_csv else "path"
            shown = [expected_header(spec, name) if is_csv else source for name in names]
            raise ValueError(
                f"{where}.columns: {what} {shown[0]!r} is mapped twice ({' and '.join(names)})"
            )
    if not is_csv:
        from .typing_engine import struct_problem

        problem = struct_problem(spec.fields)
        if problem:
            raise ValueError(f"{where}.columns: {problem}")


def _separator(value: Any, what: str, name: str) -> str:
    if not isinstance(value, str) or len(value) != 1:
        raise ValueError(f"{what} must be one character, got {value!r}")
    if value.isdigit() or value in "+-":
        raise ValueError(f"{what} cannot be {value!r} (a digit or a sign)")
    if name == "decimal_separator" and value.isspace():
        raise ValueError(f"{what} cannot be a blank")
    return value


def _date_formats(formats: tuple[str, ...], spec: TableSpec, where: str) -> tuple[str, ...]:
    """The configured formats, checked, before the table's own ones."""
    from .typing_engine import date_format_problem

    for date_format in formats:
        problem = date_format_problem(date_format)
        if problem:
            raise ValueError(f"{where}.date_formats: {date_format!r}: {problem}")
    return tuple(dict.fromkeys(formats + spec.date_formats))


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def find_files(source_dir: Path, spec: TableSpec) -> list[Path]:
    """Files matching the table's globs (and their ``.gz`` versions), sorted."""
    found: set[Path] = set()
    for pattern in spec.globs:
        for candidate in (pattern, pattern + ".gz"):
            found.update(path for path in source_dir.glob(candidate) if path.is_file())
    return sorted(found)


def shared_sales_export() -> Path:
    """The shared 40,000-row sales export the tests and the benchmark use.

    ``$MARKETING_SHARED_SALES`` if set, else ``../shared/data/hec_sales_sample.csv``
    next to the repository, else ``/work/shared/data/hec_sales_sample.csv``. The
    returned path may not exist; callers say so.
    """
    beside = Path(__file__).resolve().parents[2] / "shared" / "data" / "hec_sales_sample.csv"
    candidates = [
        os.environ.get("MARKETING_SHARED_SALES"),
        str(beside),
        "/work/shared/data/hec_sales_sample.csv",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return Path(os.environ.get("MARKETING_SHARED_SALES") or beside)


def duckdb_path(explicit: Path | None = None) -> Path:
    """The DuckDB warehouse file: explicit, else ``$DUCKDB_PATH``, else the default."""
    if explicit is not None:
        return explicit
    return Path(os.environ.get("DUCKDB_PATH") or DEFAULT_DUCKDB_PATH)


def postgres_credentials() -> str | dict[str, Any]:
    """PostgreSQL credentials from dlt secrets, else from the libpq environment."""
    import dlt

    configured: Any = None
    try:
        configured = dlt.secrets.get("destination.postgres.credentials")
    except Exception:  # pragma: no cover - malformed secrets file
        configured = None
    if configured:
        return configured  # type: ignore[no-any-return]
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": int(os.environ.get("PGPORT", "5432")),
        "username": os.environ.get("PGUSER", "marketing"),
        # dlt insists on a password; with trust or peer authentication any value works.
        "password": os.environ.get("PGPASSWORD") or "unused",
        "database": os.environ.get("PGDATABASE", "marketing"),
        "connect_timeout": 10,
    }


def pipelines_dir(destination: Destination, duckdb_file: Path | None) -> Path:
    """Dlt's working folder, one per warehouse so their local states never mix."""
    if destination == "duckdb":
        identity = str((duckdb_file or DEFAULT_DUCKDB_PATH).resolve())
    else:
        credentials = postgres_credentials()
        if isinstance(credentials, dict):
            identity = "{host}:{port}/{database}".format(**credentials)
        else:
            identity = str(credentials).split("@")[-1]
    digest = hashlib.sha1(identity.encode()).hexdigest()[:10]
    base = Path(os.environ.get("MARKETING_PIPELINES_DIR") or PIPELINES_DIR)
    return base / f"{destination}-{digest}"
