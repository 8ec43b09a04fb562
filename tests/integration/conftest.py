"""Warehouses the integration tests share: one load and ``dbt build`` per export set and target.

Session-scoped, so that every test module (the marts of issue 2, the growth analytics
of issue 3, ...) reads the same builds instead of paying for its own:

- ``generated_build``: sample exports of the generator (scale 0.25, seed 42), every
  documented defect in, loaded twice (the reload goes through dlt's staging dataset);
- ``shared_sales_build``: the shared 40,000-row sales export alone;
- ``edge_cases_build``: the hand-written set of ``edge_cases.py``.

Each is parametrised over DuckDB and PostgreSQL (the PostgreSQL builds skip without a
server, fail in CI); ``duckdb_<set>`` and ``postgres_<set>`` give one target.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import REPO, SHARED_SALES
from tests.integration import expected
from tests.integration.edge_cases import write_edge_exports
from tests.support import postgres

SCALE = 0.25
SEED = 42
#: One salt for every build, so that DuckDB and PostgreSQL hash alike.
SALT = "integration-test-salt"


# --- building a warehouse ----------------------------------------------------------------------


@dataclass
class Build:
    """One load and ``dbt build`` of a source folder on one target."""

    target: str
    source: Path
    loaded_date: dt.date
    returncode: int
    output: str = field(repr=False)
    connect: Callable[[], Any] = field(repr=False)
    #: The environment the load and ``dbt build`` ran with (DUCKDB_PATH, PG*, salt, ...):
    #: run further commands on the same warehouse with it.
    environment: dict[str, str] = field(default_factory=dict, repr=False)

    def rows(self, relation: str) -> pd.DataFrame:
        """Every row of ``schema.table``, values as the database driver returns them."""
        connection = self.connect()
        try:
            cursor = connection.cursor()
            cursor.execute(f"select * from {relation}")
            columns = [column[0] for column in cursor.description]
            return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)
        finally:
            connection.close()

    def scalar(self, sql: str) -> Any:
        connection = self.connect()
        try:
            cursor = connection.cursor()
            cursor.execute(sql)
            return cursor.fetchone()[0]
        finally:
            connection.close()

    def failures(self) -> str:
        """What dbt build reported as failing, then the end of its output."""
        lines = self.output.splitlines()
        failing = dict.fromkeys(  # each failure once, without dbt's timestamp
            line.split("  ", 1)[-1].strip()
            for line in lines
            if "Failure in " in line or "Error in " in line
        )
        return "\n".join([f"dbt build on {self.target} failed:", *failing, "...", *lines[-15:]])


def _environment(target: str, scratch: Path, database: dict[str, str] | None) -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PG") and name != "DESTINATION__POSTGRES__CREDENTIALS"
    }
    environment.update(
        {
            "DBT_PROFILES_DIR": str(REPO),
            "DBT_PROJECT_DIR": str(REPO),
            "DBT_TARGET": target,
            "DUCKDB_PATH": str(scratch / "warehouse.duckdb"),
            "MARKETING_HASH_SALT": SALT,
            "MARKETING_PIPELINES_DIR": str(scratch / "_dlt"),
            # dbt's own output stays out of the shared checkout.
            "DBT_TARGET_PATH": str(scratch / "target"),
            "DBT_LOG_PATH": str(scratch / "logs"),
            "DBT_USE_COLORS": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "RUNTIME__DLTHUB_TELEMETRY": "false",
        }
    )
    environment.update(database or {})
    return environment


def _run(command: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=REPO, env=environment, capture_output=True, text=True, check=False
    )


def build_warehouse(
    target: str,
    source: Path,
    scratch: Path,
    database: dict[str, str] | None = None,
    dbt_arguments: tuple[str, ...] = (),
    reload: bool = False,
) -> Build:
    """Load ``source`` into a fresh warehouse of ``target``, dbt build it, run the statistics.

    ``dbt_arguments`` are added to ``dbt build`` (e.g. the production flags of make run).
    ``reload`` loads it twice: the second load merges every table through dlt's staging
    dataset, as a production reload does (the privacy scan must see that dataset).
    """
    environment = _environment(target, scratch, database)
    arguments = ["load", "--source-dir", str(source), "--destination", target]
    for _ in range(2 if reload else 1):
        load = _run([sys.executable, "-m", "analytics", *arguments], environment)
        if load.returncode != 0:
            failure = f"{load.stdout[-3000:]}\n{load.stderr[-3000:]}"
            pytest.fail(f"load into {target} failed:\n{failure}")
    # The as-of date rule compares order dates with the UTC day of the load.
    loaded_date = dt.datetime.now(dt.UTC).date()
    dbt_command = [str(Path(sys.executable).with_name("dbt")), "build", *dbt_arguments]
    dbt = _run(dbt_command, environment)
    output = load.stdout + load.stderr + "\n--- dbt build ---\n" + dbt.stdout + dbt.stderr
    returncode = dbt.returncode
    if returncode == 0:  # the statistics step, as make run does after dbt build
        analyze = _run(
            [sys.executable, "-m", "analytics", "analyze", "--target", target], environment
        )
        output += "\n--- python -m analytics analyze ---\n" + analyze.stdout + analyze.stderr
        returncode = analyze.returncode

    if target == "duckdb":

        def connect() -> Any:
            import duckdb

            return duckdb.connect(environment["DUCKDB_PATH"], read_only=True)

    else:
        assert database is not None

        def connect() -> Any:
            import psycopg2

            return psycopg2.connect(
                host=database["PGHOST"],
                port=database["PGPORT"],
                user=database["PGUSER"],
                password=database["PGPASSWORD"],
                dbname=database["PGDATABASE"],
            )

    return Build(target, source, loaded_date, returncode, output, connect, environment)


@pytest.fixture(scope="session")
def generated_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample exports with every documented defect, written by ``python -m analytics generate``."""
    out = tmp_path_factory.mktemp("generated") / "raw"
    command = [sys.executable, "-m", "analytics", "generate", "--out", str(out)]
    completed = _run([*command, "--scale", str(SCALE), "--seed", str(SEED)], os.environ.copy())
    assert completed.returncode == 0, completed.stderr
    return out


@pytest.fixture(scope="session")
def shared_sales_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A source folder holding only csv/sales.csv: the shared export, linked where it is."""
    # As conftest's shared_sales fixture (per test): skip without the file, fail in CI.
    if not SHARED_SALES.is_file():
        message = f"the shared sales export is not at {SHARED_SALES} (set MARKETING_SHARED_SALES)"
        if postgres.in_ci():
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("shared_sales")
    (root / "csv").mkdir()
    (root / "csv" / "sales.csv").symlink_to(SHARED_SALES)
    return root


@pytest.fixture(scope="session")
def edge_cases_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hand-written exports reaching the rules the generator does not (see edge_cases.py)."""
    return write_edge_exports(tmp_path_factory.mktemp("edge_cases") / "raw")


def _postgres_build(source: Path, scratch: Path, reload: bool = False) -> Iterator[Build]:
    # The postgres_database fixture is per test; a session-scoped build needs a database
    # that lives as long as the session, made and dropped by the same helpers.
    database = postgres.create_database("marketing_marts")
    try:
        yield build_warehouse("postgres", source, scratch, database, reload=reload)
    finally:
        postgres.drop_database(database["PGDATABASE"])


@pytest.fixture(scope="session")
def duckdb_generated(generated_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    scratch = tmp_path_factory.mktemp("duckdb_gen")
    return build_warehouse("duckdb", generated_source, scratch, reload=True)


@pytest.fixture(scope="session")
def postgres_generated(
    postgres_server: None, generated_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Build]:
    scratch = tmp_path_factory.mktemp("postgres_gen")
    yield from _postgres_build(generated_source, scratch, reload=True)


@pytest.fixture(scope="session")
def duckdb_shared_sales(
    shared_sales_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> Build:
    return build_warehouse("duckdb", shared_sales_source, tmp_path_factory.mktemp("duckdb_sales"))


@pytest.fixture(scope="session")
def postgres_shared_sales(
    postgres_server: None, shared_sales_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Build]:
    yield from _postgres_build(shared_sales_source, tmp_path_factory.mktemp("postgres_sales"))


@pytest.fixture(scope="session")
def duckdb_edge_cases(edge_cases_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build_warehouse("duckdb", edge_cases_source, tmp_path_factory.mktemp("duckdb_edge"))


@pytest.fixture(scope="session")
def postgres_edge_cases(
    postgres_server: None, edge_cases_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Build]:
    yield from _postgres_build(edge_cases_source, tmp_path_factory.mktemp("postgres_edge"))


TARGETS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=TARGETS)
def generated_build(request: pytest.FixtureRequest) -> Build:
    build: Build = request.getfixturevalue(f"{request.param}_generated")
    return build


@pytest.fixture(scope="session", params=TARGETS)
def shared_sales_build(request: pytest.FixtureRequest) -> Build:
    build: Build = request.getfixturevalue(f"{request.param}_shared_sales")
    return build


@pytest.fixture(scope="session", params=TARGETS)
def edge_cases_build(request: pytest.FixtureRequest) -> Build:
    build: Build = request.getfixturevalue(f"{request.param}_edge_cases")
    return build


# --- pointing this process at a build (the dashboard's AppTest reads the environment) ---------


@pytest.fixture
def on_build(monkeypatch: pytest.MonkeyPatch) -> Callable[[Build], None]:
    """Point this process at a build's warehouse (the app reads the environment)."""

    def use(build: Build) -> None:
        for name in list(os.environ):
            if name.startswith("PG"):
                monkeypatch.delenv(name)
        for name, value in build.environment.items():
            if name.startswith(("PG", "DUCKDB_PATH", "DBT_", "MARKETING_")):
                monkeypatch.setenv(name, value)
        monkeypatch.delenv("MARKETING_DASHBOARD_COMPILED", raising=False)

    return use


# --- the independent computation ------------------------------------------------------------


@pytest.fixture(scope="session")
def seeds() -> expected.Seeds:
    return expected.Seeds.read(REPO / "seeds")


@pytest.fixture(scope="session")
def generated_exports(generated_source: Path, seeds: expected.Seeds) -> expected.Exports:
    return expected.Exports.read(generated_source, seeds)


@pytest.fixture(scope="session")
def shared_sales_exports(shared_sales_source: Path, seeds: expected.Seeds) -> expected.Exports:
    return expected.Exports.read(shared_sales_source, seeds)


@pytest.fixture(scope="session")
def expected_generated(
    generated_build: Build, generated_exports: expected.Exports, seeds: expected.Seeds
) -> expected.Marts:
    return expected.marts_of(generated_exports, seeds, generated_build.loaded_date)


@pytest.fixture(scope="session")
def expected_shared_sales(
    shared_sales_build: Build, shared_sales_exports: expected.Exports, seeds: expected.Seeds
) -> expected.Marts:
    return expected.marts_of(shared_sales_exports, seeds, shared_sales_build.loaded_date)


@pytest.fixture(scope="session")
def edge_cases_exports(edge_cases_source: Path, seeds: expected.Seeds) -> expected.Exports:
    return expected.Exports.read(edge_cases_source, seeds)


@pytest.fixture(scope="session")
def expected_edge_cases(
    edge_cases_build: Build, edge_cases_exports: expected.Exports, seeds: expected.Seeds
) -> expected.Marts:
    return expected.marts_of(edge_cases_exports, seeds, edge_cases_build.loaded_date)
