"""The settings of every DuckDB connection the project opens, and the one way to open one.

Its own module, below everything that opens DuckDB (the readers' typing engine, the
dlt pipeline, the warehouse access), so none of them imports the configuration for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

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
