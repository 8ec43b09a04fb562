"""Transactions: purchase histories (kept as arrays) and ``mongo/transactions.json``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from . import params
from ._common import (
    D_DOT,
    D_ISO,
    D_SLASH_DMY,
    D_SLASH_YMD,
    FUTURE_END_MS,
    FUTURE_START_MS,
    MS_PER_DAY,
    MS_PER_HOUR,
    MS_PER_MINUTE,
    TS_EPOCH_MS,
    TS_ISO,
    TS_ISO_MS,
    TS_OFFSET,
    TS_SPACE,
    YEAR_END_MS,
    YEAR_START_MS,
    AnyArray,
    BoolArray,
    Calendar,
    Catalogue,
    Columns,
    Countries,
    FloatArray,
    IntArray,
    LineSink,
    assign_codes,
    bad_positions,
    choice,
    ejson_date,
    ejson_decimal,
    ejson_double,
    ejson_int,
    ejson_long,
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
    with_time_of_day,
)
from ._vocab import PAYMENT_METHODS, PAYMENT_SPELLINGS, PAYMENT_WEIGHTS
from .customers import Customers

CHUNK = 20_000
STATUSES = ("completed", "refunded", "cancelled")
#: Transactions happen between these instants (web sessions around them stay in 2025).
FIRST_MS = YEAR_START_MS + 3 * MS_PER_HOUR
LAST_MS = YEAR_END_MS - 2 * MS_PER_HOUR
SHIPPING_BY_REGION = {
    "Europe": 4.99,
    "North America": 5.99,
    "South America": 7.99,
    "Asia": 8.99,
    "Oceania": 8.99,
}
FREE_SHIPPING_FROM = 50.0
EXPRESS_SHIPPING = 9.99

_ID_TEXT, _AMOUNT_TEXT, _QTY_TEXT, _NEGATIVE, _ZERO, _MISSING, _NULL = range(1, 8)
_FUTURE, _DATE_ONLY, _OTHER_FORMAT = 1, 2, 3
_TIME_STYLES = (TS_ISO, TS_SPACE, TS_EPOCH_MS, TS_OFFSET, TS_ISO_MS)
_DATE_STYLES = (D_ISO, D_SLASH_YMD, D_DOT, D_SLASH_DMY)


@dataclass
class Transactions:
    """All transactions in timestamp order (transaction_id = position + 1)."""

    customer: AnyArray  # index into the customers (int32), -1 for unknown customers
    customer_id: AnyArray  # int32
    ts_ms: IntArray
    product: AnyArray  # int16
    unit_price: FloatArray
    quantity: AnyArray  # int16
    discount: FloatArray
    shipping: FloatArray
    status: AnyArray  # int8: 0 completed, 1 refunded, 2 cancelled
    payment: AnyArray  # int8
    web: BoolArray
    #: Transactions per customer (customer order), 0 for customers who do not buy.
    per_customer: IntArray

    @property
    def n(self) -> int:
        """Number of transactions."""
        return len(self.ts_ms)

    @property
    def amount(self) -> FloatArray:
        """Gross amount (unit price x quantity)."""
        return round_money(self.unit_price * self.quantity)


def product_weights(catalogue: Catalogue) -> tuple[FloatArray, FloatArray]:
    """Product popularity for customers without and with marketing consent.

    Consenting customers favour pricier products: their weights are tilted by
    ``price ** gamma`` with ``gamma`` chosen so that their mean price is
    ``CONSENT_SPEND_RATIO`` times the others' (planted truth 4).
    """
    price = catalogue.list_price
    base = 1.0 / np.sqrt(price)
    base[catalogue.index(params.LOW_RATED_PRODUCT)] *= 2.5
    base /= base.sum()
    # math.fsum rather than a BLAS dot product: the same bits on every CPU
    target = params.CONSENT_SPEND_RATIO * math.fsum((base * price).tolist())
    lo, hi = 0.0, 3.0

    def tilt(gamma: float) -> FloatArray:
        # scalar ** per product: no vectorised transcendental (bit-exact everywhere)
        out: FloatArray = base * np.array([p**gamma for p in price.tolist()])
        return out

    for _ in range(60):
        gamma = (lo + hi) / 2
        tilted = tilt(gamma)
        if math.fsum((tilted * price).tolist()) / math.fsum(tilted.tolist()) < target:
            lo = gamma
        else:
            hi = gamma
    tilted = tilt(lo)
    return base, tilted / tilted.sum()


def build(
    seed: int,
    scale: float,
    customers: Customers,
    catalogue: Catalogue,
    countries: Countries,
    calendar: Calendar,
) -> Transactions:
    """Draw every customer's purchases of 2025.

    Who buys and when is drawn first; the transactions are then sorted by time and
    the rest (product, basket, price, status...) is drawn in that order, in compact
    dtypes, so that scale 100 (1.5 million transactions) stays small in memory.
    """
    rng = stream(seed, "transactions")
    total = scaled(
        params.COUNTS_AT_SCALE_1["transactions"], scale, params.MINIMUM_COUNTS["transactions"]
    )
    n_unknown = exact_count(params.DEFECT_RATES["transactions"]["unknown_customer"], total)
    n_known = total - n_unknown
    nc = customers.n
    created = customers.created_ms

    # first purchase of 2025: existing customers early in the year, new ones soon after sign-up
    existing = created < YEAR_START_MS
    first_existing = calendar.to_ms(rng.beta(1.0, 1.6, nc))
    first_new = created + (rng.exponential(7.0, nc) * MS_PER_DAY).astype(np.int64)
    first = with_time_of_day(rng, np.where(existing, first_existing, first_new))
    first = np.maximum(first, created + 10 * MS_PER_MINUTE)
    eligible = (rng.random(nc) < params.BUYER_SHARE) & (first < LAST_MS - MS_PER_DAY)
    first = np.clip(first, FIRST_MS, LAST_MS)
    buyers = np.flatnonzero(eligible)
    if len(buyers) > n_known:
        buyers = np.sort(rng.choice(buyers, size=n_known, replace=False))
    nb = len(buyers)
    weights = rng.gamma(params.PURCHASE_FREQUENCY_SHAPE, 1.0, nb)
    counts = 1 + rng.multinomial(n_known - nb, weights / weights.sum())
    churn = (counts >= 2) & (rng.random(nb) < params.CHURN_SHARE)
    active_days = 14 + rng.exponential(params.CHURN_ACTIVE_DAYS, nb)
    end = np.where(
        churn,
        np.minimum(first[buyers] + (active_days * MS_PER_DAY).astype(np.int64), LAST_MS),
        LAST_MS,
    )
    end = np.maximum(end, first[buyers] + MS_PER_HOUR)
    per_customer = np.zeros(nc, dtype=np.int64)
    per_customer[buyers] = counts

    # one instant per purchase between the first purchase and the end of activity
    cust = np.repeat(buyers, counts).astype(np.int32)
    ts = calendar.between(rng, np.repeat(first[buyers], counts), np.repeat(end, counts))
    ts = with_time_of_day(rng, ts)
    first_of_buyer = np.cumsum(counts) - counts
    ts[first_of_buyer] = first[buyers]
    ts = np.clip(np.maximum(ts, created[cust] + 10 * MS_PER_MINUTE), FIRST_MS, LAST_MS)
    del first_existing, first_new, weights, churn, active_days, end

    # customers unknown to the customers export (ids just above the exported range)
    unknown_ids = int(customers.ids[-1]) + 1 + rng.integers(0, 5_000, n_unknown)
    unknown_ts = calendar.between(
        rng, np.full(n_unknown, FIRST_MS, np.int64), np.full(n_unknown, LAST_MS, np.int64)
    )
    unknown_ts = np.clip(with_time_of_day(rng, unknown_ts), FIRST_MS, LAST_MS)
    ts = np.concatenate([ts, unknown_ts])
    order = np.argsort(ts, kind="stable")
    ts = ts[order]
    customer = np.concatenate([cust, np.full(n_unknown, -1, np.int32)])[order]
    customer_id = np.concatenate([customers.ids[cust], unknown_ids]).astype(np.int32)[order]
    del cust, unknown_ts, order
    n = total
    known = customer >= 0

    # products: consenting customers pick pricier ones (planted truth 4)
    base, tilted = product_weights(catalogue)
    consent = known & customers.consent[np.maximum(customer, 0)]
    product = np.empty(n, np.int16)
    product[~consent] = rng.choice(len(base), size=int((~consent).sum()), p=base)
    product[consent] = rng.choice(len(tilted), size=int(consent.sum()), p=tilted)
    del consent

    # discounts lead to larger baskets (planted truth 3)
    discounted = rng.random(n) < params.DISCOUNTED_SHARE
    extra = np.where(discounted, params.EXTRA_UNITS_DISCOUNTED, params.EXTRA_UNITS_FULL_PRICE)
    quantity = (1 + rng.poisson(extra)).astype(np.int16)
    del extra
    unit_price = round_money(catalogue.list_price[product] * rng.uniform(0.92, 1.04, n))
    amount = round_money(unit_price * quantity)
    rate = np.asarray(params.DISCOUNT_RATES)[rng.integers(0, len(params.DISCOUNT_RATES), n)]
    discount = np.where(discounted, round_money(amount * rate), 0.0)
    del rate, discounted
    region_fee = np.array([SHIPPING_BY_REGION[r] for r in countries.regions])
    fee = np.where(
        known, region_fee[customers.country[np.maximum(customer, 0)]], SHIPPING_BY_REGION["Europe"]
    )
    fee = np.where(rng.random(n) < 0.1, EXPRESS_SHIPPING, fee)
    shipping = np.where(amount - discount >= FREE_SHIPPING_FROM, 0.0, fee)
    del fee, amount

    refund_share = np.where(
        product == catalogue.index(params.LOW_RATED_PRODUCT),
        params.LOW_RATED_REFUND_SHARE,
        params.STATUS_SHARES["refunded"],
    )
    u = rng.random(n)
    status = np.where(
        u < refund_share, 1, np.where(u < refund_share + params.STATUS_SHARES["cancelled"], 2, 0)
    ).astype(np.int8)
    del u, refund_share
    return Transactions(
        customer=customer,
        customer_id=customer_id,
        ts_ms=ts,
        product=product,
        unit_price=unit_price,
        quantity=quantity,
        discount=discount,
        shipping=shipping,
        status=status,
        payment=choice(rng, PAYMENT_WEIGHTS, n).astype(np.int8),
        web=known & (rng.random(n) < params.WEB_SESSION_SHARE),
        per_customer=per_customer,
    )


def transaction_id(position: int) -> str:
    """``TX-00000001`` for the first transaction."""
    return f"TX-{position + 1:08d}"


def write(path: Path, seed: int, tx: Transactions, catalogue: Catalogue) -> int:
    """Write ``mongo/transactions.json``; return the number of lines."""
    rng = stream(seed, "transactions_write")
    rates = params.DEFECT_RATES["transactions"]
    n = tx.n
    known = tx.customer >= 0
    codes = assign_codes(
        rng,
        n,
        [
            (_ID_TEXT, exact_count(rates["customer_id_as_string"], n), known),
            (_AMOUNT_TEXT, exact_count(rates["amount_as_string"], n), None),
            (_QTY_TEXT, exact_count(rates["quantity_as_string"], n), None),
            (_NEGATIVE, exact_count(rates["negative_amount"], n), None),
            (_ZERO, exact_count(rates["zero_amount"], n), None),
            (_MISSING, exact_count(rates["missing_field"], n), None),
            (_NULL, exact_count(rates["explicit_null"], n), None),
        ],
    )
    time_codes = assign_codes(
        rng,
        n,
        [
            (_FUTURE, exact_count(rates["future_timestamp"], n), ~tx.web),
            (_DATE_ONLY, exact_count(rates["timestamp_date_only"], n), ~tx.web),
            (_OTHER_FORMAT, exact_count(rates["timestamp_other_format"], n), None),
        ],
    )
    ts = np.where(time_codes == _FUTURE, rng.integers(FUTURE_START_MS, FUTURE_END_MS, n), tx.ts_ms)
    oid_seconds, oid_random = object_id_parts(rng, tx.ts_ms)
    columns = Columns(
        customer_id=tx.customer_id,
        product=tx.product,
        amount=tx.amount,
        quantity=tx.quantity,
        discount=tx.discount,
        shipping=tx.shipping,
        status=tx.status,
        payment=tx.payment,
        ts=ts,
        code=codes,
        time_code=time_codes,
        status_absent=assign_codes(
            rng, n, [(1, exact_count(rates["status_absent"], n), tx.status == 0)]
        ),
        payment_variant=assign_codes(
            rng, n, [(1, exact_count(rates["payment_spelling_variant"], n), None)]
        ),
        decimal=assign_codes(rng, n, [(1, exact_count(rates["amount_decimal128"], n), None)]),
        canonical=assign_codes(rng, n, [(1, exact_count(rates["canonical_ejson"], n), None)]),
        pick=rng.integers(0, 1_000_000, (3, n), dtype=np.int32),
        style=rng.integers(0, 1_000, n, dtype=np.int32),
    )
    duplicate = assign_codes(rng, n, [(1, exact_count(rates["duplicate_key"], n), None)])
    stale = stale_positions(duplicate, columns.arrays["pick"][1], CHUNK)
    bad = bad_positions(rng, n, max(1, exact_count(rates["non_json_line"], n)))
    writer = _Writer(columns, catalogue, oid_seconds, oid_random)
    with path.open("wb") as handle:
        sink = LineSink(handle)
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            writer.load(start, stop)
            emit_records(sink, start, stop, writer.line, stale, bad)
        return sink.close()


class _Writer:
    """Serialises transaction documents, one chunk of rows at a time."""

    def __init__(
        self, columns: Columns, catalogue: Catalogue, seconds: IntArray, randoms: IntArray
    ) -> None:
        self.c = columns
        self.catalogue = catalogue
        self.seconds, self.randoms = seconds, randoms
        self.oids: list[str] = []
        self.stale_oids: list[str] = []
        self.iso: list[str] = []

    def load(self, start: int, stop: int) -> None:
        self.c.load(start, stop)
        self.oids = object_ids(self.seconds[start:stop], self.randoms[start:stop])
        # the earlier version was inserted a second earlier
        self.stale_oids = object_ids(self.seconds[start:stop] - 1, self.randoms[start:stop] // 3)
        self.iso = iso_ms(self.c.arrays["ts"][start:stop])

    def line(self, i: int, stale: bool) -> bytes:
        return orjson.dumps(self.document(i, i - self.c.start, stale))

    def document(self, i: int, k: int, stale: bool) -> dict[str, Any]:
        c = self.c
        pick = c["pick"]
        canon = bool(c["canonical"][k])
        payment = c["payment"][k]
        method = PAYMENT_METHODS[payment]
        if c["payment_variant"][k]:
            spellings = PAYMENT_SPELLINGS[method]
            method = spellings[pick[0][k] % len(spellings)]
        status = c["status"][k]
        shipping = c["shipping"][k]
        amount = c["amount"][k]
        amount_value: Any = (
            ejson_decimal(amount) if c["decimal"][k] else ejson_double(amount, canon)
        )
        time_code = c["time_code"][k]
        when: Any
        if time_code == _DATE_ONLY:
            when = format_instant(c["ts"][k], _DATE_STYLES[c["style"][k] % len(_DATE_STYLES)])
        elif time_code == _OTHER_FORMAT:
            when = format_instant(c["ts"][k], _TIME_STYLES[c["style"][k] % len(_TIME_STYLES)])
        else:
            when = ejson_date(c["ts"][k], self.iso[k], canon)
        customer_id = c["customer_id"][k]
        doc: dict[str, Any] = {
            "_id": {"$oid": self.stale_oids[k] if stale else self.oids[k]},
            "transaction_id": transaction_id(i),
            "customer_id": ejson_long(customer_id, canon),
            "product": self.catalogue.products[c["product"][k]],
            "amount": amount_value,
            "quantity": ejson_int(c["quantity"][k], canon),
            "payment_method": method,
            "discount_applied": ejson_double(c["discount"][k], canon),
            "shipping_cost": ejson_double(shipping, canon),
            "timestamp": when,
            "status": STATUSES[status],
        }
        if c["status_absent"][k]:
            del doc["status"]
        code = c["code"][k]
        if code == _ID_TEXT:
            doc["customer_id"] = str(customer_id)
        elif code == _AMOUNT_TEXT:
            doc["amount"] = f"{amount:.2f}"
        elif code == _QTY_TEXT:
            doc["quantity"] = str(c["quantity"][k])
        elif code == _NEGATIVE:
            doc["amount"] = ejson_double(-amount, canon)
        elif code == _ZERO:
            doc["amount"] = ejson_double(0.0, canon)
        elif code in (_MISSING, _NULL):
            fields = ["payment_method", "shipping_cost"]
            if c["discount"][k] == 0:  # a missing discount must not hide a real one
                fields.append("discount_applied")
            name = fields[pick[2][k] % len(fields)]
            if code == _MISSING:
                del doc[name]
            else:
                doc[name] = None
        if stale:  # the earlier version differs in one field that the export has
            if status != 0:
                doc["status"] = "completed"  # refunded or cancelled since
            elif doc.get("payment_method") is not None and (
                pick[1][k] % 2 == 0 or doc.get("shipping_cost") is None
            ):
                doc["payment_method"] = PAYMENT_METHODS[(payment + 1) % len(PAYMENT_METHODS)]
            else:
                changed = EXPRESS_SHIPPING if shipping != EXPRESS_SHIPPING else 0.0
                doc["shipping_cost"] = ejson_double(changed, canon)
        return doc
