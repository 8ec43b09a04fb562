"""Configuration: which files feed which table, and where the warehouse is.

Defaults come from :mod:`loaders.contract`; every table's file globs, format
and key can be overridden through dlt configuration, e.g. in
``.dlt/config.toml``::

    [sources.raw_exports.sales]
    globs = ["csv/sales_*.csv", "archive/sales_2024.csv"]

or the environment (``SOURCES__RAW_EXPORTS__SALES__GLOBS='["csv/sales_*.csv"]'``).
Credentials never live in code: PostgreSQL comes from dlt secrets
(``DESTINATION__POSTGRES__CREDENTIALS``) or the libpq variables dbt uses too
(``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``, ``PGDATABASE``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .contract import TABLES, TableSpec

if TYPE_CHECKING:
    import duckdb

Destination = Literal["duckdb", "postgres"]

CONFIG_SECTION = "sources.raw_exports"
DEFAULT_SOURCE_DIR = Path("data/raw")
DEFAULT_DUCKDB_PATH = Path("data/warehouse.duckdb")
PIPELINES_DIR = Path("data/_dlt")


def _config_value(key: str) -> Any:
    import dlt

    try:
        return dlt.config.get(key)
    except Exception:  # pragma: no cover - dlt raises on malformed config files
        return None


def _as_tuple(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip().startswith("[") else [value]
        except ValueError as error:
            raise ValueError(f"{what} is not a JSON list of strings: {value!r}") from error
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings, got {value!r}")
    return tuple(value)


def table_specs() -> tuple[TableSpec, ...]:
    """The contract's tables with any configured globs, format and key applied."""
    specs = []
    for spec in TABLES:
        changes: dict[str, Any] = {}
        globs = _config_value(f"{CONFIG_SECTION}.{spec.name}.globs")
        if globs is not None:
            changes["globs"] = _as_tuple(globs, f"{CONFIG_SECTION}.{spec.name}.globs")
        key = _config_value(f"{CONFIG_SECTION}.{spec.name}.key")
        if key is not None:
            changes["key"] = _as_tuple(key, f"{CONFIG_SECTION}.{spec.name}.key")
            unknown = [k for k in changes["key"] if k not in {f.name for f in spec.fields}]
            if unknown:
                raise ValueError(f"{spec.name}: key column(s) {unknown} are not contract fields")
        file_format = _config_value(f"{CONFIG_SECTION}.{spec.name}.format")
        if file_format is not None:
            if file_format not in ("mongo", "jsonl", "csv"):
                raise ValueError(f"{spec.name}: format must be mongo, jsonl or csv")
            changes["format"] = file_format
        specs.append(dataclasses.replace(spec, **changes) if changes else spec)
    return tuple(specs)


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


#: DuckDB settings of every connection the project opens (per connection: DuckDB refuses
#: them as database-wide options). DuckDB draws a progress bar on stdout for queries over
#: about 2 s when it takes the process for an interactive one (``python -c``, a notebook,
#: a terminal), which would end up in the output of commands that are parsed or shown.
DUCKDB_SETTINGS: dict[str, Any] = {"enable_progress_bar": False}


def connect_duckdb(database: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with :data:`DUCKDB_SETTINGS` applied: never a progress bar.

    Only settings, no ``config=``: DuckDB refuses a second connection to a file with
    another configuration in the same process (dbt run in process holds one).
    """
    import duckdb

    connection = duckdb.connect(str(database), read_only=read_only)
    for name, value in DUCKDB_SETTINGS.items():
        connection.execute(f"set {name} = {str(value).lower()}")
    return connection


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
