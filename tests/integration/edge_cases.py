"""A small hand-written export set that reaches the documented rules the generator does not.

The sample generator exercises most rules at realistic rates, but never writes an
uncatalogued product, a planned or unknown campaign, a discount above the amount, a
month without revenue, a far-future order that must not move the as-of date, or
amounts with a third decimal. These files do, one record per rule, in the layout of
the raw input contract. Every record says what it is for.
"""

from __future__ import annotations

import json
from pathlib import Path


def _oid(number: int) -> dict[str, str]:
    return {"$oid": f"{number:024x}"}


def _lines(documents: list[dict | str]) -> str:
    return "".join(
        (item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)) + "\n"
        for item in documents
    )


CUSTOMERS: list[dict | str] = [
    # all caps first name, all lowercase last name: title-cased; an alias with blanks
    {"_id": _oid(1), "customer_id": 100001, "first_name": "JEAN-LUC", "last_name": "o'brien",
     "country": " U.S.A. ", "city": "  New   York ", "gender": "M", "marketing_consent": "yes",
     "created_at": {"$date": "2024-01-02T03:04:05Z"}},
    # no last name, unknown country, consent absent (false)
    {"_id": _oid(2), "customer_id": {"$numberLong": "100002"}, "first_name": "ana   maria",
     "country": "Atlantis", "created_at": "2024-02-03"},
    # a stale version of 100003 (the later one below wins)
    {"_id": _oid(3), "customer_id": "100003", "first_name": "Ian", "last_name": "McDonald",
     "country": "FR", "city": "Paris", "marketing_consent": True},
    # buys only in the sales CSV; accents in an all-caps name
    {"_id": _oid(4), "customer_id": 100004, "first_name": "ÉLODIE", "last_name": "Ducret",
     "country": "france", "marketing_consent": "N"},
    "connected to: mongodb://localhost/",
    {"_id": _oid(5), "customer_id": "100003", "first_name": "Ian", "last_name": "McDonald",
     "country": "españa", "city": None, "marketing_consent": 0},
    # no name, no country, created in the future
    {"_id": _oid(6), "customer_id": 100005, "country": None, "marketing_consent": "TRUE",
     "created_at": {"$date": {"$numberLong": "1861920000000"}}},
    # an age that is not a number: the whole document is rejected
    {"_id": _oid(7), "customer_id": 100006, "age": "forty", "country": "Germany"},
]  # fmt: skip


def _transaction(number: int, transaction_id: str, **values: object) -> dict:
    return {"_id": _oid(1000 + number), "transaction_id": transaction_id, **values}


TRANSACTIONS: list[dict | str] = [
    # a catalogue name in other case and blanks; decimal comma; discount and shipping absent
    _transaction(1, "TX-01", customer_id=100001, product=" wireless EARBUDS pro ",
                 amount="12,50", quantity=1, payment_method="Credit Card",
                 timestamp={"$date": "2025-01-10T10:00:00Z"}, status="Completed"),
    # an uncatalogued product; status absent (completed)
    _transaction(2, "TX-02", customer_id=100001, product="Mystery Gadget", amount=100.0,
                 quantity="2", discount_applied=10.0, shipping_cost=4.99,
                 timestamp="2025-01-15 08:00:00"),
    _transaction(3, "TX-03", customer_id=100002, product="Espresso Machine", amount=349.0,
                 quantity=1, timestamp="2025-03-02T09:00:00Z", status="refunded"),
    _transaction(4, "TX-04", customer_id=100002, product="Espresso Machine", amount=349.0,
                 quantity=1, timestamp="2025-03-02T10:00:00Z", status="CANCELLED"),
    # a status outside the three: not revenue
    _transaction(5, "TX-05", customer_id=100002, product="Air Fryer XL", amount=119.0,
                 quantity=1, timestamp="2025-03-02T11:00:00Z", status="on hold"),
    # discount above the amount: total below zero, not revenue
    _transaction(6, "TX-06", customer_id=100001, product="Leather Belt", amount=10.0,
                 quantity=1, discount_applied=20.0, shipping_cost=0.0,
                 timestamp="2025-03-03T10:00:00Z", status="completed"),
    _transaction(7, "TX-07", customer_id=100001, product="Leather Belt", amount=0.0,
                 quantity=1, timestamp="2025-03-03T11:00:00Z", status="completed"),
    _transaction(8, "TX-08", customer_id=100001, product="Leather Belt", amount=-5.0,
                 quantity=1, timestamp="2025-03-03T12:00:00Z", status="completed"),
    # a customer the customers export does not have: still revenue
    _transaction(9, "TX-09", customer_id=999999, product="Air Fryer XL", amount=119.0,
                 quantity=1, timestamp="2025-03-05T10:00:00Z", status="completed"),
    # no customer: revenue of the month, of nobody
    _transaction(10, "TX-10", customer_id=None, product="Leather Belt", amount=50.0,
                 quantity=1, timestamp="2025-03-05T11:00:00Z", status="completed"),
    # epoch milliseconds; Decimal128
    _transaction(11, "TX-11", customer_id=100003, product="Cotton T-Shirt",
                 amount={"$numberDecimal": "19.99"}, quantity=1, timestamp=1743465600000,
                 status="completed"),
    # an offset that moves the UTC date into the next month; third decimals
    _transaction(12, "TX-12", customer_id=100003, product="Cotton T-Shirt", amount=10.005,
                 quantity=1, discount_applied=0.004, shipping_cost=2.995,
                 timestamp="2025-03-31T23:30:00-02:00", status="completed"),
    # in the future: not revenue
    _transaction(13, "TX-13", customer_id=100001, product="Wool Scarf", amount=34.0,
                 quantity=1, timestamp="2029-05-05T10:00:00Z", status="completed"),
    # completed first, refunded later: the later record wins
    _transaction(14, "TX-14", customer_id=100001, product="Wool Scarf", amount=80.0,
                 quantity=1, timestamp="2025-04-02T10:00:00Z", status="completed"),
    _transaction(15, "TX-15", customer_id=100001, product="Wool Scarf", amount=68.0,
                 quantity=2, discount_applied=None, timestamp="2025-04-03T10:00:00Z"),
    _transaction(16, "TX-14", customer_id=100001, product="Wool Scarf", amount=80.0,
                 quantity=1, timestamp="2025-04-02T10:00:00Z", status="refunded"),
    # no time: not revenue
    _transaction(17, "TX-17", customer_id=100001, product="Wool Scarf", amount=34.0,
                 quantity=1, status="completed"),
    # no product: revenue without a product row
    _transaction(18, "TX-18", customer_id=100001, product=None, amount=30.0, quantity=1,
                 timestamp="2025-01-20T10:00:00Z", status="completed"),
    # an untypeable amount and a truncated line: rejected
    _transaction(19, "TX-19", customer_id=100001, product="Wool Scarf", amount="abc",
                 quantity=1, timestamp="2025-01-21T10:00:00Z"),
    '{"_id":{"$oid":"0000000000000000000007d0"},"transaction_id":"TX-20","custo',
    # a whole number written as a double; the latest valid order date
    _transaction(21, "TX-21", customer_id=100002.0, product="Wool Scarf", amount=34.0,
                 quantity=1, timestamp="2025-04-30T12:00:00+00:00", status="completed"),
    # a date-only DD.MM.YYYY timestamp
    _transaction(22, "TX-22", customer_id=100002, product="Wool Scarf", amount=45.0,
                 quantity=3, discount_applied=4.5, timestamp="04.03.2025",
                 status="completed"),
    # the customer whose document was rejected
    _transaction(23, "TX-23", customer_id=100006, product="Sneakers Classic", amount=99.0,
                 quantity=1, timestamp="2025-03-06T10:00:00Z", status="completed"),
]  # fmt: skip


def _campaign(number: int, campaign_id: str, **values: object) -> dict:
    return {"_id": _oid(2000 + number), "campaign_id": campaign_id, **values}


CAMPAIGNS: list[dict | str] = [
    # a stale draft of CMP-01
    _campaign(0, "CMP-01", campaign_name="Winter (draft)", campaign_type="Email", budget=1000.0,
              spend=640.0, impressions=8000, clicks=200, conversions=8,
              start_date={"$date": "2025-01-01T00:00:00Z"}, end_date="2025-04-30"),
    # ended before the as-of date: completed
    _campaign(1, "CMP-01", campaign_name="Winter", campaign_type="Email", budget=1000.0,
              spend=800.0, impressions=10000, clicks=250, conversions=10,
              start_date={"$date": "2025-01-01T00:00:00Z"}, end_date="2025-04-30"),
    # starts after the as-of date: planned; nothing delivered, every KPI null
    _campaign(2, "CMP-02", campaign_name="Summer", campaign_type="Search", budget=500.0,
              spend=0.0, impressions=0, clicks=0, conversions=0, start_date="2025/06/01",
              end_date="01.07.2025"),
    "stray text between the elements",
    # no start date: unknown; no click, no conversion
    _campaign(3, "CMP-03", campaign_name="No start", campaign_type="Display", budget=300.0,
              spend=100.0, impressions=5000, clicks=0, conversions=0, start_date=None,
              end_date="2025-03-01"),
    # no end date: active once started
    _campaign(4, "CMP-04", campaign_name="Open ended", campaign_type="social", budget=200.0,
              spend=50.0, impressions=1000, clicks=20, conversions=1,
              start_date="Mar 04, 2025", end_date=None),
    # spend above budget: overspent before any date rule
    _campaign(5, "CMP-05", campaign_name="Over", campaign_type="Video", budget=100.0,
              spend=150.5, impressions=2000, clicks=40, conversions=2,
              start_date="2025-01-01", end_date="2025-12-31"),
    # no budget; ends on the as-of date (active); CTR rounded half away from zero
    _campaign(6, "CMP-06", campaign_name="No budget", campaign_type="Affiliate", spend=10.0,
              impressions=16000, clicks=1, conversions=1, start_date="2025-02-01",
              end_date="2025-05-01"),
    # ends before it starts, more conversions than clicks
    _campaign(7, "CMP-07", campaign_name="Backwards", campaign_type="EMAIL", budget=100.0,
              spend=50.0, impressions=1000, clicks=10, conversions=20,
              start_date="2025-03-10", end_date="2025-03-01"),
    # an unknown type, blanks in the name, numbers as strings, more clicks than impressions
    _campaign(8, "CMP-08", campaign_name="  Spring   Sale  ", campaign_type="Podcast",
              budget="5400,50", spend="4321.10", impressions=900, clicks=950, conversions=3,
              start_date=1740787200000, end_date="20 Apr 2025"),
    # a negative budget
    _campaign(9, "CMP-09", campaign_name="Negative", campaign_type="Search", budget=-100.0,
              spend=20.0, impressions=100, clicks=10, conversions=1,
              start_date="2025-02-01", end_date="2025-02-28"),
    # an untypeable budget: rejected
    _campaign(10, "CMP-10", campaign_name="Typo", campaign_type="Email", budget="lots",
              spend=1.0, impressions=1, clicks=1, conversions=1, start_date="2025-02-01",
              end_date="2025-02-28"),
]  # fmt: skip


def _campaigns_file() -> str:
    rendered = [
        item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
        for item in CAMPAIGNS
    ]
    return "[\n" + ",\n".join(rendered) + "\n]\n"


def _sales_rows() -> list[str]:
    rows = []
    # 300 ordinary orders (January, March and April; no revenue at all in February) so
    # that the 99th percentile of order dates ignores the three far-away dates below.
    for number in range(300):
        month, day = ((1, 2 + number % 28), (3, 1 + number % 30), (4, 1 + number % 29))[number % 3]
        customer = ("900001", "900002", "900003", "100001", "100003")[number % 5]
        cents = 1000 + (number * 3701) % 20000
        rows.append(
            f"2025-{month:02d}-{day:02d},{customer},{number + 1},{cents // 100}.{cents % 100:02d}"
        )
    rows += [
        "2025-03-10,900004,5001,60.00",  # stale: the later row of order 5001 wins
        "2025-03-11,,5002,20.00",  # no customer
        "2025-03-11,900004,5003,",  # no amount
        "2025-03-11,900004,5004,-15.50",
        "2025-03-11,900004,5005,0.0",
        "04/03/2025,900005,5006,11.00",  # DD/MM/YYYY
        "20250305,900005,5007,12.345",  # YYYYMMDD; a third decimal
        '06 Mar 2025,900005,5008,"12,50"',  # DD Mon YYYY; quoted decimal comma
        '"Mar 07, 2025",900005,5009,13.00',  # quoted Mon DD, YYYY
        "2025/03/08, 900006 ,5010,14.00",  # YYYY/MM/DD; blanks around the id
        "09.03.2025,NULL,5011,15.00",  # a null token as customer
        "2025-03-09,900006,5012,n/a",  # a null token as amount
        "2025-03-10,900004,5001,100.00",
        "2025-03-12,100006,5013,40.00",  # the customer whose document was rejected
        "2025-03-13,100004,5021,21.00",  # a known customer who buys only in the CSV
        "2025-03-12,900007,5014,20.00,EUR",  # six fields: rejected
        "2025-03-12,900007,5015",  # four fields: rejected
        "2025-02-30,900007,5016,20.00",  # no such day: rejected
        "2025-03-12,900007,5017,#VALUE!",  # not a number: rejected
        "2025-04-30,900001,5018,77.70",  # the latest valid order date
        "2026-06-01,900001,5019,50.00",  # before the load day, far after the others
        "2030-01-01,900001,5020,60.00",  # after the load day
    ]
    return rows


def _sales_file() -> str:
    lines = [",Date,Customer ID,Order ID,Sales"]
    lines += [f"{index},{row}" for index, row in enumerate(_sales_rows())]
    return "\n".join(lines) + "\n"


REVIEWS: list[dict | str] = [
    {"review_id": "RV-1", "product": "Vintage Radio", "customer_id": 100001, "rating": 4,
     "created_at": "2025-02-01T10:00:00Z", "tags": ["price"], "return_requested": "no"},
    {"review_id": "RV-2", "product": "cotton  t-shirt", "customer_id": "100003", "rating": "5",
     "created_at": "2025-04-05T10:00:00Z", "tags": [], "return_requested": False},
    '{"review_id": "RV-3", "product": "Wool Sc',
]  # fmt: skip

EVENTS: list[dict | str] = [
    {"event_id": "EV-1", "user_id": None, "session_id": "S-1", "sequence_number": 1,
     "created_at": "2025-02-01T10:00:00.000Z", "event_type": "product",
     "traffic_source": "Organic", "utm": {"source": "google", "medium": "organic",
                                          "campaign_id": None},
     "uri": "/product/garden-hose-pro", "browser": "Firefox", "device": "desktop",
     "country": "Deutschland", "properties": {"product": "Garden Hose Pro", "price": 25.0}},
    {"event_id": "EV-2", "user_id": "100001", "session_id": "S-2", "sequence_number": 1,
     "created_at": "2025-02-02T10:00:00Z", "event_type": "product", "traffic_source": "Email",
     "utm": {"source": "newsletter", "medium": "email", "campaign_id": "CMP-01"},
     "uri": "/product/usb-c-charger-65w", "browser": "Chrome", "device": "mobile",
     "country": "uk", "properties": {"product": "USB-C CHARGER 65W", "price": "29.90"}},
    {"event_id": "EV-3", "user_id": None, "session_id": "S-3", "sequence_number": 1,
     "created_at": "2025-02-03T10:00:00Z", "event_type": "home", "traffic_source": "Direct",
     "utm": {"source": "(direct)", "medium": "(none)", "campaign_id": None}, "uri": "/",
     "browser": "Safari", "device": "tablet", "country": "France", "properties": {}},
]  # fmt: skip

MARKETPLACE_SALES = (
    "date;marketplace;product;category;units_sold;revenue\n"
    "2025-01-05;Amazon;Garden Gnome;Garden;3;29,97\n"
    "2025-01-05;Amazon;Wireless Earbuds Pro;Audio;2;258,00\n"
)


def write_edge_exports(root: Path) -> Path:
    """Write the edge-case exports under ``root`` (the raw input layout); return ``root``."""
    files = {
        "mongo/customers.json": _lines(CUSTOMERS),
        "mongo/transactions.json": _lines(TRANSACTIONS),
        "mongo/campaigns.json": _campaigns_file(),
        "csv/sales.csv": _sales_file(),
        "json/reviews.jsonl": _lines(REVIEWS),
        "json/events.jsonl": _lines(EVENTS),
        "csv/marketplace_sales.csv": MARKETPLACE_SALES,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
