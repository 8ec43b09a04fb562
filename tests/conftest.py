"""Shared fixtures: isolated dlt working folders, DuckDB files and PostgreSQL databases.

PostgreSQL tests create their own role and a fresh database per test and drop
it afterwards. Without a reachable server they are skipped, except in CI
(``CI=true``), where a missing server is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import postgres

REPO = Path(__file__).resolve().parents[1]
SHARED_SALES = REPO.parent / "shared" / "data" / "hec_sales_sample.csv"


@pytest.fixture(autouse=True)
def _isolated_dlt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep dlt's working folders and telemetry out of the repository and the network."""
    monkeypatch.setenv("MARKETING_PIPELINES_DIR", str(tmp_path / "_dlt"))
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.delenv("DESTINATION__POSTGRES__CREDENTIALS", raising=False)


@pytest.fixture(scope="session")
def postgres_server() -> None:
    """A reachable PostgreSQL server, or skip (fail in CI)."""
    reason = postgres.unreachable_reason()
    if reason is not None:
        if postgres.in_ci():
            pytest.fail(reason + " (CI=true requires it)")
        pytest.skip(reason)


@pytest.fixture
def postgres_database(postgres_server: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database owned by the test role; the PG* variables point at it."""
    environment = postgres.create_database()
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    try:
        yield environment["PGDATABASE"]
    finally:
        postgres.drop_database(environment["PGDATABASE"])
