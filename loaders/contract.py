r"""The raw input contract: which files feed which raw table, and their columns.

This module is the single source of truth shared by the loader (what it reads
and how it types each value), the sample-data generator (what it writes) and
the dbt sources (``models/staging/*/_*__sources.yml`` are generated from it
by :mod:`loaders.contract_yaml`, ``make sources``; tests/loaders/test_contract.py
fails when they differ). Everything a user may want to change per
installation (file globs, format, key, which header or path feeds a column,
date formats, separators, constants) can be overridden through dlt
configuration, see :func:`loaders.config.table_specs`.

Raw column types (the loader types every value before it lands):

``id``
    An identifier kept as text. Whole numbers, as JSON numbers or as text
    (``123``, ``123.0``, ``"123.0"``, ``{"$numberLong": "123"}``), become
    ``"123"``; ``$oid`` becomes its hex string. Leading and trailing spaces
    and tabs are removed.
``text``
    Text exactly as exported (not trimmed: staging trims and canonicalises).
``integer``
    A 64-bit integer. Accepts numbers and numeric strings with no fractional
    part (``"3"``, ``3.0``, ``"3.0"``).
``number``
    A double. Accepts numbers, numeric strings (as DuckDB reads them, so
    ``"1e3"`` and ``"1_000"`` too), a decimal comma (``"12,50"``, no other
    comma or point) and the Extended JSON wrappers ``$numberDouble`` /
    ``$numberDecimal``. Infinities are rejected; ``NaN`` counts as missing.
``boolean``
    ``true/false``, ``1/0``, ``yes/no``, ``y/n``, ``t/f`` in any case.
``timestamp``
    A UTC timestamp. Accepts ISO 8601 (with ``T`` or a blank, optional
    fraction, ``Z`` or an offset; no offset means UTC), the date formats below
    (midnight UTC), Unix epoch seconds (9 or 10 digits) or milliseconds (12
    or 13 digits) and Extended JSON ``$date`` in both forms. Years outside
    1900-2199 are typos, not dates: rejected.
``date``
    A calendar date. Accepts ISO ``YYYY-MM-DD``, ``YYYY/MM/DD``,
    ``DD.MM.YYYY``, ``DD/MM/YYYY``, ``YYYYMMDD``, ``Mon DD, YYYY`` and
    ``DD Mon YYYY``, and any timestamp above (its UTC date).
``json``
    A JSON value (used for lists such as review tags), stored as JSON / JSONB.

Empty strings and the tokens ``null``, ``none``, ``nan``, ``n/a``, ``na`` and
``-`` (any case, blanks around) count as missing for every type but ``text``,
and for ``text`` too in a key column (a blank key identifies nothing).
A value that is present but cannot be typed makes its record a rejected
record (``raw._rejected_records``) with the reason, so that nothing is
silently turned into null.

Per table, configuration (:func:`loaders.config.table_specs`) may map another
tool's export onto these columns: which header (CSV) or document path (JSON)
feeds a column, date formats tried before the built-in ones (strptime
directives, ``%z`` for offsets such as ``-0500`` or ``+02:00``; the result is
in UTC), the decimal and thousands separators of CSV numbers, and constant
values for columns an export lacks. The Shopify orders table below is such a
mapping, built in.

Every file reports the contract columns it has no column for (a CSV header
cell, a JSON path some record has): a warning per column and
``raw._loaded_files.missing_columns``. A file lacking a *required* column
(the key and the main amount column, by default) stops the load.

The amount of a record is the sum of its table's ``amount_terms`` (a leading
``-`` subtracts; a missing term counts 0; no readable term, no amount): the
loader keeps, per file, the amount it read and the amount it rejected, so
revenue can be reconciled from the files to the marts.

Records one of the warehouses could not hold are rejected on both, so that
DuckDB and PostgreSQL always agree (PostgreSQL text and JSONB cannot hold a
NUL character, and JSONB stops on very deep nesting):

* a value of any column holding a NUL character (a ``\u0000`` escape in a
  JSON string or key, a NUL byte in a CSV cell or a BSON string) rejects its
  record: ``email: NUL character (\u0000)``. A NUL outside the contract's
  columns is not loaded and does not matter; an escaped backslash
  (``"\\u0000"``, the six characters ``\u0000``) is ordinary text;
* a document whose objects and arrays nest more than 100 levels deep
  (MongoDB's own limit for a document) is rejected whole: ``nested deeper
  than 100 levels``.

A rejected record's text and reason show a NUL as the six characters
``\u0000``.

Line ends may be LF, CR LF or a lone CR (old Mac, some Excel exports), mixed
in one file; each counts as one line for line numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["id", "text", "integer", "number", "boolean", "timestamp", "date", "json"]
FileFormat = Literal["mongo", "jsonl", "csv"]

FIELD_TYPES: tuple[FieldType, ...] = (
    "id",
    "text",
    "integer",
    "number",
    "boolean",
    "timestamp",
    "date",
    "json",
)

#: Metadata columns the loader adds to every raw table.
SOURCE_FILE_COLUMN = "_source_file"
SOURCE_LINE_COLUMN = "_source_line"
LOADED_AT_COLUMN = "_loaded_at"

#: The dataset (schema) every raw table lands in.
RAW_DATASET = "raw"
#: The table that receives every record that could not be parsed or typed.
REJECTED_TABLE = "_rejected_records"


@dataclass(frozen=True)
class Field:
    """One raw column.

    Attributes:
        name: The raw column name (snake_case; nested JSON paths joined with
            ``__`` as dlt does, e.g. ``utm__campaign_id``).
        type: How the loader types the value, see the module docstring.
        description: What the column holds, for the dbt docs.
        path: Where the value sits in a JSON document (keys from the root).
            Defaults to ``name`` split on ``__``.
        header: For CSV files, the header cell that feeds the column. Defaults
            to the column name; headers are matched after the same
            normalisation (``Customer ID`` matches ``customer_id``).
    """

    name: str
    type: FieldType
    description: str
    path: tuple[str, ...] = ()
    header: str | None = None

    @property
    def json_path(self) -> tuple[str, ...]:
        """The document path of the value."""
        return self.path or tuple(self.name.split("__"))


@dataclass(frozen=True)
class TableSpec:
    """One raw table and the files that feed it.

    Attributes:
        name: Raw table name in the ``raw`` dataset.
        format: ``mongo`` (mongoexport JSON lines or JSON array, Extended JSON
            v2, or mongodump ``.bson``), ``jsonl`` (JSON lines) or ``csv``.
        globs: File patterns relative to the source directory. A ``.gz``
            version of each match is read too.
        key: The columns that identify a record. Records whose key is missing
            are rejected; a reload replaces the rows with the same key.
        fields: The columns, in order.
        description: What the table holds, for the dbt docs.
        amount_terms: The fields whose sum is a record's amount (money read
            from the file, for reconciliation); a leading ``-`` subtracts the
            field. Integer or number fields; empty when the table holds no
            amount.
        required: The columns a file must have (a header cell, a path some
            record has); a file without one stops the load. Empty means the
            default: the key and the first amount term.
        date_formats: strptime formats tried, in order, before the built-in
            ones for this table's date and timestamp columns.
        decimal_separator: The decimal separator of CSV numbers. ``None``:
            ``.``, and a decimal comma in a value with no point.
        thousands_separator: The thousands separator of CSV numbers (digits
            grouped by three), or ``None``.
        constants: ``(column, value as text)`` for columns the export lacks:
            every record gets the value, typed like any other.
    """

    name: str
    format: FileFormat
    globs: tuple[str, ...]
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    description: str
    amount_terms: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ()
    decimal_separator: str | None = None
    thousands_separator: str | None = None
    constants: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        names = {field.name for field in self.fields}
        for column in self.amount_columns:
            if column not in names:
                raise ValueError(f"{self.name}: amount term {column!r} is not a field")
            if self.field(column).type not in ("integer", "number"):
                raise ValueError(f"{self.name}: amount term {column!r} is not a number")
        if not self.required:
            object.__setattr__(self, "required", default_required(self.key, self.amount_terms))
        for column in self.required:
            if column not in names:
                raise ValueError(f"{self.name}: required column {column!r} is not a field")

    def field(self, name: str) -> Field:
        """Return the field called ``name``."""
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def amount_columns(self) -> tuple[str, ...]:
        """The fields of the amount terms, without their signs."""
        return tuple(term.removeprefix("-") for term in self.amount_terms)

    @property
    def constant_values(self) -> dict[str, str]:
        """Column -> constant value (as text) for the columns given one."""
        return dict(self.constants)


def default_required(key: tuple[str, ...], amount_terms: tuple[str, ...]) -> tuple[str, ...]:
    """The columns a file must have unless a table says otherwise: the key, then the amount.

    The amount is the first amount term (the transaction's amount, Shopify's subtotal);
    the other terms adjust it (discount, shipping) and count 0 when a file lacks them,
    so an export without a discount column still loads (with a warning).
    """
    amounts = tuple(term.removeprefix("-") for term in amount_terms[:1])
    return tuple(dict.fromkeys(key + amounts))


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        name="customers",
        format="mongo",
        globs=("mongo/customers.json", "mongo/customers.bson"),
        key=("customer_id",),
        description="Customer documents exported from the MongoDB `customers` collection.",
        fields=(
            Field("_id", "id", "MongoDB ObjectId of the document."),
            Field("customer_id", "id", "Business identifier of the customer."),
            Field("first_name", "text", "Given name."),
            Field("last_name", "text", "Family name."),
            Field("email", "text", "Email address as entered (personal data)."),
            Field("phone", "text", "Phone number as entered (personal data)."),
            Field("age", "integer", "Age in years as entered."),
            Field("country", "text", "Country as entered (free text, any spelling)."),
            Field("city", "text", "City as entered."),
            Field("gender", "text", "Gender as entered."),
            Field("marketing_consent", "boolean", "Whether the customer opted in to marketing."),
            Field("created_at", "timestamp", "When the customer account was created (UTC)."),
        ),
    ),
    TableSpec(
        name="transactions",
        format="mongo",
        globs=("mongo/transactions.json", "mongo/transactions.bson"),
        key=("transaction_id",),
        description="Transaction documents exported from the MongoDB `transactions` collection.",
        fields=(
            Field("_id", "id", "MongoDB ObjectId of the document."),
            Field("transaction_id", "id", "Business identifier of the transaction."),
            Field("customer_id", "id", "Customer who placed the transaction."),
            Field("product", "text", "Product name as sold."),
            Field("amount", "number", "Gross amount before discount and shipping."),
            Field("quantity", "integer", "Units bought."),
            Field("payment_method", "text", "Payment method as entered."),
            Field("discount_applied", "number", "Discount granted, in currency units."),
            Field("shipping_cost", "number", "Shipping charged, in currency units."),
            Field("timestamp", "timestamp", "When the transaction happened (UTC)."),
            Field("status", "text", "completed, refunded or cancelled; absent means completed."),
        ),
        amount_terms=("amount", "-discount_applied", "shipping_cost"),
    ),
    TableSpec(
        name="campaigns",
        format="mongo",
        globs=("mongo/campaigns.json", "mongo/campaigns.bson"),
        key=("campaign_id",),
        description=(
            "Marketing campaign documents exported from the MongoDB `campaigns` collection."
        ),
        fields=(
            Field("_id", "id", "MongoDB ObjectId of the document."),
            Field("campaign_id", "id", "Business identifier of the campaign."),
            Field("campaign_name", "text", "Campaign name."),
            Field(
                "campaign_type",
                "text",
                "Channel type: Email, Social, Search, Display, Affiliate, ...",
            ),
            Field("budget", "number", "Planned budget in currency units."),
            Field("spend", "number", "Amount spent so far in currency units."),
            Field("impressions", "integer", "Ad impressions or emails delivered."),
            Field("clicks", "integer", "Clicks."),
            Field("conversions", "integer", "Conversions attributed by the ad platform."),
            Field("start_date", "date", "First day of the campaign."),
            Field("end_date", "date", "Last day of the campaign."),
        ),
    ),
    TableSpec(
        name="sales",
        format="csv",
        globs=("csv/sales.csv",),
        key=("order_id",),
        description=(
            "Sales orders CSV export (header `,Date,Customer ID,Order ID,Sales`, "
            "an unnamed index column first)."
        ),
        fields=(
            Field("row_index", "integer", "The export's unnamed index column.", header=""),
            Field("date", "date", "Order date.", header="Date"),
            Field("customer_id", "id", "Customer who placed the order.", header="Customer ID"),
            Field("order_id", "id", "Order identifier.", header="Order ID"),
            Field("sales", "number", "Order value in currency units.", header="Sales"),
        ),
        amount_terms=("sales",),
    ),
    TableSpec(
        name="shopify_orders",
        format="csv",
        globs=("shopify/orders_export*.csv",),
        key=("order_name",),
        description=(
            "Shopify's standard orders export (Admin > Orders > Export, `orders_export_1.csv`, "
            "...): one row per line item; order-level columns are filled on an order's first "
            "row only. Every row of an order shares its order_name: a reload replaces all the "
            "lines of a re-exported order. Shopify's other columns are not loaded."
        ),
        fields=(
            Field(
                "order_name",
                "id",
                "Shopify's order name, e.g. #1001: the order's key, on every line.",
                header="Name",
            ),
            Field(
                "email",
                "text",
                "Customer email as entered (personal data); empty for a guest checkout "
                "without one.",
                header="Email",
            ),
            Field(
                "financial_status",
                "text",
                "paid, pending, authorized, partially_paid, refunded, partially_refunded or "
                "voided (first line only).",
                header="Financial Status",
            ),
            Field(
                "paid_at",
                "timestamp",
                "When the order was paid (UTC; first line only).",
                header="Paid at",
            ),
            Field(
                "fulfillment_status",
                "text",
                "fulfilled, partial, unfulfilled or restocked (first line only).",
                header="Fulfillment Status",
            ),
            Field(
                "accepts_marketing",
                "boolean",
                "Whether the customer accepts marketing emails (first line only).",
                header="Accepts Marketing",
            ),
            Field(
                "currency",
                "text",
                "ISO 4217 code of the order's currency (first line only).",
                header="Currency",
            ),
            Field(
                "subtotal",
                "number",
                "Line items after discounts, before shipping and taxes, in currency units "
                "(first line only).",
                header="Subtotal",
            ),
            Field(
                "shipping",
                "number",
                "Shipping charged, in currency units (first line only).",
                header="Shipping",
            ),
            Field("taxes", "number", "Taxes, in currency units (first line only).", header="Taxes"),
            Field(
                "total",
                "number",
                "Subtotal + shipping + taxes, in currency units (first line only).",
                header="Total",
            ),
            Field(
                "discount_code",
                "text",
                "Discount code used on the order (first line only).",
                header="Discount Code",
            ),
            Field(
                "discount_amount",
                "number",
                "Discount granted on the order, in currency units (first line only).",
                header="Discount Amount",
            ),
            Field(
                "created_at",
                "timestamp",
                "When the order was placed (UTC; on every line).",
                header="Created at",
            ),
            Field(
                "lineitem_quantity",
                "integer",
                "Units of the line item.",
                header="Lineitem quantity",
            ),
            Field(
                "lineitem_name",
                "text",
                "Product (and variant) name of the line item.",
                header="Lineitem name",
            ),
            Field(
                "lineitem_price",
                "number",
                "Unit price of the line item before discounts, in currency units.",
                header="Lineitem price",
            ),
            Field("lineitem_sku", "text", "SKU of the line item.", header="Lineitem sku"),
            Field(
                "lineitem_discount",
                "number",
                "Discount allocated to the line item, in currency units.",
                header="Lineitem discount",
            ),
            Field(
                "billing_country",
                "text",
                "Country of the billing address as exported (first line only).",
                header="Billing Country",
            ),
            Field(
                "shipping_country",
                "text",
                "Country of the shipping address as exported (first line only).",
                header="Shipping Country",
            ),
            Field(
                "cancelled_at",
                "timestamp",
                "When the order was cancelled (UTC; first line only); empty if it was not.",
                header="Cancelled at",
            ),
            Field(
                "payment_method",
                "text",
                "Payment method(s) as Shopify names them (first line only).",
                header="Payment Method",
            ),
            Field(
                "refunded_amount",
                "number",
                "Amount refunded so far, in currency units (first line only).",
                header="Refunded Amount",
            ),
            Field(
                "order_id",
                "id",
                "Shopify's numeric order id (first line only).",
                header="Id",
            ),
            Field(
                "source",
                "text",
                "Sales channel the order came from: web, pos, shopify_draft_order, ... "
                "(first line only).",
                header="Source",
            ),
        ),
        amount_terms=("subtotal", "shipping"),
        # Shopify writes local time with the shop's offset: 2025-01-06 07:00:00 -0500.
        date_formats=("%Y-%m-%d %H:%M:%S %z",),
    ),
    TableSpec(
        name="events",
        format="jsonl",
        globs=("json/events.jsonl",),
        key=("event_id",),
        description="Web analytics events (JSON lines), one per page view or action.",
        fields=(
            Field("event_id", "id", "Unique identifier of the event."),
            Field(
                "user_id",
                "id",
                "The customer_id of a signed-in visitor; null for anonymous visitors.",
            ),
            Field("session_id", "id", "Browser session identifier."),
            Field("sequence_number", "integer", "Position of the event in its session."),
            Field("created_at", "timestamp", "When the event happened (UTC)."),
            Field("event_type", "text", "home, department, product, cart, purchase or cancel."),
            Field(
                "traffic_source",
                "text",
                "Traffic source: Email, Adwords, Facebook, YouTube, Organic, ...",
            ),
            Field("utm__source", "text", "utm_source of the landing URL."),
            Field("utm__medium", "text", "utm_medium of the landing URL."),
            Field("utm__campaign_id", "id", "Campaign identifier carried in the landing URL."),
            Field("uri", "text", "Page path."),
            Field("browser", "text", "Browser family."),
            Field("device", "text", "Device class: desktop, mobile, tablet."),
            Field("city", "text", "City of the visitor (geo-IP)."),
            Field("country", "text", "Country of the visitor (geo-IP, any spelling)."),
            Field("properties__product", "text", "Product viewed, carted or bought."),
            Field("properties__price", "number", "Unit price shown or paid."),
            Field("properties__quantity", "integer", "Units carted or bought."),
            Field("properties__transaction_id", "id", "Transaction created by a purchase event."),
        ),
    ),
    TableSpec(
        name="reviews",
        format="jsonl",
        globs=("json/reviews.jsonl",),
        key=("review_id",),
        description="Product reviews (JSON lines) with free-text tags.",
        fields=(
            Field("review_id", "id", "Unique identifier of the review."),
            Field("product", "text", "Product reviewed."),
            Field("customer_id", "id", "Customer who wrote the review."),
            Field("rating", "integer", "Star rating from 1 to 5."),
            Field("created_at", "timestamp", "When the review was written (UTC)."),
            Field("title", "text", "Review title."),
            Field("body", "text", "Review text."),
            Field(
                "tags", "json", "JSON array of tags such as battery, shipping, broken, size, price."
            ),
            Field(
                "return_requested", "boolean", "Whether the reviewer asked to return the product."
            ),
        ),
    ),
    TableSpec(
        name="social_trends",
        format="csv",
        globs=("csv/social_trends.csv",),
        key=("date", "platform", "category", "topic"),
        description="Daily social-media mention counts per platform, product category and topic.",
        fields=(
            Field("date", "date", "Day of the counts."),
            Field("platform", "text", "TikTok, Instagram, YouTube, X, Reddit or Facebook."),
            Field("category", "text", "Product category the topic belongs to."),
            Field("topic", "text", "Trending topic or hashtag."),
            Field("trend_category", "text", "meme, entertainment, drama, news or review."),
            Field("mentions", "integer", "Posts mentioning the topic that day."),
            Field("engagement", "integer", "Likes, shares and comments on those posts that day."),
        ),
    ),
    TableSpec(
        name="marketplace_sales",
        format="csv",
        globs=("csv/marketplace_sales.csv",),
        key=("date", "marketplace", "product"),
        description="Daily units and revenue per marketplace and product.",
        fields=(
            Field("date", "date", "Day of the sales."),
            Field("marketplace", "text", "Marketplace name (Amazon, eBay, ...)."),
            Field("product", "text", "Product name."),
            Field("category", "text", "Product category."),
            Field("units_sold", "integer", "Units sold that day."),
            Field("revenue", "number", "Revenue that day in currency units."),
        ),
        amount_terms=("revenue",),
    ),
)

TABLES_BY_NAME: dict[str, TableSpec] = {spec.name: spec for spec in TABLES}

#: Tokens that mean "no value" in exports (compared lowercase and trimmed).
NULL_TOKENS: tuple[str, ...] = ("", "null", "none", "nan", "n/a", "na", "-")

#: Date formats (strptime) tried after ISO 8601, in this order.
DATE_FORMATS: tuple[str, ...] = (
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%Y%m%d",
    "%b %d, %Y",
    "%d %b %Y",
)
