"""The entry point: :func:`generate` writes the whole source layout."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

from . import campaigns, customers, daily, events, reviews, sales, transactions
from ._common import Calendar, Catalogue, Countries, FloatArray

#: Every file written, relative to the output folder, in writing order.
FILES: tuple[str, ...] = (
    "mongo/customers.json",
    "mongo/transactions.json",
    "mongo/campaigns.json",
    "json/events.jsonl",
    "json/reviews.jsonl",
    "csv/sales.csv",
    "csv/social_trends.csv",
    "csv/marketplace_sales.csv",
)


def generate(
    out_dir: Path, scale: float = 1, seed: int = 42, rare_source_sessions: int | None = None
) -> dict[str, int]:
    """Write the sample source files under ``out_dir``.

    The files are byte-identical for the same ``scale`` and ``seed`` on every run and
    machine. Existing files are replaced (each file is written under a temporary name
    and renamed when complete).

    Args:
        out_dir: Folder that receives ``mongo/``, ``json/`` and ``csv/``; created if needed.
        scale: Multiplies the entity counts (1 = 5,000 customers, 15,000 transactions,
            200 campaigns, 40,000 sales rows, about 100,000 events, 5,000 reviews) and the
            number of daily series. May be fractional (> 0).
        seed: Seed of every random stream (a non-negative integer).
        rare_source_sessions: Opt-in: the traffic source Affiliate keeps only this many
            web sessions (the others land from the other sources), a rare channel for
            benchmarks of the statistics step. None (the default) changes nothing: the
            output is byte-identical to a run without it.

    Returns:
        Records written per file (path relative to ``out_dir`` -> count), counting every
        line of a JSON file (stale duplicates and non-JSON lines included; not the ``[``
        and ``]`` lines of ``campaigns.json``) and every data row of a CSV file (not
        the header).
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if rare_source_sessions is not None and rare_source_sessions < 0:
        raise ValueError(
            f"rare_source_sessions must be a non-negative number, got {rare_source_sessions!r}"
        )
    out = Path(out_dir)
    for folder in ("mongo", "json", "csv"):
        (out / folder).mkdir(parents=True, exist_ok=True)

    catalogue = Catalogue.load()
    countries = Countries.load()
    calendar = Calendar.build()
    people = customers.build(seed, scale, countries)
    purchases = transactions.build(seed, scale, people, catalogue, countries, calendar)
    ads = campaigns.build(seed, scale, catalogue)
    counts: dict[str, int] = {}

    def emit(name: str, writer: Callable[[Path], int]) -> None:
        target = out / name
        temporary = target.with_name(target.name + ".partial")
        try:
            counts[name] = writer(temporary)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)

    buyers = purchases.per_customer > 0
    emit("mongo/customers.json", partial(customers.write, seed=seed, customers=people,
                                         countries=countries, buyers=buyers))  # fmt: skip
    emit("mongo/transactions.json", partial(transactions.write, seed=seed, tx=purchases,
                                            catalogue=catalogue))  # fmt: skip
    emit("mongo/campaigns.json", partial(campaigns.write, seed=seed, campaigns=ads,
                                         catalogue=catalogue))  # fmt: skip
    visits = events.build(seed, scale, people, purchases, calendar)
    if rare_source_sessions is not None:
        events.make_rare(visits, seed, rare_source_sessions)
    emit("json/events.jsonl", partial(events.write, seed=seed, sessions=visits, customers=people,
                                      tx=purchases, campaigns=ads, catalogue=catalogue,
                                      countries=countries))  # fmt: skip
    del visits
    emit("json/reviews.jsonl", partial(reviews.write, seed=seed, scale=scale, customers=people,
                                       tx=purchases, catalogue=catalogue,
                                       calendar=calendar))  # fmt: skip
    del purchases, ads
    emit("csv/sales.csv", partial(sales.write, seed=seed, scale=scale, customers=people,
                                  calendar=calendar))  # fmt: skip
    mentions: list[FloatArray] = []

    def social(path: Path) -> int:
        written, tiktok = daily.write_social(path, seed, scale, catalogue)
        mentions.append(tiktok)
        return written

    emit("csv/social_trends.csv", social)
    emit("csv/marketplace_sales.csv", partial(daily.write_marketplace, seed=seed, scale=scale,
                                              catalogue=catalogue, tiktok=mentions[0]))  # fmt: skip
    return {name: counts[name] for name in FILES}
