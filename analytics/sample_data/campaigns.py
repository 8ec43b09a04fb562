"""Campaigns: metrics per campaign type and ``mongo/campaigns.json`` (a JSON array)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from . import params
from ._common import (
    D_DAY_MON,
    D_DOT,
    D_ISO,
    D_MON_DAY,
    D_SLASH_DMY,
    D_SLASH_YMD,
    DAYS_IN_YEAR,
    MS_PER_DAY,
    TS_EPOCH_MS,
    YEAR_START_MS,
    BoolArray,
    Catalogue,
    FloatArray,
    IntArray,
    LineSink,
    assign_codes,
    bad_positions,
    ejson_date,
    ejson_double,
    ejson_int,
    emit_records,
    exact_count,
    format_instant,
    iso_ms,
    object_id_parts,
    object_ids,
    round_money,
    scaled,
    stale_positions,
    stream,
    to_datetime,
)
from ._vocab import (
    CAMPAIGN_CTR,
    CAMPAIGN_DAYS,
    CAMPAIGN_IMPRESSIONS,
    CAMPAIGN_THEMES,
    CAMPAIGN_TYPE_WEIGHTS,
    CAMPAIGN_TYPES,
)

# metric defects (decided when the campaigns are drawn: they change what the web sees)
ABOVE, ZERO_IMPRESSIONS, ZERO_CLICKS, ZERO_CONVERSIONS = 1, 2, 3, 4
# representation defects
_NUMBER_TEXT, _MISSING, _NULL = 1, 2, 3
_DATE_STYLES = (D_ISO, D_SLASH_YMD, D_DOT, D_SLASH_DMY, D_MON_DAY, D_DAY_MON, TS_EPOCH_MS)


def campaign_id(position: int) -> str:
    """``CMP-0001`` for the first campaign."""
    return f"CMP-{position + 1:04d}"


@dataclass
class Campaigns:
    """All campaigns in start-date order (campaign_id = position + 1)."""

    type: IntArray
    category: IntArray
    theme: IntArray
    start_day: IntArray
    end_day: IntArray
    impressions: IntArray
    clicks: IntArray
    conversions: IntArray
    spend: FloatArray
    budget: FloatArray
    metric_defect: npt.NDArray[np.int8]
    #: Per (type, day): offsets into ``active`` of the campaigns running that day.
    offsets: IntArray
    active: IntArray
    #: Per (type, day): the campaign nearest in time when none runs (-1: none of the type).
    nearest: IntArray

    @property
    def n(self) -> int:
        """Number of campaigns."""
        return len(self.type)

    @property
    def usable(self) -> BoolArray:
        """Campaigns that can bring traffic (the ones with zero impressions never ran)."""
        return np.asarray(self.metric_defect != ZERO_IMPRESSIONS, dtype=np.bool_)

    def pick(self, rng: np.random.Generator, kind: IntArray, day: IntArray) -> IntArray:
        """Pick a campaign of each type running on each day (-1 where there is none)."""
        key = kind * DAYS_IN_YEAR + np.clip(day, 0, DAYS_IN_YEAR - 1)
        start = self.offsets[key]
        count = self.offsets[key + 1] - start
        draw = (rng.random(len(key)) * np.maximum(count, 1)).astype(np.int64)
        running = np.where(
            count > 0, self.active[np.minimum(start + draw, len(self.active) - 1)], -1
        )
        return np.asarray(np.where(count > 0, running, self.nearest[key]), dtype=np.int64)


def _quota(n: int) -> IntArray:
    weights = np.asarray(CAMPAIGN_TYPE_WEIGHTS)
    raw = weights / weights.sum() * n
    counts: IntArray = np.maximum(np.floor(raw), 1).astype(np.int64)
    while counts.sum() < n:
        counts[int(np.argmax(raw - counts))] += 1
    while counts.sum() > n:
        counts[int(np.argmax(counts))] -= 1
    return counts


def build(seed: int, scale: float, catalogue: Catalogue) -> Campaigns:
    """Draw the campaigns and their metrics."""
    rng = stream(seed, "campaigns")
    n = scaled(params.COUNTS_AT_SCALE_1["campaigns"], scale, params.MINIMUM_COUNTS["campaigns"])
    kind = rng.permutation(np.repeat(np.arange(len(CAMPAIGN_TYPES)), _quota(n)))
    days = np.asarray(CAMPAIGN_DAYS)
    duration = rng.integers(days[kind, 0], days[kind, 1] + 1)
    start = rng.integers(0, DAYS_IN_YEAR - days[kind, 0])
    end = np.minimum(start + duration - 1, DAYS_IN_YEAR - 1)
    order = np.lexsort((rng.random(n), start))
    kind, start, end, duration = kind[order], start[order], end[order], duration[order]

    impressions = np.round(
        np.asarray(CAMPAIGN_IMPRESSIONS)[kind]
        * rng.lognormal(0, 0.7, n)
        * np.sqrt((end - start + 1) / 45.0)
    ).astype(np.int64)
    impressions = np.maximum(impressions, 1_000)
    ctr = np.minimum(np.asarray(CAMPAIGN_CTR)[kind] * rng.lognormal(0, 0.25, n), 0.5)
    clicks = rng.binomial(impressions, ctr)
    cvr_by_type = params.PLANTED_TRUTHS["campaign_conversion"]["conversion_rate_by_type"]
    cvr = np.asarray([cvr_by_type[t] for t in CAMPAIGN_TYPES])[kind] * rng.lognormal(0, 0.15, n)
    conversions = rng.binomial(clicks, np.minimum(cvr, 1.0))

    rates = params.DEFECT_RATES["campaigns"]
    metric = assign_codes(
        rng,
        n,
        [
            (ZERO_IMPRESSIONS, exact_count(rates["zero_impressions"], n), None),
            (ZERO_CLICKS, exact_count(rates["zero_clicks"], n), None),
            (ZERO_CONVERSIONS, exact_count(rates["zero_conversions"], n), None),
            (ABOVE, exact_count(rates["clicks_above_impressions"], n), clicks > 0),
        ],
    )
    impressions = np.where(metric == ZERO_IMPRESSIONS, 0, impressions)
    clicks = np.where(np.isin(metric, (ZERO_IMPRESSIONS, ZERO_CLICKS)), 0, clicks)
    conversions = np.where(metric >= ZERO_IMPRESSIONS, 0, conversions)
    noise = rng.lognormal(0, 0.1, n)
    by_type = {
        "Email": impressions * 0.002,
        "Social": clicks * 0.70,
        "Search": clicks * 1.10,
        "Display": impressions / 1000 * 2.5,
        "Affiliate": conversions * 12.0 + clicks * 0.05,
        "Video": impressions / 1000 * 9.0,
    }
    spend = np.zeros(n)
    for t, name in enumerate(CAMPAIGN_TYPES):
        spend = np.where(kind == t, by_type[name], spend)
    spend = round_money(spend * noise)
    # clicks above impressions: the impressions counter under-reports (spend unaffected)
    impressions = np.where(
        metric == ABOVE, np.floor(clicks * rng.uniform(0.2, 0.9, n)).astype(np.int64), impressions
    )
    utilisation = rng.uniform(0.70, 1.05, n)
    budget = np.maximum(np.ceil(spend / utilisation / 100) * 100, 100.0)

    # index of the campaigns running each day, per type
    usable = metric != ZERO_IMPRESSIONS
    pairs_key: list[IntArray] = []
    pairs_campaign: list[IntArray] = []
    for c in np.flatnonzero(usable).tolist():
        span = np.arange(start[c], end[c] + 1, dtype=np.int64)
        pairs_key.append(kind[c] * DAYS_IN_YEAR + span)
        pairs_campaign.append(np.full(len(span), c, np.int64))
    keys = np.concatenate(pairs_key) if pairs_key else np.zeros(0, np.int64)
    members = np.concatenate(pairs_campaign) if pairs_campaign else np.zeros(0, np.int64)
    by_key = np.argsort(keys, kind="stable")
    counts = np.bincount(keys, minlength=len(CAMPAIGN_TYPES) * DAYS_IN_YEAR)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    nearest = np.full(len(CAMPAIGN_TYPES) * DAYS_IN_YEAR, -1, np.int64)
    all_days = np.arange(DAYS_IN_YEAR)
    for t in range(len(CAMPAIGN_TYPES)):
        of_type = np.flatnonzero(usable & (kind == t))
        if len(of_type) == 0:
            continue
        for first in range(0, DAYS_IN_YEAR, 30):  # blocks of days: bounded memory
            days = all_days[first : first + 30, None]
            distance = np.maximum(
                np.maximum(start[of_type][None, :] - days, 0), days - end[of_type][None, :]
            )
            key = t * DAYS_IN_YEAR + first
            nearest[key : key + len(days)] = of_type[np.argmin(distance, axis=1)]

    month = [to_datetime(YEAR_START_MS + d * MS_PER_DAY).month for d in start.tolist()]
    themes = np.array([rng.integers(0, len(CAMPAIGN_THEMES[m])) for m in month], dtype=np.int64)
    return Campaigns(
        type=kind,
        category=rng.integers(-1, len(catalogue.categories), n),
        theme=themes,
        start_day=start,
        end_day=end,
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        spend=spend,
        budget=budget,
        metric_defect=metric,
        offsets=offsets,
        active=members[by_key],
        nearest=nearest,
    )


def write(path: Path, seed: int, campaigns: Campaigns, catalogue: Catalogue) -> int:
    """Write ``mongo/campaigns.json`` as a mongoexport ``--jsonArray`` file.

    Returns:
        The number of element lines (documents, stale duplicates and non-JSON lines;
        the ``[`` and ``]`` lines are not counted).
    """
    rng = stream(seed, "campaigns", 1)
    rates = params.DEFECT_RATES["campaigns"]
    n = campaigns.n
    codes = assign_codes(
        rng,
        n,
        [
            (_NUMBER_TEXT, exact_count(rates["number_as_string"], n), None),
            (_MISSING, exact_count(rates["missing_field"], n), None),
            (_NULL, exact_count(rates["explicit_null"], n), None),
        ],
    )
    date_other = assign_codes(rng, n, [(1, exact_count(rates["date_other_format"], n), None)])
    canonical = assign_codes(rng, n, [(1, exact_count(rates["canonical_ejson"], n), None)])
    duplicate = assign_codes(rng, n, [(1, exact_count(rates["duplicate_key"], n), None)])
    n_bad = max(1, exact_count(rates["non_json_line"], n))
    bad = bad_positions(rng, n, n_bad)
    pick = rng.integers(0, 1_000_000, (3, n)).tolist()
    start_ms = YEAR_START_MS + campaigns.start_day * MS_PER_DAY
    end_ms = YEAR_START_MS + campaigns.end_day * MS_PER_DAY
    start_iso, end_iso = iso_ms(start_ms), iso_ms(end_ms)
    oids = object_ids(*object_id_parts(rng, start_ms - 14 * MS_PER_DAY))
    stale_oids = object_ids(*object_id_parts(rng, start_ms - 15 * MS_PER_DAY))
    cols = {
        "type": campaigns.type.tolist(),
        "category": campaigns.category.tolist(),
        "theme": campaigns.theme.tolist(),
        "impressions": campaigns.impressions.tolist(),
        "clicks": campaigns.clicks.tolist(),
        "conversions": campaigns.conversions.tolist(),
        "spend": campaigns.spend.tolist(),
        "budget": campaigns.budget.tolist(),
        "start": start_ms.tolist(),
        "end": end_ms.tolist(),
    }
    codes_l, date_l = codes.tolist(), date_other.tolist()
    canon_l = canonical.tolist()

    def document(i: int, stale: bool) -> dict[str, Any]:
        canon = bool(canon_l[i])
        kind = CAMPAIGN_TYPES[cols["type"][i]]
        month = to_datetime(cols["start"][i]).month
        theme = CAMPAIGN_THEMES[month][cols["theme"][i]]
        category = cols["category"][i]
        audience = "All Products" if category < 0 else catalogue.categories[category]
        share = 0.8 if stale else 1.0
        spend = round(cols["spend"][i] * share, 2)
        dates: list[Any] = []
        for ms, iso in ((cols["start"][i], start_iso[i]), (cols["end"][i], end_iso[i])):
            if date_l[i]:
                dates.append(format_instant(ms, _DATE_STYLES[pick[0][i] % len(_DATE_STYLES)]))
            else:
                dates.append(ejson_date(ms, iso, canon))
        doc: dict[str, Any] = {
            "_id": {"$oid": stale_oids[i] if stale else oids[i]},
            "campaign_id": campaign_id(i),
            "campaign_name": f"{theme} 2025 | {audience} | {kind}" + (" (draft)" if stale else ""),
            "campaign_type": kind,
            "budget": ejson_double(cols["budget"][i], canon),
            "spend": ejson_double(spend, canon),
            "impressions": ejson_int(int(cols["impressions"][i] * share), canon),
            "clicks": ejson_int(int(cols["clicks"][i] * share), canon),
            "conversions": ejson_int(int(cols["conversions"][i] * share), canon),
            "start_date": dates[0],
            "end_date": dates[1],
        }
        code = codes_l[i]
        if code == _NUMBER_TEXT:
            doc["budget"] = f"{cols['budget'][i]:.2f}"
            doc["spend"] = f"{spend:.2f}"
        elif code == _MISSING:
            del doc["budget"]
        elif code == _NULL:
            doc["end_date"] = None
        return doc

    stale = stale_positions(duplicate, pick[1], n)
    with path.open("wb") as handle:
        handle.write(b"[\n")
        sink = LineSink(handle, separator=b",\n")
        emit_records(sink, 0, n, lambda i, old: orjson.dumps(document(i, old)), stale, bad)
        return sink.close(b"\n]\n")
