"""The five marts computed independently, with pandas, from the export files on disk.

Nothing here reads the warehouse or the loader's code: the files are parsed with
``json`` / ``bson.json_util`` (Extended JSON) and ``csv``, every value is typed by
the rules of the raw contract as documented (``loaders/contract.py`` docstring and
README "Accepted inputs"), a record with a value that cannot be typed (or that is
not JSON, or has the wrong number of CSV fields, or lacks its key) is dropped as
the loader rejects it, duplicates keep the later record, and the documented rules
of staging, core and the marts are applied:

- staging: ``models/_models__docs.md`` (revenue), ``models/staging/mongo/_mongo__docs.md``
  (defaults, total_amount, is_revenue, KPIs, country code and name, full name),
  ``models/staging/sales/_sales__docs.md``;
- core: ``models/core/_core__docs.md`` (as-of date, campaign status, category);
- marts: ``models/marts/_marts__docs.md`` and the column descriptions of
  ``models/marts/*/_*__models.yml``.

Money is carried as integer cents (exact), KPIs as ``Decimal`` rounded half away
from zero, so that the marts can be compared to the cent.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import numbers
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import Any

import pandas as pd
from bson import json_util
from bson.decimal128 import Decimal128
from bson.errors import BSONError
from bson.json_util import JSONOptions
from bson.objectid import ObjectId

UTC = dt.UTC
EJSON = JSONOptions(tz_aware=True, tzinfo=UTC)

# --- the raw contract, as documented -----------------------------------------------------------

#: Tokens that mean "no value" for every type but text (compared lowercase, blanks trimmed).
NULL_TOKENS = frozenset({"", "null", "none", "nan", "n/a", "na", "-"})
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})
#: Date formats tried after ISO 8601, in this order (README "Accepted inputs").
DATE_FORMATS = ("%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d", "%b %d, %Y", "%d %b %Y")
#: Years a timestamp may have (the loader treats others as typos).
YEARS = range(1900, 2200)

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)
_PLAIN_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")
_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")


class Untypeable(ValueError):
    """A value that is present but cannot be typed: its record is rejected."""


# Field lists, written out here (not imported) so that the computation stays independent.
# (name, type, JSON path or CSV header)
CUSTOMERS = (
    ("_id", "id"),
    ("customer_id", "id"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("email", "text"),
    ("phone", "text"),
    ("age", "integer"),
    ("country", "text"),
    ("city", "text"),
    ("gender", "text"),
    ("marketing_consent", "boolean"),
    ("created_at", "timestamp"),
)
TRANSACTIONS = (
    ("_id", "id"),
    ("transaction_id", "id"),
    ("customer_id", "id"),
    ("product", "text"),
    ("amount", "number"),
    ("quantity", "integer"),
    ("payment_method", "text"),
    ("discount_applied", "number"),
    ("shipping_cost", "number"),
    ("timestamp", "timestamp"),
    ("status", "text"),
)
CAMPAIGNS = (
    ("_id", "id"),
    ("campaign_id", "id"),
    ("campaign_name", "text"),
    ("campaign_type", "text"),
    ("budget", "number"),
    ("spend", "number"),
    ("impressions", "integer"),
    ("clicks", "integer"),
    ("conversions", "integer"),
    ("start_date", "date"),
    ("end_date", "date"),
)
EVENTS = (
    ("event_id", "id"),
    ("user_id", "id"),
    ("session_id", "id"),
    ("sequence_number", "integer"),
    ("created_at", "timestamp"),
    ("event_type", "text"),
    ("traffic_source", "text"),
    ("utm__source", "text"),
    ("utm__medium", "text"),
    ("utm__campaign_id", "id"),
    ("uri", "text"),
    ("browser", "text"),
    ("device", "text"),
    ("city", "text"),
    ("country", "text"),
    ("properties__product", "text"),
    ("properties__price", "number"),
    ("properties__quantity", "integer"),
    ("properties__transaction_id", "id"),
)
REVIEWS = (
    ("review_id", "id"),
    ("product", "text"),
    ("customer_id", "id"),
    ("rating", "integer"),
    ("created_at", "timestamp"),
    ("title", "text"),
    ("body", "text"),
    ("tags", "json"),
    ("return_requested", "boolean"),
)
SALES = (
    ("row_index", "integer", ""),
    ("date", "date", "Date"),
    ("customer_id", "id", "Customer ID"),
    ("order_id", "id", "Order ID"),
    ("sales", "number", "Sales"),
)
SOCIAL_TRENDS = (
    ("date", "date", "date"),
    ("platform", "text", "platform"),
    ("category", "text", "category"),
    ("topic", "text", "topic"),
    ("trend_category", "text", "trend_category"),
    ("mentions", "integer", "mentions"),
    ("engagement", "integer", "engagement"),
)
MARKETPLACE_SALES = (
    ("date", "date", "date"),
    ("marketplace", "text", "marketplace"),
    ("product", "text", "product"),
    ("category", "text", "category"),
    ("units_sold", "integer", "units_sold"),
    ("revenue", "number", "revenue"),
)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):  # {"$numberDouble": "NaN"}
        return True
    return isinstance(value, str) and value.strip(" ").lower() in NULL_TOKENS


def _json_text(value: Any) -> str:
    """A JSON scalar as the text the export holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal128):
        return str(value.to_decimal())
    return str(value)


def _parse_number(text: str) -> float:
    if _PLAIN_NUMBER.fullmatch(text):
        number = float(text)
    elif _DECIMAL_COMMA.fullmatch(text.strip(" ")):
        number = float(text.strip(" ").replace(",", "."))
    else:
        raise Untypeable(f"not a number: {text!r}")
    if not math.isfinite(number):
        raise Untypeable(f"not a finite number: {text!r}")
    return number


def _integral(number: float) -> int:
    if number != math.trunc(number) or abs(number) >= 9.0e15:
        raise Untypeable(f"not an integer: {number!r}")
    return int(number)


def _parse_timestamp(text: str) -> dt.datetime:
    stripped = text.strip(" ")
    iso = _ISO.fullmatch(stripped)
    if iso:
        year, month, day, hour, minute, second, fraction, zone = iso.groups()
        try:
            tz = UTC
            if zone and zone != "Z":
                digits = zone[1:].replace(":", "")
                offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
                tz = dt.timezone(offset if zone[0] == "+" else -offset)
            micro = int((fraction or "0")[:6].ljust(6, "0"))
            return dt.datetime(
                int(year),
                int(month),
                int(day),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
                micro,
                tzinfo=tz,
            ).astimezone(UTC)
        except ValueError:
            pass  # an impossible date such as 2025-02-30: try the other formats
    if re.fullmatch(r"-?[0-9]{12,13}", stripped):
        return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=int(stripped))
    if re.fullmatch(r"[0-9]{9,10}", stripped):
        return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=int(stripped))
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(stripped, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise Untypeable(f"not a timestamp: {text!r}")


def type_value(kind: str, value: Any) -> Any:
    """Type one exported value by the contract; None when missing.

    Raises:
        Untypeable: the value is present but is not of the type.
    """
    if kind == "json":
        if value is None or isinstance(value, list | dict):
            return value
        raise Untypeable("expected a JSON array or object, got a scalar")
    if isinstance(value, list | dict):
        raise Untypeable(f"expected {kind}, got a JSON {type(value).__name__}")
    if kind == "text":
        return None if value is None else _json_text(value)
    if _is_missing(value):
        return None
    if kind == "id":
        if isinstance(value, ObjectId):
            return str(value)
        text = _json_text(value).strip(" ")
        whole = re.fullmatch(r"([+-]?[0-9]+)\.0+", text)
        return whole.group(1) if whole else text
    if kind == "integer":
        if isinstance(value, bool):
            raise Untypeable("a boolean is not an integer")
        if isinstance(value, int):
            return int(value)
        text = _json_text(value)
        if _WHOLE.fullmatch(text.strip(" ")):
            return int(text.strip(" "))
        return _integral(_parse_number(text))
    if kind == "number":
        if isinstance(value, bool):
            raise Untypeable("a boolean is not a number")
        return _parse_number(_json_text(value))
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        word = _json_text(value).strip(" ").lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise Untypeable(f"not a boolean: {value!r}")
    if kind in ("timestamp", "date"):
        if isinstance(value, dt.datetime):
            stamp = value.astimezone(UTC)
        elif isinstance(value, bool):
            raise Untypeable("a boolean is not a timestamp")
        else:
            stamp = _parse_timestamp(_json_text(value))
        if stamp.year not in YEARS:
            raise Untypeable(f"year out of range: {stamp.isoformat()}")
        return stamp if kind == "timestamp" else stamp.date()
    raise AssertionError(kind)


# --- reading the files ---------------------------------------------------------------------------


@dataclass
class Parsed:
    """The typed records of one file (rejected ones dropped) and the rejected count."""

    records: pd.DataFrame
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)


def _typed_record(
    values: dict[str, Any], fields: Iterable[tuple[str, ...]], key: tuple[str, ...]
) -> dict[str, Any]:
    record = {}
    for name, kind, *_ in fields:
        record[name] = type_value(kind, values.get(name))
        if name in key and (record[name] is None or _is_missing(record[name])):
            raise Untypeable(f"missing key field {name}")
    return record


def _document_values(document: dict[str, Any], fields: Iterable[tuple[str, ...]]) -> dict:
    """The value of each field in a document (nested paths joined with ``__``)."""
    values = {}
    for name, *_ in fields:
        node: Any = document
        for part in name.split("__") if not name.startswith("_") else [name]:
            if node is None:
                break
            if not isinstance(node, dict):
                raise Untypeable(f"{name}: expected a JSON object")
            node = node.get(part)
        values[name] = node
    return values


def _frame(rows: list[dict[str, Any]], fields: Iterable[tuple[str, ...]]) -> pd.DataFrame:
    columns = [name for name, *_ in fields] + ["_line"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def read_json_records(path: Path, fields: tuple, key: tuple[str, ...]) -> Parsed:
    """A MongoDB export (JSON lines, or a JSON array one document per line) or JSON lines."""
    rows: list[dict[str, Any]] = []
    reasons: list[str] = []
    if not path.exists():
        return Parsed(_frame(rows, fields))
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if text in ("", "[", "]"):
                continue
            text = text.removesuffix(",")
            try:
                document = json_util.loads(text, json_options=EJSON)
                if not isinstance(document, dict):
                    raise Untypeable("not a JSON object")
                record = _typed_record(_document_values(document, fields), fields, key)
            except (ValueError, TypeError, KeyError, OverflowError, BSONError) as error:
                reasons.append(f"{path.name}:{number}: {error}")
                continue
            record["_line"] = number
            rows.append(record)
    return Parsed(_frame(rows, fields), len(reasons), reasons)


def _decoded_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding).split("\n")
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes anything")


def _normalise_header(cell: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", cell.strip().lower()).strip("_")


def read_csv_records(path: Path, fields: tuple, key: tuple[str, ...]) -> Parsed:
    """A CSV export: delimiter from the header, a row of another width is rejected."""
    rows: list[dict[str, Any]] = []
    reasons: list[str] = []
    if not path.exists():
        return Parsed(_frame(rows, fields))
    lines = _decoded_lines(path)
    header_line = lines[0]
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    delimiter = max((",", ";", "\t", "|"), key=unquoted.count)
    header = [
        _normalise_header(cell) for cell in next(csv.reader([header_line], delimiter=delimiter))
    ]
    positions = {
        name: header.index(_normalise_header(title)) if _normalise_header(title) in header else None
        for name, _, title in fields
    }
    reader = csv.reader((line + "\n" for line in lines[1:]), delimiter=delimiter)
    for number, row in enumerate(reader, start=2):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        try:
            if len(row) != len(header):
                raise Untypeable(f"expected {len(header)} fields, found {len(row)}")
            cells = {name: None if p is None else row[p] for name, p in positions.items()}
            record = _typed_record(cells, fields, key)
        except Untypeable as error:
            reasons.append(f"{path.name}:{number}: {error}")
            continue
        record["_line"] = number
        rows.append(record)
    return Parsed(_frame(rows, fields), len(reasons), reasons)


def latest_record(records: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """De-duplicate on the key: the later record in the file wins."""
    return (
        records.sort_values("_line", kind="stable")
        .drop_duplicates(subset=key, keep="last")
        .reset_index(drop=True)
    )


# --- staging rules ------------------------------------------------------------------------------

_BLANKS = re.compile(r"[\t\n\f\r ]+")


def clean_text(value: str | None) -> str | None:
    """Blanks collapsed to one space, trimmed; empty -> None."""
    if value is None:
        return None
    return _BLANKS.sub(" ", value).strip(" ") or None


def clean_code(value: str | None) -> str | None:
    """Lowercase snake_case: runs of blanks, underscores and dashes -> one underscore."""
    if value is None:
        return None
    return re.sub(r"[\t\n\f\r _-]+", "_", value.strip(" ").lower()) or None


def lookup_key(value: str | None) -> str | None:
    cleaned = clean_text(value)
    return None if cleaned is None else cleaned.lower()


def _title_case(value: str) -> str:
    characters = []
    for position, character in enumerate(value):
        previous = value[position - 1] if position else ""
        starts_word = position == 0 or (
            previous.lower() == previous.upper() and previous not in "0123456789"
        )
        changed = character.upper() if starts_word else character.lower()
        characters.append(changed if len(changed) == 1 else character)
    return "".join(characters)


def clean_name(value: str | None) -> str | None:
    """Trimmed, blanks collapsed, title-cased when typed all in lower or upper case."""
    cleaned = clean_text(value)
    if cleaned is None:
        return None
    if cleaned in (cleaned.lower(), cleaned.upper()):
        return _title_case(cleaned)
    return cleaned


def cents(number: float | None) -> int | None:
    """A raw double as money (numeric(18, 2)): through 8 decimals, then to the cent."""
    if number is None or (isinstance(number, float) and math.isnan(number)):
        return None
    exact = Decimal(repr(number)).quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP)
    return int(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def money(amount_in_cents: Any) -> Decimal | None:
    if amount_in_cents is None or pd.isna(amount_in_cents):
        return None
    return Decimal(int(amount_in_cents)).scaleb(-2)


def safe_divide(numerator: Any, denominator: Any, scale: int) -> Decimal | None:
    """numerator / denominator rounded half away from zero; None on a zero or null denominator."""
    if numerator is None or denominator is None or pd.isna(numerator) or pd.isna(denominator):
        return None
    if denominator == 0:
        return None
    with localcontext() as context:
        context.prec = 60
        quotient = _decimal(numerator) / _decimal(denominator)
        return quotient.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


def _decimal(number: Any) -> Decimal:
    """An exact Decimal of a Decimal or a whole number (Python or numpy)."""
    if isinstance(number, Decimal):
        return number
    if isinstance(number, numbers.Integral):
        return Decimal(int(number))
    raise TypeError(f"not exact: {number!r}")


@dataclass
class Seeds:
    """The reference seeds, read with pandas (every cell as text: "NA" is Namibia's code)."""

    countries: pd.DataFrame
    aliases: pd.DataFrame
    catalogue: pd.DataFrame

    @classmethod
    def read(cls, seeds: Path) -> Seeds:
        def read(name: str) -> pd.DataFrame:
            return pd.read_csv(seeds / name, dtype=str, keep_default_na=False)

        return cls(
            read("countries.csv"), read("country_aliases.csv"), read("product_catalogue.csv")
        )

    def country_lookup(self) -> dict[str, tuple[str, str]]:
        """Every accepted spelling (lookup form) -> (country code, country name)."""
        names = dict(
            zip(self.countries["country_code"], self.countries["country_name"], strict=True)
        )
        spellings: dict[str, str] = {}
        pairs = [
            *zip(self.aliases["alias"], self.aliases["country_code"], strict=True),
            *zip(self.countries["country_name"], self.countries["country_code"], strict=True),
            *zip(self.countries["country_code"], self.countries["country_code"], strict=True),
        ]
        for spelling, code in pairs:
            spellings[lookup_key(spelling)] = code.strip().upper()  # type: ignore[index]
        return {spelling: (code, names[code]) for spelling, code in spellings.items()}

    def products(self) -> pd.DataFrame:
        """The catalogue: product_name, category, list_price (cents), lookup key."""
        catalogue = pd.DataFrame(
            {
                "product_name": [clean_text(p) for p in self.catalogue["product"]],
                "category": [clean_text(c) for c in self.catalogue["category"]],
                "list_price": [cents(float(p)) for p in self.catalogue["list_price"]],
            }
        )
        catalogue["lookup_key"] = [lookup_key(p) for p in catalogue["product_name"]]
        return catalogue

    def product_name_of(self) -> dict[str, str]:
        products = self.products()
        return dict(zip(products["lookup_key"], products["product_name"], strict=True))


def _product_names(entered: pd.Series, names: dict[str, str]) -> list[str | None]:
    """The catalogue's spelling when the name matches it case-insensitively, else as entered."""
    result = []
    for value in entered:
        cleaned = clean_text(value)
        result.append(None if cleaned is None else names.get(cleaned.lower(), cleaned))
    return result


# --- the exports --------------------------------------------------------------------------------


@dataclass
class Exports:
    """The typed, de-duplicated records of a source folder, and the raw ones the as-of needs."""

    customers: pd.DataFrame
    transactions_loaded: pd.DataFrame
    transactions: pd.DataFrame
    campaigns: pd.DataFrame
    sales_loaded: pd.DataFrame
    sales: pd.DataFrame
    observed_product_names: set[str]
    rejected: dict[str, int]
    #: The web events, de-duplicated (the input of the web orders).
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Every loaded record of every feed (duplicates included), for the as-of date.
    loaded: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def read(cls, source: Path, seeds: Seeds) -> Exports:
        parsed = {
            "customers": read_json_records(
                source / "mongo/customers.json", CUSTOMERS, ("customer_id",)
            ),
            "transactions": read_json_records(
                source / "mongo/transactions.json", TRANSACTIONS, ("transaction_id",)
            ),
            "campaigns": read_json_records(
                source / "mongo/campaigns.json", CAMPAIGNS, ("campaign_id",)
            ),
            "events": read_json_records(source / "json/events.jsonl", EVENTS, ("event_id",)),
            "reviews": read_json_records(source / "json/reviews.jsonl", REVIEWS, ("review_id",)),
            "sales": read_csv_records(source / "csv/sales.csv", SALES, ("order_id",)),
            "social_trends": read_csv_records(
                source / "csv/social_trends.csv",
                SOCIAL_TRENDS,
                ("date", "platform", "category", "topic"),
            ),
            "marketplace_sales": read_csv_records(
                source / "csv/marketplace_sales.csv",
                MARKETPLACE_SALES,
                ("date", "marketplace", "product"),
            ),
        }
        names = seeds.product_name_of()
        observed: set[str] = set()
        for table, column, key in (
            ("transactions", "product", ["transaction_id"]),
            ("events", "properties__product", ["event_id"]),
            ("reviews", "product", ["review_id"]),
            ("marketplace_sales", "product", ["date", "marketplace", "product"]),
        ):
            latest = latest_record(parsed[table].records, key)
            observed.update(n for n in _product_names(latest[column], names) if n is not None)
        return cls(
            customers=latest_record(parsed["customers"].records, ["customer_id"]),
            transactions_loaded=parsed["transactions"].records,
            transactions=latest_record(parsed["transactions"].records, ["transaction_id"]),
            campaigns=latest_record(parsed["campaigns"].records, ["campaign_id"]),
            sales_loaded=parsed["sales"].records,
            sales=latest_record(parsed["sales"].records, ["order_id"]),
            observed_product_names=observed,
            rejected={table: result.rejected for table, result in parsed.items()},
            events=latest_record(parsed["events"].records, ["event_id"]),
            loaded={table: result.records for table, result in parsed.items()},
        )


#: The dated columns of each feed that the as-of date looks at (core docs, as_of_date).
ACTIVITY_DATES = {
    "transactions": ("timestamp",),
    "sales": ("date",),
    "events": ("created_at",),
    "reviews": ("created_at",),
    "customers": ("created_at",),
    "social_trends": ("date",),
    "marketplace_sales": ("date",),
}
#: Plans, not activity: they set the as-of date only when no activity feed has a date.
PLAN_DATES = {"campaigns": ("start_date", "end_date")}


def as_of_date(exports: Exports, loaded_date: dt.date) -> dt.date | None:
    """The day after the latest plausible activity date of the feeds present (core docs).

    Per feed, its dates (timestamps as UTC dates) of every loaded record, duplicates
    included, as the model reads the raw tables; plausible: no later than the load day
    and no later than 31 days after that feed's 99th percentile (percentile_disc).
    Campaign days only when no activity feed has a plausible date.
    """
    return _latest_plausible(exports, ACTIVITY_DATES, loaded_date) or _latest_plausible(
        exports, PLAN_DATES, loaded_date
    )


def _latest_plausible(
    exports: Exports, feeds: dict[str, tuple[str, ...]], loaded_date: dt.date
) -> dt.date | None:
    latest: list[dt.date] = []
    for feed, columns in feeds.items():
        records = exports.loaded.get(feed)
        if records is None or records.empty:
            continue
        dates = sorted(
            value.date() if isinstance(value, dt.datetime) else value
            for column in columns
            for value in records[column]
            if value is not None and not pd.isna(value)
        )
        if not dates:
            continue
        p99 = dates[math.ceil(0.99 * len(dates)) - 1]
        plausible = [d for d in dates if d <= loaded_date and d <= p99 + dt.timedelta(days=31)]
        if plausible:
            latest.append(max(plausible))
    return max(latest) + dt.timedelta(days=1) if latest else None


# --- staging and core -------------------------------------------------------------------------


def _flags(values: Iterable[bool]) -> pd.Series:
    """A boolean column (also when empty: an empty list would become floats)."""
    return pd.Series(list(values), dtype=bool)


def _is_past(date: Any, as_of: dt.date | None) -> bool:
    return date is not None and not pd.isna(date) and (as_of is None or date <= as_of)


def transactions_table(exports: Exports, seeds: Seeds, as_of: dt.date | None) -> pd.DataFrame:
    """stg_mongo__transactions / fct_transactions: the columns the marts use."""
    source = exports.transactions
    table = pd.DataFrame(
        {
            "order_id": source["transaction_id"],
            "customer_id": source["customer_id"],
            "product_name": _product_names(source["product"], seeds.product_name_of()),
            "quantity": source["quantity"],
            "amount": [cents(a) for a in source["amount"]],
            "discount": [cents(0.0 if d is None else d) for d in source["discount_applied"]],
            "shipping": [cents(0.0 if s is None else s) for s in source["shipping_cost"]],
            "status": [clean_code(s) or "completed" for s in source["status"]],
            "order_date": [None if t is None else t.date() for t in source["timestamp"]],
        },
        dtype=object,
    )
    table["total"] = pd.Series(
        [
            None if a is None else a - d + s
            for a, d, s in zip(table["amount"], table["discount"], table["shipping"], strict=True)
        ],
        dtype=object,
    )
    table["is_revenue"] = _flags(
        status == "completed" and amount is not None and amount >= 0 and total >= 0
        and _is_past(date, as_of)
        for status, amount, total, date in zip(
            table["status"], table["amount"], table["total"], table["order_date"], strict=True
        )
    )  # fmt: skip
    table["order_source"] = "transactions"
    return table


def sales_table(exports: Exports, as_of: dt.date | None) -> pd.DataFrame:
    """stg_sales__orders / fct_sales_orders: the columns the marts use."""
    source = exports.sales
    table = pd.DataFrame(
        {
            "order_id": source["order_id"],
            "customer_id": source["customer_id"],
            "total": [cents(s) for s in source["sales"]],
            "order_date": source["date"],
        },
        dtype=object,
    )
    table["is_revenue"] = _flags(
        total is not None and total >= 0 and _is_past(date, as_of)
        for total, date in zip(table["total"], table["order_date"], strict=True)
    )
    table["order_source"] = "sales_csv"
    return table


def event_orders_table(exports: Exports, seeds: Seeds, as_of: dt.date | None) -> pd.DataFrame:
    """fct_event_orders: web purchases that no order feed holds (core docs, fct_event_orders).

    A purchase whose transaction_id is a transaction or a sales-CSV order is that order;
    one whose transaction_id no feed has is an order; one without a transaction_id only
    when no order feed holds any order (keyed by its event id). Revenue: price x quantity
    (a missing quantity counts 1) over the order's distinct lines; a cancel event naming
    the transaction_id cancels it.
    """
    columns = ["order_source", "order_id", "customer_id", "order_date", "total", "is_revenue"]
    events = exports.events
    if events.empty:
        return pd.DataFrame(columns=columns, dtype=object)
    kinds = [clean_code(kind) for kind in events["event_type"]]
    feed_ids = set(exports.transactions["transaction_id"]) | set(exports.sales["order_id"])
    has_order_feed = bool(len(exports.transactions) or len(exports.sales))
    products = _product_names(events["properties__product"], seeds.product_name_of())
    cancelled = {
        transaction
        for kind, transaction in zip(kinds, events["properties__transaction_id"], strict=True)
        if kind == "cancel" and transaction is not None
    }
    orders: dict[str, dict[str, Any]] = {}
    for kind, event_id, transaction, customer, at, product, price, quantity in zip(
        kinds,
        events["event_id"],
        events["properties__transaction_id"],
        events["user_id"],
        events["created_at"],
        products,
        events["properties__price"],
        events["properties__quantity"],
        strict=True,
    ):
        if kind != "purchase" or transaction in feed_ids:
            continue
        if transaction is None and has_order_feed:
            continue
        order = orders.setdefault(
            transaction or event_id, {"customers": set(), "times": [], "lines": set()}
        )
        if customer is not None:
            order["customers"].add(customer)
        if at is not None:
            order["times"].append(at)
        order["lines"].add((product, cents(price), 1 if quantity is None else int(quantity)))
    rows = []
    for order_id, order in orders.items():
        lines = order["lines"]
        priced = all(price is not None for _, price, _ in lines)
        total = sum(price * quantity for _, price, quantity in lines) if priced else None
        sound = all((price is None or price >= 0) and quantity > 0 for _, price, quantity in lines)
        date = min(order["times"]).date() if order["times"] else None
        rows.append(
            {
                "order_source": "events",
                "order_id": order_id,
                "customer_id": min(order["customers"]) if order["customers"] else None,
                "order_date": date,
                "total": total,
                "is_revenue": order_id not in cancelled
                and total is not None
                and total >= 0
                and sound
                and _is_past(date, as_of),
            }
        )
    return pd.DataFrame(rows, columns=columns, dtype=object)


def customers_table(exports: Exports, seeds: Seeds) -> pd.DataFrame:
    """dim_customers: the columns the marts use."""
    source = exports.customers
    lookup = seeds.country_lookup()
    countries = [lookup.get(lookup_key(c) or "", (None, None)) for c in source["country"]]
    first = [clean_name(n) for n in source["first_name"]]
    last = [clean_name(n) for n in source["last_name"]]
    return pd.DataFrame(
        {
            "customer_id": source["customer_id"],
            "full_name": [
                " ".join(p for p in (f, la) if p is not None) or None
                for f, la in zip(first, last, strict=True)
            ],
            "country_code": [code for code, _ in countries],
            "country": [name for _, name in countries],
            "city": [clean_text(c) for c in source["city"]],
            "has_marketing_consent": [
                c is not None and bool(c) for c in source["marketing_consent"]
            ],
        },
        dtype=object,
    )


def _round_cents(total: int, count: int) -> Decimal | None:
    return safe_divide(Decimal(int(total)).scaleb(-2), count, 2)


# --- the marts ----------------------------------------------------------------------------------


@dataclass
class Marts:
    """The five marts as computed here, the as-of date they assume and the orders."""

    as_of_date: dt.date | None
    customer_metrics: pd.DataFrame
    product_performance: pd.DataFrame
    campaign_performance: pd.DataFrame
    monthly_revenue: pd.DataFrame
    country_statistics: pd.DataFrame
    #: Every order of both feeds (order_source, order_id, customer_id, order_date, total
    #: in cents, is_revenue): the input of the customer analytics' own checks.
    orders: pd.DataFrame

    def __getitem__(self, name: str) -> pd.DataFrame:
        frame = getattr(self, name)
        assert isinstance(frame, pd.DataFrame)
        return frame


def customer_metrics(orders: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    revenue = orders[orders["is_revenue"] & orders["customer_id"].notna()]
    aggregated = revenue.groupby("customer_id").agg(
        total_transactions=("order_id", "size"),
        total=("total", "sum"),
        first_purchase_date=("order_date", "min"),
        last_purchase_date=("order_date", "max"),
    )
    known = customers.set_index("customer_id")
    rows = []
    for customer_id, row in aggregated.iterrows():
        is_known = customer_id in known.index
        customer = known.loc[customer_id] if is_known else None
        rows.append(
            {
                "customer_id": customer_id,
                "has_known_customer": is_known,
                "full_name": customer["full_name"] if is_known else None,
                "country": customer["country"] if is_known else None,
                "country_code": customer["country_code"] if is_known else None,
                "city": customer["city"] if is_known else None,
                "has_marketing_consent": customer["has_marketing_consent"] if is_known else None,
                "total_transactions": int(row["total_transactions"]),
                "total_spent": money(row["total"]),
                "avg_transaction_amount": _round_cents(row["total"], row["total_transactions"]),
                "first_purchase_date": row["first_purchase_date"],
                "last_purchase_date": row["last_purchase_date"],
            }
        )
    return pd.DataFrame(rows, columns=CUSTOMER_METRICS_COLUMNS, dtype=object)


CUSTOMER_METRICS_COLUMNS = [
    "customer_id",
    "has_known_customer",
    "full_name",
    "country",
    "country_code",
    "city",
    "has_marketing_consent",
    "total_transactions",
    "total_spent",
    "avg_transaction_amount",
    "first_purchase_date",
    "last_purchase_date",
]


def _month(date: dt.date) -> dt.date:
    return date.replace(day=1)


def monthly_revenue(orders: pd.DataFrame) -> pd.DataFrame:
    columns = [
        "month",
        "total_revenue",
        "total_transactions",
        "unique_customers",
        "avg_transaction_value",
        "transactions_revenue",
        "sales_csv_revenue",
        "shopify_revenue",
        "events_revenue",
    ]
    revenue = orders[orders["is_revenue"].astype(bool)].copy()
    if revenue.empty:
        return pd.DataFrame(columns=columns, dtype=object)
    revenue["month"] = [_month(d) for d in revenue["order_date"]]
    revenue["from_transactions"] = [
        t if s == "transactions" else 0
        for t, s in zip(revenue["total"], revenue["order_source"], strict=True)
    ]
    revenue["from_sales_csv"] = [
        t if s == "sales_csv" else 0
        for t, s in zip(revenue["total"], revenue["order_source"], strict=True)
    ]
    revenue["from_shopify"] = [
        t if s == "shopify" else 0
        for t, s in zip(revenue["total"], revenue["order_source"], strict=True)
    ]
    revenue["from_events"] = [
        t if s == "events" else 0
        for t, s in zip(revenue["total"], revenue["order_source"], strict=True)
    ]
    by_month = revenue.groupby("month").agg(
        total=("total", "sum"),
        count=("order_id", "size"),
        customers=("customer_id", lambda ids: ids.dropna().nunique()),
        from_transactions=("from_transactions", "sum"),
        from_sales_csv=("from_sales_csv", "sum"),
        from_shopify=("from_shopify", "sum"),
        from_events=("from_events", "sum"),
    )
    rows = []
    month = min(by_month.index)
    while month <= max(by_month.index):
        if month in by_month.index:
            row = by_month.loc[month]
            rows.append(
                [
                    month,
                    money(row["total"]),
                    int(row["count"]),
                    int(row["customers"]),
                    _round_cents(row["total"], row["count"]),
                    money(row["from_transactions"]),
                    money(row["from_sales_csv"]),
                    money(row["from_shopify"]),
                    money(row["from_events"]),
                ]
            )
        else:
            zero = Decimal("0.00")
            rows.append([month, zero, 0, 0, None, zero, zero, zero, zero])
        month = _month(month + dt.timedelta(days=31))
    return pd.DataFrame(rows, columns=columns, dtype=object)


def country_statistics(orders: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    columns = [
        "country",
        "country_code",
        "total_customers",
        "paying_customers",
        "consenting_customers",
        "total_revenue",
        "avg_customer_value",
        "marketing_consent_rate",
    ]
    revenue = orders[orders["is_revenue"] & orders["customer_id"].notna()]
    by_customer = revenue.groupby("customer_id")["total"].sum()
    rows = []
    grouped = customers.groupby(["country_code", "country"], dropna=False, sort=False)
    for (code, name), group in grouped:
        paying = [c for c in group["customer_id"] if c in by_customer.index]
        total = sum(int(by_customer[c]) for c in paying)
        consenting = int(sum(bool(c) for c in group["has_marketing_consent"]))
        rows.append(
            [
                None if pd.isna(name) else name,
                None if pd.isna(code) else code,
                len(group),
                len(paying),
                consenting,
                money(total),
                _round_cents(total, len(group)),
                safe_divide(consenting * 100, len(group), 2),
            ]
        )
    return pd.DataFrame(rows, columns=columns, dtype=object)


def product_performance(transactions: pd.DataFrame, exports: Exports, seeds: Seeds) -> pd.DataFrame:
    catalogue = seeds.products()
    catalogue_names = set(catalogue["product_name"])
    products = [
        (name, category, money(price), True)
        for name, category, price in zip(
            catalogue["product_name"], catalogue["category"], catalogue["list_price"], strict=True
        )
    ] + [
        (name, "uncategorized", None, False)
        for name in sorted(exports.observed_product_names - catalogue_names)
    ]
    revenue = transactions[transactions["is_revenue"].astype(bool)]
    rows = []
    for name, category, list_price, is_catalogue in products:
        sold = revenue[revenue["product_name"] == name]
        units = int(sum(q for q in sold["quantity"] if q is not None))
        total = int(sum(sold["total"]))
        rows.append(
            {
                "product": name,
                "category": category,
                "is_catalogue_product": is_catalogue,
                "list_price": list_price,
                "total_transactions": len(sold),
                "total_sales": units,
                "total_revenue": money(total),
                "avg_price": _round_cents(total, units) if len(sold) else None,
                "unique_customers": sold["customer_id"].dropna().nunique(),
            }
        )
    columns = [
        "product",
        "category",
        "is_catalogue_product",
        "list_price",
        "total_transactions",
        "total_sales",
        "total_revenue",
        "avg_price",
        "unique_customers",
    ]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def campaign_status(
    spend: int | None, budget: int | None, start: Any, end: Any, as_of: dt.date | None
) -> str:
    """core docs, campaign_status: the first rule that applies."""
    if spend is not None and budget is not None and spend > budget:
        return "overspent"
    if start is None or as_of is None:
        return "unknown"
    if start > as_of:
        return "planned"
    if end is not None and end < as_of:
        return "completed"
    return "active"


def _campaign_issues(row: dict[str, Any]) -> set[str]:
    """The data-quality codes of a campaign (glossary of models/_models__docs.md)."""
    checks = {
        "missing_campaign_name": row["campaign_name"] is None,
        "missing_budget": row["budget"] is None,
        "negative_budget": row["budget"] is not None and row["budget"] < 0,
        "missing_spend": row["spend"] is None,
        "negative_spend": row["spend"] is not None and row["spend"] < 0,
        "negative_count": any(
            row[c] is not None and row[c] < 0 for c in ("impressions", "clicks", "conversions")
        ),
        "clicks_above_impressions": _greater(row["clicks"], row["impressions"]),
        "conversions_above_clicks": _greater(row["conversions"], row["clicks"]),
        "missing_start_date": row["start_date"] is None,
        "missing_end_date": row["end_date"] is None,
        "end_before_start": _greater(row["start_date"], row["end_date"]),
    }
    return {code for code, found in checks.items() if found}


def _greater(left: Any, right: Any) -> bool:
    return left is not None and right is not None and left > right


def campaign_performance(exports: Exports, as_of: dt.date | None) -> pd.DataFrame:
    # The attributed columns need the web events, sessionised and attributed: the export
    # set here does not carry them, so they compare equal to anything (mock.ANY) in this
    # comparison, and tests/integration/test_web_analytics.py checks them against its own
    # computation from the events export.
    from unittest.mock import ANY

    rows = []
    for source in exports.campaigns.to_dict("records"):
        row = {
            "campaign_id": source["campaign_id"],
            "campaign_name": clean_text(source["campaign_name"]),
            "campaign_type": clean_code(source["campaign_type"]),
            "start_date": source["start_date"],
            "end_date": source["end_date"],
            "budget": cents(source["budget"]),
            "spend": cents(source["spend"]),
            "impressions": source["impressions"],
            "clicks": source["clicks"],
            "conversions": source["conversions"],
        }
        issues = _campaign_issues(row)
        spend, budget = money(row["spend"]), money(row["budget"])
        rows.append(
            {
                "campaign_id": row["campaign_id"],
                "campaign_name": row["campaign_name"],
                "campaign_type": row["campaign_type"],
                "start_date": row["start_date"],
                "end_date": row["end_date"],
                "status": campaign_status(
                    row["spend"], row["budget"], row["start_date"], row["end_date"], as_of
                ),
                "budget": budget,
                "total_spend": spend,
                "total_impressions": row["impressions"],
                "total_clicks": row["clicks"],
                "total_conversions": row["conversions"],
                "avg_ctr": _times_100_over(row["clicks"], row["impressions"]),
                "avg_conversion_rate": _times_100_over(row["conversions"], row["clicks"]),
                "avg_cpc": safe_divide(spend, row["clicks"], 4),
                "avg_cpa": safe_divide(spend, row["conversions"], 4),
                "budget_roi": safe_divide(
                    None if budget is None or spend is None else (budget - spend) * 100,
                    budget,
                    4,
                ),
                # var attribution_default_model, as dbt_project.yml sets it.
                "attribution_model": "position_based",
                "attributed_conversions": ANY,
                "attributed_revenue": ANY,
                "roas": ANY,
                "roi": ANY,
                "is_valid": not issues,
                "dq_issues": ",".join(sorted(issues)) or None,
            }
        )
    columns = [
        "campaign_id",
        "campaign_name",
        "campaign_type",
        "start_date",
        "end_date",
        "status",
        "budget",
        "total_spend",
        "total_impressions",
        "total_clicks",
        "total_conversions",
        "avg_ctr",
        "avg_conversion_rate",
        "avg_cpc",
        "avg_cpa",
        "budget_roi",
        "attribution_model",
        "attributed_conversions",
        "attributed_revenue",
        "roas",
        "roi",
        "is_valid",
        "dq_issues",
    ]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _times_100_over(numerator: int | None, denominator: int | None) -> Decimal | None:
    return safe_divide(None if numerator is None else numerator * 100, denominator, 4)


def compute_marts(source: Path, seeds_dir: Path, loaded_date: dt.date) -> Marts:
    """The five marts of a source folder loaded on ``loaded_date`` (UTC)."""
    seeds = Seeds.read(seeds_dir)
    exports = Exports.read(source, seeds)
    return marts_of(exports, seeds, loaded_date)


def marts_of(exports: Exports, seeds: Seeds, loaded_date: dt.date) -> Marts:
    as_of = as_of_date(exports, loaded_date)
    transactions = transactions_table(exports, seeds, as_of)
    sales = sales_table(exports, as_of)
    columns = ["order_source", "order_id", "customer_id", "order_date", "total", "is_revenue"]
    event_orders = event_orders_table(exports, seeds, as_of)
    feeds = [frame[columns] for frame in (transactions, sales, event_orders) if not frame.empty]
    empty = pd.DataFrame(columns=columns, dtype=object)
    orders = pd.concat(feeds, ignore_index=True) if feeds else empty
    orders["is_revenue"] = orders["is_revenue"].astype(bool)
    customers = customers_table(exports, seeds)
    return Marts(
        as_of_date=as_of,
        customer_metrics=customer_metrics(orders, customers),
        product_performance=product_performance(transactions, exports, seeds),
        campaign_performance=campaign_performance(exports, as_of),
        monthly_revenue=monthly_revenue(orders),
        country_statistics=country_statistics(orders, customers),
        orders=orders,
    )


def iter_rows(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    yield from frame.to_dict("records")
