"""PostgreSQL for tests: the project's own role and throw-away databases.

The server is reached as an administrator (``postgres`` by default, trust
authentication on the build machines); everything the tests write lives in
databases owned by the ``marketing_test`` role, created and dropped here.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

HOST = os.environ.get("MARKETING_TEST_PGHOST", "127.0.0.1")
PORT = int(os.environ.get("MARKETING_TEST_PGPORT", "5432"))
ADMIN = os.environ.get("MARKETING_TEST_PGADMIN", "postgres")
ROLE = "marketing_test"
PASSWORD = "marketing_test"


def in_ci() -> bool:
    """Whether we run in CI, where a missing server is a failure, not a skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def admin_connection() -> Any:
    """An autocommit connection to the ``postgres`` database as the administrator."""
    import psycopg2

    connection = psycopg2.connect(
        host=HOST, port=PORT, user=ADMIN, dbname="postgres", connect_timeout=3
    )
    connection.autocommit = True
    return connection


def unreachable_reason() -> str | None:
    """None when the server answers, else why it does not."""
    try:
        admin_connection().close()
    except Exception as error:  # psycopg2.OperationalError and friends
        return f"PostgreSQL not reachable on {HOST}:{PORT} as {ADMIN}: {error}".strip()
    return None


def create_database(prefix: str = "marketing_test") -> dict[str, str]:
    """Create the test role if needed and a fresh database it owns.

    Returns:
        The libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)
        that points at the new database.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    connection = admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("select 1 from pg_roles where rolname = %s", (ROLE,))
            if cursor.fetchone() is None:
                cursor.execute(f"create role {ROLE} login createdb password %s", (PASSWORD,))
            cursor.execute(f"create database {name} owner {ROLE}")
    finally:
        connection.close()
    return {
        "PGHOST": HOST,
        "PGPORT": str(PORT),
        "PGUSER": ROLE,
        "PGPASSWORD": PASSWORD,
        "PGDATABASE": name,
    }


def drop_database(name: str) -> None:
    """Drop a test database, disconnecting whoever still uses it."""
    connection = admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"drop database if exists {name} with (force)")
    finally:
        connection.close()
