"""The generator's opt-in rare traffic source (a benchmark's rare channel), scale 0.05.

``generate(..., rare_source_sessions=N)`` keeps only N sessions landing from Affiliate;
every other file, and every other session's events, are those of the default output.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from analytics.sample_data import FILES, generate

SCALE = 0.05


def _sessions(path: Path) -> dict[str, str]:
    """session_id -> traffic_source of every parseable event line."""
    sources = {}
    for line in path.read_bytes().splitlines():
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # the documented non-JSON lines
        sources[event["session_id"]] = event["traffic_source"]
    return sources


@pytest.mark.slow
@pytest.mark.parametrize("keep", [0, 15])
def test_the_rare_source_keeps_n_sessions_and_nothing_else_moves(tmp_path: Path, keep: int) -> None:
    default, rare = tmp_path / "default", tmp_path / "rare"
    counts = generate(default, scale=SCALE, seed=42)
    assert generate(rare, scale=SCALE, seed=42, rare_source_sessions=keep) == counts
    for name in FILES:
        if name != "json/events.jsonl":
            assert (default / name).read_bytes() == (rare / name).read_bytes(), name
    before = _sessions(default / "json" / "events.jsonl")
    after = _sessions(rare / "json" / "events.jsonl")
    assert before.keys() == after.keys()
    assert Counter(after.values())["Affiliate"] == keep < Counter(before.values())["Affiliate"]
    moved = {session for session in before if before[session] != after[session]}
    assert all(before[session] == "Affiliate" for session in moved)


def test_a_negative_count_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        generate(tmp_path, scale=SCALE, seed=42, rare_source_sessions=-1)
