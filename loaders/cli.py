"""Ingestion's command line: ``python -m loaders {load,sources-yaml} ...``.

``python -m analytics load`` (``make load``) is the same command: the one CLI of the
project adds these arguments to its own parser, so both read alike.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from .config import DEFAULT_SOURCE_DIR


def _interrupted() -> int:
    print(
        "error: load interrupted; raw._loaded_files counts nothing it left half-loaded, "
        "and the next load starts over",
        file=sys.stderr,
    )
    return 130


def _load(args: argparse.Namespace) -> int:
    from .pipeline import LoadError, load, print_summary

    tables = [name.strip() for name in args.tables.split(",")] if args.tables else None
    duckdb_file = Path(args.duckdb_path) if args.duckdb_path else None
    target = args.destination
    where = f"DuckDB {duckdb_file or os.environ.get('DUCKDB_PATH') or 'data/warehouse.duckdb'}"
    if target == "postgres":
        where = "PostgreSQL"
    print(f"loading {args.source_dir} into {where}, dataset raw")
    interrupted: list[int] = []

    def on_ctrl_c(signum: int, frame: object) -> None:
        # Python may swallow the KeyboardInterrupt (raised inside a destructor):
        # the flag still tells that the stop, e.g. of the workers Ctrl-C also
        # reached, came from the user.
        interrupted.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        report = load(Path(args.source_dir), target, duckdb_file, tables)
    except LoadError as error:
        if interrupted:
            return _interrupted()
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return _interrupted()
    finally:
        signal.signal(signal.SIGINT, previous)
    print_summary(report)
    if args.json_report:
        Path(args.json_report).write_text(
            json.dumps(
                {
                    "load_id": report.load_id,
                    "records": report.records,
                    "landed": report.landed,
                    "rejected": report.rejected,
                    "seconds": report.seconds,
                    "extract_seconds": report.extract_seconds,
                    "normalize_seconds": report.normalize_seconds,
                    "load_seconds": report.load_seconds,
                    "skipped": report.skipped,
                    "files": [
                        {
                            "table": result.table,
                            "path": result.path,
                            "records": result.records,
                            "landed": result.landed,
                            "rejected": result.rejected,
                            "seconds": result.seconds,
                        }
                        for result in report.files
                    ],
                },
                indent=2,
            )
        )
    return 0


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``load`` on ``parser``, which then runs the load."""
    parser.add_argument(
        "--source-dir", default=str(DEFAULT_SOURCE_DIR), help="folder holding the exports"
    )
    parser.add_argument(
        "--destination", choices=("duckdb", "postgres"), default="duckdb", help="warehouse"
    )
    parser.add_argument(
        "--duckdb-path", help="DuckDB file (default $DUCKDB_PATH or data/warehouse.duckdb)"
    )
    parser.add_argument("--tables", help="comma-separated raw tables to load (default: all)")
    parser.add_argument("--json-report", help="also write the load report as JSON to this file")
    parser.set_defaults(handler=_load)


def _sources_yaml(args: argparse.Namespace) -> int:
    from .contract_yaml import stale_files, write_all

    project_dir = Path(args.project_dir)
    if args.check:
        stale = stale_files(project_dir)
        for path in stale:
            print(f"{path} differs from the contract: run `make sources`", file=sys.stderr)
        return 1 if stale else 0
    for path in write_all(project_dir):
        print(f"wrote {path}")
    return 0


def _add_sources_yaml(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sources = commands.add_parser(
        "sources-yaml",
        help="write the dbt sources YAML (models/staging/*/_*__sources.yml) from the contract",
    )
    sources.add_argument("--project-dir", default=".", help="the dbt project")
    sources.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is out of date"
    )
    sources.set_defaults(handler=_sources_yaml)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m loaders``."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders",
        description="Marketing-analytics ingestion: dlt loads of the exports into raw.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="load the exports into the raw dataset with dlt")
    add_load_arguments(load)
    _add_sources_yaml(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    args = build_parser().parse_args(argv)
    return int(args.handler(args))
