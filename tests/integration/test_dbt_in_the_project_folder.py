"""dbt as dbt users run it: plain ``dbt`` commands in the project folder, no environment.

A copy of the project folder is set up with ``make setup`` (profile, random salt, dbt's
local packages installed by ``dbt deps`` without network) and
loaded with ``make load``, then built once with ``make build`` (the Makefile exports the
salt) and once with a plain ``.venv/bin/dbt build`` in an environment without
MARKETING_HASH_SALT, DBT_* or DUCKDB_PATH: the hashes of the emails and phones must be the
same. ``dbt test``, ``dbt run -s customer_metrics+`` and the README's ``dbt build --vars``
work the same way; a salt set in the environment wins over the file; without a salt the
build still stops; a query slower than DuckDB's progress-bar threshold prints no bar.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

#: What a checkout holds that the commands need (the rest is tests and tooling).
PROJECT_FILES = (
    "dbt_project.yml",
    "packages.yml",
    "package-lock.yml",
    "profiles.example.yml",
    "Makefile",
    "pyproject.toml",
    "requirements.lock",
)
PROJECT_FOLDERS = (
    "models",
    "macros",
    "packages",
    "seeds",
    "analyses",
    "tests/dbt",
    "loaders",
    "analytics",
    ".dlt",
)
HASHES = (
    "select customer_id, email_hash, phone_hash from staging.stg_mongo__customers"
    " order by customer_id"
)

#: A 300-million-row cross join: several seconds, over the 2 s after which DuckDB draws its
#: progress bar (tests/loaders/test_duckdb_progress_bar.py shows it does on a bare connection).
SLOW_QUERY = (
    "select sum(hash(a.range * 31 + b.range)) as total from range(15000) as a, range(20000) as b"
)


def _user_environment() -> dict[str, str]:
    """The environment of someone who opens a shell in the project folder."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DBT_", "PG", "MARKETING_", "DESTINATION__"))
        and name not in ("DUCKDB_PATH", "VIRTUAL_ENV")
    }


class Project:
    """A copy of the project folder and how to run commands in it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def run(self, *command: str, **environment: str) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            list(command),
            cwd=self.root,
            env={**_user_environment(), **environment},
            capture_output=True,
            text=True,
            check=False,
        )
        return completed

    def dbt(self, *arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
        return self.run(".venv/bin/dbt", *arguments, **environment)

    def make(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        # -o: the shared .venv counts as installed (the copy's lock files are newer).
        return self.run("make", "-o", ".venv/.installed", *arguments)

    def hashes(self) -> list[tuple[Any, ...]]:
        import duckdb

        with duckdb.connect(str(self.root / "data" / "warehouse.duckdb"), read_only=True) as db:
            return db.execute(HASHES).fetchall()


def _ok(completed: subprocess.CompletedProcess[str]) -> str:
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    return output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The project folder copied, set up by make, with sample exports loaded by make."""
    root = tmp_path_factory.mktemp("project") / "marketing"
    root.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(REPO / name, root / name)
    for name in PROJECT_FOLDERS:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name,
                root / name,
                ignore=shutil.ignore_patterns("__pycache__", "secrets.toml"),
            )
    (root / ".venv").symlink_to(Path(sys.prefix))
    project = Project(root)
    _ok(project.make("setup"))
    assert (root / "profiles.yml").is_file() and (root / ".hash_salt").is_file()
    source = root / "data" / "raw"
    _ok(
        project.run(
            ".venv/bin/python",
            "-m",
            "analytics",
            "generate",
            "--out",
            str(source),
            "--scale",
            "0.1",
        )
    )
    _ok(project.make("load"))
    return project


@pytest.fixture(scope="module")
def make_hashes(project: Project) -> list[tuple[Any, ...]]:
    """The hashes of a ``make build`` (the salt exported by the Makefile)."""
    _ok(project.make("build"))
    hashes = project.hashes()
    assert sum(email is not None for _, email, _ in hashes) > 100
    return hashes


def test_plain_dbt_build_hashes_as_make_build(
    project: Project, make_hashes: list[tuple[Any, ...]]
) -> None:
    _ok(project.dbt("build"))
    assert project.hashes() == make_hashes


def test_plain_dbt_test_and_a_selection_run(
    project: Project, make_hashes: list[tuple[Any, ...]]
) -> None:
    _ok(project.dbt("test"))
    output = _ok(project.dbt("run", "-s", "customer_metrics+"))
    assert "customer_metrics" in output
    assert project.hashes() == make_hashes


def test_the_readme_build_with_vars(project: Project, make_hashes: list[tuple[Any, ...]]) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = ".venv/bin/dbt build --vars '{attribution_default_model: linear}'"
    assert command in readme
    _ok(project.dbt("build", "--vars", "{attribution_default_model: linear}"))
    assert project.hashes() == make_hashes


def test_a_salt_in_the_environment_wins_over_the_file(
    project: Project, make_hashes: list[tuple[Any, ...]]
) -> None:
    try:
        _ok(project.dbt("run", "-s", "stg_mongo__customers", MARKETING_HASH_SALT="another-salt"))
        other = project.hashes()
        assert [row[0] for row in other] == [row[0] for row in make_hashes]
        changed = [(a, b) for a, b in zip(other, make_hashes, strict=True) if a[1] is not None]
        assert changed and all(a[1] != b[1] for a, b in changed)
    finally:
        _ok(project.dbt("run", "-s", "stg_mongo__customers"))
    assert project.hashes() == make_hashes


@pytest.mark.parametrize("content", [None, "  \n"])
def test_without_a_salt_the_build_still_stops(project: Project, content: str | None) -> None:
    salt_file = project.root / ".hash_salt"
    kept = salt_file.read_text()
    try:
        if content is None:
            salt_file.unlink()
        else:
            salt_file.write_text(content)
        stopped = project.dbt("run", "-s", "stg_mongo__customers")
    finally:
        salt_file.write_text(kept)
    assert stopped.returncode != 0
    assert "The PII hash salt is empty" in stopped.stdout + stopped.stderr


def test_a_slow_query_prints_no_progress_bar(project: Project) -> None:
    shown = _ok(project.dbt("show", "--inline", SLOW_QUERY))
    assert "total" in shown
    assert "▕" not in shown and "▏" not in shown, shown[-2000:]
