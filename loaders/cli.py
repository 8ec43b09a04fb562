"""Command line: ``python -m loaders {generate,load,report} ...``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .config import DEFAULT_SOURCE_DIR


def _generate(args: argparse.Namespace) -> int:
    from .sample_data import generate

    started = time.perf_counter()
    counts = generate(Path(args.out), scale=args.scale, seed=args.seed)
    seconds = time.perf_counter() - started
    for path, count in counts.items():
        print(f"  {path:<34} {count:>11,} records")
    total = sum(counts.values())
    print(
        f"  generated {total:,} records at scale {args.scale:g}, seed {args.seed}, "
        f"in {seconds:.1f} s"
    )
    return 0


def _load(args: argparse.Namespace) -> int:
    from .pipeline import LoadError, load, print_summary

    tables = [name.strip() for name in args.tables.split(",")] if args.tables else None
    duckdb_file = Path(args.duckdb_path) if args.duckdb_path else None
    target = args.destination
    where = f"DuckDB {duckdb_file or os.environ.get('DUCKDB_PATH') or 'data/warehouse.duckdb'}"
    if target == "postgres":
        where = "PostgreSQL"
    print(f"loading {args.source_dir} into {where}, dataset raw")
    try:
        report = load(Path(args.source_dir), target, duckdb_file, tables)
    except LoadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print_summary(report)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m loaders``."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders",
        description="Marketing-analytics ingestion: sample data and dlt loads into raw.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser(
        "generate", help="write deterministic sample exports in the raw input layout"
    )
    generate.add_argument("--out", default=str(DEFAULT_SOURCE_DIR), help="output directory")
    generate.add_argument("--scale", type=float, default=1.0, help="1 = 5,000 customers")
    generate.add_argument("--seed", type=int, default=42, help="random seed")
    generate.set_defaults(handler=_generate)

    load = commands.add_parser("load", help="load the exports into the raw dataset with dlt")
    load.add_argument(
        "--source-dir", default=str(DEFAULT_SOURCE_DIR), help="folder holding the exports"
    )
    load.add_argument(
        "--destination", choices=("duckdb", "postgres"), default="duckdb", help="warehouse"
    )
    load.add_argument(
        "--duckdb-path", help="DuckDB file (default $DUCKDB_PATH or data/warehouse.duckdb)"
    )
    load.add_argument("--tables", help="comma-separated raw tables to load (default: all)")
    load.set_defaults(handler=_load)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    args = build_parser().parse_args(argv)
    return int(args.handler(args))
