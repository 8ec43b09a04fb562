"""How long each dashboard page takes to render: the benchmark's figures for the dashboard.

:func:`time_pages` runs the app in a fresh Python process (so the environment it is
given, ``DUCKDB_PATH``, ``DBT_TARGET``, ``PG*`` ..., applies, and Streamlit's caches
start empty) under Streamlit's ``AppTest``, without a server or a browser:

* ``startup``: the first run of the app. It compiles the business questions' SQL with
  dbt (once per process, ``st.cache_resource``) and renders the first page.
* per page, ``repeats`` cold runs: ``st.cache_data`` cleared before each, so every
  query goes to the warehouse (the pages are measured in turn, round after round);
  the median and the maximum are kept.
* per page, one warm run right after its last cold run: the data cache kept, as when
  people come back to a page.

A page that shows an exception or an error, or draws no Plotly chart, fails the
run loudly (:class:`PageRenderError`), so a broken page never passes for a fast one.
``python -m analytics.dashboard.bench_pages --json`` is the child process; it prints
the figures as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import PAGES

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "analytics" / "dashboard" / "app.py"
#: The issue's target: each page renders in under this many seconds at scale 10.
TARGET_SECONDS = 2.0
#: The scale the target applies to.
TARGET_SCALE = 10.0
#: The name of the startup entry in :func:`time_pages`' result (not a page).
STARTUP = "startup"


class PageRenderError(RuntimeError):
    """A dashboard page showed an exception or an error, or drew no chart."""


@dataclass(frozen=True)
class PageTiming:
    """The render times of one page (or of the app's startup, ``page == STARTUP``).

    Attributes:
        page: The page's url path (``overview`` ...) or :data:`STARTUP`.
        title: The page's title in the navigation.
        cold: Seconds of each cold run (the data cache cleared before it).
        warm: Seconds of the warm run (data cache kept); None for the startup.
    """

    page: str
    title: str
    cold: tuple[float, ...]
    warm: float | None = None

    @property
    def cold_median(self) -> float:
        """The median of the cold runs, in seconds."""
        return float(statistics.median(self.cold))

    @property
    def cold_max(self) -> float:
        """The slowest cold run, in seconds."""
        return max(self.cold)

    def as_json(self) -> dict[str, Any]:
        """The timing as a JSON-ready dict (:meth:`from_json` reads it back)."""
        return {"page": self.page, "title": self.title, "cold": list(self.cold), "warm": self.warm}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> PageTiming:
        """The timing :meth:`as_json` wrote.

        Args:
            value: A dict with page, title, cold (a list of seconds) and warm.

        Returns:
            The timing.
        """
        warm = value.get("warm")
        return cls(
            page=str(value["page"]),
            title=str(value["title"]),
            cold=tuple(float(seconds) for seconds in value["cold"]),
            warm=None if warm is None else float(warm),
        )


def split_startup(timings: Sequence[PageTiming]) -> tuple[PageTiming | None, list[PageTiming]]:
    """Separate the startup entry from the pages' timings.

    Args:
        timings: What :func:`time_pages` returned.

    Returns:
        The startup entry (None if absent) and the pages' timings, in their order.
    """
    startup = next((timing for timing in timings if timing.page == STARTUP), None)
    return startup, [timing for timing in timings if timing.page != STARTUP]


def slow_pages(timings: Sequence[PageTiming], limit: float = TARGET_SECONDS) -> list[PageTiming]:
    """The pages whose slowest cold run took ``limit`` seconds or more (startup excluded).

    Args:
        timings: What :func:`time_pages` returned.
        limit: The target, in seconds.

    Returns:
        The pages over the target, slowest first.
    """
    _, pages = split_startup(timings)
    return sorted(
        (timing for timing in pages if timing.cold_max >= limit),
        key=lambda timing: timing.cold_max,
        reverse=True,
    )


def format_table(timings: Sequence[PageTiming], scale: float | None = None) -> list[str]:
    """The Markdown lines of the dashboard's figures for BENCHMARKS.md.

    A table (page | cold median s | cold max s | warm s), the startup time and the
    target with whether this run meets it.

    Args:
        timings: What :func:`time_pages` returned.
        scale: The benchmark's scale, to say when the target does not apply to it.

    Returns:
        The lines, without trailing newlines.
    """
    startup, pages = split_startup(timings)
    repeats = max((len(timing.cold) for timing in pages), default=0)
    lines = [
        "| dashboard page | cold median s | cold max s | warm s |",
        "|---|---:|---:|---:|",
    ]
    for timing in pages:
        warm = "" if timing.warm is None else f"{timing.warm:.2f}"
        lines.append(
            f"| {timing.title} | {timing.cold_median:.2f} | {timing.cold_max:.2f} | {warm} |"
        )
    lines.append("")
    if startup is not None:
        lines.append(
            f"Dashboard startup (the app's first run: dbt compiles the business questions, "
            f"then the first page renders): {startup.cold_max:.2f} s. "
            f"Cold: Streamlit's data cache cleared before each run, so every query reads "
            f"the warehouse ({repeats} runs per page); warm: right after, the cache kept, "
            f"as when coming back to a page. Streamlit's AppTest, no browser."
        )
    target = f"Target: < {TARGET_SECONDS:g} s per page at scale {TARGET_SCALE:g} (every cold run)"
    over = slow_pages(timings)
    if not pages:
        verdict = "no page timed."
    elif over:
        verdict = "over it: " + ", ".join(f"{t.title} ({t.cold_max:.2f} s)" for t in over) + "."
    else:
        slowest = max(pages, key=lambda timing: timing.cold_max)
        verdict = f"met, slowest {slowest.title} ({slowest.cold_max:.2f} s)."
    if scale is not None and scale != TARGET_SCALE:
        verdict += f" (This run is scale {scale:g}: the target is judged at {TARGET_SCALE:g}.)"
    lines.append(f"{target}: {verdict}")
    return lines


# --- the parent: run the child process -------------------------------------------------------


def time_pages(
    environment: dict[str, str], repeats: int = 3, log: Path | None = None
) -> list[PageTiming]:
    """Time every dashboard page in a fresh process with ``environment``.

    Args:
        environment: The child's whole environment (DUCKDB_PATH, DBT_TARGET, PG* ...).
        repeats: Cold runs per page (at least 1).
        log: Where the child's stderr goes (Streamlit's and dbt's messages); kept in
            memory and shown on failure when None.

    Returns:
        The startup entry (``page == STARTUP``) first, then one timing per page of
        :data:`~analytics.dashboard.PAGES`, in their order.

    Raises:
        PageRenderError: A page showed an exception or error, or drew no chart.
        RuntimeError: The child process failed otherwise.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, not {repeats}")
    child = dict(environment)
    paths = [str(REPO), *filter(None, child.get("PYTHONPATH", "").split(os.pathsep))]
    child["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    command = [
        sys.executable,
        "-m",
        "analytics.dashboard.bench_pages",
        "--json",
        "--repeats",
        str(repeats),
    ]
    if log is not None:
        with log.open("w") as errors:
            completed = subprocess.run(
                command, cwd=REPO, env=child, stdout=subprocess.PIPE, stderr=errors, text=True
            )
        stderr = log.read_text()
    else:
        completed = subprocess.run(command, cwd=REPO, env=child, capture_output=True, text=True)
        stderr = completed.stderr
    return parse_output(completed.stdout, completed.returncode, stderr)


def parse_output(stdout: str, returncode: int, stderr: str = "") -> list[PageTiming]:
    """The timings the child printed (its last stdout line is the JSON object).

    Args:
        stdout: The child's standard output.
        returncode: The child's exit status.
        stderr: The child's standard error, quoted when it failed without a message.

    Returns:
        The timings, startup first.

    Raises:
        PageRenderError: The child reported a broken page.
        RuntimeError: The child failed or printed no figures.
    """
    lines = [line for line in stdout.splitlines() if line.strip()]
    result: dict[str, Any] | None = None
    if lines:
        try:
            loaded = json.loads(lines[-1])
        except json.JSONDecodeError:
            loaded = None
        if isinstance(loaded, dict):
            result = loaded
    if result is not None and result.get("error"):
        raise PageRenderError(str(result["error"]))
    if returncode != 0 or result is None or "timings" not in result:
        tail = "\n".join(stderr.strip().splitlines()[-30:])
        raise RuntimeError(f"timing the dashboard pages failed (exit {returncode}):\n{tail}")
    return [PageTiming.from_json(item) for item in result["timings"]]


# --- the child: AppTest in this process ------------------------------------------------------


def _messages(elements: Any) -> list[str]:
    texts = []
    for element in elements:
        text = str(getattr(element, "value", "") or getattr(element, "message", "") or element)
        trace = getattr(element, "stack_trace", None)
        if trace:
            text += "\n" + "\n".join(str(line) for line in list(trace)[-8:])
        texts.append(text)
    return texts


def check_page(app: Any, title: str) -> None:
    """Fail loudly if the last run of ``app`` shows an exception or error, or no chart.

    Args:
        app: A ``streamlit.testing.v1.AppTest`` that has just run a page.
        title: The page's name for the message.

    Raises:
        PageRenderError: With the page's name and the messages it showed.
    """
    problems = [f"exception: {text}" for text in _messages(app.exception)]
    problems += [f"error: {text}" for text in _messages(app.error)]
    if not problems and not app.get("plotly_chart"):
        shown = _messages(app.warning) + _messages(app.info)
        problems.append("no plotly_chart element" + (f"; shown: {shown}" if shown else ""))
    if problems:
        raise PageRenderError(f"dashboard page {title!r}: " + " | ".join(problems))


def _timed_run(app: Any) -> float:
    started = time.perf_counter()
    app.run()
    return time.perf_counter() - started


def measure(repeats: int = 3) -> list[PageTiming]:
    """Time the pages in this process (the child's work; see :func:`time_pages`).

    Args:
        repeats: Cold runs per page.

    Returns:
        The startup entry first, then one timing per page.

    Raises:
        PageRenderError: A page showed an exception or error, or drew no chart.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    # Clearing the data cache outside a server logs a warning each time; it is expected.
    # (A filter, not a level: Streamlit resets its loggers' levels when it reads its config.)
    logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(
        lambda record: "No runtime found" not in record.getMessage()
    )
    app = AppTest.from_file(str(APP), default_timeout=120)
    startup = _timed_run(app)
    check_page(app, f"{PAGES[0][1]} (startup)")
    cold: dict[str, list[float]] = {path: [] for path, _ in PAGES}
    warm: dict[str, float] = {}
    for round_ in range(repeats):
        for path, title in PAGES:
            app.switch_page(f"views/{path}.py")
            st.cache_data.clear()
            cold[path].append(_timed_run(app))
            check_page(app, title)
            if round_ == repeats - 1:  # the next page's clear would empty the cache again
                warm[path] = _timed_run(app)
                check_page(app, title)
    timings = [PageTiming(STARTUP, "Startup", (startup,))]
    timings += [PageTiming(path, title, tuple(cold[path]), warm[path]) for path, title in PAGES]
    return timings


def main(argv: list[str] | None = None) -> int:
    """Time the pages here and print the figures: a table, or one JSON object (``--json``).

    Args:
        argv: The command line's arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0, or 1 when a page is broken.
    """
    parser = argparse.ArgumentParser(
        prog="python -m analytics.dashboard.bench_pages",
        description="Time each dashboard page (cold and warm) on the configured warehouse.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeats", type=int, default=3, help="cold runs per page")
    args = parser.parse_args(argv)
    try:
        timings = measure(max(1, args.repeats))
    except PageRenderError as error:
        if args.json:
            print(json.dumps({"error": str(error)}), flush=True)
        else:
            print(f"error: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"timings": [timing.as_json() for timing in timings]}), flush=True)
    else:
        print("\n".join(format_table(timings)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
