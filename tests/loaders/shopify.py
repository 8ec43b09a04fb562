"""Shopify orders exports, written the way Shopify writes them, for tests.

Shopify's standard orders export (Admin > Orders > Export, "Plain CSV file")
has one row per line item. The order-level columns (financial status, paid
at, currency, subtotal, shipping, taxes, total, discount, addresses, Id, ...)
are filled on an order's first row only; Name, Email, Created at and the
line-item columns are on every row. Money has two decimals (``12.50``),
timestamps are the shop's local time with its offset
(``2025-01-06 07:00:00 -0500``). A test describes orders and lines; this
module writes the file and knows the figures the warehouse must show.

    order = Order("#1001", [Line("Yoga Mat", 2, 45.0)], shipping=4.9)
    path = write_orders_export(root, [order])          # root/shopify/orders_export_1.csv
    order.subtotal, order.total, order.amount          # 90.0, 94.9, 94.9
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Shopify's standard orders export header, in Shopify's column order.
HEADER: tuple[str, ...] = (
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing Address2",
    "Billing Company",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping Address2",
    "Shipping Company",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Note Attributes",
    "Cancelled at",
    "Payment Method",
    "Payment Reference",
    "Refunded Amount",
    "Vendor",
    "Outstanding Balance",
    "Employee",
    "Location",
    "Device ID",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Lineitem discount",
    "Tax 1 Name",
    "Tax 1 Value",
    "Tax 2 Name",
    "Tax 2 Value",
    "Tax 3 Name",
    "Tax 3 Value",
    "Tax 4 Name",
    "Tax 4 Value",
    "Tax 5 Name",
    "Tax 5 Value",
    "Phone",
    "Receipt Number",
    "Duties",
    "Billing Province Name",
    "Shipping Province Name",
    "Payment ID",
    "Payment Terms Name",
    "Next Payment Due At",
    "Payment References",
)

#: Columns Shopify fills on every row of an order, not only on its first.
EVERY_ROW: frozenset[str] = frozenset(
    {
        "Name",
        "Email",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem compare at price",
        "Lineitem sku",
        "Lineitem requires shipping",
        "Lineitem taxable",
        "Lineitem fulfillment status",
        "Vendor",
        "Lineitem discount",
    }
)

FINANCIAL_STATUSES = ("paid", "pending", "refunded", "partially_refunded", "voided")

#: New York in winter, Shopify's offset form: 2025-01-06 07:00:00 -0500.
EASTERN = dt.timezone(dt.timedelta(hours=-5))
DEFAULT_CREATED_AT = dt.datetime(2025, 1, 6, 7, 0, tzinfo=EASTERN)


def shopify_time(moment: dt.datetime) -> str:
    """A timestamp as Shopify exports it: local time and offset, ``2025-01-06 07:00:00 -0500``."""
    if moment.tzinfo is None:
        raise ValueError("Shopify timestamps carry an offset: give an aware datetime")
    return moment.strftime("%Y-%m-%d %H:%M:%S %z")


def money(value: float) -> str:
    """Money as Shopify exports it: two decimals, a point, no thousands separator."""
    return f"{value:.2f}"


@dataclass
class Line:
    """One line item: ``quantity`` units of ``name`` at ``price`` each."""

    name: str
    quantity: int = 1
    price: float = 10.0
    sku: str | None = None
    #: Discount allocated to the line (currency units).
    discount: float = 0.0
    vendor: str = "Acme"

    @property
    def gross(self) -> float:
        """Quantity x price, before discounts."""
        return round(self.quantity * self.price, 2)


@dataclass
class Order:
    """One order as a test describes it; the export's figures follow from it.

    ``email=None`` is a guest checkout without an email. ``financial_status``
    is one of :data:`FINANCIAL_STATUSES`; a refunded order refunds its total
    and a partially refunded one half of it, unless ``refunded_amount`` says
    otherwise; pending and voided orders have no ``Paid at``, voided ones a
    ``Cancelled at``.
    """

    name: str
    lines: list[Line] = field(default_factory=lambda: [Line("Yoga Mat Premium")])
    email: str | None = "customer@example.com"
    created_at: dt.datetime = DEFAULT_CREATED_AT
    financial_status: str = "paid"
    discount_code: str | None = None
    discount_amount: float = 0.0
    shipping: float = 0.0
    taxes: float = 0.0
    currency: str = "USD"
    billing_country: str | None = "US"
    shipping_country: str | None = None
    accepts_marketing: bool = False
    fulfillment_status: str = "fulfilled"
    payment_method: str = "Shopify Payments"
    source: str = "web"
    refunded_amount: float | None = None
    cancelled_at: dt.datetime | None = None
    paid_at: dt.datetime | None = None
    #: Shopify's numeric order id; default derived from the name's digits.
    order_id: int | None = None

    def __post_init__(self) -> None:
        if self.financial_status not in FINANCIAL_STATUSES:
            raise ValueError(f"financial_status must be one of {FINANCIAL_STATUSES}")
        if not self.lines:
            raise ValueError("an order has at least one line item")

    @property
    def subtotal(self) -> float:
        """Line items after the order's discount, before shipping and taxes."""
        return round(sum(line.gross for line in self.lines) - self.discount_amount, 2)

    @property
    def total(self) -> float:
        """Subtotal + shipping + taxes."""
        return round(self.subtotal + self.shipping + self.taxes, 2)

    @property
    def amount(self) -> float:
        """The order's amount as the loader counts it: subtotal + shipping."""
        return round(self.subtotal + self.shipping, 2)

    @property
    def refunded(self) -> float:
        """Amount refunded so far."""
        if self.refunded_amount is not None:
            return self.refunded_amount
        if self.financial_status == "refunded":
            return self.total
        if self.financial_status == "partially_refunded":
            return round(self.total / 2, 2)
        return 0.0

    @property
    def shopify_id(self) -> int:
        """Shopify's numeric Id of the order."""
        if self.order_id is not None:
            return self.order_id
        digits = "".join(character for character in self.name if character.isdigit())
        return 5_000_000_000_000 + int(digits or 0)

    @property
    def paid(self) -> dt.datetime | None:
        """When it was paid: given, else created_at unless pending or voided."""
        if self.paid_at is not None:
            return self.paid_at
        if self.financial_status in ("pending", "voided"):
            return None
        return self.created_at + dt.timedelta(minutes=1)

    @property
    def cancelled(self) -> dt.datetime | None:
        """When it was cancelled: given, else an hour after creation for a voided order."""
        if self.cancelled_at is not None:
            return self.cancelled_at
        if self.financial_status == "voided":
            return self.created_at + dt.timedelta(hours=1)
        return None

    def rows(self) -> list[dict[str, str]]:
        """The export's rows for this order, one per line item, by header."""
        paid, cancelled = self.paid, self.cancelled
        order_level = {
            "Financial Status": self.financial_status,
            "Paid at": shopify_time(paid) if paid else "",
            "Fulfillment Status": self.fulfillment_status,
            "Fulfilled at": shopify_time(paid) if paid and self.fulfillment_status else "",
            "Accepts Marketing": "yes" if self.accepts_marketing else "no",
            "Currency": self.currency,
            "Subtotal": money(self.subtotal),
            "Shipping": money(self.shipping),
            "Taxes": money(self.taxes),
            "Total": money(self.total),
            "Discount Code": self.discount_code or "",
            "Discount Amount": money(self.discount_amount),
            "Shipping Method": "Standard" if self.shipping else "",
            "Billing Name": "" if self.email is None else "Jane Doe",
            "Billing City": "New York",
            "Billing Country": self.billing_country or "",
            "Shipping Name": "Jane Doe",
            "Shipping City": "New York",
            "Shipping Country": self.shipping_country or self.billing_country or "",
            "Cancelled at": shopify_time(cancelled) if cancelled else "",
            "Payment Method": self.payment_method,
            "Payment Reference": f"c{self.shopify_id}.1",
            "Refunded Amount": money(self.refunded),
            "Outstanding Balance": money(0.0),
            "Id": str(self.shopify_id),
            "Risk Level": "Low",
            "Source": self.source,
            "Tax 1 Name": "NY State Tax 4%" if self.taxes else "",
            "Tax 1 Value": money(self.taxes) if self.taxes else "",
            "Receipt Number": "",
            "Payment ID": f"#{self.shopify_id}.1",
        }
        rows = []
        for index, line in enumerate(self.lines):
            row = {column: "" for column in HEADER}
            if index == 0:
                row.update(order_level)
            row.update(
                {
                    "Name": self.name,
                    "Email": self.email or "",
                    "Created at": shopify_time(self.created_at),
                    "Lineitem quantity": str(line.quantity),
                    "Lineitem name": line.name,
                    "Lineitem price": money(line.price),
                    "Lineitem compare at price": "",
                    "Lineitem sku": line.sku or "",
                    "Lineitem requires shipping": "true",
                    "Lineitem taxable": "true",
                    "Lineitem fulfillment status": self.fulfillment_status,
                    "Vendor": line.vendor,
                    "Lineitem discount": money(line.discount),
                }
            )
            rows.append(row)
        return rows


def write_orders_export(
    root: Path,
    orders: Sequence[Order],
    file_name: str = "orders_export_1.csv",
    header: Sequence[str] = HEADER,
) -> Path:
    """Write ``orders`` as ``root/shopify/<file_name>`` in Shopify's layout; return the path.

    ``header`` may drop or rename columns (a file from another version of
    the export): cells follow the header by name, unknown names stay empty.
    """
    path = root / "shopify" / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)  # Shopify quotes only where needed, lines end in CRLF
        writer.writerow(header)
        for order in orders:
            for row in order.rows():
                writer.writerow([row.get(column, "") for column in header])
    return path


def raw_rows(orders: Sequence[Order]) -> int:
    """The rows the export of these orders has (one per line item)."""
    return sum(len(order.lines) for order in orders)
