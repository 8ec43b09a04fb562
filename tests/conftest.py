"""Shared fixtures: isolated dlt working folders, DuckDB files and PostgreSQL databases.

PostgreSQL tests create their own role and a fresh database per test and drop
it afterwards. Without a reachable server they are skipped, except in CI
(``CI=true``), where a missing server is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from loaders.config import shared_sales_export
from tests.support import postgres

REPO = Path(__file__).resolve().parents[1]
#: The real 40,000-row sales export (may be missing: use the ``shared_sales`` fixture).
SHARED_SALES = shared_sales_export()


@pytest.fixture
def shared_sales() -> Path:
    """The shared sales export; skip without it (fail in CI, where it must be)."""
    if not SHARED_SALES.is_file():
        message = f"the shared sales export is not at {SHARED_SALES} (set MARKETING_SHARED_SALES)"
        if postgres.in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_SALES


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
