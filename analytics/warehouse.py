"""The one way into the warehouse for everything after ingestion, on either target.

The report, the dashboard, the statistics step, the exports and the benchmark read
the marts through :func:`connect` or :class:`Warehouse`: DuckDB through
:func:`loaders.duckdb_settings.connect_duckdb` (its progress bar off), read-only unless asked
to write; PostgreSQL with dlt's secrets or the libpq variables (``PG*``), in a
read-only session unless asked to write.

The statistics step's result tables are dbt models of materialization ``python_result``
(macros/materializations/python_result.sql): dbt creates them, empty, from the
columns their yml declares; :meth:`Warehouse.replace` swaps their rows for the
step's results in one transaction, after checking that the frame has exactly the
table's columns.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from loaders.config import duckdb_path, postgres_credentials
from loaders.duckdb_settings import connect_duckdb

#: The schema every result table lives in.
SCHEMA = "marts"


class WarehouseError(RuntimeError):
    """The warehouse is missing, or a result does not fit its table."""


def _plain(value: Any) -> Any:
    """A value the database drivers accept: no numpy scalars, NaN or NaT."""
    if value is None or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, Decimal | datetime | date):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


@contextmanager
def connect(target: str, write: bool = False, duckdb_file: Path | None = None) -> Iterator[Any]:
    """A DB-API connection to the warehouse of ``target`` (``duckdb`` or ``postgres``).

    Read-only unless ``write``: a read-only DuckDB connection, a read-only PostgreSQL
    session. Closed on leaving the block. DuckDB opens ``duckdb_file``, by default the
    configured one (``$DUCKDB_PATH``, else ``data/warehouse.duckdb``).

    Raises:
        WarehouseError: the DuckDB file does not exist, or the target is unknown.
    """
    if target == "duckdb":
        path = duckdb_file or duckdb_path()
        if not path.is_file():
            raise WarehouseError(f"no warehouse at {path}: run `make load build` first")
        connection = connect_duckdb(path, read_only=not write)
        try:
            yield connection
        finally:
            connection.close()
        return
    if target != "postgres":
        raise WarehouseError(f"unknown target {target!r}: duckdb or postgres")
    import psycopg2

    credentials = postgres_credentials()
    if isinstance(credentials, str):
        connection = psycopg2.connect(credentials)
    else:
        connection = psycopg2.connect(
            host=credentials.get("host"),
            port=credentials.get("port"),
            user=credentials.get("username"),
            password=os.environ.get("PGPASSWORD") or credentials.get("password"),
            dbname=credentials.get("database"),
            connect_timeout=credentials.get("connect_timeout", 10),
        )
    if not write:  # reads run in a read-only session, as DuckDB's are read-only
        connection.set_session(readonly=True)
    try:
        yield connection
    finally:
        connection.close()


@dataclass(frozen=True)
class Warehouse:
    """The warehouse of one dbt target (``duckdb`` or ``postgres``)."""

    target: str
    #: DuckDB only: read with a read-write connection. A process that has run dbt in
    #: process (dbtRunner) holds one to the same file, and DuckDB refuses a second
    #: connection with another configuration in that process.
    read_write: bool = False

    @contextmanager
    def _connection(self, write: bool = False) -> Iterator[Any]:
        # read_write widens DuckDB's connection only: PostgreSQL reads stay read-only.
        duckdb_read_write = self.read_write and self.target == "duckdb"
        with connect(self.target, write=write or duckdb_read_write) as connection:
            yield connection

    def check(self) -> None:
        """Raise a one-line error when the warehouse cannot be reached (missing file, server)."""
        with self._connection():
            pass

    def rows(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The column names and rows of a query, values as the database driver gives them."""
        with self._connection() as connection:
            cursor = connection.cursor()
            cursor.execute(sql)
            names = [column[0] for column in cursor.description or []]
            return names, cursor.fetchall()

    def frame(self, sql: str) -> pd.DataFrame:
        """The rows of a query; numbers as floats or ints, dates as the driver gives them."""
        names, rows = self.rows(sql)
        frame = pd.DataFrame(rows, columns=names, dtype=object)
        for name in names:  # Decimal -> float, so that SciPy gets numbers
            if any(isinstance(value, Decimal) for value in frame[name]):
                frame[name] = [None if v is None else float(v) for v in frame[name]]
        return frame

    def columns(self, table: str) -> list[str]:
        """The columns of ``marts.<table>`` in table order (empty when it does not exist)."""
        sql = (
            "select column_name from information_schema.columns "
            f"where table_schema = '{SCHEMA}' and table_name = '{table}' "
            "order by ordinal_position"
        )
        with self._connection() as connection:
            cursor = connection.cursor()
            cursor.execute(sql)
            return [str(row[0]) for row in cursor.fetchall()]

    def replace(self, table: str, frame: pd.DataFrame) -> int:
        """Replace every row of ``marts.<table>`` with ``frame`` (same columns, any order)."""
        columns = self.columns(table)
        if not columns:
            raise WarehouseError(
                f"{SCHEMA}.{table} does not exist: run `dbt build` first (it creates the "
                "result tables, empty)"
            )
        missing = sorted(set(columns) - set(frame.columns))
        extra = sorted(set(frame.columns) - set(columns))
        if missing or extra:
            raise WarehouseError(
                f"{SCHEMA}.{table}: the result has other columns than the table "
                f"(missing {missing}, not in the table {extra}); update the model's yml"
            )
        rows = [tuple(_plain(value) for value in row) for row in frame[columns].itertuples(False)]
        names = ", ".join(columns)
        with self._connection(write=True) as connection:
            cursor = connection.cursor()
            if self.target == "duckdb":
                cursor.execute("begin transaction")
                cursor.execute(f"delete from {SCHEMA}.{table}")
                if rows:
                    marks = ", ".join("?" for _ in columns)
                    cursor.executemany(
                        f"insert into {SCHEMA}.{table} ({names}) values ({marks})", rows
                    )
                cursor.execute("commit")
            else:
                from psycopg2.extras import execute_values

                cursor.execute(f"delete from {SCHEMA}.{table}")
                if rows:
                    execute_values(
                        cursor, f"insert into {SCHEMA}.{table} ({names}) values %s", rows
                    )
                connection.commit()
        return len(rows)
