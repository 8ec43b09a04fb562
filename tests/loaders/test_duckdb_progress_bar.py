"""No DuckDB progress bar reaches the output of the project's commands.

DuckDB draws a progress bar on stdout for a query that runs longer than about 2 s when it
takes the process for an interactive one: a terminal, a notebook, ``python -c`` (no
``__main__.__file__``). Every connection the loaders open goes through
:func:`loaders.duckdb_settings.connect_duckdb`, which turns it off, and so does the dlt pipeline's.
The checks run in ``python -c`` processes, where DuckDB would otherwise draw it; a control
run of the same slow query on a bare connection shows the bar, so that a machine fast
enough to stay under DuckDB's threshold fails the test instead of passing it unseen.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO

#: A 600-million-row cross join, about 4 s on one core of the build machines: DuckDB
#: draws its bar after 2 s.
SLOW_QUERY = (
    "select sum(hash(a.range * 31 + b.range)) as total from range(25000) as a, range(24000) as b"
)
#: DuckDB's bar: a percentage and the block characters it draws between two edges.
PROGRESS_BAR = re.compile(r"\d+%\s*▕|▕[█ ]*▏")


def _python(code: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
    )


def _setting_in(code: str) -> str:
    completed = _python(code)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout.strip().splitlines()[-1]


def test_a_bare_connection_in_python_c_would_draw_the_bar() -> None:
    """The condition the other tests guard against: DuckDB's default in ``python -c``."""
    shown = _setting_in(
        """
        import duckdb
        connection = duckdb.connect(":memory:")
        print(connection.execute("select current_setting('enable_progress_bar')").fetchone()[0])
        """
    )
    assert shown == "True"


def test_connect_duckdb_turns_the_bar_off(tmp_path: Path) -> None:
    for database, read_only in ((":memory:", False), (str(tmp_path / "w.duckdb"), False)):
        shown = _setting_in(
            f"""
            from loaders.duckdb_settings import connect_duckdb
            connection = connect_duckdb({database!r}, read_only={read_only})
            print(connection.execute("select current_setting('enable_progress_bar')").fetchone()[0])
            """
        )
        assert shown == "False", database


@pytest.mark.slow
def test_the_dlt_pipelines_duckdb_connections_turn_the_bar_off(tmp_path: Path) -> None:
    shown = _setting_in(
        f"""
        from pathlib import Path
        from loaders.pipeline import make_pipeline
        pipeline = make_pipeline("duckdb", Path({str(tmp_path / "w.duckdb")!r}))
        with pipeline.sql_client() as client:
            print(client.execute_sql("select current_setting('enable_progress_bar')")[0][0])
        """
    )
    assert shown == "False"


def test_every_duckdb_connection_of_the_loaders_goes_through_connect_duckdb() -> None:
    opening = re.compile(r"\bduckdb\.connect\(")
    offenders = [
        str(path.relative_to(REPO))
        for package in ("loaders", "analytics")
        for path in sorted((REPO / package).rglob("*.py"))
        if path.name != "duckdb_settings.py" and opening.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.fixture(scope="module")
def slow_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse whose ``marts.amplitude_events`` is a view that takes seconds to be empty."""
    import duckdb

    path = tmp_path_factory.mktemp("slow") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create view marts.amplitude_events as"
            " select 1::bigint as time, 'x' as insert_id"
            f" where ({SLOW_QUERY}) = 0"
        )
    return path


@pytest.mark.slow
def test_the_slow_query_draws_the_bar_on_a_bare_connection(slow_warehouse: Path) -> None:
    completed = _python(
        f"""
        import duckdb
        connection = duckdb.connect({str(slow_warehouse)!r}, read_only=True)
        print(connection.execute("select count(*) from marts.amplitude_events").fetchone())
        """
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert PROGRESS_BAR.search(completed.stdout), completed.stdout[-500:]


@pytest.mark.slow
def test_a_loader_command_on_a_slow_query_prints_only_its_summary(
    slow_warehouse: Path, tmp_path: Path
) -> None:
    """``amplitude-export`` (run as its test runs it, ``python -c``) prints one line."""
    completed = _python(
        """
        import sys
        from analytics.cli import main
        sys.exit(main(sys.argv[1:]))
        """.replace("sys.argv[1:]", repr(["amplitude-export", "--out", str(tmp_path / "out")])),
        DUCKDB_PATH=str(slow_warehouse),
        DBT_TARGET="duckdb",
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert not PROGRESS_BAR.search(completed.stdout + completed.stderr), completed.stdout[-500:]
    assert len(completed.stdout.splitlines()) == 1, completed.stdout[-500:]
