"""Product reviews ``json/reviews.jsonl``, mostly written by buyers of the product."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from . import params
from ._common import (
    DATE_STYLES,
    MS_PER_DAY,
    MS_PER_HOUR,
    TIME_STYLES,
    YEAR_END_MS,
    YEAR_START_MS,
    Calendar,
    Catalogue,
    Columns,
    LineSink,
    assign_codes,
    bad_positions,
    choice,
    emit_records,
    exact_count,
    format_instant,
    iso_ms,
    scaled,
    stale_positions,
    stream,
)
from ._vocab import NEGATIVE_TAGS, OPENERS, POSITIVE_TAGS, TAG_SENTENCES, TITLES
from .customers import Customers
from .transactions import Transactions, product_weights

CHUNK = 20_000
LAST_MS = YEAR_END_MS - MS_PER_HOUR
_MISSING, _NULL, _RATING_TEXT, _ID_TEXT = range(1, 5)
_STYLES = TIME_STYLES + DATE_STYLES
_BOOLEAN_SPELLINGS: tuple[tuple[Any, Any], ...] = (
    ("yes", "no"), ("Y", "N"), (1, 0), ("true", "false"), ("True", "False"),
)  # fmt: skip
#: Tags whose sentence depends on the rating: (complaint, praise).
_TWO_SIDED = ("quality", "sound", "comfort")


def tags_for(
    rng: random.Random, rating: int, low_rated: bool, category: str, product: str
) -> list[str]:
    """Draw the tags of one review (planted truth 1 for the battery tag)."""
    tags: list[str] = []
    if low_rated:
        battery = params.BATTERY_TAG_LOW if rating <= 2 else params.BATTERY_TAG_LOW_RATED_OTHER
    else:
        battery = params.BATTERY_TAG_OTHER
    if rng.random() < battery:
        tags.append("battery")
    sized = category == "Fashion" or product == "Running Shoes Trail"
    if rating <= 2:
        tags.extend(tag for tag in NEGATIVE_TAGS if rng.random() < 0.25)
        if sized and rng.random() < 0.4:
            tags.append("size")
        if category == "Audio" and rng.random() < 0.3:
            tags.append("sound")
    elif rating == 3:
        for tag, p in (("price", 0.3), ("quality", 0.2), ("shipping", 0.15)):
            if rng.random() < p:
                tags.append(tag)
    else:
        for tag, p in zip(POSITIVE_TAGS, (0.35, 0.30, 0.10, 0.15), strict=True):
            if rng.random() < p:
                tags.append(tag)
        if category == "Audio" and rng.random() < 0.25:
            tags.append("sound")
        if sized and rng.random() < 0.2:
            tags.append("comfort")
    return tags


def write(
    path: Path,
    seed: int,
    scale: float,
    customers: Customers,
    tx: Transactions,
    catalogue: Catalogue,
    calendar: Calendar,
) -> int:
    """Write ``json/reviews.jsonl``; return the number of lines."""
    rng = stream(seed, "reviews")
    n = scaled(params.COUNTS_AT_SCALE_1["reviews"], scale, params.MINIMUM_COUNTS["reviews"])
    n_verified = int(n * params.VERIFIED_REVIEW_SHARE + 0.5)
    eligible = np.flatnonzero(
        (tx.customer >= 0) & (tx.status != 2) & (tx.ts_ms < LAST_MS - 2 * MS_PER_DAY)
    )
    bought = np.sort(rng.choice(eligible, size=min(n_verified, len(eligible)), replace=False))
    delay_max = np.minimum(30 * MS_PER_DAY, LAST_MS - tx.ts_ms[bought])
    v_created = tx.ts_ms[bought] + rng.uniform(MS_PER_HOUR, delay_max).astype(np.int64)
    n_other = n - len(bought)
    base, _ = product_weights(catalogue)
    o_customer = rng.integers(0, customers.n, n_other)
    o_start = np.minimum(
        np.maximum(customers.created_ms[o_customer], YEAR_START_MS + MS_PER_HOUR), LAST_MS - 1
    )
    o_created = calendar.between(rng, o_start, np.full(n_other, LAST_MS, np.int64))
    product = np.concatenate([tx.product[bought], choice(rng, base, n_other)])
    customer_id = np.concatenate([tx.customer_id[bought], customers.ids[o_customer]])
    created = np.concatenate([v_created, o_created])
    order = np.argsort(created, kind="stable")
    product, customer_id, created = product[order], customer_id[order], created[order]

    low_rated = product == catalogue.index(params.LOW_RATED_PRODUCT)
    cdf_low = np.cumsum(params.RATINGS_LOW_RATED)
    cdf_other = np.cumsum(params.RATINGS_OTHER)
    u = rng.random(n)
    rating = 1 + np.where(
        low_rated,
        np.searchsorted(cdf_low, u * cdf_low[-1]),
        np.searchsorted(cdf_other, u * cdf_other[-1]),
    )
    rating = np.minimum(rating, 5)

    rates = params.DEFECT_RATES["reviews"]
    codes = assign_codes(
        rng,
        n,
        [
            (_MISSING, exact_count(rates["missing_field"], n), None),
            (_NULL, exact_count(rates["explicit_null"], n), None),
            (_RATING_TEXT, exact_count(rates["rating_as_string"], n), None),
            (_ID_TEXT, exact_count(rates["customer_id_as_string"], n), None),
        ],
    )
    other_time = assign_codes(rng, n, [(1, exact_count(rates["timestamp_other_format"], n), None)])
    bool_variant = assign_codes(
        rng, n, [(1, exact_count(rates["boolean_spelling_variant"], n), None)]
    )
    duplicate = assign_codes(rng, n, [(1, exact_count(rates["duplicate_key"], n), None)])
    n_bad = max(1, exact_count(rates["non_json_line"], n))
    bad = bad_positions(rng, n, n_bad)
    pick = rng.integers(0, 1_000_000, (3, n), dtype=np.int32)
    text_rng = random.Random(int(stream(seed, "reviews_write").integers(0, 2**62)))
    columns = Columns(
        product=product,
        customer_id=customer_id,
        created=created,
        rating=rating,
        low=low_rated,
        code=codes,
        other_time=other_time,
        bool_variant=bool_variant,
        pick=pick,
    )
    writer = _Writer(columns, catalogue, text_rng)
    stale = stale_positions(duplicate, pick[2], CHUNK)
    with path.open("wb") as handle:
        sink = LineSink(handle)
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            writer.load(start, stop)
            emit_records(sink, start, stop, writer.line, stale, bad)
        return sink.close()


class _Writer:
    """Serialises reviews one chunk at a time (tags drawn in review order)."""

    def __init__(self, columns: Columns, catalogue: Catalogue, text_rng: random.Random) -> None:
        self.c = columns
        self.catalogue = catalogue
        self.text_rng = text_rng
        self.categories = [catalogue.categories[c] for c in catalogue.product_category.tolist()]
        self.iso: list[str] = []
        self.tags: list[list[str]] = []
        self.returned: list[bool] = []

    def load(self, start: int, stop: int) -> None:
        c = self.c
        c.load(start, stop)
        self.iso = iso_ms(c.arrays["created"][start:stop])
        self.tags, self.returned = [], []
        for k in range(stop - start):
            p, r, low = c["product"][k], c["rating"][k], c["low"][k]
            tags = tags_for(self.text_rng, r, low, self.categories[p], self.catalogue.products[p])
            complaint = low and r <= 2 and "battery" in tags
            chance = (
                params.RETURN_BATTERY_COMPLAINT if complaint else params.RETURN_BY_RATING[r - 1]
            )
            self.tags.append(tags)
            self.returned.append(self.text_rng.random() < chance)

    def line(self, i: int, stale: bool) -> bytes:
        c = self.c
        k = i - c.start
        rating = c["rating"][k]
        if stale:  # the earlier version of a review that was edited
            rating = rating + 1 if rating < 5 else rating - 1
        return orjson.dumps(
            _document(
                i, k, self.catalogue.products[c["product"][k]], c["customer_id"][k], rating,
                self.iso[k], self.tags[k], self.returned[k], c,
            )
        )  # fmt: skip


def _document(
    i: int,
    k: int,
    product: str,
    customer_id: int,
    rating: int,
    iso: str,
    tags: list[str],
    returned: bool,
    c: Columns,
) -> dict[str, Any]:
    pick = c["pick"]
    titles = TITLES[rating]
    openers = OPENERS[rating]
    sentences = [openers[pick[0][k] % len(openers)].format(p=product)]
    for tag in tags:
        options = TAG_SENTENCES[tag]
        if tag in _TWO_SIDED:
            sentences.append(options[0] if rating <= 3 else options[1])
        else:
            sentences.append(options[(pick[1][k] + len(sentences)) % len(options)])
    when: Any = iso
    if c["other_time"][k]:
        when = format_instant(c["created"][k], _STYLES[pick[0][k] % len(_STYLES)])
    returned_value: Any = returned
    if c["bool_variant"][k]:
        returned_value = _BOOLEAN_SPELLINGS[pick[1][k] % len(_BOOLEAN_SPELLINGS)][
            0 if returned else 1
        ]
    doc: dict[str, Any] = {
        "review_id": f"RV-{i + 1:07d}",
        "product": product,
        "customer_id": customer_id,
        "rating": rating,
        "created_at": when,
        "title": titles[pick[2][k] % len(titles)],
        "body": " ".join(sentences),
        "tags": tags,
        "return_requested": returned_value,
    }
    code = c["code"][k]
    if code == _MISSING:
        del doc["title" if pick[2][k] % 2 else "tags"]
    elif code == _NULL:
        doc["body" if pick[2][k] % 2 else "tags"] = None
    elif code == _RATING_TEXT:
        doc["rating"] = str(rating)
    elif code == _ID_TEXT:
        doc["customer_id"] = str(customer_id)
    return doc
