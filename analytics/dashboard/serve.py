"""``python -m analytics dashboard``: compile the business questions, then serve the app."""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path

from ..reporting.questions import COMPILED_ENV, CompileError, compile_analyses, compiled_folder

APP = Path(__file__).with_name("app.py")


def port_taken(address: str, port: int) -> str | None:
    """Why Streamlit could not listen on ``address:port`` now, or None when it could.

    Binds a socket the way Streamlit's server does (``SO_REUSEADDR``, so connections of
    a dashboard stopped a moment ago do not count) and closes it again.
    """
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return "in use"
            return error.strerror or str(error)
    return None


def serve(target: str, port: int, address: str, project_dir: Path) -> int:
    """Replace this process with ``streamlit run app.py`` on ``address:port``."""
    problem = port_taken(address, port)
    if problem is not None:  # say it at once, before compiling the questions
        print(
            f"error: cannot serve the dashboard on {address}:{port}: {problem} "
            "(stop what holds it, or choose another port: make dashboard DASHBOARD_PORT=8502)",
            file=sys.stderr,
        )
        return 1
    from .data import Source, WarehouseUnavailable  # pandas: only once the port is free

    environment = dict(os.environ)
    environment["DBT_TARGET"] = target
    os.environ["DBT_TARGET"] = target
    try:  # say it now rather than on the first page; the app says it too
        Source(target).query("select 1 as ok")
    except WarehouseUnavailable as error:
        print(f"warning: {error.message}", file=sys.stderr)
    print("compiling the business questions (dbt compile of analyses/) ...", flush=True)
    try:
        compile_analyses(target, project_dir)
        environment[COMPILED_ENV] = str(compiled_folder(target, project_dir))
    except CompileError as error:  # the app compiles again and shows the error on its page
        print(f"warning: {error}", file=sys.stderr)
    paths = [str(project_dir.resolve()), *filter(None, [environment.get("PYTHONPATH")])]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--theme.base",
        "light",
    ]
    print(
        f"dashboard of the {target} warehouse (read-only) on http://{address}:{port}  "
        "(Ctrl+C stops it)",
        flush=True,
    )
    os.execve(sys.executable, command, environment)
    return 0  # pragma: no cover - execve does not return
