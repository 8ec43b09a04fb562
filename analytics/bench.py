"""``make bench SCALE=N``: time the load and the dbt build, append the figures to BENCHMARKS.md.

Generates scale N once (kept under ``.bench/`` for later runs), then on a
fresh DuckDB warehouse times, as separate processes, the load and
``dbt build`` (models and data tests; unit tests run in ``make test``), each
with its wall time, rows per second and peak memory (the process's maximum
resident set size). On that warehouse it then times the statistics step
(``python -m analytics analyze``: the dashboard's evidence pages read its tables) and
every dashboard page, cold and warm (:mod:`analytics.dashboard.bench_pages`). Then the
statistics step once more on generated data with a rare channel (scale 9 by default,
about 380,000 web sessions of which 15 land from Affiliate: ``generate
--rare-source-sessions``), the case whose permutation test once asked for 28 GiB; its
peak memory is held against the 1 GB target. Then the same load and build end to end
on the shared 40,000-row sales export alone.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from loaders.config import shared_sales_export

from .dashboard.bench_pages import PageTiming, format_table, time_pages
from .warehouse import connect

REPO = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO / "BENCHMARKS.md"
#: The rare channel's data: this scale (about 42,000 web sessions per unit of scale) ...
RARE_SCALE = 9.0
#: ... with this many sessions landing from the rare traffic source (Affiliate).
RARE_SOURCE_SESSIONS = 15
#: Peak memory the statistics step must stay under, with the rare channel too.
STATISTICS_MEMORY_TARGET_MIB = 1024


@dataclass(frozen=True)
class Timed:
    """A finished process: wall seconds and peak resident memory."""

    seconds: float
    peak_mib: float


#: dbt build flags of a production run when the Makefile does not pass its own
#: (``DBT_BUILD_FLAGS``, where the reasons are): no unit tests, no data tests of the
#: evidence tables before the statistics step, no JSON artefacts, no debug file log.
DEFAULT_BUILD_FLAGS = (
    "--exclude-resource-type unit_test --exclude test_type:data,tag:evidence "
    "--no-write-json --log-level-file warn"
)


def production_build_flags() -> list[str]:
    """The dbt build flags ``make build`` and ``make run`` use (``$DBT_BUILD_FLAGS``)."""
    return shlex.split(os.environ.get("DBT_BUILD_FLAGS", DEFAULT_BUILD_FLAGS))


def timed(command: list[str], environment: dict[str, str], log: Path) -> Timed:
    """Run a command, its output to ``log``; stop if it fails."""
    started = time.perf_counter()
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=output, stderr=output)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write(log.read_text()[-4000:])
        raise SystemExit(f"benchmark step failed: {' '.join(command)} (log: {log})")
    return Timed(seconds, usage.ru_maxrss / 1024)


def machine() -> str:
    """A one-line description of this machine."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    return (
        f"{model}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def _warehouse_environment(environment: dict[str, str], workdir: Path, name: str) -> dict[str, str]:
    # One warehouse path for every run, as a user has: dbt then re-parses the
    # project only when it changed (a new path is a new profile: a full parse).
    warehouse = REPO / ".bench" / "warehouse.duckdb"
    environment = dict(environment)
    environment["DUCKDB_PATH"] = str(warehouse)
    environment["DBT_TARGET"] = "duckdb"
    environment["MARKETING_PIPELINES_DIR"] = str(workdir / f"{name}_dlt")
    return environment


def _pipeline(
    source: Path, workdir: Path, environment: dict[str, str], name: str
) -> tuple[Timed, Timed, dict[str, float]]:
    environment = _warehouse_environment(environment, workdir, name)
    warehouse = Path(environment["DUCKDB_PATH"])
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (warehouse, Path(f"{warehouse}.wal"), workdir / f"{name}_dlt"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()
    report = workdir / f"{name}_load.json"
    python = sys.executable
    load = timed(
        [
            python,
            "-m",
            "analytics",
            "load",
            "--source-dir",
            str(source),
            "--json-report",
            str(report),
        ],
        environment,
        workdir / f"{name}_load.log",
    )
    # As `make build` and `make run`: models and data tests; unit tests run in `make test`.
    build = timed(
        [str(Path(python).with_name("dbt")), "build", *production_build_flags()],
        environment,
        workdir / f"{name}_build.log",
    )
    return load, build, json.loads(report.read_text())


def _statistics(workdir: Path, environment: dict[str, str], name: str) -> Timed:
    """After ``_pipeline``: time the statistics step (its own dbt build of its tables too)."""
    environment = _warehouse_environment(environment, workdir, name)
    return timed(
        [
            sys.executable,
            "-m",
            "analytics",
            "analyze",
            "--target",
            "duckdb",
            "--reports-dir",
            str(workdir / f"{name}_reports"),  # not the project's data/reports
        ],
        environment,
        workdir / f"{name}_analyze.log",
    )


def _statistics_and_dashboard(
    workdir: Path, environment: dict[str, str], name: str
) -> tuple[Timed, list[PageTiming]]:
    """After ``_pipeline``: time the statistics step, then the dashboard's pages."""
    statistics = _statistics(workdir, environment, name)
    environment = _warehouse_environment(environment, workdir, name)
    # The dashboard compiles the business questions into its own dbt target folder,
    # kept here so later runs parse partially, as a user's dashboard does.
    environment["DBT_TARGET_PATH"] = str(workdir / f"{name}_dashboard_target")
    pages = time_pages(environment, log=workdir / f"{name}_dashboard.log")
    return statistics, pages


def _generated(
    data: Path, scale: float, seed: int, environment: dict[str, str], *options: str
) -> Path:
    """The exports of ``generate`` at a scale (and options), generated once into ``data``."""
    raw = data / "raw"
    if not (data / ".complete").exists():
        print(f"generating scale {scale:g} (seed {seed}) into {raw} (not timed) ...", flush=True)
        if raw.exists():
            shutil.rmtree(raw)
        data.mkdir(parents=True, exist_ok=True)
        generation = timed(
            [
                sys.executable,
                "-m",
                "analytics",
                "generate",
                "--out",
                str(raw),
                "--scale",
                str(scale),
                "--seed",
                str(seed),
                *options,
            ],
            environment,
            data / "generate.log",
        )
        (data / ".complete").write_text(f"{generation.seconds:.1f} s\n")
        print(f"  generated in {generation.seconds:.1f} s, peak {generation.peak_mib:,.0f} MiB")
    return raw


def _sessions(environment: dict[str, str], source: str) -> tuple[int, int]:
    """Web sessions of the benchmark's warehouse, and those landing from ``source``."""
    path = _warehouse_environment(environment, REPO, "sessions")["DUCKDB_PATH"]
    with connect("duckdb", duckdb_file=Path(path)) as connection:
        row = connection.execute(
            "select count(*), count(case when landing_traffic_source = ? then 1 end) "
            "from core.fct_sessions",
            [source],
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def run_benchmark(
    scale: float,
    seed: int,
    workdir: Path,
    rare_scale: float = RARE_SCALE,
    rare_sessions: int = RARE_SOURCE_SESSIONS,
) -> int:
    """Run the benchmark and append its figures to BENCHMARKS.md."""
    workdir = workdir.resolve()
    data = workdir / f"scale-{scale:g}-seed-{seed}"
    environment = os.environ.copy()
    environment.setdefault("MARKETING_HASH_SALT", "benchmark-salt")
    environment.setdefault("DBT_PROFILES_DIR", str(REPO))
    raw = _generated(data, scale, seed, environment)

    print(f"scale {scale:g}: load, then dbt build, on a fresh DuckDB file ...", flush=True)
    load, build, figures = _pipeline(raw, data, environment, "warehouse")
    records = int(figures["records"])
    end_to_end = load.seconds + build.seconds

    print("statistics step, then the dashboard's pages, on that warehouse ...", flush=True)
    statistics, pages = _statistics_and_dashboard(data, environment, "warehouse")

    print(
        f"statistics step with a rare channel ({rare_sessions} Affiliate sessions, scale "
        f"{rare_scale:g}): load, dbt build (not timed), then the step ...",
        flush=True,
    )
    rare_data = workdir / f"scale-{rare_scale:g}-seed-{seed}-rare-{rare_sessions}"
    rare_raw = _generated(
        rare_data, rare_scale, seed, environment, "--rare-source-sessions", str(rare_sessions)
    )
    _pipeline(rare_raw, rare_data, environment, "warehouse")
    rare = _statistics(rare_data, environment, "warehouse")
    sessions, rare_source = _sessions(environment, "affiliate")

    print("shared sales export alone: load, then dbt build ...", flush=True)
    shared_sales = shared_sales_export()
    if not shared_sales.is_file():
        raise SystemExit(
            f"the shared sales export is not at {shared_sales}: set MARKETING_SHARED_SALES"
        )
    sales_dir = workdir / "shared-sales" / "raw"
    (sales_dir / "csv").mkdir(parents=True, exist_ok=True)
    shutil.copy(shared_sales, sales_dir / "csv" / "sales.csv")
    sales_load, sales_build, sales_figures = _pipeline(
        sales_dir, workdir / "shared-sales", environment, "warehouse"
    )
    sales_total = sales_load.seconds + sales_build.seconds

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## {now}: scale {scale:g} (seed {seed})\n",
        f"Machine: {machine()}.\n",
        "| step | records | wall s | records/s | in-loader s | records/s (in loader) | peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| load (dlt, DuckDB) | {records:,} | {load.seconds:.2f} | "
        f"{records / load.seconds:,.0f} | {figures['seconds']:.2f} | "
        f"{records / figures['seconds']:,.0f} | {load.peak_mib:,.0f} |",
        f"| dbt build (models + data tests) | | {build.seconds:.2f} | | | | "
        f"{build.peak_mib:,.0f} |",
        f"| end to end (load + build + tests) | {records:,} | {end_to_end:.2f} | "
        f"{records / end_to_end:,.0f} | | | |",
        f"| statistics step (analyze; not in end to end) | | {statistics.seconds:.2f} | | | | "
        f"{statistics.peak_mib:,.0f} |",
        f"| statistics step, rare channel ({rare_source:,} Affiliate of {sessions:,} sessions, "
        f"scale {rare_scale:g}) | | {rare.seconds:.2f} | | | | {rare.peak_mib:,.0f} |",
        f"| shared sales CSV: load | {int(sales_figures['records']):,} | "
        f"{sales_load.seconds:.2f} | | {sales_figures['seconds']:.2f} | | "
        f"{sales_load.peak_mib:,.0f} |",
        f"| shared sales CSV: dbt build | | {sales_build.seconds:.2f} | | | | "
        f"{sales_build.peak_mib:,.0f} |",
        f"| shared sales CSV: end to end | {int(sales_figures['records']):,} | "
        f"{sales_total:.2f} | | | | |",
        "",
        f"Rejected at load: {int(figures['rejected']):,} of {records:,} records. "
        f"Wall times are whole processes (interpreter start-up included); "
        f"in-loader is the load call itself (read, type, extract, normalize, load). "
        f"dbt parses the project partially (as on any run after the first; a first "
        f"parse adds about 2.5 s). Peak memory is the largest single process of a "
        f"step (the loader's main process or one of its two workers).",
        "",
        f"Statistics step peak memory target: < {STATISTICS_MEMORY_TARGET_MIB:,} MiB, at scale "
        f"{scale:g} and with the rare channel (its traffic-source test takes the permutation "
        "chi-square): "
        + (
            "met"
            if max(statistics.peak_mib, rare.peak_mib) < STATISTICS_MEMORY_TARGET_MIB
            else "NOT met"
        )
        + f" ({statistics.peak_mib:,.0f} and {rare.peak_mib:,.0f} MiB; the process includes "
        "the step's in-process dbt build of its tables).",
        "",
        *format_table(pages, scale),
    ]
    text = "\n".join(lines) + "\n"
    if not BENCHMARKS.exists():
        BENCHMARKS.write_text(
            "# Benchmarks\n\nAppended by `make bench SCALE=N` (see analytics/bench.py). Targets on "
            "2-core machines: the loader moves at least 300,000 rows/s at scale 10 into DuckDB; "
            "scale 10 end to end (load + build + tests) under 60 s; the 40,000-row sales file "
            "end to end under 10 s.\n"
        )
    with BENCHMARKS.open("a") as handle:
        handle.write(text)
    print(text)
    return 0
