"""A load leaves no copy of the loaded values outside the raw tables, on DuckDB and PostgreSQL.

dlt merges a reload through its staging dataset (``_dlt_raw_staging``) and keeps load
packages in its working folder (``MARKETING_PIPELINES_DIR``); both would hold the customers'
emails and phones in clear. After a load, reload or a killed reload run again, the staging
tables are empty and no data file of any package remains on disk.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.sample_data import generate
from loaders.pipeline import STAGING_LAYOUT, load
from tests.conftest import REPO
from tests.loaders.test_pipeline import Query, _duckdb_query, _postgres_query

pytestmark = pytest.mark.slow

STAGING = STAGING_LAYOUT % "raw"

#: A load that dies (``os._exit``) as soon as its copy job of the customers has run: their
#: rows are in the staging dataset (a reload) and the package is never completed.
_LOAD_KILLED_AFTER_CUSTOMERS = textwrap.dedent(
    """
    import os, sys
    from dlt.destinations.impl.duckdb import duck
    from dlt.destinations.impl.postgres import postgres

    for job in (duck.DuckDbCopyJob, postgres.PostgresCsvCopyJob):
        run = job.run
        def killed_run(self, run=run):
            result = run(self)
            if self._load_table["name"] == "customers":
                os._exit(9)
            return result
        job.run = killed_run

    from loaders.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


class Warehouse:
    """The warehouse under test and dlt's working folder for it."""

    def __init__(self, kind: str, duckdb_file: Path | None, query: Query, dlt_dir: Path) -> None:
        self.kind = kind
        self.duckdb_file = duckdb_file
        self.query = query
        self.dlt_dir = dlt_dir

    def load(self, source: Path, tables: list[str] | None = None) -> None:
        load(source, self.kind, self.duckdb_file, tables=tables, out=io.StringIO())  # type: ignore[arg-type]

    def cli_args(self) -> list[str]:
        if self.kind == "duckdb":
            return ["--destination", "duckdb", "--duckdb-path", str(self.duckdb_file)]
        return ["--destination", "postgres"]

    def staging_rows(self) -> dict[str, int]:
        """Rows per table of the staging dataset (dlt's own ``_dlt_*`` tables left out)."""
        tables = self.query(
            "select table_name from information_schema.tables "
            f"where table_schema = '{STAGING}' order by table_name"
        )
        return {
            name: self.query(f'select count(*) from "{STAGING}"."{name}"')[0][0]
            for (name,) in tables
            if not name.startswith("_dlt_")
        }

    def staged_emails(self) -> set[str]:
        rows = self.query(f'select email from "{STAGING}"."customers" where email is not null')
        return {row[0] for row in rows}

    def files_holding(self, values: set[str]) -> list[str]:
        """dlt's files (relative paths) whose bytes contain one of ``values``."""
        needles = [value.encode() for value in values]
        found = []
        for path in sorted(self.dlt_dir.rglob("*")):
            if path.is_file():
                content = path.read_bytes()
                if any(needle in content for needle in needles):
                    found.append(str(path.relative_to(self.dlt_dir)))
        return found

    def data_files(self) -> list[str]:
        """Files in the job folders of dlt's packages and in the loader's typed files."""
        patterns = [
            "*/*/load/*/*/*_jobs/*",
            "*/*/load/*/*/.exceptions/*",
            "*/*/normalize/*/*/*_jobs/*",
            "*/*/typed_files/**/*",
        ]
        return sorted(
            str(path.relative_to(self.dlt_dir))
            for pattern in patterns
            for path in self.dlt_dir.glob(pattern)
            if path.is_file()
        )


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    dlt_dir = Path(os.environ["MARKETING_PIPELINES_DIR"])
    if request.param == "duckdb":
        path = tmp_path / "warehouse.duckdb"
        yield Warehouse("duckdb", path, _duckdb_query(path), dlt_dir)
        return
    request.getfixturevalue("postgres_database")
    yield Warehouse("postgres", None, _postgres_query(), dlt_dir)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated sample exports: a few hundred customers with emails and phones."""
    out = tmp_path_factory.mktemp("leftovers") / "raw"
    generate(out, scale=0.05, seed=7)
    return out


@pytest.fixture(scope="module")
def emails(source: Path) -> set[str]:
    """The customers' email addresses as the export holds them."""
    found = set()
    for line in (source / "mongo" / "customers.json").read_text(encoding="utf-8").splitlines():
        try:
            email = json.loads(line).get("email")
        except (ValueError, AttributeError):
            continue
        if isinstance(email, str) and "@" in email and len(email) > 6:
            found.add(email)
    assert len(found) > 100
    return found


def test_a_reload_leaves_the_staging_dataset_empty_and_no_data_files(
    warehouse: Warehouse, source: Path, emails: set[str]
) -> None:
    warehouse.load(source)
    warehouse.load(source)  # every table is filled now: a merge through the staging dataset
    staged = warehouse.staging_rows()
    assert "customers" in staged, "the reload did not go through dlt's staging dataset"
    assert staged == dict.fromkeys(staged, 0)
    assert warehouse.data_files() == []
    assert warehouse.files_holding(emails) == []


def test_what_a_killed_reload_left_is_cleared_by_the_next_load(
    warehouse: Warehouse, source: Path, emails: set[str]
) -> None:
    warehouse.load(source)
    arguments = ["load", "--source-dir", str(source), *warehouse.cli_args()]
    killed = subprocess.run(
        [sys.executable, "-c", _LOAD_KILLED_AFTER_CUSTOMERS, *arguments],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=os.environ.copy(),
        check=False,
    )
    assert killed.returncode == 9, killed.stdout[-2000:] + killed.stderr[-2000:]
    # The killed reload left clear emails in the staging dataset and in its package.
    assert warehouse.staged_emails() & emails
    assert warehouse.files_holding(emails)

    # The next load brings another table only: the customers' leftovers go all the same.
    warehouse.load(source, tables=["campaigns"])
    staged = warehouse.staging_rows()
    assert staged == dict.fromkeys(staged, 0)
    assert warehouse.data_files() == []
    assert warehouse.files_holding(emails) == []
