"""The store channel's sales export ``csv/sales.csv`` (the format of the HEC sample)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import numpy.typing as npt

from . import params
from ._common import (
    D_COMPACT,
    D_DAY_MON,
    D_DOT,
    D_SLASH_DMY,
    D_SLASH_YMD,
    MS_PER_DAY,
    YEAR_END_MS,
    YEAR_START_MS,
    Calendar,
    Columns,
    FloatArray,
    IntArray,
    assign_codes,
    exact_count,
    format_day,
    iso_dates,
    merge_lines,
    scaled,
    stream,
)
from .customers import Customers

HEADER = ",Date,Customer ID,Order ID,Sales"
CHUNK = 50_000
#: Customers (or rows) drawn at once.
BLOCK = 200_000
#: Largest 6-digit customer id.
MAX_SIX_DIGIT_ID = 999_999
#: Ids of customers known only to the sales feed start this far above the Mongo ids
#: (the gap holds the ids of the transactions' unknown customers).
SALES_ONLY_ID_GAP = 10_000

_UNTYPEABLE, _WRONG_COUNT, _MISSING, _NEGATIVE, _ZERO = range(1, 6)
_DATE_STYLES = (D_SLASH_YMD, D_DOT, D_SLASH_DMY, D_COMPACT, D_DAY_MON)
_UNTYPEABLE_SALES = ("n.a.x", "#VALUE!", "12.5.3", "EUR")
_UNTYPEABLE_DATES = ("2025-02-30", "2025-13-01", "31.02.2025")


def sales_cents(rng: np.random.Generator, mean: FloatArray) -> npt.NDArray[np.int32]:
    """Lognormal order values in cents with the given means (the HEC sample's shape)."""
    sigma = params.SALES_SIGMA
    # scalar math.log per distinct mean: no vectorised transcendental (bit-exact everywhere)
    mu = {m: math.log(m) - sigma**2 / 2 for m in np.unique(mean).tolist()}
    values = rng.lognormal(np.vectorize(mu.__getitem__, otypes=[np.float64])(mean), sigma)
    # rint(x * 100) is what rounding to 2 decimals does: cents / 100 prints the same
    out: npt.NDArray[np.int32] = np.rint(np.maximum(values, 5.0) * 100).astype(np.int32)
    return out


def write(path: Path, seed: int, scale: float, customers: Customers, calendar: Calendar) -> int:
    """Write ``csv/sales.csv``; return the number of data rows (header excluded).

    Rows are drawn in blocks and kept in compact arrays (day of 2025, customer id,
    cents) so that 4 million rows (scale 100) need about 100 MB.
    """
    rng = stream(seed, "sales")
    n = scaled(params.COUNTS_AT_SCALE_1["sales"], scale, params.MINIMUM_COUNTS["sales"])
    n_mongo = int(n * params.SALES_MONGO_SHARE + 0.5)
    n_other = n - n_mongo
    days: list[npt.NDArray[np.int16]] = []
    ids: list[npt.NDArray[np.int32]] = []
    cents: list[npt.NDArray[np.int32]] = []

    def add(customer_id: IntArray, start: IntArray, mean: FloatArray) -> None:
        end = np.full(len(start), YEAR_END_MS, np.int64)
        days.append(
            ((calendar.between(rng, start, end) - YEAR_START_MS) // MS_PER_DAY).astype(np.int16)
        )
        ids.append(customer_id.astype(np.int32))
        cents.append(sales_cents(rng, mean))

    # Mongo customers: a few buy often in the store, most once or twice
    weights = rng.gamma(1.0, 1.0, customers.n)
    counts = rng.multinomial(n_mongo, weights / weights.sum())
    higher = params.SALES_MEAN_VALUE * params.CONSENT_SPEND_RATIO
    for first in range(0, customers.n, BLOCK):
        block = np.arange(first, min(customers.n, first + BLOCK))
        cust = np.repeat(block, counts[block])
        mean = np.where(customers.consent[cust], higher, params.SALES_MEAN_VALUE)
        add(customers.ids[cust], np.maximum(customers.created_ms[cust], YEAR_START_MS), mean)

    # customers known only to this feed: other 6-digit ids
    low = int(customers.ids[-1]) + 1 + SALES_ONLY_ID_GAP
    available = MAX_SIX_DIGIT_ID - low + 1
    wanted = max(1, int(n_other * 0.85))
    if available >= min(wanted, 1_000):
        pool = low + np.sort(rng.choice(available, size=min(wanted, available), replace=False))
    else:  # only beyond scale ~180: the 6-digit range is exhausted
        pool = low + np.arange(wanted, dtype=np.int64)
    for first in range(0, n_other, BLOCK):
        size = min(BLOCK, n_other - first)
        other_ids = pool[rng.integers(0, len(pool), size)]
        add(
            other_ids,
            np.full(size, YEAR_START_MS, np.int64),
            np.full(size, params.SALES_MEAN_VALUE),
        )
    del pool, weights, counts

    day = np.concatenate(days)
    customer_id = np.concatenate(ids)
    value = np.concatenate(cents)
    days.clear()
    ids.clear()
    cents.clear()
    # order ids follow the date; within a day the export is not sorted by order id
    order = np.argsort((day.astype(np.int64) << 32) + rng.integers(0, 2**31, n), kind="stable")
    day, customer_id, value = day[order], customer_id[order], value[order]
    order_id = np.arange(1, n + 1, dtype=np.int32)
    jitter = order_id.astype(np.int64) * 16 + (rng.normal(0, 15, n) * 16).astype(np.int64)
    order = np.argsort((day.astype(np.int64) << 32) + jitter + (1 << 31), kind="stable")
    del jitter
    day, customer_id, value, order_id = (
        day[order],
        customer_id[order],
        value[order],
        order_id[order],
    )
    del order

    rates = params.DEFECT_RATES["sales"]
    codes = assign_codes(
        rng,
        n,
        [
            (_UNTYPEABLE, exact_count(rates["untypeable_value"], n), None),
            (_WRONG_COUNT, exact_count(rates["wrong_field_count"], n), None),
            (_MISSING, exact_count(rates["missing_value"], n), None),
            (_NEGATIVE, exact_count(rates["negative_amount"], n), None),
            (_ZERO, exact_count(rates["zero_amount"], n), None),
        ],
    )
    other_date = assign_codes(rng, n, [(1, exact_count(rates["date_other_format"], n), None)])
    duplicate = assign_codes(rng, n, [(1, exact_count(rates["duplicate_key"], n), None)])
    pick = rng.integers(0, 1_000_000, (2, n), dtype=np.int32)

    columns = Columns(
        day=day,
        customer_id=customer_id,
        order_id=order_id,
        value=value,
        code=codes,
        other_date=other_date,
        pick=pick,
    )
    with path.open("wb") as handle:
        handle.write(HEADER.encode("ascii") + b"\n")
        written = 0
        for first in range(0, n, CHUNK):
            stop = min(n, first + CHUNK)
            columns.load(first, stop)
            dates = iso_dates(YEAR_START_MS + day[first:stop].astype(np.int64) * MS_PER_DAY)
            lines = [_row(columns, dates, k, False) for k in range(stop - first)]
            extras: list[tuple[int, int, bytes]] = []
            for k in np.flatnonzero(duplicate[first:stop]).tolist():
                # the earlier version of a corrected order, a few rows before it
                position = int(pick[1][first + k]) % (k + 1)
                extras.append((position, first + k, _row(columns, dates, k, True)))
            out = merge_lines(lines, extras)
            handle.write(b"\n".join(out) + b"\n")
            written += len(out)
    return written


def _row(c: Columns, dates: list[str], k: int, stale: bool) -> bytes:
    """One CSV row (``stale``: the earlier version of a corrected order)."""
    pick = c["pick"]
    date = dates[k]
    if c["other_date"][k]:
        day_ms = YEAR_START_MS + c["day"][k] * MS_PER_DAY
        date = format_day(day_ms, _DATE_STYLES[pick[0][k] % len(_DATE_STYLES)])
    amount = c["value"][k] / 100
    if stale:  # the order was corrected later: the earlier value was 50-90% of it
        amount = round(amount * (0.5 + 0.4 * (pick[1][k] % 1000) / 1000), 2)
    order_id = c["order_id"][k]
    cells = [str(order_id - 1), date, str(c["customer_id"][k]), str(order_id), repr(amount)]
    code = c["code"][k]
    if code == _UNTYPEABLE:
        if pick[1][k] % 3 == 0:
            cells[1] = _UNTYPEABLE_DATES[pick[0][k] % len(_UNTYPEABLE_DATES)]
        else:
            cells[4] = _UNTYPEABLE_SALES[pick[0][k] % len(_UNTYPEABLE_SALES)]
    elif code == _WRONG_COUNT:
        if pick[1][k] % 2 == 0:
            cells.append("EUR")
        else:
            del cells[2]
    elif code == _MISSING:
        cells[4 if pick[1][k] % 2 == 0 else 2] = ""
    elif code == _NEGATIVE:
        cells[4] = repr(-amount)
    elif code == _ZERO:
        cells[4] = "0.0"
    return ",".join(cells).encode("ascii")
