"""``make dashboard`` on a port that is taken: one line at once, nothing compiled or started."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics.dashboard import serve
from tests.conftest import REPO


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something listens on while the test runs."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def test_a_taken_port_stops_serve_before_the_compile_and_streamlit(
    taken_port: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    started: list[str] = []

    def compile_analyses(*_: Any) -> dict[str, str]:
        started.append("compile")
        return {}

    def execve(*_: Any) -> None:
        started.append("streamlit")
        raise SystemExit(0)

    monkeypatch.setattr(serve, "compile_analyses", compile_analyses)
    monkeypatch.setattr(os, "execve", execve)

    assert serve.serve("duckdb", taken_port, "127.0.0.1", tmp_path) == 1
    assert started == []
    shown = capsys.readouterr()
    assert shown.out == ""
    assert shown.err.count("\n") == 1
    assert f"127.0.0.1:{taken_port}: in use" in shown.err


def test_a_free_port_is_not_taken() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    assert serve.port_taken("127.0.0.1", port) is None


def test_the_command_fails_at_once_with_one_line(taken_port: int) -> None:
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "analytics", "dashboard", "--port", str(taken_port)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        f"error: cannot serve the dashboard on 127.0.0.1:{taken_port}: in use (stop what "
        "holds it, or choose another port: make dashboard DASHBOARD_PORT=8502)"
    ]
    assert time.monotonic() - started < 15
