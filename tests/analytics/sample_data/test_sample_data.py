"""Tests of the sample-data generator (``analytics.sample_data``).

The files are read back the way an independent consumer would (json / orjson,
``bson.json_util`` for Extended JSON, ``csv`` with the right encoding and delimiter,
pandas for the analytics); the generator's internals are not used, only its public
``generate``, ``DEFECT_RATES`` and ``PLANTED_TRUTHS``. Each test says what it protects.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pytest
from bson import json_util
from bson.decimal128 import Decimal128

from analytics.sample_data import DEFECT_RATES, PLANTED_TRUTHS, generate
from loaders.contract import DATE_FORMATS, NULL_TOKENS, TABLES_BY_NAME

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "seeds"
HEC_SAMPLE = ROOT.parent / "shared" / "data" / "hec_sales_sample.csv"
FILES = (
    "mongo/customers.json",
    "mongo/transactions.json",
    "mongo/campaigns.json",
    "json/events.jsonl",
    "json/reviews.jsonl",
    "csv/sales.csv",
    "csv/social_trends.csv",
    "csv/marketplace_sales.csv",
)
UTC = dt.UTC
YEAR_2025 = (dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC))
FUTURE = dt.datetime(2027, 1, 1, tzinfo=UTC)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def scale1(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The default data set (scale 1, seed 42), generated once (about a second)."""
    out = tmp_path_factory.mktemp("scale1")
    return out, generate(out, scale=1, seed=42)


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A small data set (scale 0.1, seed 7)."""
    out = tmp_path_factory.mktemp("small")
    return out, generate(out, scale=0.1, seed=7)


@pytest.fixture(scope="session")
def data(scale1: tuple[Path, dict[str, int]]) -> Data:
    """The scale-1 files parsed and de-duplicated (the later record of a key wins)."""
    return Data(scale1[0])


# --- independent readers -------------------------------------------------------------------------


def read_mongo(path: Path) -> tuple[list[dict[str, Any]], int]:
    """Documents of a mongoexport file (JSON lines or --jsonArray) and the unparseable lines."""
    docs: list[dict[str, Any]] = []
    bad = 0
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines and lines[0] == "[":
        assert lines[-1] == "]"
        lines = lines[1:-1]
    for line in lines:
        text = line.rstrip().removesuffix(",")
        try:
            doc = json_util.loads(text)
        except (ValueError, TypeError):
            bad += 1
            continue
        assert isinstance(doc, dict)
        docs.append(doc)
    return docs, bad


def read_jsonl(path: Path) -> tuple[list[dict[str, Any]], int]:
    """Objects of a JSON-lines file and the lines that are not JSON objects."""
    docs: list[dict[str, Any]] = []
    bad = 0
    for line in path.read_bytes().splitlines():
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            bad += 1
            continue
        assert isinstance(doc, dict)
        docs.append(doc)
    return docs, bad


def read_csv(path: Path, encoding: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader)
        return header, list(reader)


def last_wins(docs: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """De-duplicate on a key: the later document of a key is the truth."""
    out: dict[str, dict[str, Any]] = {}
    for doc in docs:
        if doc.get(key) is None:
            continue
        out[as_id(doc[key])] = doc
    return out


def as_id(value: Any) -> str:
    """The contract's ``id`` typing: whole numbers and numeric strings become text."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def as_number(value: Any) -> float | None:
    """The contract's ``number`` typing (None: missing, NaN: untypeable)."""
    if value is None:
        return None
    if isinstance(value, Decimal128):
        return float(value.to_decimal())
    if isinstance(value, bool):
        return float("nan")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.lower() in NULL_TOKENS:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return float("nan")


def as_bool(value: Any) -> bool | None:
    """The contract's ``boolean`` typing."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "t"):
        return True
    if text in ("false", "0", "no", "n", "f"):
        return False
    raise AssertionError(f"not a boolean: {value!r}")


MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def as_timestamp(value: Any) -> dt.datetime | None:
    """The contract's ``timestamp`` typing, written independently of the generator."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):  # bson.json_util decoded a $date (naive UTC)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, int) and not isinstance(value, bool):
        digits = len(str(abs(value)))
        assert digits in (10, 13), value
        return dt.datetime.fromtimestamp(value / (1000 if digits == 13 else 1), tz=UTC)
    if isinstance(value, dict) and "$date" in value:  # plain JSON reader
        inner = value["$date"]
        if isinstance(inner, dict):
            return dt.datetime.fromtimestamp(int(inner["$numberLong"]) / 1000, tz=UTC)
        return as_timestamp(inner)
    text = str(value).strip()
    if re.fullmatch(r"\d{13}|\d{10}", text):
        return as_timestamp(int(text))
    iso = text.replace("Z", "+00:00")
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", iso):
        parsed = dt.datetime.fromisoformat(iso)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    day = as_date(text)
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC)


def as_date(text: str) -> dt.date:
    """The contract's ``date`` typing (raises ValueError when untypeable)."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


class Data:
    """The scale-1 files, parsed once for all tests."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.customer_docs, self.customer_bad = read_mongo(root / "mongo/customers.json")
        self.tx_docs, self.tx_bad = read_mongo(root / "mongo/transactions.json")
        self.campaign_docs, self.campaign_bad = read_mongo(root / "mongo/campaigns.json")
        self.event_docs, self.event_bad = read_jsonl(root / "json/events.jsonl")
        self.review_docs, self.review_bad = read_jsonl(root / "json/reviews.jsonl")
        self.customers = last_wins(self.customer_docs, "customer_id")
        self.tx = last_wins(self.tx_docs, "transaction_id")
        self.campaigns = last_wins(self.campaign_docs, "campaign_id")
        self.events = last_wins(self.event_docs, "event_id")
        self.reviews = last_wins(self.review_docs, "review_id")

    def consent(self) -> dict[str, bool]:
        """customer_id -> marketing consent."""
        out = {}
        for cid, doc in self.customers.items():
            value = doc.get("marketing_consent")
            if value is not None:
                out[cid] = bool(as_bool(value))
        return out

    def transactions_frame(self) -> pd.DataFrame:
        """Typed transactions (untypeable values as NaN)."""
        rows = []
        for tid, doc in self.tx.items():
            quantity = as_number(doc.get("quantity"))
            rows.append(
                {
                    "transaction_id": tid,
                    "customer_id": as_id(doc.get("customer_id")),
                    "product": doc.get("product"),
                    "amount": as_number(doc.get("amount")),
                    "quantity": quantity,
                    "discount": as_number(doc.get("discount_applied")),
                    "status": doc.get("status", "completed"),
                    "timestamp": as_timestamp(doc.get("timestamp")),
                }
            )
        return pd.DataFrame(rows)


def within(value: float, expected: float, tolerance: float) -> bool:
    """``value`` is within ``tolerance`` (relative) of ``expected``."""
    return abs(value - expected) <= tolerance * expected


# --- layout, counts, determinism ---------------------------------------------------------------


@pytest.mark.slow
def test_generate_writes_every_file_and_counts_its_records(
    scale1: tuple[Path, dict[str, int]],
) -> None:
    """Protects the return value: one entry per contract file, equal to the lines written."""
    root, counts = scale1
    assert tuple(counts) == FILES
    for name, count in counts.items():
        lines = (root / name).read_bytes().splitlines()
        if name == "mongo/campaigns.json":
            assert lines[0] == b"[" and lines[-1] == b"]"
            expected = len(lines) - 2
        elif name.endswith(".csv"):
            expected = len(lines) - 1
        else:
            expected = len(lines)
        assert count == expected, name
    # Every table of the project's own layout; Shopify's orders export is a shop's, not generated.
    for spec in TABLES_BY_NAME.values():
        if spec.name != "shopify_orders":
            assert (root / spec.globs[0]).exists(), spec.globs[0]


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    """Protects determinism: byte-identical files for (scale, seed); the seed matters."""
    first = generate(tmp_path / "a", scale=0.05, seed=3)
    second = generate(tmp_path / "b", scale=0.05, seed=3)
    other = generate(tmp_path / "c", scale=0.05, seed=4)
    assert first == second
    for name in FILES:
        data = (tmp_path / "a" / name).read_bytes()
        assert data == (tmp_path / "b" / name).read_bytes(), name
        assert data != (tmp_path / "c" / name).read_bytes(), name
    assert sum(other.values()) > 0


def test_existing_files_are_overwritten(tmp_path: Path) -> None:
    """Protects re-runs: a second run into the same folder replaces, never appends."""
    generate(tmp_path, scale=0.05, seed=1)
    before = {name: (tmp_path / name).read_bytes() for name in FILES}
    generate(tmp_path, scale=0.05, seed=1)
    assert before == {name: (tmp_path / name).read_bytes() for name in FILES}
    assert not list(tmp_path.rglob("*.partial"))


@pytest.mark.parametrize("scale", [0, -1])
def test_invalid_scale_is_refused(tmp_path: Path, scale: float) -> None:
    """Protects callers from silently writing empty data."""
    with pytest.raises(ValueError):
        generate(tmp_path, scale=scale)


def _unique_keys(root: Path) -> dict[str, int]:
    keys: dict[str, int] = {}
    for name, key in (
        ("mongo/customers.json", "customer_id"),
        ("mongo/transactions.json", "transaction_id"),
        ("mongo/campaigns.json", "campaign_id"),
    ):
        keys[name] = len(last_wins(read_mongo(root / name)[0], key))
    for name, key in (("json/events.jsonl", "event_id"), ("json/reviews.jsonl", "review_id")):
        keys[name] = len(last_wins(read_jsonl(root / name)[0], key))
    _, rows = read_csv(root / "csv/sales.csv", "ascii", ",")
    keys["csv/sales.csv"] = len({row[3] for row in rows if len(row) == 5})
    return keys


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "scale"), [("small", 0.1), ("scale1", 1.0)])
def test_counts_follow_the_scale(
    request: pytest.FixtureRequest, fixture: str, scale: float
) -> None:
    """Protects the documented counts: entities scale linearly, daily feeds by series."""
    root, counts = request.getfixturevalue(fixture)
    keys = _unique_keys(root)
    # a few records have their key in a defective line, hence the small tolerances
    assert keys["mongo/customers.json"] == round(5000 * scale)
    assert abs(keys["mongo/transactions.json"] - round(15000 * scale)) <= 2
    assert keys["mongo/campaigns.json"] == max(12, round(200 * scale))
    assert abs(keys["csv/sales.csv"] - round(40000 * scale)) <= 0.002 * 40000 * scale
    assert abs(keys["json/events.jsonl"] - 100_000 * scale) <= 0.002 * 100_000 * scale + 10
    assert keys["json/reviews.jsonl"] == round(5000 * scale)
    topics = max(1, round(2 * scale))
    marketplaces = max(2, round(3 * scale))
    assert within(counts["csv/social_trends.csv"], 365 * 6 * 9 * topics, 0.01)
    assert within(counts["csv/marketplace_sales.csv"], 365 * 40 * marketplaces, 0.01)


# --- formats ------------------------------------------------------------------------------------


def _contract_paths(table: str) -> set[tuple[str, ...]]:
    return {field.json_path for field in TABLES_BY_NAME[table].fields}


def _paths(doc: dict[str, Any], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for key, value in doc.items():
        if isinstance(value, dict) and value and not next(iter(value)).startswith("$"):
            out |= _paths(value, (*prefix, key))
        elif isinstance(value, dict) and not value:
            continue
        else:
            out.add((*prefix, key))
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("table", "name", "reader"),
    [
        ("customers", "mongo/customers.json", "mongo"),
        ("transactions", "mongo/transactions.json", "mongo"),
        ("campaigns", "mongo/campaigns.json", "mongo"),
        ("events", "json/events.jsonl", "jsonl"),
        ("reviews", "json/reviews.jsonl", "jsonl"),
    ],
)
def test_json_files_parse_and_only_use_contract_fields(
    scale1: tuple[Path, dict[str, int]], table: str, name: str, reader: str
) -> None:
    """Protects the JSON formats: Extended JSON / JSON lines, contract field names only,
    and a few (but at least one, well under 1%) lines that are not JSON."""
    root, counts = scale1
    if reader == "mongo":
        docs, bad = read_mongo(root / name)
    else:
        docs, bad = read_jsonl(root / name)
    assert 1 <= bad < 0.01 * counts[name] + 1
    allowed = _contract_paths(table)
    for doc in docs:
        assert _paths(doc) <= allowed, _paths(doc) - allowed


def test_mongo_files_mix_canonical_and_relaxed_extended_json(
    scale1: tuple[Path, dict[str, int]],
) -> None:
    """Protects the Extended JSON v2 mix the loader must read."""
    root, _ = scale1
    customers = (root / "mongo/customers.json").read_text(encoding="utf-8")
    transactions = (root / "mongo/transactions.json").read_text(encoding="utf-8")
    assert '"customer_id":{"$numberLong":"' in customers
    assert re.search(r'"customer_id":1\d{5},', customers)
    assert '"created_at":{"$date":{"$numberLong":"' in customers
    assert re.search(r'"created_at":\{"\$date":"20\d\d-\d\d-\d\dT', customers)
    assert '"$oid":"' in customers
    assert '"amount":{"$numberDecimal":"' in transactions
    assert '"amount":{"$numberDouble":"' in transactions
    assert re.search(r'"amount":\d+\.\d+,', transactions)


def test_csv_files_have_their_encodings_delimiters_and_headers(
    scale1: tuple[Path, dict[str, int]],
) -> None:
    """Protects the three CSV dialects: HEC sales, BOM + comma, Latin-1 + semicolon."""
    root, _ = scale1
    sales = (root / "csv/sales.csv").read_bytes()
    assert sales.startswith(b",Date,Customer ID,Order ID,Sales\n")
    sales.decode("ascii")
    social = (root / "csv/social_trends.csv").read_bytes()
    assert social.startswith(b"\xef\xbb\xbf")
    header, rows = read_csv(root / "csv/social_trends.csv", "utf-8-sig", ",")
    assert header == [f.name for f in TABLES_BY_NAME["social_trends"].fields]
    assert {row[1] for row in rows if len(row) == 7} == {
        "TikTok",
        "Instagram",
        "YouTube",
        "X",
        "Reddit",
        "Facebook",
    }
    market = (root / "csv/marketplace_sales.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        market.decode("utf-8")  # Latin-1 bytes of non-ASCII marketplace names
    header, rows = read_csv(root / "csv/marketplace_sales.csv", "latin-1", ";")
    assert header == [f.name for f in TABLES_BY_NAME["marketplace_sales"].fields]
    assert "El Corte Inglés" in {row[1] for row in rows}
    revenue = [row[5] for row in rows if len(row) == 6 and row[5]]
    assert sum(bool(re.fullmatch(r"\d+,\d\d", r)) for r in revenue) > 0.99 * len(revenue)


def test_sales_csv_has_the_hec_sample_format(scale1: tuple[Path, dict[str, int]]) -> None:
    """Protects the sales export format against the real sample: header, index = order - 1,
    ISO dates, integer ids, amounts written like pandas (at most 2 decimals)."""
    root, _ = scale1
    if HEC_SAMPLE.exists():
        with HEC_SAMPLE.open(encoding="ascii") as handle:
            assert handle.readline() == (root / "csv/sales.csv").open().readline()
    _, rows = read_csv(root / "csv/sales.csv", "ascii", ",")
    good = [row for row in rows if len(row) == 5]
    assert len(rows) - len(good) <= 0.001 * len(rows)
    assert all(int(row[0]) == int(row[3]) - 1 for row in good)
    iso = sum(bool(re.fullmatch(r"2025-\d\d-\d\d", row[1])) for row in good)
    assert iso > 0.98 * len(good)
    amounts = [row[4] for row in good if re.fullmatch(r"-?\d+\.\d{1,2}", row[4])]
    assert len(amounts) > 0.99 * len(good)
    orders = {int(row[3]) for row in good}
    assert len(set(range(1, max(orders) + 1)) - orders) <= 0.001 * len(rows)  # 1..N
    customers = {row[2] for row in good if row[2]}
    assert all(re.fullmatch(r"[1-9]\d{5}", c) for c in customers)


# --- realism ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_customers_have_country_consistent_cities_phones_and_spellings(data: Data) -> None:
    """Protects realism and the country-spelling defect: every spelling is a seed alias,
    each city belongs to one country, international phones carry the country's code."""
    aliases = pd.read_csv(SEEDS / "country_aliases.csv", keep_default_na=False)
    alias_code = dict(zip(aliases["alias"], aliases["country_code"], strict=True))
    countries = pd.read_csv(SEEDS / "countries.csv", keep_default_na=False)
    calling = dict(
        zip(countries["country_code"], countries["calling_code"].astype(str), strict=True)
    )
    city_countries: dict[str, set[str]] = {}
    variants = 0
    for doc in data.customers.values():
        country = doc.get("country")
        if country is None:
            continue
        code = alias_code[country.strip().lower()]
        variants += country not in set(countries["country_name"])
        if doc.get("city"):
            city_countries.setdefault(doc["city"], set()).add(code)
        phone = doc.get("phone") or ""
        if phone.startswith("+") and len(re.sub(r"\D", "", phone)) >= 8:
            assert phone[1:].replace(" ", "").startswith(calling[code]), (phone, code)
    assert all(len(codes) == 1 for codes in city_countries.values())
    assert len(city_countries) >= 100
    rate = DEFECT_RATES["customers"]["country_spelling_variant"]
    assert within(variants / len(data.customers), rate, 0.3)


@pytest.mark.slow
def test_events_form_consistent_sessions(data: Data) -> None:
    """Protects the session model: shared session attributes, sequence 1..n, increasing
    timestamps, funnel order, campaign types matching the traffic source."""
    type_of = {cid: doc["campaign_type"] for cid, doc in data.campaigns.items()}
    expected_types = {
        "Email": {"Email"},
        "Adwords": {"Search"},
        "Facebook": {"Social"},
        "Instagram": {"Social"},
        "YouTube": {"Video", "Display"},
        "Affiliate": {"Affiliate"},
    }
    sessions: dict[str, list[dict[str, Any]]] = {}
    for doc in data.events.values():
        sessions.setdefault(doc["session_id"], []).append(doc)
    funnel = {"home": 0, "department": 1, "product": 2, "cart": 3, "purchase": 4, "cancel": 5}
    anonymous = signed = 0
    for events in sessions.values():
        events.sort(key=lambda e: e["sequence_number"])
        assert [e["sequence_number"] for e in events] == list(range(1, len(events) + 1))
        assert len({e["traffic_source"] for e in events}) == 1
        assert len({json.dumps(e["utm"], sort_keys=True) for e in events}) == 1
        assert len({as_id(e["user_id"]) if e["user_id"] is not None else None for e in events}) == 1
        times = [as_timestamp(e["created_at"]) for e in events]
        assert all(a < b for a, b in itertools.pairwise(times))  # type: ignore[operator]
        steps = [funnel[e["event_type"]] for e in events]
        assert steps == sorted(steps)
        source = events[0]["traffic_source"]
        campaign = events[0]["utm"]["campaign_id"]
        if source in ("Organic", "Direct"):
            assert campaign is None
        else:
            assert type_of[campaign] in expected_types[source]
        if events[0]["user_id"] is None:
            anonymous += 1
        else:
            signed += 1
    assert anonymous > 0.3 * len(sessions) and signed > 0.2 * len(sessions)
    counts = Counter(e["event_type"] for e in data.events.values())
    # drop-off at every step of the funnel
    assert counts["product"] > counts["cart"] > counts["purchase"] > counts["cancel"] > 0


@pytest.mark.slow
def test_purchase_events_carry_a_transaction_of_the_same_customer(data: Data) -> None:
    """Protects the web <-> transaction link the attribution relies on."""
    tx = data.transactions_frame().set_index("transaction_id")
    catalogue = pd.read_csv(SEEDS / "product_catalogue.csv")
    list_price = dict(zip(catalogue["product"], catalogue["list_price"], strict=True))
    purchases = [e for e in data.events.values() if e["event_type"] == "purchase"]
    assert len(purchases) > 0.3 * len(tx)
    for event in purchases:
        props = event["properties"]
        row = tx.loc[props["transaction_id"]]
        assert as_id(event["user_id"]) == row["customer_id"]
        assert props["product"] == row["product"]
        assert as_number(props["quantity"]) == row["quantity"]
        price = as_number(props["price"])
        assert price is not None and 0.9 * list_price[props["product"]] <= price
        assert price <= 1.05 * list_price[props["product"]]
        if row["amount"] is not None and row["amount"] > 0:
            assert abs(price * row["quantity"] - row["amount"]) <= 0.01 * row["quantity"]
        delta = abs(as_timestamp(event["created_at"]) - row["timestamp"])  # type: ignore[operator]
        assert delta <= dt.timedelta(minutes=5)
    assert len({e["properties"]["transaction_id"] for e in purchases}) == len(purchases)


@pytest.mark.slow
def test_buyers_visit_from_several_channels_before_buying(data: Data) -> None:
    """Protects multi-touch journeys: repeat buyers' web purchases are preceded, within
    30 days, by visits from other channels."""
    sessions: dict[str, dict[str, Any]] = {}
    for e in data.events.values():
        if e["user_id"] is None:
            continue
        s = sessions.setdefault(
            e["session_id"],
            {
                "user": as_id(e["user_id"]),
                "start": None,
                "source": e["traffic_source"],
                "buy": None,
            },
        )
        t = as_timestamp(e["created_at"])
        if s["start"] is None or t < s["start"]:
            s["start"] = t
        if e["event_type"] == "purchase":
            s["buy"] = t
    frame = pd.DataFrame(sessions.values())
    tx = data.transactions_frame()
    repeat = set(tx["customer_id"].value_counts().loc[lambda c: c >= 2].index)
    buys = frame[frame["buy"].notna() & frame["user"].isin(repeat)]
    with_touch = other_channel = 0
    by_user = {user: group for user, group in frame.groupby("user")}
    for _, buy in buys.iterrows():
        group = by_user[buy["user"]]
        earlier = group[
            (group["start"] < buy["start"])
            & (group["start"] >= buy["start"] - pd.Timedelta(days=30))
        ]
        with_touch += len(earlier) > 0
        other_channel += bool((earlier["source"] != buy["source"]).any())
    assert with_touch > 0.6 * len(buys)
    assert other_channel > 0.4 * len(buys)


def test_purchase_histories_have_cohorts_repeat_buyers_and_churn(data: Data) -> None:
    """Protects the behaviour cohort, retention and churn analyses need."""
    tx = data.transactions_frame()
    tx = tx[tx["timestamp"].notna() & (tx["timestamp"] < FUTURE)]
    first = tx.groupby("customer_id")["timestamp"].min()
    months = first.map(lambda t: t.month).value_counts(normalize=True)
    assert len(months) == 12 and months.min() > 0.02
    per_customer = tx.groupby("customer_id").size()
    assert 0.2 < (per_customer == 1).mean() < 0.6
    assert (per_customer >= 5).mean() > 0.1
    last = tx.groupby("customer_id")["timestamp"].max()
    repeat = per_customer[per_customer >= 2].index
    quiet = (last[repeat] < dt.datetime(2025, 9, 1, tzinfo=UTC)).mean()
    assert quiet > 0.15
    statuses = tx["status"].value_counts(normalize=True)
    assert 0.02 < statuses["refunded"] < 0.1 and 0.01 < statuses["cancelled"] < 0.06


def test_transaction_prices_are_plausible_for_each_product(data: Data) -> None:
    """Protects realistic prices: unit price (amount / quantity) near the list price."""
    catalogue = pd.read_csv(SEEDS / "product_catalogue.csv")
    tx = data.transactions_frame().dropna(subset=["amount", "quantity"])
    tx = tx[tx["amount"] > 0].merge(catalogue, on="product", how="left")
    assert tx["list_price"].notna().all()
    ratio = tx["amount"] / tx["quantity"] / tx["list_price"]
    assert ratio.between(0.9, 1.05).all()
    assert tx.groupby("product").size().min() > 20


def test_reviews_are_mostly_written_by_buyers(data: Data) -> None:
    """Protects verified reviews: most reviewers bought the reviewed product before."""
    tx = data.transactions_frame()
    bought = set(zip(tx["customer_id"], tx["product"], strict=True))
    verified = sum((as_id(r["customer_id"]), r["product"]) in bought for r in data.reviews.values())
    assert verified > 0.85 * len(data.reviews)


def test_campaign_metrics_are_plausible(data: Data) -> None:
    """Protects campaign realism: CTR by type, spend near budget, dates in 2025."""
    rows = []
    for doc in data.campaigns.values():
        rows.append(
            {
                "type": doc["campaign_type"],
                "impressions": as_number(doc["impressions"]),
                "clicks": as_number(doc["clicks"]),
                "spend": as_number(doc["spend"]),
                "budget": as_number(doc.get("budget")),
                "start": as_timestamp(doc["start_date"]),
                "end": as_timestamp(doc["end_date"]),
            }
        )
    frame = pd.DataFrame(rows)
    ok = frame[(frame["impressions"] > frame["clicks"]) & (frame["clicks"] > 0)]
    ctr = ok.groupby("type").apply(lambda g: g["clicks"].sum() / g["impressions"].sum())
    assert ctr["Search"] > ctr["Display"] and ctr["Email"] > ctr["Display"]
    assert ctr.between(0.002, 0.06).all()
    with_budget = frame[frame["budget"].notna() & (frame["spend"] > 0)]
    assert (with_budget["spend"] <= 1.1 * with_budget["budget"]).mean() > 0.95
    assert (frame["start"] >= YEAR_2025[0]).all() and (frame["start"] < YEAR_2025[1]).all()
    ends = frame["end"].dropna()
    assert (ends < YEAR_2025[1]).all()
    assert (frame.dropna(subset=["end"]).eval("end >= start")).all()


def test_timestamps_stay_in_their_windows(data: Data) -> None:
    """Protects the fixed time window (independent of today's date) and the future defect."""

    def check(values: list[dt.datetime], low: dt.datetime, rate: float, n: int) -> None:
        future = [v for v in values if v >= FUTURE]
        rest = [v for v in values if v < FUTURE]
        assert all(low <= v < YEAR_2025[1] for v in rest)
        assert abs(len(future) - rate * n) <= max(2, 0.3 * rate * n)

    created = [as_timestamp(d.get("created_at")) for d in data.customer_docs]
    check(
        [c for c in created if c],
        dt.datetime(2023, 1, 1, tzinfo=UTC),
        DEFECT_RATES["customers"]["future_timestamp"],
        len(data.customer_docs),
    )
    stamps = [as_timestamp(d.get("timestamp")) for d in data.tx_docs]
    check(
        [t for t in stamps if t],
        YEAR_2025[0],
        DEFECT_RATES["transactions"]["future_timestamp"],
        len(data.tx_docs),
    )
    stamps = [as_timestamp(d["created_at"]) for d in data.event_docs]
    check(
        [t for t in stamps if t],
        YEAR_2025[0],
        DEFECT_RATES["events"]["future_timestamp"],
        len(data.event_docs),
    )
    stamps = [as_timestamp(d["created_at"]) for d in data.review_docs]
    check([t for t in stamps if t], YEAR_2025[0], 0.0, len(data.review_docs))


# --- defects ------------------------------------------------------------------------------------


def _rate(count: int, n: int) -> float:
    return count / n


def test_customer_defects_match_documented_rates(data: Data) -> None:
    """Protects the customers' defect rates (a loader test relies on their presence)."""
    rates = DEFECT_RATES["customers"]
    docs = data.customer_docs
    n = len(data.customers)
    ages = Counter(d.get("age") for d in docs)
    assert within(_rate(ages[-5], n), rates["age_negative"], 0.35)
    assert within(_rate(ages[240], n), rates["age_240"], 0.35)
    assert within(
        _rate(sum(isinstance(a, str) for a in ages.elements()), n), rates["age_as_string"], 0.3
    )
    email = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    invalid = sum(
        1 for d in docs if isinstance(d.get("email"), str) and not email.match(d["email"])
    )
    assert within(_rate(invalid, n), rates["invalid_email"], 0.3)

    def valid_phone(text: str) -> bool:
        digits = re.sub(r"\D", "", text)
        return (
            bool(re.fullmatch(r"\+?[\d\s().-]+", text))
            and 8 <= len(digits) <= 15
            and set(digits) != {"0"}
        )

    phones = [d["phone"] for d in docs if isinstance(d.get("phone"), str)]
    assert within(_rate(sum(not valid_phone(p) for p in phones), n), rates["invalid_phone"], 0.3)
    notations = Counter(
        "plus" if p.startswith("+") else "00" if p.startswith("00") else "national"
        for p in phones
        if valid_phone(p)
    )
    assert min(notations.values()) > 0.03 * len(phones)
    as_text = sum(isinstance(d.get("customer_id"), str) for d in docs)
    assert within(_rate(as_text, n), rates["customer_id_as_string"], 0.3)
    duplicates = len(docs) - n
    assert within(_rate(duplicates, n), rates["duplicate_key"], 0.2)
    nulls = sum(v is None for d in docs for k, v in d.items())
    assert within(_rate(nulls, n), rates["explicit_null"], 0.3)


def test_duplicates_differ_and_the_later_document_is_kept(data: Data) -> None:
    """Protects the duplicate defect: the same key twice, the versions differ."""
    for docs, key in (
        (data.customer_docs, "customer_id"),
        (data.tx_docs, "transaction_id"),
        (data.campaign_docs, "campaign_id"),
        (data.event_docs, "event_id"),
        (data.review_docs, "review_id"),
    ):
        seen: dict[str, list[dict[str, Any]]] = {}
        for doc in docs:
            seen.setdefault(as_id(doc[key]), []).append(doc)
        duplicated = [versions for versions in seen.values() if len(versions) > 1]
        assert duplicated, key
        for versions in duplicated:
            first, last = ({k: v for k, v in d.items() if k != "_id"} for d in versions[-2:])
            assert first != last, key


def test_transaction_defects_match_documented_rates(data: Data) -> None:
    """Protects the transactions' defect rates and the absent-status convention."""
    rates = DEFECT_RATES["transactions"]
    docs = data.tx_docs
    n = len(data.tx)
    known = set(data.customers)
    unknown = sum(as_id(d["customer_id"]) not in known for d in data.tx.values())
    assert within(_rate(unknown, n), rates["unknown_customer"], 0.2)
    absent = sum("status" not in d for d in data.tx.values())
    assert within(_rate(absent, n), rates["status_absent"], 0.2)
    amounts = [as_number(d.get("amount")) for d in data.tx.values()]
    assert within(
        _rate(sum(a is not None and a < 0 for a in amounts), n), rates["negative_amount"], 0.3
    )
    assert within(_rate(sum(a == 0 for a in amounts), n), rates["zero_amount"], 0.3)
    as_text = sum(isinstance(d.get("amount"), str) for d in docs)
    assert within(_rate(as_text, len(docs)), rates["amount_as_string"], 0.3)
    decimal = sum(isinstance(d.get("amount"), Decimal128) for d in docs)
    assert within(_rate(decimal, len(docs)), rates["amount_decimal128"], 0.2)
    untypeable = sum(a is not None and np.isnan(a) for a in amounts)
    assert untypeable == 0


def test_campaign_defects_are_present(data: Data) -> None:
    """Protects the campaign anomalies the data tests must catch."""
    rates = DEFECT_RATES["campaigns"]
    n = len(data.campaigns)
    frame = pd.DataFrame(
        [
            {k: as_number(d.get(k)) for k in ("impressions", "clicks", "conversions")}
            for d in data.campaigns.values()
        ]
    )
    assert (
        abs((frame["clicks"] > frame["impressions"]).sum() - rates["clicks_above_impressions"] * n)
        <= 1
    )
    assert abs((frame["impressions"] == 0).sum() - rates["zero_impressions"] * n) <= 1
    zero_clicks = (frame["clicks"] == 0) & (frame["impressions"] > 0)
    assert abs(zero_clicks.sum() - rates["zero_clicks"] * n) <= 1
    zero_conversions = (frame["conversions"] == 0) & (frame["clicks"] > 0)
    assert zero_conversions.sum() >= rates["zero_conversions"] * n - 1


@pytest.mark.slow
def test_csv_defects_are_rare_and_documented(scale1: tuple[Path, dict[str, int]]) -> None:
    """Protects the CSV defects: wrong field counts and untypeable values exist but stay
    well under 1% (the loader rejects exactly those rows)."""
    root, _ = scale1
    for name, encoding, delimiter, table in (
        ("csv/sales.csv", "ascii", ",", "sales"),
        ("csv/social_trends.csv", "utf-8-sig", ",", "social_trends"),
        ("csv/marketplace_sales.csv", "latin-1", ";", "marketplace_sales"),
    ):
        header, rows = read_csv(root / name, encoding, delimiter)
        types = [f.type for f in TABLES_BY_NAME[table].fields]
        wrong = [row for row in rows if len(row) != len(header)]
        untypeable = 0
        for row in rows:
            if len(row) != len(header):
                continue
            for value, kind in zip(row, types, strict=True):
                if value.strip().lower() in NULL_TOKENS:
                    continue
                if kind in ("number", "integer"):
                    number = as_number(value)
                    bad = (
                        number is None
                        or np.isnan(number)
                        or (kind == "integer" and not float(number).is_integer())
                    )
                elif kind == "date":
                    try:
                        as_date(value)
                        bad = False
                    except ValueError:
                        bad = True
                else:
                    bad = False
                if bad:
                    untypeable += 1
                    break
        rates = DEFECT_RATES[table]
        assert abs(len(wrong) - rates["wrong_field_count"] * len(rows)) <= 2, name
        assert abs(untypeable - rates["untypeable_value"] * len(rows)) <= 2, name
        assert 0 < len(wrong) + untypeable < 0.005 * len(rows), name


def test_every_other_record_is_typeable(data: Data) -> None:
    """Protects the loader contract: apart from documented non-JSON lines, every JSON
    value the contract types as number / timestamp can be typed."""
    for doc in data.tx.values():
        for field in ("amount", "discount_applied", "shipping_cost"):
            value = as_number(doc.get(field))
            assert value is None or not np.isnan(value)
        assert as_timestamp(doc.get("timestamp")) is not None
    for doc in data.events.values():
        as_timestamp(doc["created_at"])
        price = as_number(doc["properties"].get("price"))
        assert price is None or not np.isnan(price)
    for doc in data.reviews.values():
        as_timestamp(doc["created_at"])
        assert as_number(doc["rating"]) in (1, 2, 3, 4, 5)
        as_bool(doc["return_requested"])


# --- planted truths -----------------------------------------------------------------------------


def test_truth_low_rated_product_with_battery_complaints(data: Data) -> None:
    """Planted truth 1: one product has ~40% 1-2 star reviews (others ~10%), ~75% of them
    tagged battery, and more return requests."""
    truth = PLANTED_TRUTHS["low_rated_product"]
    frame = pd.DataFrame(
        [
            {
                "product": r["product"],
                "rating": int(as_number(r["rating"]) or 0),
                "tags": r.get("tags"),
                "returned": as_bool(r["return_requested"]),
            }
            for r in data.reviews.values()
        ]
    )
    frame["low"] = frame["rating"] <= 2
    frame["battery"] = frame["tags"].map(lambda t: isinstance(t, list) and "battery" in t)
    target = frame["product"] == truth["product"]
    low_share = frame.groupby(target)["low"].mean()
    assert within(low_share[True], truth["low_rating_share"], 0.2)
    assert within(low_share[False], truth["other_products_low_rating_share"], 0.2)
    per_product = frame.groupby("product")["low"].mean()
    assert per_product.idxmax() == truth["product"]
    assert low_share[True] > 3 * low_share[False]  # the effect itself, not only the constants
    tagged = frame[frame["tags"].map(lambda t: isinstance(t, list))]
    battery_low = tagged[(tagged["product"] == truth["product"]) & tagged["low"]]["battery"].mean()
    assert within(battery_low, truth["battery_tag_share_of_low_ratings"], 0.12)
    assert tagged[tagged["product"] != truth["product"]]["battery"].mean() < 0.03
    returns = frame.groupby(target)["returned"].mean()
    assert returns[True] > 2.5 * returns[False]


def test_truth_tiktok_mentions_lead_category_sales_by_seven_days(
    scale1: tuple[Path, dict[str, int]],
) -> None:
    """Planted truth 2: category units follow TikTok mentions of 7 days earlier; the
    cross-correlation peaks at lag 7 for TikTok and no other platform leads."""
    truth = PLANTED_TRUTHS["social_lead"]
    root, _ = scale1
    social = pd.read_csv(
        root / "csv/social_trends.csv", encoding="utf-8-sig", on_bad_lines="skip", dtype=str
    )
    social["mentions"] = pd.to_numeric(social["mentions"], errors="coerce")
    social["date"] = pd.to_datetime(social["date"], format="%Y-%m-%d", errors="coerce")
    social = social.dropna(subset=["mentions", "date"])
    social = social.drop_duplicates(["date", "platform", "category", "topic"], keep="last")
    market = pd.read_csv(
        root / "csv/marketplace_sales.csv",
        sep=";",
        encoding="latin-1",
        on_bad_lines="skip",
        dtype=str,
    )
    market["units_sold"] = pd.to_numeric(market["units_sold"], errors="coerce")
    market["date"] = pd.to_datetime(market["date"], format="%d.%m.%Y", errors="coerce")
    market = market.dropna(subset=["units_sold", "date"])
    market = market.drop_duplicates(["date", "marketplace", "product"], keep="last")
    units = market.pivot_table(index="date", columns="category", values="units_sold", aggfunc="sum")
    best: dict[str, tuple[int, float]] = {}
    for platform, rows in social.groupby("platform"):
        mentions = rows.pivot_table(
            index="date", columns="category", values="mentions", aggfunc="sum"
        ).reindex(units.index)
        curve = {}
        for lag in range(-14, 22):
            corr = [units[c].corr(mentions[c].shift(lag)) for c in units.columns]
            curve[lag] = float(np.nanmean(corr))
        lag = max(curve, key=lambda k: curve[k])
        best[str(platform)] = (lag, curve[lag])
    assert best[truth["platform"]][0] == truth["lag_days"] == 7
    assert best[truth["platform"]][1] > 0.5
    for platform, (_, corr) in best.items():
        if platform != truth["platform"]:
            assert corr < 0.2, (platform, corr)


def test_truth_discounts_come_with_larger_baskets(data: Data) -> None:
    """Planted truth 3: mean quantity ~2.5 when discounted, ~1.5 at full price."""
    truth = PLANTED_TRUTHS["discount_quantity"]
    tx = data.transactions_frame().dropna(subset=["quantity", "discount"])
    means = tx.groupby(tx["discount"] > 0)["quantity"].mean()
    assert within(means[True], truth["mean_quantity_discounted"], 0.08)
    assert within(means[False], truth["mean_quantity_full_price"], 0.08)
    assert means[True] - means[False] > 0.8  # the effect itself, not only the constants


def test_truth_consenting_customers_spend_more(
    data: Data, scale1: tuple[Path, dict[str, int]]
) -> None:
    """Planted truth 4: ~30% higher average amount with marketing consent, both in the
    transactions and in the sales CSV for the customers it shares with Mongo."""
    truth = PLANTED_TRUTHS["consent_spend"]
    consent = data.consent()
    tx = data.transactions_frame()
    tx = tx[(tx["amount"] > 0) & tx["customer_id"].isin(consent)]
    tx["consent"] = tx["customer_id"].map(consent)
    means = tx.groupby("consent")["amount"].mean()
    assert within(means[True] / means[False], truth["transactions_amount_ratio"], 0.08)
    assert means[True] / means[False] > 1.2  # the effect itself, not only the constants

    sales = pd.read_csv(scale1[0] / "csv/sales.csv", on_bad_lines="skip", dtype=str)
    sales["Sales"] = pd.to_numeric(sales["Sales"], errors="coerce")
    sales = sales.drop_duplicates("Order ID", keep="last")
    sales = sales[(sales["Sales"] > 0) & sales["Customer ID"].isin(consent)]
    shared_share = len(sales) / 40_000
    assert 0.6 < shared_share < 0.8
    sales["consent"] = sales["Customer ID"].map(consent)
    means = sales.groupby("consent")["Sales"].mean()
    assert within(means[True] / means[False], truth["sales_csv_value_ratio"], 0.08)
    assert means[True] / means[False] > 1.2


def test_truth_email_converts_better_than_display(data: Data) -> None:
    """Planted truth 5: conversions / clicks ~8% for Email and ~2% for Display."""
    truth = PLANTED_TRUTHS["campaign_conversion"]
    frame = pd.DataFrame(
        [
            {
                "type": d["campaign_type"],
                "clicks": as_number(d["clicks"]),
                "conversions": as_number(d["conversions"]),
            }
            for d in data.campaigns.values()
        ]
    )
    totals = frame.groupby("type")[["clicks", "conversions"]].sum()
    rate = totals["conversions"] / totals["clicks"]
    assert within(rate["Email"], truth["email_conversion_rate"], 0.15)
    assert within(rate["Display"], truth["display_conversion_rate"], 0.2)
    assert rate.idxmax() == "Email" and rate.idxmin() == "Display"
    assert rate["Email"] > 3 * rate["Display"]  # the effect itself, not only the constants


def test_truths_hold_at_a_small_scale(small: tuple[Path, dict[str, int]]) -> None:
    """Protects 'hold at every scale': the robust truths are visible at scale 0.1 too."""
    small_data = Data(small[0])
    tx = small_data.transactions_frame().dropna(subset=["quantity", "discount"])
    means = tx.groupby(tx["discount"] > 0)["quantity"].mean()
    assert means[True] - means[False] > 0.7
    consent = small_data.consent()
    tx = tx[(tx["amount"] > 0) & tx["customer_id"].isin(consent)]
    ratio = tx.groupby(tx["customer_id"].map(consent))["amount"].mean()
    assert ratio[True] / ratio[False] > 1.1


def test_rates_and_truths_are_documented() -> None:
    """Protects the documentation: every table's defects and every truth are in README."""
    readme = (ROOT / "analytics/sample_data/README.md").read_text(encoding="utf-8")
    for table, rates in DEFECT_RATES.items():
        assert table in readme
        for defect in rates:
            assert f"`{defect}`" in readme, (table, defect)
    for name in PLANTED_TRUTHS:
        assert f"`{name}`" in readme, name


#: A UTF-8 multi-byte sequence: in a Latin-1 file it reads as mojibake ("InglÃ©s").
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def latin1_text_problems(data: bytes) -> list[str]:
    """What makes ``data`` other than Latin-1 text of names and words.

    Decoding as Latin-1 cannot fail (every byte is a character), so the check is on
    what it decodes to: no UTF-8 sequences, and no non-ASCII character but letters
    (no C1 control characters 0x80-0x9f, no stray symbols).
    """
    problems = [
        f"UTF-8 bytes {match.group()!r} at byte {match.start()}"
        for match in _UTF8_SEQUENCE.finditer(data)
    ][:3]
    odd = sorted(
        {char for char in data.decode("latin-1") if ord(char) > 127 and not char.isalpha()}
    )
    if odd:
        problems.append(f"non-letters outside ASCII: {odd}")
    return problems


def test_the_latin1_check_can_fail() -> None:
    latin1 = "01.02.2025;El Corte Inglés;Otto;zwölf\n"
    assert latin1_text_problems(latin1.encode("latin-1")) == []
    assert latin1_text_problems(latin1.encode("utf-8"))  # UTF-8 where Latin-1 belongs
    assert latin1_text_problems(b"Amazon;\x85;\x9f\n")  # C1 controls, e.g. cp1252 bytes
    assert latin1_text_problems("Señor Precio ©".encode("latin-1"))


def test_generated_text_is_valid_utf8_everywhere(scale1: tuple[Path, dict[str, int]]) -> None:
    """Protects readers: truncated lines are cut on character boundaries; the Latin-1
    marketplace file holds Latin-1 text, not UTF-8 or control bytes."""
    root, _ = scale1
    for name in FILES:
        if name != "csv/marketplace_sales.csv":
            (root / name).read_bytes().decode("utf-8")
    assert latin1_text_problems((root / "csv/marketplace_sales.csv").read_bytes()) == []
