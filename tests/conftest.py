"""Shared fixtures: isolated dlt working folders, DuckDB files and PostgreSQL databases.

PostgreSQL tests create their own role and a fresh database per test and drop
it afterwards. Without a reachable server they are skipped, except in CI
(``CI=true``), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_HOST = os.environ.get("MARKETING_TEST_PGHOST", "127.0.0.1")
PG_PORT = int(os.environ.get("MARKETING_TEST_PGPORT", "5432"))
PG_ADMIN = os.environ.get("MARKETING_TEST_PGADMIN", "postgres")
TEST_ROLE = "marketing_test"
TEST_PASSWORD = "marketing_test"

REPO = Path(__file__).resolve().parents[1]
SHARED_SALES = REPO.parent / "shared" / "data" / "hec_sales_sample.csv"


@pytest.fixture(autouse=True)
def _isolated_dlt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep dlt's working folders and telemetry out of the repository and the network."""
    monkeypatch.setenv("MARKETING_PIPELINES_DIR", str(tmp_path / "_dlt"))
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.delenv("DESTINATION__POSTGRES__CREDENTIALS", raising=False)


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg2

    connection = psycopg2.connect(
        host=PG_HOST, port=PG_PORT, user=PG_ADMIN, dbname="postgres", connect_timeout=3
    )
    connection.autocommit = True
    return connection


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[None]:
    """A reachable PostgreSQL server with the test role, or skip (fail in CI)."""
    try:
        connection = _admin_connection()
    except Exception as error:  # psycopg2.OperationalError and friends
        message = f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT} as {PG_ADMIN}: {error}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)
    with connection.cursor() as cursor:
        cursor.execute("select 1 from pg_roles where rolname = %s", (TEST_ROLE,))
        if cursor.fetchone() is None:
            cursor.execute(f"create role {TEST_ROLE} login createdb password %s", (TEST_PASSWORD,))
    connection.close()
    yield


@pytest.fixture
def postgres_database(postgres_server: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database owned by the test role; PG* variables point at it."""
    name = f"marketing_test_{uuid.uuid4().hex[:10]}"
    connection = _admin_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"create database {name} owner {TEST_ROLE}")
    monkeypatch.setenv("PGHOST", PG_HOST)
    monkeypatch.setenv("PGPORT", str(PG_PORT))
    monkeypatch.setenv("PGUSER", TEST_ROLE)
    monkeypatch.setenv("PGPASSWORD", TEST_PASSWORD)
    monkeypatch.setenv("PGDATABASE", name)
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"drop database if exists {name} with (force)")
        connection.close()
