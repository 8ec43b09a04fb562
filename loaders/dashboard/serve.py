"""``python -m loaders dashboard``: compile the business questions, then serve the app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .answers import COMPILED_ENV, CompileError, compile_analyses, compiled_folder
from .data import Source, WarehouseUnavailable

APP = Path(__file__).with_name("app.py")


def serve(target: str, port: int, address: str, project_dir: Path) -> int:
    """Replace this process with ``streamlit run app.py`` on ``address:port``."""
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
