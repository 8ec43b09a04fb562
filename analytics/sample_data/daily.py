"""Daily feeds: ``csv/social_trends.csv`` and ``csv/marketplace_sales.csv``.

Planted truth 2 lives here: the daily units of a category on the marketplaces are a
baseline plus ``UNITS_PER_MENTION`` times the TikTok mentions of that category
``LEAD_DAYS`` days earlier, plus noise. Mentions on every platform have bursts; only
TikTok's feed the sales.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np
import numpy.typing as npt

from . import params
from ._common import (
    D_COMPACT,
    D_DAY_MON,
    D_DOT,
    D_ISO,
    D_MON_DAY,
    D_SLASH_YMD,
    DAYS_IN_YEAR,
    MS_PER_DAY,
    YEAR_START_MS,
    Catalogue,
    FloatArray,
    assign_codes,
    day_weights,
    exact_count,
    format_day,
    merge_lines,
    scaled,
    stream,
)
from ._vocab import (
    MARKETPLACE_STOREFRONTS,
    MARKETPLACES,
    PLATFORM_ENGAGEMENT,
    PLATFORM_MENTIONS,
    PLATFORMS,
    TOPICS,
    TREND_CATEGORIES,
)
from .transactions import product_weights

SOCIAL_HEADER = "date,platform,category,topic,trend_category,mentions,engagement"
MARKETPLACE_HEADER = "date;marketplace;product;category;units_sold;revenue"
BOM = b"\xef\xbb\xbf"
ROWS_PER_BLOCK = 50_000

_UNTYPEABLE, _WRONG_COUNT, _MISSING = 1, 2, 3
_SOCIAL_DATES = (D_SLASH_YMD, D_DOT, D_COMPACT, D_DAY_MON, D_MON_DAY)
_MARKETPLACE_DATES = (D_ISO, D_SLASH_YMD, D_COMPACT, D_DAY_MON, D_MON_DAY)


def topic_names(category: str, count: int) -> list[str]:
    """``count`` hashtags of a category (numbered once the list is exhausted)."""
    base = TOPICS[category]
    return [
        base[k % len(base)] + (str(k // len(base) + 1) if k >= len(base) else "")
        for k in range(count)
    ]


def marketplace_names(count: int) -> list[str]:
    """``count`` distinct marketplace names (country storefronts after the plain names)."""
    names = []
    for j in range(count):
        if j < len(MARKETPLACES):
            names.append(MARKETPLACES[j])
            continue
        q, r = divmod(j - len(MARKETPLACES), len(MARKETPLACES))
        front = MARKETPLACE_STOREFRONTS[q % len(MARKETPLACE_STOREFRONTS)]
        repeat = q // len(MARKETPLACE_STOREFRONTS)
        names.append(f"{MARKETPLACES[r]} {front}" + (f" {repeat + 1}" if repeat else ""))
    return names


def _day_strings(style: int) -> list[str]:
    return [format_day(YEAR_START_MS + d * MS_PER_DAY, style) for d in range(DAYS_IN_YEAR)]


class RowWriter(Protocol):
    """Formats the rows of one daily feed."""

    def day(self, d: int) -> list[str]:
        """All clean rows of day ``d`` (one per series)."""
        ...

    def row(self, d: int, s: int, stale: bool, code: int, other_date: bool, v: int) -> str:
        """One row with a defect, another date format or (``stale``) an earlier value."""
        ...


def _write_days(
    handle: BinaryIO,
    n_series: int,
    rng: np.random.Generator,
    rates: dict[str, float],
    rows: RowWriter,
    encoding: str,
) -> int:
    """Write ``DAYS_IN_YEAR * n_series`` rows (day-major) with the CSV defects."""
    n = DAYS_IN_YEAR * n_series
    codes = assign_codes(
        rng,
        n,
        [
            (_UNTYPEABLE, exact_count(rates["untypeable_value"], n), None),
            (_WRONG_COUNT, exact_count(rates["wrong_field_count"], n), None),
            (_MISSING, exact_count(rates["missing_value"], n), None),
        ],
    )
    other_date = assign_codes(rng, n, [(1, exact_count(rates["date_other_format"], n), None)])
    duplicate = assign_codes(rng, n, [(1, exact_count(rates["duplicate_key"], n), None)])
    marked = np.flatnonzero((codes > 0) | (other_date > 0) | (duplicate > 0))
    variant = rng.integers(0, 1_000_000, len(marked))
    marked_day = marked // n_series
    written = 0
    lines: list[bytes] = []
    extras: list[tuple[int, int, bytes]] = []
    k = 0
    for d in range(DAYS_IN_YEAR):
        texts = rows.day(d)
        while k < len(marked) and marked_day[k] == d:
            r = int(marked[k])
            s = r - d * n_series
            v = int(variant[k])
            code, other, dup = int(codes[r]), bool(other_date[r]), bool(duplicate[r])
            texts[s] = rows.row(d, s, False, code, other, v)
            if dup:
                stale = rows.row(d, s, True, code, other, v)
                # an earlier snapshot of the same key, a few rows before the final one
                position = len(lines) + s - (v % (s + 1))
                extras.append((position, r, stale.encode(encoding)))
            k += 1
        lines.extend(text.encode(encoding) for text in texts)
        if len(lines) >= ROWS_PER_BLOCK or d == DAYS_IN_YEAR - 1:
            out = merge_lines(lines, extras)
            handle.write(b"\n".join(out) + b"\n")
            written += len(out)
            lines, extras = [], []
    return written


def write_social(
    path: Path, seed: int, scale: float, catalogue: Catalogue
) -> tuple[int, FloatArray]:
    """Write ``csv/social_trends.csv``.

    Returns:
        The number of data rows, and the TikTok mentions per category and day from
        ``LEAD_DAYS`` days before 2025-01-01 (shape ``categories x (LEAD_DAYS + 365)``).
    """
    per_category = scaled(params.COUNTS_AT_SCALE_1["topics_per_category"], scale,
                          params.MINIMUM_COUNTS["topics_per_category"])  # fmt: skip
    lead = params.LEAD_DAYS
    n_days = DAYS_IN_YEAR + lead
    categories = catalogue.categories
    n_cat = len(categories)
    n_series = len(PLATFORMS) * n_cat * per_category
    mentions = np.empty((n_series, DAYS_IN_YEAR), np.int32)
    engagement = np.empty((n_series, DAYS_IN_YEAR), np.int32)
    tiktok = np.zeros((n_cat, n_days))
    meta_rng = stream(seed, "social")
    trends = meta_rng.integers(0, len(TREND_CATEGORIES), (n_cat, per_category))
    prefixes: list[str] = []
    for p, platform in enumerate(PLATFORMS):
        for c, category in enumerate(categories):
            rng = stream(seed, "social", 1 + p * n_cat + c)
            level = PLATFORM_MENTIONS[p] * rng.lognormal(0, 0.3, per_category)
            onset = rng.random((per_category, n_days)) < params.BURST_PROBABILITY
            height = level[:, None] * params.BURST_HEIGHT * rng.lognormal(0, 0.5, onset.shape)
            height *= onset
            burst = np.empty_like(height)
            current = np.zeros(per_category)
            for t in range(n_days):
                current = current * params.BURST_DECAY + height[:, t]
                burst[:, t] = current
            daily = np.clip(1 + 0.1 * rng.standard_normal(onset.shape), 0.5, None)
            counts = rng.poisson(level[:, None] * daily + burst)
            if platform == params.LEAD_PLATFORM:
                tiktok[c] = counts.sum(axis=0)
            block = slice((p * n_cat + c) * per_category, (p * n_cat + c + 1) * per_category)
            mentions[block] = counts[:, lead:]
            per_post = PLATFORM_ENGAGEMENT[p] * rng.lognormal(0, 0.2, (per_category, DAYS_IN_YEAR))
            engagement[block] = np.round(counts[:, lead:] * per_post)
            for k, topic in enumerate(topic_names(category, per_category)):
                prefixes.append(f"{platform},{category},{topic},{TREND_CATEGORIES[trends[c, k]]}")

    rows = _SocialRows(
        _day_strings(D_ISO), prefixes, mentions, engagement,
        stream(seed, "social_write", 1).uniform(0.5, 0.9, 997).tolist(),
    )  # fmt: skip
    with path.open("wb") as handle:
        handle.write(BOM + SOCIAL_HEADER.encode("utf-8") + b"\n")
        written = _write_days(
            handle, n_series, stream(seed, "social_write"), params.DEFECT_RATES["social_trends"],
            rows, "utf-8",
        )  # fmt: skip
    return written, tiktok


def write_marketplace(
    path: Path, seed: int, scale: float, catalogue: Catalogue, tiktok: FloatArray
) -> int:
    """Write ``csv/marketplace_sales.csv`` (Latin-1, ``;``, decimal comma, DD.MM.YYYY dates)."""
    n_mp = scaled(params.COUNTS_AT_SCALE_1["marketplaces"], scale,
                  params.MINIMUM_COUNTS["marketplaces"])  # fmt: skip
    names = marketplace_names(n_mp)
    n_products = len(catalogue.products)
    category = catalogue.product_category
    base_weights, _ = product_weights(catalogue)
    popularity = base_weights / base_weights.mean()
    meta_rng = stream(seed, "marketplace")
    size = meta_rng.lognormal(0, 0.4, n_mp)
    base = params.BASELINE_UNITS * size[:, None] * popularity[None, :]
    category_base = np.zeros(len(catalogue.categories))
    np.add.at(category_base, np.tile(category, n_mp), base.ravel())
    share = base / category_base[category][None, :]
    # mentions of ``LEAD_DAYS`` days before each day of 2025 (index 0 = 2024-12-25)
    lift = params.UNITS_PER_MENTION * tiktok[:, :DAYS_IN_YEAR]
    weights = day_weights()
    season = 1 + 0.5 * (weights / weights.mean() - 1)
    units = np.empty((n_mp, n_products, DAYS_IN_YEAR), np.int32)
    revenue = np.empty((n_mp, n_products, DAYS_IN_YEAR))
    for m in range(n_mp):
        rng = stream(seed, "marketplace", 1 + m)
        noise = rng.lognormal(0, 0.1, (n_products, DAYS_IN_YEAR))
        lam = base[m][:, None] * season[None, :] * noise + share[m][:, None] * lift[category]
        units[m] = rng.poisson(lam)
        factor = rng.uniform(0.90, 1.05, n_products)
        promo = np.where(rng.random((n_products, DAYS_IN_YEAR)) < 0.05, 0.85, 1.0)
        price = np.round(catalogue.list_price * factor, 2)[:, None] * promo
        revenue[m] = np.round(units[m] * price, 2)

    prefixes = [
        f"{mp};{product};{catalogue.categories[category[p]]}"
        for mp in names
        for p, product in enumerate(catalogue.products)
    ]
    for text in prefixes:
        text.encode("latin-1")  # fails loudly if a name is not Latin-1
    n_series = n_mp * n_products
    rows = _MarketplaceRows(
        _day_strings(D_DOT), prefixes, units.reshape(n_series, DAYS_IN_YEAR),
        revenue.reshape(n_series, DAYS_IN_YEAR),
        stream(seed, "marketplace_write", 1).uniform(0.5, 0.9, 997).tolist(),
    )  # fmt: skip
    with path.open("wb") as handle:
        handle.write(MARKETPLACE_HEADER.encode("latin-1") + b"\n")
        written = _write_days(
            handle, n_series, stream(seed, "marketplace_write"),
            params.DEFECT_RATES["marketplace_sales"], rows, "latin-1",
        )  # fmt: skip
    return written


class _SocialRows:
    def __init__(
        self,
        days: list[str],
        prefixes: list[str],
        mentions: npt.NDArray[np.int32],
        engagement: npt.NDArray[np.int32],
        stale_share: list[float],
    ) -> None:
        self.days, self.prefixes = days, prefixes
        self.mentions, self.engagement = mentions, engagement
        self.stale_share = stale_share

    def day(self, d: int) -> list[str]:
        date = self.days[d]
        return [
            f"{date},{prefix},{m},{e}"
            for prefix, m, e in zip(
                self.prefixes,
                self.mentions[:, d].tolist(),
                self.engagement[:, d].tolist(),
                strict=True,
            )
        ]

    def row(self, d: int, s: int, stale: bool, code: int, other_date: bool, v: int) -> str:
        m, e = int(self.mentions[s, d]), int(self.engagement[s, d])
        if stale:
            share = self.stale_share[v % len(self.stale_share)]
            m, e = int(m * share), int(e * share)
        date = self.days[d]
        if other_date:
            date = format_day(YEAR_START_MS + d * MS_PER_DAY, _SOCIAL_DATES[v % len(_SOCIAL_DATES)])
            if "," in date:
                date = f'"{date}"'
        cells = [date, self.prefixes[s], str(m), str(e)]
        if code == _UNTYPEABLE:
            if v % 2:
                cells[2] = f"{m / 1000:.1f}k"
            else:
                cells[3] = "n.a.x"
        elif code == _WRONG_COUNT:
            if v % 2:
                cells.append("viral")
            else:
                del cells[3]
        elif code == _MISSING:
            cells[3] = ""
        return ",".join(cells)


class _MarketplaceRows:
    def __init__(
        self,
        days: list[str],
        prefixes: list[str],
        units: npt.NDArray[np.int32],
        revenue: FloatArray,
        stale_share: list[float],
    ) -> None:
        self.days, self.prefixes = days, prefixes
        self.units, self.revenue = units, revenue
        self.stale_share = stale_share

    def day(self, d: int) -> list[str]:
        date = self.days[d]
        return [
            f"{date};{prefix};{u};" + f"{r:.2f}".replace(".", ",")
            for prefix, u, r in zip(
                self.prefixes, self.units[:, d].tolist(), self.revenue[:, d].tolist(), strict=True
            )
        ]

    def row(self, d: int, s: int, stale: bool, code: int, other_date: bool, v: int) -> str:
        u, r = int(self.units[s, d]), float(self.revenue[s, d])
        if stale:
            price = r / u if u else 0.0
            u = int(u * self.stale_share[v % len(self.stale_share)])
            r = round(u * price, 2)
        date = self.days[d]
        if other_date:
            style = _MARKETPLACE_DATES[v % len(_MARKETPLACE_DATES)]
            date = format_day(YEAR_START_MS + d * MS_PER_DAY, style)
        cells = [date, self.prefixes[s], str(u), f"{r:.2f}".replace(".", ",")]
        if code == _UNTYPEABLE:
            if v % 2:
                cells[2] = "zwölf" if v % 4 == 1 else "n.a.x"
            else:
                cells[3] = "#WERT!"
        elif code == _WRONG_COUNT:
            if v % 2:
                cells.append("EUR")
            else:
                del cells[3]
        elif code == _MISSING:
            cells[3] = ""
        return ";".join(cells)
