"""A small, hand-written set of exports in every layout the loader accepts.

Each file mixes good records with the defects real exports have; the tests
compare what lands with the counts this module states independently of the
loader.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import bson
from bson import Decimal128, Int64, ObjectId, json_util

from tests.loaders.shopify import HEADER, Line, Order, write_orders_export


@dataclass(frozen=True)
class Expected:
    """What a file holds: records, and how many of them must be rejected."""

    table: str
    records: int
    rejected: int


def _customers() -> list[str]:
    relaxed = json_util.RELAXED_JSON_OPTIONS
    canonical = json_util.CANONICAL_JSON_OPTIONS
    docs = [
        json_util.dumps(
            {
                "_id": ObjectId("65a1b2c3d4e5f60718293a01"),
                "customer_id": Int64(100001),
                "first_name": "Camille",
                "last_name": "Martin",
                "email": "Camille.Martin@Example.fr",
                "phone": "06 12 34 56 78",
                "age": 34,
                "country": " France ",
                "city": "Lyon",
                "gender": "F",
                "marketing_consent": True,
                "created_at": dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC),
            },
            json_options=canonical,
        ),
        json_util.dumps(
            {
                "customer_id": 100002,
                "first_name": "Jonas",
                "last_name": "Weber",
                "email": "jonas.weber@example",
                "age": "240",
                "country": "Frankreich",
                "marketing_consent": "yes",
                "created_at": "2024-06-01",
            },
            json_options=relaxed,
        ),
        '{"customer_id": "100003", "first_name": "Ana", "country": "ES", "age": -5, '
        '"created_at": "04.03.2025"}',
        "this line is not JSON at all",
        '{"first_name": "No", "last_name": "Key"}',
        '{"customer_id": "100002", "first_name": "Jonas", "city": "Berlin", "age": 41}',
        "",
        '{"customer_id": "100004", "age": "forty"}',
    ]
    return docs


def _transactions_bson() -> bytes:
    docs = [
        {
            "_id": ObjectId(),
            "transaction_id": f"TX-{n:08d}",
            "customer_id": Int64(100001 + n % 4),
            "product": "Wireless Earbuds Pro",
            "amount": Decimal128("129.00") if n % 2 else 129.0,
            "quantity": n % 3 + 1,
            "payment_method": "card",
            "discount_applied": 10.0 if n % 5 == 0 else None,
            "shipping_cost": "4.90",
            "timestamp": dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=n),
            **({"status": "refunded"} if n == 3 else {}),
        }
        for n in range(1, 21)
    ]
    docs.append({"transaction_id": "TX-BAD", "quantity": "many"})
    return b"".join(bson.encode(doc) for doc in docs)


def _campaigns_array() -> str:
    docs = [
        {
            "campaign_id": f"CMP-{n:04d}",
            "campaign_name": f"Spring {n}",
            "campaign_type": ["Email", "Display", "Search"][n % 3],
            "budget": 1000 * n,
            "spend": 900 * n,
            "impressions": 0 if n == 2 else 10000 * n,
            "clicks": 300 * n,
            "conversions": 0 if n == 3 else 12 * n,
            "start_date": {"$date": "2025-03-01T00:00:00Z"},
            "end_date": "2025/03/31",
        }
        for n in range(1, 6)
    ]
    lines = [json.dumps(doc) for doc in docs]
    lines.insert(2, '{"campaign_id": "CMP-9999", "budget": ')
    return "[" + ",\n".join(lines) + "]\n"


def _events() -> list[str]:
    lines = []
    for n in range(1, 41):
        event = {
            "event_id": f"ev-{n:06d}",
            "user_id": None if n % 4 == 0 else str(100001 + n % 3),
            "session_id": f"s-{n // 5}",
            "sequence_number": n % 5 + 1,
            "created_at": f"2025-02-0{n % 9 + 1}T10:{n:02d}:00Z",
            "event_type": ["home", "department", "product", "cart", "purchase"][n % 5],
            "traffic_source": "Email",
            "utm": {"source": "newsletter", "medium": "email", "campaign_id": "CMP-0001"},
            "uri": "/",
            "browser": "Firefox",
            "device": "mobile",
            "city": "Lyon",
            "country": "france",
            "properties": {"product": "Yoga Mat Premium", "price": "45.00", "quantity": 1},
        }
        lines.append(json.dumps(event))
    lines.insert(10, '{"event_id": "ev-broken", "utm": "newsletter"}')
    lines.insert(20, "}{")
    return lines


def _reviews() -> list[str]:
    return [
        json.dumps(
            {
                "review_id": f"RV-{n:07d}",
                "product": "Wireless Earbuds Pro",
                "customer_id": "100001",
                "rating": n % 5 + 1,
                "created_at": "2025-04-01T12:00:00Z",
                "title": "ok",
                "body": "Battery died after a week" if n % 2 else "Great",
                "tags": ["battery"] if n % 2 else [],
                "return_requested": n % 2 == 1,
            }
        )
        for n in range(1, 11)
    ] + ['{"review_id": "RV-bad", "tags": "battery"}']


SOCIAL = (
    "date,platform,category,topic,trend_category,mentions,engagement\n"
    "2025-01-01,TikTok,Audio,#earbuds,review,120,4500\n"
    "2025-01-01,Instagram,Audio,#earbuds,review,80,2100\n"
    "2025-01-02,TikTok,Audio,#earbuds,meme,not-a-number,10\n"
    "2025-01-02,TikTok,Audio\n"
    "2025-01-02,Reddit,Books,#booktok,drama,15,90\n"
)

MARKETPLACE = (
    "date;marketplace;product;category;units_sold;revenue\n"
    "2025-01-01;El Corte Inglés;Yoga Mat Premium;Sports & Outdoors;3;135,00\n"
    "2025-01-01;Amazon.de;Yoga Mat Premium;Sports & Outdoors;5;225,00\n"
    "02.01.2025;Amazon.de;Yoga Mat Premium;Sports & Outdoors;4;180,00\n"
)


SHOPIFY_ORDERS = [
    Order(
        "#1001",
        [Line("Yoga Mat Premium", 2, 45.0, sku="YM-1"), Line("Water Bottle", 1, 12.5)],
        shipping=4.9,
        taxes=3.2,
        discount_code="WELCOME10",
        discount_amount=10.0,
    ),
    Order(
        "#1002", [Line("Wireless Earbuds Pro", 1, 129.0)], email=None, financial_status="refunded"
    ),
    Order("#1003", [Line("Board Game Strategy", 3, 20.0)], financial_status="pending"),
]


def _shopify_export(root: Path) -> Path:
    """Three orders (four lines) in Shopify's layout, then a line whose quantity is a word."""
    path = write_orders_export(root, SHOPIFY_ORDERS)
    broken = Order("#1004", [Line("Yoga Mat Premium", 1, 45.0)]).rows()[0]
    broken["Lineitem quantity"] = "two"
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow([broken[column] for column in HEADER])
    return path


def write_exports(root: Path, shared_sales: Path | None = None) -> dict[str, Expected]:
    """Write the exports under ``root`` (with a copy of the shared sales export
    if given); return what each file holds."""
    (root / "mongo").mkdir(parents=True, exist_ok=True)
    (root / "json").mkdir(parents=True, exist_ok=True)
    (root / "csv").mkdir(parents=True, exist_ok=True)
    (root / "mongo/customers.json").write_text("\n".join(_customers()) + "\n", encoding="utf-8")
    (root / "mongo/transactions.bson").write_bytes(_transactions_bson())
    (root / "mongo/campaigns.json").write_text(_campaigns_array(), encoding="utf-8")
    (root / "json/events.jsonl.gz").write_bytes(gzip.compress(("\n".join(_events())).encode()))
    (root / "json/reviews.jsonl").write_text("\n".join(_reviews()) + "\n", encoding="utf-8")
    (root / "csv/social_trends.csv").write_bytes(b"\xef\xbb\xbf" + SOCIAL.encode("utf-8"))
    (root / "csv/marketplace_sales.csv").write_bytes(MARKETPLACE.encode("latin-1"))
    _shopify_export(root)
    expected = {
        "mongo/customers.json": Expected("customers", 7, 3),
        "mongo/transactions.bson": Expected("transactions", 21, 1),
        "mongo/campaigns.json": Expected("campaigns", 6, 1),
        "json/events.jsonl.gz": Expected("events", 42, 2),
        "json/reviews.jsonl": Expected("reviews", 11, 1),
        "csv/social_trends.csv": Expected("social_trends", 5, 2),
        "csv/marketplace_sales.csv": Expected("marketplace_sales", 3, 0),
        "shopify/orders_export_1.csv": Expected("shopify_orders", 5, 1),
    }
    if shared_sales is not None:
        shutil.copy(shared_sales, root / "csv/sales.csv")
        expected["csv/sales.csv"] = Expected("sales", 40_000, 0)
    return expected
