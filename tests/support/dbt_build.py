"""Build the whole project on a fresh warehouse: generate, load, ``dbt build``.

``python -m tests.support.dbt_build duckdb|postgres [--scale 0.2]`` is what
``make test`` runs on each target: sample exports with every documented
defect, a load into a new DuckDB file or a new PostgreSQL database, one
``dbt build`` (seeds, models, schema and unit tests), then the statistics step
(``python -m analytics analyze``, which tests its result tables with dbt). Without a PostgreSQL
server the postgres run is skipped, except in CI (``CI=true``), where it
fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support import postgres

REPO = Path(__file__).resolve().parents[2]


def run(command: list[str], environment: dict[str, str]) -> None:
    """Run a command in the repository; stop with its exit code if it fails."""
    print("+ " + " ".join(command), flush=True)
    completed = subprocess.run(command, cwd=REPO, env=environment, check=False)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def main(argv: list[str] | None = None) -> int:
    """Generate, load and build on the chosen target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", choices=("duckdb", "postgres"))
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    environment = os.environ.copy()
    environment["DBT_TARGET"] = args.target
    environment.setdefault("MARKETING_HASH_SALT", "make-test-salt")
    database = None
    if args.target == "postgres":
        reason = postgres.unreachable_reason()
        if reason is not None:
            if postgres.in_ci():
                print(f"error: {reason} (CI=true requires PostgreSQL)", file=sys.stderr)
                return 1
            print(f"skipped: {reason}")
            return 0
        settings = postgres.create_database("marketing_dbt")
        database = settings["PGDATABASE"]
        environment.update(settings)
    python = sys.executable
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="marketing-dbt-") as scratch:
        raw = Path(scratch) / "raw"
        environment["DUCKDB_PATH"] = str(Path(scratch) / "warehouse.duckdb")
        environment["MARKETING_PIPELINES_DIR"] = str(Path(scratch) / "_dlt")
        try:
            run(
                [
                    python,
                    "-m",
                    "analytics",
                    "generate",
                    "--out",
                    str(raw),
                    "--scale",
                    str(args.scale),
                    "--seed",
                    str(args.seed),
                ],
                environment,
            )
            run(
                [
                    python,
                    "-m",
                    "analytics",
                    "load",
                    "--source-dir",
                    str(raw),
                    "--destination",
                    args.target,
                ],
                environment,
            )
            run([str(Path(python).with_name("dbt")), "build"], environment)
            run([python, "-m", "analytics", "analyze", "--target", args.target], environment)
        finally:
            if database is not None:
                postgres.drop_database(database)
    print(f"dbt build on {args.target} passed in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
