"""A Shopify orders export alone gives the right marts on DuckDB and PostgreSQL (issue 10, §2).

The exports are written in Shopify's documented layout (``tests/loaders/shopify.py``: the
standard header, one row per line item, order-level fields on an order's first row only,
timestamps with the shop's offset): multi-line orders, discount codes, a free order, refunds,
a voided order, a guest checkout, a customer whose email is typed differently, several
billing countries, and an order exported again in a second file with other lines.

The marts are compared with a computation made here with pandas from the files on disk,
by the documented rules (``models/staging/shopify/_shopify__docs.md``): each order's latest
export (the later file), its first row's fields, revenue = Subtotal + Shipping once per
order, refunded and voided or cancelled orders not revenue, customers keyed by
``shopify-`` + the last 20 hex digits of sha256(salt || lowercase trimmed email), line
items sharing the order's revenue by price x quantity in whole cents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from tests.integration import expected
from tests.integration.conftest import SALT, Build, build_warehouse
from tests.integration.test_marts import MART_KEYS, assert_same_rows
from tests.loaders.shopify import Line, Order, write_orders_export
from tests.support import postgres

pytestmark = pytest.mark.slow

EASTERN = dt.timezone(dt.timedelta(hours=-5))
PARIS = dt.timezone(dt.timedelta(hours=1))


def _at(day: int, hour: int = 12, zone: dt.timezone = EASTERN, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, 0, tzinfo=zone)


FIRST_EXPORT = [
    # three lines, a discount code, shipping and taxes
    Order(
        "#1001",
        [
            Line("Yoga Mat Premium", 2, 45.0),
            Line("Wireless Earbuds Pro", 1, 129.0),
            Line("Gift", 1, 0.0),
        ],
        email="jane.doe@example.com",
        created_at=_at(3),
        discount_code="SPRING10",
        discount_amount=21.9,
        shipping=4.9,
        taxes=15.8,
        billing_country="US",
        accepts_marketing=True,
    ),
    # the same customer, email typed differently, later, paid
    Order(
        "#1002",
        [Line("Yoga Mat Premium", 1, 45.0)],
        email="  Jane.Doe@Example.com ",
        created_at=_at(20, 23),  # 04:00 UTC on the 21st
        shipping=0.0,
        billing_country="US",
    ),
    # refunded: not revenue
    Order(
        "#1003",
        [Line("Bluetooth Speaker Mini", 1, 49.9)],
        email="bob@example.org",
        created_at=_at(5),
        financial_status="refunded",
        billing_country="GB",
    ),
    # partially refunded: revenue (the refund includes taxes, it is not deducted)
    Order(
        "#1004",
        [Line("Smart Soundbar", 1, 299.0)],
        email="bob@example.org",
        created_at=_at(9),
        financial_status="partially_refunded",
        shipping=9.9,
        billing_country="GB",
    ),
    # voided: cancelled, not revenue
    Order(
        "#1005",
        [Line("Yoga Mat Premium", 3, 45.0)],
        email="carla@example.de",
        created_at=_at(12, zone=PARIS),
        financial_status="voided",
        billing_country="DE",
    ),
    # guest checkout without an email: revenue without a customer
    Order(
        "#1006",
        [Line("Wireless Earbuds Pro", 2, 129.0)],
        email=None,
        created_at=_at(14),
        billing_country="FR",
        shipping=5.0,
    ),
    # a free order (100% discount): a zero-value order of a customer
    Order(
        "#1007",
        [Line("Yoga Mat Premium", 1, 45.0)],
        email="dora@example.fr",
        created_at=_at(16, zone=PARIS),
        discount_code="FREE",
        discount_amount=45.0,
        billing_country="FR",
    ),
    # pending payment: revenue (an order placed)
    Order(
        "#1008",
        [Line("Smart Soundbar", 1, 299.0), Line("Bluetooth Speaker Mini", 2, 49.9)],
        email="carla@example.de",
        created_at=_at(2, month=4, zone=PARIS),
        financial_status="pending",
        billing_country="DE",
        accepts_marketing=True,
    ),
    # will be exported again with other lines
    Order(
        "#1009",
        [Line("Yoga Mat Premium", 1, 45.0)],
        email="erin@example.com",
        created_at=_at(18),
        billing_country="US",
    ),
]
SECOND_EXPORT = [
    # #1009 again, edited: two other lines (the later file wins, whole)
    Order(
        "#1009",
        [Line("Smart Soundbar", 1, 299.0), Line("Yoga Mat Premium", 2, 40.0)],
        email="erin@example.com",
        created_at=_at(18),
        shipping=7.5,
        billing_country="US",
    ),
    Order(
        "#1010",
        [Line("Noise Cancelling Headphones", 1, 249.0)],
        email="dora@example.fr",
        created_at=_at(25, month=4, zone=PARIS),
        billing_country="FR",
    ),
]


@pytest.fixture(scope="module")
def shopify_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shopify") / "raw"
    write_orders_export(root, FIRST_EXPORT, "orders_export_1.csv")
    write_orders_export(root, SECOND_EXPORT, "orders_export_2.csv")
    return root


def _build(target: str, source: Path, scratch: Path) -> Iterator[Build]:
    database = postgres.create_database("marketing_shopify") if target == "postgres" else None
    try:
        yield build_warehouse(target, source, scratch, database)
    finally:
        if database is not None:
            postgres.drop_database(database["PGDATABASE"])


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def shopify_build(
    request: pytest.FixtureRequest, shopify_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Build]:
    if request.param == "postgres":
        request.getfixturevalue("postgres_server")
    scratch = tmp_path_factory.mktemp(f"shopify_{request.param}")
    yield from _build(request.param, shopify_source, scratch)


# --- the independent computation -------------------------------------------------------------


def _cents(text: str) -> int | None:
    return None if text.strip() == "" else round(float(text) * 100)


def _utc(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z").astimezone(dt.UTC)


def customer_id(email: str) -> str | None:
    normalised = email.strip().lower()
    if not normalised:
        return None
    return "shopify-" + hashlib.sha256((SALT + normalised).encode()).hexdigest()[-20:]


def read_exports(source: Path) -> pd.DataFrame:
    """Every row of every export file, as text, with its file and position."""
    frames = []
    for path in sorted((source / "shopify").glob("orders_export*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["_file"] = path.name
        frame["_row"] = range(len(frame))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def latest_orders(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of each order's latest export: the later file (one load)."""
    latest_file = rows.groupby("Name")["_file"].transform("max")
    return rows[rows["_file"] == latest_file].sort_values(["Name", "_row"])


def expected_orders(source: Path, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(orders in expected.py's shape, lines with their revenue share in cents)."""
    lines = latest_orders(read_exports(source))
    orders, shares = [], []
    for name, group in lines.groupby("Name", sort=True):
        first = group.iloc[0]
        status = (
            "cancelled"
            if first["Financial Status"] == "voided" or first["Cancelled at"]
            else "refunded"
            if first["Financial Status"] == "refunded"
            else "completed"
        )
        subtotal, shipping = _cents(first["Subtotal"]), _cents(first["Shipping"]) or 0
        total = subtotal + shipping
        date = _utc(first["Created at"]).date()
        orders.append(
            {
                "order_source": "shopify",
                "order_id": name,
                "customer_id": customer_id(first["Email"]),
                "order_date": date,
                "total": total,
                "is_revenue": status == "completed" and subtotal >= 0 and date <= as_of,
                "status": status,
                "country_code": first["Billing Country"] or None,
                "accepts_marketing": first["Accepts Marketing"] == "yes",
                "order_at": _utc(first["Created at"]),
            }
        )
        gross = [
            int(q) * _cents(p)  # type: ignore[operator]
            for q, p in zip(group["Lineitem quantity"], group["Lineitem price"], strict=True)
        ]
        parts = [total * g // sum(gross) if sum(gross) else total // len(gross) for g in gross]
        parts[-1] = total - sum(parts[:-1])
        for (_, line), part in zip(group.iterrows(), parts, strict=True):
            shares.append(
                {
                    "order_id": name,
                    "product": line["Lineitem name"],
                    "quantity": int(line["Lineitem quantity"]),
                    "total": part,
                    "customer_id": customer_id(first["Email"]),
                    "is_revenue": orders[-1]["is_revenue"],
                }
            )
    return pd.DataFrame(orders, dtype=object), pd.DataFrame(shares, dtype=object)


def expected_customers(orders: pd.DataFrame, seeds: expected.Seeds) -> pd.DataFrame:
    """dim_customers' Shopify buyers: country and consent of their latest order."""
    lookup = seeds.country_lookup()
    rows = []
    buyers = orders[orders["customer_id"].notna()].sort_values(["order_at", "order_id"])
    for customer, group in buyers.groupby("customer_id"):
        latest = group.iloc[-1]
        code, name = lookup.get(expected.lookup_key(latest["country_code"]) or "", (None, None))
        rows.append(
            {
                "customer_id": customer,
                "full_name": None,
                "country_code": code,
                "country": name,
                "city": None,
                "has_marketing_consent": bool(latest["accepts_marketing"]),
            }
        )
    return pd.DataFrame(rows, dtype=object)


@pytest.fixture(scope="module")
def wanted(shopify_build: Build, shopify_source: Path) -> dict[str, pd.DataFrame]:
    as_of = shopify_build.scalar("select as_of_date from intermediate.int_as_of_date")
    orders, lines = expected_orders(shopify_source, as_of)
    seeds = expected.Seeds.read(Path(__file__).resolve().parents[2] / "seeds")
    customers = expected_customers(orders, seeds)
    marts_orders = orders[expected_orders_columns()].copy()
    marts_orders["is_revenue"] = marts_orders["is_revenue"].astype(bool)
    return {
        "orders": orders,
        "lines": lines,
        "customer_metrics": expected.customer_metrics(marts_orders, customers),
        "monthly_revenue": expected.monthly_revenue(marts_orders),
        "country_statistics": expected.country_statistics(marts_orders, customers),
    }


def expected_orders_columns() -> list[str]:
    return ["order_source", "order_id", "customer_id", "order_date", "total", "is_revenue"]


# --- the tests ---------------------------------------------------------------------------------


def test_the_build_and_the_statistics_step_pass(shopify_build: Build) -> None:
    assert shopify_build.returncode == 0, shopify_build.failures()


def test_the_files_reach_the_rules(wanted: dict[str, pd.DataFrame]) -> None:
    orders = wanted["orders"].set_index("order_id")
    assert set(orders["status"]) == {"completed", "refunded", "cancelled"}
    assert orders.loc["#1006", "customer_id"] is None
    assert orders.loc["#1001", "customer_id"] == orders.loc["#1002", "customer_id"]
    assert orders.loc["#1007", "total"] == 0
    assert len(wanted["lines"].query("order_id == '#1009'")) == 2  # the second export's lines
    assert set(orders["country_code"]) >= {"US", "GB", "DE", "FR"}


def test_every_order_lands_once_with_its_revenue(
    shopify_build: Build, wanted: dict[str, pd.DataFrame]
) -> None:
    actual = shopify_build.rows(
        "(select order_id, customer_id, order_date, total_amount, status, is_revenue"
        " from core.fct_orders where order_source = 'shopify') as orders"
    )
    orders = wanted["orders"]
    want = pd.DataFrame(
        {
            "order_id": orders["order_id"],
            "customer_id": orders["customer_id"],
            "order_date": orders["order_date"],
            "total_amount": [Decimal(t).scaleb(-2) for t in orders["total"]],
            "status": orders["status"],
            "is_revenue": orders["is_revenue"].astype(bool),
        },
        dtype=object,
    )
    assert_same_rows(actual, want, ("order_id",), f"shopify orders on {shopify_build.target}")


@pytest.mark.parametrize("mart", ["customer_metrics", "monthly_revenue", "country_statistics"])
def test_the_marts_match_an_independent_computation(
    shopify_build: Build, wanted: dict[str, pd.DataFrame], mart: str
) -> None:
    actual = shopify_build.rows(f"marts.{mart}")
    assert_same_rows(actual, wanted[mart], MART_KEYS[mart], f"{mart} on {shopify_build.target}")


def test_products_carry_the_revenue_of_their_lines(
    shopify_build: Build, wanted: dict[str, pd.DataFrame]
) -> None:
    lines = wanted["lines"]
    revenue = lines[lines["is_revenue"].astype(bool)]
    by_product = revenue.groupby("product").agg(
        total_transactions=("order_id", "size"),
        total_sales=("quantity", "sum"),
        total=("total", "sum"),
        unique_customers=("customer_id", lambda ids: ids.dropna().nunique()),
    )
    want = pd.DataFrame(
        {
            "product": by_product.index,
            "total_transactions": [int(v) for v in by_product["total_transactions"]],
            "total_sales": [int(v) for v in by_product["total_sales"]],
            "total_revenue": [Decimal(int(v)).scaleb(-2) for v in by_product["total"]],
            "unique_customers": [int(v) for v in by_product["unique_customers"]],
        },
        dtype=object,
    )
    actual = shopify_build.rows("marts.product_performance")
    actual = actual[actual["total_transactions"] > 0][list(want.columns)]
    assert_same_rows(actual, want, ("product",), f"product_performance on {shopify_build.target}")


def test_no_email_leaves_raw_and_the_money_reconciles(shopify_build: Build) -> None:
    for relation in ("staging.stg_shopify__orders", "core.dim_customers", "marts.customer_metrics"):
        frame = shopify_build.rows(relation)
        text = [str(value) for value in frame.to_numpy().ravel()]
        assert not any("@example." in value for value in text), relation
    row = shopify_build.rows("marts.data_quality_summary").set_index("table_name")
    shopify = row.loc["shopify_orders"]
    assert shopify["records_read"] == sum(len(o.lines) for o in FIRST_EXPORT + SECOND_EXPORT)
    assert shopify["amount_unreconciled"] == 0
    first_1009 = next(o for o in FIRST_EXPORT if o.name == "#1009")
    assert shopify["amount_duplicates"] == Decimal(str(first_1009.amount)).quantize(Decimal("0.01"))
    assert shopify["duplicates_removed"] == len(first_1009.lines)
