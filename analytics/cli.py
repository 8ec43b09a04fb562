"""Command line of everything: ``python -m analytics {generate,load,analyze,report,...}``.

``load`` is ingestion's own command (:mod:`loaders.cli`), the same as ``python -m loaders load``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from loaders.cli import add_load_arguments
from loaders.config import DEFAULT_SOURCE_DIR


def _generate(args: argparse.Namespace) -> int:
    from .sample_data import generate

    started = time.perf_counter()
    counts = generate(
        Path(args.out),
        scale=args.scale,
        seed=args.seed,
        rare_source_sessions=args.rare_source_sessions,
    )
    seconds = time.perf_counter() - started
    for path, count in counts.items():
        print(f"  {path:<34} {count:>11,} records")
    total = sum(counts.values())
    print(
        f"  generated {total:,} records at scale {args.scale:g}, seed {args.seed}, "
        f"in {seconds:.1f} s"
    )
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    from .dashboard.serve import serve

    return serve(args.target, args.port, args.address, Path(args.project_dir))


def _report(args: argparse.Namespace) -> int:
    from .reporting.report import print_report
    from .warehouse import WarehouseError

    try:
        html_out = None if args.no_html else Path(args.html)
        print_report(args.target, Path(args.project_dir), html_out=html_out)
    except WarehouseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _analyze(args: argparse.Namespace) -> int:
    from .statistics import Settings, run_analyze

    settings = Settings(alpha=args.alpha, seed=args.seed, reports_dir=Path(args.reports_dir))
    only = tuple(args.only.split(",")) if args.only else None
    return run_analyze(args.target, Path(args.project_dir), settings, only)


def _srm(args: argparse.Namespace) -> int:
    from .statistics.ab_test_plan import sample_ratio_mismatch

    try:
        check = sample_ratio_mismatch(args.control, args.treatment, args.expected_share, args.alpha)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for line in check.lines():
        print(f"  {line}")
    return 1 if check.is_mismatch else 0


def _amplitude_export(args: argparse.Namespace) -> int:
    from .exports.amplitude import run_export

    return run_export(args.target, Path(args.out), args.api, args.events_per_file)


def _bench(args: argparse.Namespace) -> int:
    from .bench import run_benchmark

    return run_benchmark(
        args.scale, args.seed, Path(args.workdir), args.rare_scale, args.rare_source_sessions
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m analytics``."""
    parser = argparse.ArgumentParser(
        prog="python -m analytics",
        description="Marketing analytics: sample data, the dlt load, the statistics step, "
        "reports, the dashboard, exports and benchmarks.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser(
        "generate", help="write deterministic sample exports in the raw input layout"
    )
    generate.add_argument("--out", default=str(DEFAULT_SOURCE_DIR), help="output directory")
    generate.add_argument("--scale", type=float, default=1.0, help="1 = 5,000 customers")
    generate.add_argument("--seed", type=int, default=42, help="random seed")
    generate.add_argument(
        "--rare-source-sessions",
        type=int,
        metavar="N",
        help="opt-in: the traffic source Affiliate keeps only N web sessions (a rare channel "
        "for benchmarks); without it the output is the default one",
    )
    generate.set_defaults(handler=_generate)

    load = commands.add_parser("load", help="load the exports into the raw dataset with dlt")
    add_load_arguments(load)

    report = commands.add_parser(
        "report", help="print a summary of the marts, the insights and the answers"
    )
    report.add_argument("--target", choices=("duckdb", "postgres"), default="duckdb")
    report.add_argument("--project-dir", default=".", help="the dbt project")
    report.add_argument(
        "--html",
        default="data/reports/report.html",
        help="where the self-contained HTML report is written (default data/reports/report.html)",
    )
    report.add_argument("--no-html", action="store_true", help="print only, write no HTML")
    report.set_defaults(handler=_report)

    dashboard = commands.add_parser(
        "dashboard", help="serve the Streamlit dashboard on the marts (read-only)"
    )
    dashboard.add_argument("--target", choices=("duckdb", "postgres"), default="duckdb")
    dashboard.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    dashboard.add_argument("--address", default="127.0.0.1", help="address to listen on")
    dashboard.add_argument("--project-dir", default=".", help="the dbt project")
    dashboard.set_defaults(handler=_dashboard)

    analyze = commands.add_parser(
        "analyze",
        help="the statistics step after dbt build: tests, diagnosis, plans, lags (SciPy)",
    )
    analyze.add_argument("--target", choices=("duckdb", "postgres"), default="duckdb")
    analyze.add_argument("--project-dir", default=".", help="the dbt project")
    analyze.add_argument("--alpha", type=float, default=0.05, help="significance level")
    analyze.add_argument("--seed", type=int, default=42, help="seed of every random draw")
    analyze.add_argument(
        "--reports-dir", default="data/reports", help="where the Markdown brief is written"
    )
    analyze.add_argument("--only", help="comma-separated analyses to run (default: all)")
    analyze.set_defaults(handler=_analyze)

    srm = commands.add_parser(
        "srm",
        help="sample-ratio-mismatch check of a running A/B test (exit 1 on a mismatch)",
        description="Chi-square goodness of fit of the arms' counts against the designed "
        "split. Exit status 0: no mismatch, 1: sample ratio mismatch, 2: invalid input.",
    )
    srm.add_argument("--control", type=int, required=True, help="units in the control arm")
    srm.add_argument("--treatment", type=int, required=True, help="units in the treatment arm")
    srm.add_argument(
        "--expected-share",
        type=float,
        default=0.5,
        help="designed share of the treatment arm (default 0.5, a 50/50 test)",
    )
    srm.add_argument(
        "--alpha", type=float, default=0.001, help="significance level (default 0.001)"
    )
    srm.set_defaults(handler=_srm)

    amplitude = commands.add_parser(
        "amplitude-export",
        help="write marts.amplitude_events as Amplitude upload request files (no network call)",
    )
    amplitude.add_argument("--target", choices=("duckdb", "postgres"), default="duckdb")
    amplitude.add_argument("--out", default="data/amplitude", help="output directory")
    amplitude.add_argument(
        "--api",
        choices=("batch", "http"),
        default="batch",
        help="Batch Event Upload API (2,000 events, 20 MB per file) or HTTP V2 (1,999, 1 MB)",
    )
    amplitude.add_argument(
        "--events-per-file", type=int, help="fewer events per file than the API allows"
    )
    amplitude.set_defaults(handler=_amplitude_export)

    bench = commands.add_parser(
        "bench", help="time load and dbt build at a scale; append the figures to BENCHMARKS.md"
    )
    bench.add_argument("--scale", type=float, default=10.0)
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument("--workdir", default=".bench", help="scratch folder (data is kept)")
    bench.add_argument(
        "--rare-scale",
        type=float,
        default=9.0,
        help="scale of the statistics step's rare-channel run (9: about 380,000 sessions)",
    )
    bench.add_argument(
        "--rare-source-sessions",
        type=int,
        default=15,
        help="sessions the rare traffic source (Affiliate) keeps in that run",
    )
    bench.set_defaults(handler=_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    args = build_parser().parse_args(argv)
    return int(args.handler(args))
