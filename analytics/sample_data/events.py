"""Web analytics: sessions around the transactions and ``json/events.jsonl``.

Sessions are drawn first as compact arrays (one entry per session), sorted by start,
then expanded into events chunk by chunk so that memory stays bounded:

* a purchase session for each web transaction (its purchase event carries the
  transaction, within 90 seconds of its timestamp; a cancelled transaction adds a
  ``cancel`` event);
* earlier visits of the same buyer in the 30 days before each web purchase, from
  other channels (multi-touch journeys);
* one signed-in browsing session for some customers;
* anonymous sessions (``user_id`` null) until the events reach the target count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from . import params
from ._common import (
    FUTURE_END_MS,
    FUTURE_START_MS,
    MS_PER_DAY,
    MS_PER_HOUR,
    MS_PER_MINUTE,
    MS_PER_SECOND,
    TIME_STYLES,
    YEAR_END_MS,
    YEAR_START_MS,
    AnyArray,
    Calendar,
    Catalogue,
    Countries,
    IntArray,
    LineSink,
    assign_codes,
    bad_positions,
    choice,
    emit_records,
    exact_count,
    format_instant,
    iso_ms,
    round_money,
    scaled,
    slug,
    stale_positions,
    stream,
    uuids,
    with_time_of_day,
)
from ._vocab import (
    BROWSER_WEIGHTS,
    BROWSERS,
    COUNTRY_VOCAB,
    DEVICE_WEIGHTS,
    DEVICES,
    SOURCE_WEIGHTS_OTHER,
    SOURCE_WEIGHTS_PURCHASE,
    SOURCE_WEIGHTS_TOUCH,
    TRAFFIC_SOURCES,
    UTM_MEDIUMS,
    UTM_SOURCES,
)
from .campaigns import Campaigns, campaign_id
from .customers import Customers
from .transactions import Transactions, product_weights, transaction_id

HOME, DEPARTMENT, PRODUCT, CART, PURCHASE, CANCEL = range(6)
EVENT_TYPES = ("home", "department", "product", "cart", "purchase", "cancel")
KIND_PURCHASE, KIND_TOUCH, KIND_BROWSE, KIND_ANONYMOUS = range(4)
MAX_VIEWS = 6
SESSIONS_PER_CHUNK = 10_000
#: Sessions start after this and end before the year does.
FIRST_MS = YEAR_START_MS + MS_PER_HOUR
LAST_MS = YEAR_END_MS - 3 * MS_PER_HOUR

#: P(landing on home, department, product) per traffic source (TRAFFIC_SOURCES order).
ENTRY_WEIGHTS: tuple[tuple[float, float, float], ...] = (
    (0.30, 0.30, 0.40),  # Email
    (0.15, 0.25, 0.60),  # Adwords
    (0.15, 0.25, 0.60),  # Facebook
    (0.10, 0.20, 0.70),  # Instagram
    (0.20, 0.30, 0.50),  # YouTube
    (0.10, 0.20, 0.70),  # Affiliate
    (0.50, 0.20, 0.30),  # Organic
    (0.80, 0.10, 0.10),  # Direct
)
#: P(home -> department), P(department -> product), P(product -> cart) without a purchase.
CONTINUE = (0.55, 0.60, 0.25)
#: P(viewing one more product) in browsing and in purchase sessions.
MORE_VIEWS_BROWSING = 0.35
MORE_VIEWS_PURCHASE = 0.45
#: Campaign type (CAMPAIGN_TYPES index) per traffic source; -1: no campaign.
SOURCE_CAMPAIGN_TYPE = (0, 2, 1, 1, 5, 4, -1, -1)
YOUTUBE, DISPLAY_TYPE, DISPLAY_SHARE_OF_YOUTUBE = 4, 3, 0.3
#: Share of signed-in sessions seen from another place than the customer's city.
ELSEWHERE_SHARE = 0.05

_MISSING, _NULL, _UID_TEXT, _NUM_TEXT, _COUNTRY, _FUTURE, _TS_OTHER = range(1, 8)
_OPTIONAL = ("browser", "device", "city")
_NULLABLE = ("browser", "device", "city", "country")

Int8Array = npt.NDArray[np.int8]


SESSION_FIELDS = ("kind", "user", "tx", "anchor", "source", "entry", "depth", "views", "cancel")


@dataclass
class Sessions:
    """Every session, sorted by start (compact dtypes: millions fit in memory)."""

    kind: AnyArray  # int8
    user: AnyArray  # int32 customer index, -1 for anonymous visitors
    tx: AnyArray  # int32 transaction index of purchase sessions, else -1
    anchor: IntArray  # purchase sessions: the purchase event; others: the first event
    source: AnyArray  # int8 index into TRAFFIC_SOURCES
    entry: AnyArray  # int8
    depth: AnyArray  # int8
    views: AnyArray  # int8
    cancel: AnyArray  # bool

    @property
    def n(self) -> int:
        """Number of sessions."""
        return len(self.kind)


def _shape(
    rng: np.random.Generator, source: AnyArray, purchase: bool
) -> tuple[Int8Array, Int8Array, Int8Array]:
    """Landing step, deepest funnel step and product views of each session."""
    n = len(source)
    cdf = np.cumsum(np.asarray(ENTRY_WEIGHTS), axis=1)
    u = rng.random(n)
    entry = ((u > cdf[source, 0]).astype(np.int8) + (u > cdf[source, 1])).astype(np.int8)
    del u
    if purchase:
        depth = np.full(n, 4, np.int8)
        more = MORE_VIEWS_PURCHASE
    else:
        depth = entry.copy()
        go = np.ones(n, dtype=bool)
        for step, p in enumerate(CONTINUE):
            go &= (depth > step) | (rng.random(n) < p)
            depth[go & (depth == step)] = step + 1
        more = MORE_VIEWS_BROWSING
    views = np.minimum(rng.geometric(1 - more, n), MAX_VIEWS).astype(np.int8)
    return entry, depth, views


def _event_count(entry: AnyArray, depth: AnyArray, views: AnyArray, cancel: AnyArray) -> IntArray:
    entry = entry.astype(np.int64)
    depth = depth.astype(np.int64)
    return np.asarray(
        (entry == 0).astype(np.int64)
        + ((entry <= 1) & (depth >= 1))
        + np.where(depth >= 2, views, 0)
        + (depth >= 3)
        + (depth >= 4)
        + cancel,
        dtype=np.int64,
    )


#: Anonymous sessions are drawn in batches of at most this many (bounded memory).
ANONYMOUS_BATCH = 500_000


def build(
    seed: int,
    scale: float,
    customers: Customers,
    tx: Transactions,
    calendar: Calendar,
) -> Sessions:
    """Draw every session of 2025 (see the module docstring)."""
    rng = stream(seed, "sessions")
    target = scaled(params.COUNTS_AT_SCALE_1["events"], scale, params.MINIMUM_COUNTS["events"])
    parts: list[Sessions] = []

    # purchase sessions
    ptx = np.flatnonzero(tx.web)
    p_user = tx.customer[ptx]
    p_anchor = tx.ts_ms[ptx] + rng.integers(-90 * MS_PER_SECOND, 90 * MS_PER_SECOND + 1, len(ptx))
    p_source = choice(rng, SOURCE_WEIGHTS_PURCHASE, len(ptx)).astype(np.int8)
    parts.append(
        _part(rng, KIND_PURCHASE, p_user, ptx, p_anchor, p_source, tx.status[ptx] == 2, True)
    )

    # earlier visits of the buyer in the 30 days before the purchase
    repeat = tx.per_customer[p_user] >= 2
    n_touch = rng.poisson(
        np.where(repeat, params.TOUCHES_REPEAT_BUYER, params.TOUCHES_ONE_TIME_BUYER)
    )
    window = np.minimum(30 * MS_PER_DAY, p_anchor - FIRST_MS - MS_PER_HOUR)
    n_touch = np.where(window > 2 * MS_PER_HOUR, n_touch, 0)
    parent = np.repeat(np.arange(len(ptx)), n_touch)
    offset = rng.uniform(MS_PER_HOUR, window[parent]).astype(np.int64)
    t_source = choice(rng, SOURCE_WEIGHTS_TOUCH, len(parent)).astype(np.int8)
    none = np.full(len(parent), -1, np.int32)
    parts.append(
        _part(rng, KIND_TOUCH, p_user[parent], none, p_anchor[parent] - offset, t_source,
              np.zeros(len(parent), bool), False)
    )  # fmt: skip
    del ptx, p_user, p_anchor, p_source, repeat, n_touch, window, parent, offset, t_source, none

    # signed-in browsing without a web purchase
    n_browse = exact_count(params.BROWSING_CUSTOMER_SHARE, customers.n)
    b_user = np.sort(rng.choice(customers.n, size=n_browse, replace=False))
    b_start = np.maximum(customers.created_ms[b_user] + 5 * MS_PER_MINUTE, FIRST_MS)
    keep = b_start < LAST_MS - MS_PER_DAY
    b_user, b_start = b_user[keep], b_start[keep]
    b_anchor = with_time_of_day(rng, calendar.between(rng, b_start, np.full(len(b_user), LAST_MS)))
    b_anchor = np.clip(b_anchor, b_start, LAST_MS)
    b_source = choice(rng, SOURCE_WEIGHTS_OTHER, len(b_user)).astype(np.int8)
    parts.append(
        _part(rng, KIND_BROWSE, b_user, np.full(len(b_user), -1), b_anchor, b_source,
              np.zeros(len(b_user), bool), False)
    )  # fmt: skip

    # anonymous sessions until the target number of events is reached
    remaining = target - sum(
        int(_event_count(p.entry, p.depth, p.views, p.cancel).sum()) for p in parts
    )
    while remaining > 0:
        batch = min(ANONYMOUS_BATCH, remaining // 2 + 100)
        a_source = choice(rng, SOURCE_WEIGHTS_OTHER, batch).astype(np.int8)
        entry, depth, views = _shape(rng, a_source, False)
        total = np.cumsum(_event_count(entry, depth, views, np.zeros(batch, np.int64)))
        take = min(batch, int(np.searchsorted(total, remaining)) + 1)
        remaining -= int(total[take - 1])
        a_anchor = calendar.between(
            rng, np.full(take, FIRST_MS, np.int64), np.full(take, LAST_MS, np.int64)
        )
        a_anchor = np.clip(with_time_of_day(rng, a_anchor), FIRST_MS, LAST_MS)
        parts.append(
            Sessions(
                kind=np.full(take, KIND_ANONYMOUS, np.int8),
                user=np.full(take, -1, np.int32),
                tx=np.full(take, -1, np.int32),
                anchor=a_anchor,
                source=a_source[:take],
                entry=entry[:take],
                depth=depth[:take],
                views=views[:take],
                cancel=np.zeros(take, bool),
            )
        )

    # field by field, dropping the parts as they are merged (bounded peak memory)
    merged: dict[str, AnyArray] = {}
    for name in SESSION_FIELDS:
        merged[name] = np.concatenate([getattr(p, name) for p in parts])
        for p in parts:
            setattr(p, name, None)
    del parts
    sessions = Sessions(**merged)
    del merged
    # sort by approximate start (purchase sessions end around their anchor)
    start = sessions.anchor - np.where(sessions.kind == KIND_PURCHASE, 4 * 40 * MS_PER_SECOND, 0)
    order = np.argsort(start, kind="stable")
    del start
    for name in SESSION_FIELDS:
        setattr(sessions, name, getattr(sessions, name)[order])
    return sessions


#: The traffic source ``rare_source`` makes rare (TRAFFIC_SOURCES index: Affiliate).
RARE_SOURCE = 5


def make_rare(sessions: Sessions, seed: int, keep: int, source: int = RARE_SOURCE) -> None:
    """Leave only ``keep`` sessions landing from ``source``; the others land elsewhere.

    The kept sessions are drawn at random among those of ``source``; every other one
    gets a source drawn with the weights of the other sessions (``SOURCE_WEIGHTS_OTHER``
    without ``source``), from the stream ``rare_source`` alone, so nothing else of the
    output changes. A benchmark's rare channel: a few sessions among hundreds of
    thousands give a traffic-source table with a tiny expected count.
    """
    if keep < 0:
        raise ValueError(f"the rare source keeps a non-negative number of sessions, not {keep}")
    rng = stream(seed, "rare_source")
    members = np.flatnonzero(sessions.source == source)
    if len(members) <= keep:
        return
    kept = rng.choice(len(members), size=keep, replace=False)
    moved = np.delete(members, kept)
    weights = np.array(SOURCE_WEIGHTS_OTHER, dtype=np.float64)
    weights[source] = 0.0
    sessions.source[moved] = choice(rng, weights, len(moved)).astype(sessions.source.dtype)


def _part(
    rng: np.random.Generator,
    kind: int,
    user: AnyArray,
    tx: AnyArray,
    anchor: IntArray,
    source: Int8Array,
    cancel: AnyArray,
    purchase: bool,
) -> Sessions:
    entry, depth, views = _shape(rng, source, purchase)
    return Sessions(
        kind=np.full(len(user), kind, np.int8),
        user=np.asarray(user, np.int32),
        tx=np.asarray(tx, np.int32),
        anchor=np.asarray(anchor, np.int64),
        source=source,
        entry=entry,
        depth=depth,
        views=views,
        cancel=np.asarray(cancel, bool),
    )


def write(
    path: Path,
    seed: int,
    sessions: Sessions,
    customers: Customers,
    tx: Transactions,
    campaigns: Campaigns,
    catalogue: Catalogue,
    countries: Countries,
) -> int:
    """Write ``json/events.jsonl``; return the number of lines."""
    base_weights, _ = product_weights(catalogue)
    category = catalogue.product_category
    by_category = np.argsort(category, kind="stable")
    cat_count = np.bincount(category, minlength=len(catalogue.categories))
    cat_offset = np.concatenate([[0], np.cumsum(cat_count)])
    product_uri = [f"/product/{slug(p)}" for p in catalogue.products]
    department_uri = [f"/department/{slug(c)}" for c in catalogue.categories]
    vocab = [COUNTRY_VOCAB[code] for code in countries.codes]
    country_weights = [v.weight for v in vocab]
    with path.open("wb") as handle:
        sink = LineSink(handle)
        for chunk, first in enumerate(range(0, sessions.n, SESSIONS_PER_CHUNK)):
            rng = stream(seed, "events_write", chunk)
            sl = slice(first, min(sessions.n, first + SESSIONS_PER_CHUNK))
            _chunk(
                sink, rng, chunk, sessions, sl, customers, tx, campaigns, catalogue, countries,
                base_weights, by_category, cat_count, cat_offset, product_uri, department_uri,
                vocab, country_weights,
            )  # fmt: skip
        return sink.close()


def _chunk(
    sink: LineSink,
    rng: np.random.Generator,
    chunk: int,
    sessions: Sessions,
    sl: slice,
    customers: Customers,
    tx: Transactions,
    campaigns: Campaigns,
    catalogue: Catalogue,
    countries: Countries,
    base_weights: npt.NDArray[np.float64],
    by_category: IntArray,
    cat_count: IntArray,
    cat_offset: IntArray,
    product_uri: list[str],
    department_uri: list[str],
    vocab: list[Any],
    country_weights: list[float],
) -> None:
    kind = sessions.kind[sl].astype(np.int64)
    user = sessions.user[sl].astype(np.int64)
    txi = sessions.tx[sl].astype(np.int64)
    anchor = sessions.anchor[sl]
    source = sessions.source[sl].astype(np.int64)
    entry = sessions.entry[sl].astype(np.int64)
    depth = sessions.depth[sl].astype(np.int64)
    views = sessions.views[sl].astype(np.int64)
    cancel = sessions.cancel[sl]
    m = len(kind)
    category = catalogue.product_category
    purchase = kind == KIND_PURCHASE
    signed = user >= 0

    # --- per session ---
    session_ids = uuids(rng, m)
    device = choice(rng, DEVICE_WEIGHTS, m)
    browser = choice(rng, BROWSER_WEIGHTS, m)
    elsewhere = ~signed | (rng.random(m) < ELSEWHERE_SHARE)
    country = np.where(signed, customers.country[np.maximum(user, 0)], 0)
    city = np.where(signed, customers.city[np.maximum(user, 0)], 0)
    other_country = choice(rng, country_weights, m)
    city_draw = rng.random(m)
    other_city = np.array(
        [
            int(u * len(vocab[c].cities))
            for c, u in zip(other_country.tolist(), city_draw.tolist(), strict=True)
        ],
        dtype=np.int64,
    )
    country = np.where(elsewhere, other_country, country)
    city = np.where(elsewhere, other_city, city)
    ctype = np.asarray(SOURCE_CAMPAIGN_TYPE)[source]
    ctype = np.where(
        (source == YOUTUBE) & (rng.random(m) < DISPLAY_SHARE_OF_YOUTUBE), DISPLAY_TYPE, ctype
    )
    day = (anchor - YEAR_START_MS) // MS_PER_DAY
    campaign = np.where(ctype >= 0, campaigns.pick(rng, np.maximum(ctype, 0), day), -1)
    utm_pick = rng.integers(0, 1_000, m)
    main = np.where(
        purchase,
        tx.product[np.maximum(txi, 0)],
        rng.choice(len(base_weights), size=m, p=base_weights),
    )
    main_price = np.where(
        purchase,
        tx.unit_price[np.maximum(txi, 0)],
        round_money(catalogue.list_price[main] * rng.uniform(0.92, 1.04, m)),
    )
    main_qty = np.where(purchase, tx.quantity[np.maximum(txi, 0)], 1 + rng.poisson(0.3, m))

    # --- per event: the steps of each session in order ---
    columns = np.array([HOME, DEPARTMENT] + [PRODUCT] * MAX_VIEWS + [CART, PURCHASE, CANCEL])
    view_no = np.array([0, 0, *range(MAX_VIEWS), 0, 0, 0])
    mask = np.zeros((m, len(columns)), dtype=bool)
    mask[:, 0] = entry == 0
    mask[:, 1] = (entry <= 1) & (depth >= 1)
    for v in range(MAX_VIEWS):
        mask[:, 2 + v] = (depth >= 2) & (views > v)
    mask[:, 2 + MAX_VIEWS] = depth >= 3
    mask[:, 3 + MAX_VIEWS] = depth >= 4
    mask[:, 4 + MAX_VIEWS] = cancel
    per_session = mask.sum(axis=1)
    steps = np.broadcast_to(columns, mask.shape)[mask]
    view = np.broadcast_to(view_no, mask.shape)[mask]
    owner = np.repeat(np.arange(m), per_session)
    e = len(steps)
    first_event = np.concatenate([[0], np.cumsum(per_session)[:-1]])
    seq = np.arange(e) - first_event[owner] + 1

    # timing: seconds between events; the purchase event sits on the session's anchor
    gaps = np.clip(rng.lognormal(math.log(35_000), 0.8, e), 3_000, 900_000).astype(np.int64)
    gaps = np.where(steps == CANCEL, rng.integers(2 * MS_PER_MINUTE, 30 * MS_PER_MINUTE, e), gaps)
    gaps[first_event] = 0
    within = np.cumsum(gaps)
    within -= within[first_event][owner]
    purchase_pos = first_event + per_session - 1 - cancel.astype(np.int64)
    base = np.where(purchase, anchor - within[np.minimum(purchase_pos, e - 1)], anchor)
    ts = base[owner] + within

    # products: the last product view, the cart and the purchase show the session's product
    is_main = (steps >= CART) | ((steps == PRODUCT) & (view == views[owner] - 1))
    cat = category[main][owner]
    other = by_category[cat_offset[cat] + (rng.random(e) * cat_count[cat]).astype(np.int64)]
    product = np.where(is_main, main[owner], other)
    price = np.where(
        is_main,
        main_price[owner],
        round_money(catalogue.list_price[product] * rng.uniform(0.92, 1.04, e)),
    )

    # --- defects ---
    rates = params.DEFECT_RATES["events"]
    priced = (steps == PRODUCT) | (steps == CART) | (steps == PURCHASE)
    single = per_session[owner] == 1
    codes = assign_codes(
        rng,
        e,
        [
            (_FUTURE, exact_count(rates["future_timestamp"], e), single),
            (_MISSING, exact_count(rates["missing_field"], e), None),
            (_NULL, exact_count(rates["explicit_null"], e), None),
            (_UID_TEXT, exact_count(rates["user_id_as_string"], e), signed[owner]),
            (_NUM_TEXT, exact_count(rates["number_as_string"], e), priced),
            (_COUNTRY, exact_count(rates["country_spelling_variant"], e), None),
            (_TS_OTHER, exact_count(rates["timestamp_other_format"], e), None),
        ],
    )
    ts = np.where(codes == _FUTURE, rng.integers(FUTURE_START_MS, FUTURE_END_MS, e), ts)
    duplicate = assign_codes(rng, e, [(1, exact_count(rates["duplicate_key"], e), None)])
    n_bad = exact_count(rates["non_json_line"], e)
    if chunk == 0:
        n_bad = max(1, n_bad)
    bad = bad_positions(rng, e, n_bad)
    pick = rng.integers(0, 1_000_000, (2, e)).tolist()
    event_ids = uuids(rng, e)
    iso = iso_ms(ts)

    # --- session-level values shared by the events ---
    utms: list[dict[str, Any]] = []
    for s_source, s_campaign, s_pick, s_type in zip(
        source.tolist(), campaign.tolist(), utm_pick.tolist(), ctype.tolist(), strict=True
    ):
        name = TRAFFIC_SOURCES[s_source]
        options = UTM_SOURCES[name]
        medium = "display" if s_type == DISPLAY_TYPE else UTM_MEDIUMS[name]
        utms.append({
            "source": options[s_pick % len(options)],
            "medium": medium,
            "campaign_id": campaign_id(s_campaign) if s_campaign >= 0 else None,
        })  # fmt: skip
    user_ids = np.where(signed, customers.ids[np.maximum(user, 0)], -1).tolist()
    source_l = source.tolist()
    device_l, browser_l = device.tolist(), browser.tolist()
    country_l, city_l = country.tolist(), city.tolist()
    txi_l, main_qty_l = txi.tolist(), main_qty.tolist()
    main_cat_l = category[main].tolist()

    owner_l, steps_l, seq_l = owner.tolist(), steps.tolist(), seq.tolist()
    product_l, price_l, ts_l = product.tolist(), price.tolist(), ts.tolist()
    codes_l = codes.tolist()

    def event(i: int, stale: bool) -> dict[str, Any]:
        s = owner_l[i]
        step = steps_l[i]
        code = codes_l[i]
        uid: Any = user_ids[s] if user_ids[s] >= 0 else None
        when: Any = iso[i]
        if code == _TS_OTHER:
            when = format_instant(ts_l[i], TIME_STYLES[pick[0][i] % len(TIME_STYLES)])
        properties: dict[str, Any]
        if step == HOME:
            uri, properties = "/", {}
        elif step == DEPARTMENT:
            uri, properties = department_uri[main_cat_l[s]], {}
        elif step == PRODUCT:
            uri = product_uri[product_l[i]]
            properties = {"product": catalogue.products[product_l[i]], "price": price_l[i]}
        elif step == CART:
            uri = "/cart"
            properties = {
                "product": catalogue.products[product_l[i]],
                "price": price_l[i],
                "quantity": main_qty_l[s],
            }
        elif step == PURCHASE:
            uri = "/checkout/confirmation"
            properties = {
                "product": catalogue.products[product_l[i]],
                "price": price_l[i],
                "quantity": main_qty_l[s],
                "transaction_id": transaction_id(txi_l[s]),
            }
        else:
            uri = f"/account/orders/{transaction_id(txi_l[s])}/cancel"
            properties = {
                "product": catalogue.products[product_l[i]],
                "quantity": main_qty_l[s],
                "transaction_id": transaction_id(txi_l[s]),
            }
        c = country_l[s]
        device_i, browser_i = device_l[s], browser_l[s]
        doc: dict[str, Any] = {
            "event_id": event_ids[i],
            "user_id": uid,
            "session_id": session_ids[s],
            "sequence_number": seq_l[i],
            "created_at": when,
            "event_type": EVENT_TYPES[step],
            "traffic_source": TRAFFIC_SOURCES[source_l[s]],
            "utm": utms[s],
            "uri": uri,
            "browser": BROWSERS[browser_i],
            "device": DEVICES[device_i],
            "city": vocab[c].cities[city_l[s]],
            "country": countries.names[c],
            "properties": properties,
        }
        if code == _MISSING:
            del doc[_OPTIONAL[pick[1][i] % len(_OPTIONAL)]]
        elif code == _NULL:
            doc[_NULLABLE[pick[1][i] % len(_NULLABLE)]] = None
        elif code == _UID_TEXT:
            doc["user_id"] = str(uid)
        elif code == _NUM_TEXT:
            if "quantity" in properties and pick[1][i] % 2:
                properties["quantity"] = str(properties["quantity"])
            else:
                properties["price"] = f"{price_l[i]:.2f}"
        elif code == _COUNTRY:
            spellings = countries.spellings[c]
            doc["country"] = spellings[pick[1][i] % len(spellings)]
        if stale:  # the earlier version saw another device or browser
            if doc.get("device") is not None and (pick[1][i] % 2 or doc.get("browser") is None):
                doc["device"] = DEVICES[(device_i + 1) % len(DEVICES)]
            else:
                doc["browser"] = BROWSERS[(browser_i + 1) % len(BROWSERS)]
        return doc

    stale = stale_positions(duplicate, pick[0], e)
    emit_records(sink, 0, e, lambda i, old: orjson.dumps(event(i, old)), stale, bad)
