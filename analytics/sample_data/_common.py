"""Shared helpers: seeded streams, time axis, value formats, catalogue, line merging."""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
AnyArray = npt.NDArray[Any]

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"

MS_PER_SECOND = 1_000
MS_PER_MINUTE = 60_000
MS_PER_HOUR = 3_600_000
MS_PER_DAY = 86_400_000
#: 2023-01-01T00:00:00Z, first possible customer creation.
CUSTOMERS_START_MS = 1_672_531_200_000
#: 2025-01-01T00:00:00Z, start of the activity year.
YEAR_START_MS = 1_735_689_600_000
#: 2026-01-01T00:00:00Z, end (exclusive) of the activity year.
YEAR_END_MS = 1_767_225_600_000
#: 2027-01-01 .. 2031-01-01: the range of the "future timestamp" defect.
FUTURE_START_MS = 1_798_761_600_000
FUTURE_END_MS = 1_924_992_000_000
DAYS_IN_YEAR = 365

#: Named random streams: every table draws from its own, so changing one table never
#: shifts the numbers of another.
STREAMS: dict[str, int] = {
    "customers": 1,
    "customers_write": 2,
    "transactions": 3,
    "transactions_write": 4,
    "campaigns": 5,
    "sessions": 6,
    "events_write": 7,
    "sales": 8,
    "sales_write": 9,
    "reviews": 10,
    "reviews_write": 11,
    "social": 12,
    "social_write": 13,
    "marketplace": 14,
    "marketplace_write": 15,
    # opt-in variants (generate(rare_source_sessions=...)); unused by the default output
    "rare_source": 16,
}


def stream(seed: int, name: str, chunk: int = 0) -> np.random.Generator:
    """Return the random generator of stream ``name`` (and chunk) for ``seed``."""
    return np.random.default_rng(np.random.SeedSequence([seed, STREAMS[name], chunk]))


def scaled(count_at_scale_1: float, scale: float, minimum: int = 1) -> int:
    """Scale an entity count, rounding half up, never below ``minimum``."""
    return max(minimum, int(count_at_scale_1 * scale + 0.5))


def exact_count(rate: float, n: int) -> int:
    """Number of records that get a defect of ``rate`` among ``n`` (half up)."""
    return int(rate * n + 0.5)


def assign_codes(
    rng: np.random.Generator,
    n: int,
    specs: Sequence[tuple[int, int, BoolArray | None]],
) -> npt.NDArray[np.int8]:
    """Give exclusive codes to exact numbers of records.

    Args:
        rng: Random stream.
        n: Number of records.
        specs: ``(code, count, eligible)`` in priority order; ``eligible`` masks the
            records that may receive the code (``None``: all). Fewer records get the code
            when not enough are eligible.

    Returns:
        One code per record, 0 for none.
    """
    codes = np.zeros(n, dtype=np.int8)
    order = rng.permutation(n)
    for code, count, eligible in specs:
        if count <= 0:
            continue
        free = codes[order] == 0
        if eligible is not None:
            free &= eligible[order]
        chosen = order[free][:count]
        codes[chosen] = code
    return codes


def choice(rng: np.random.Generator, weights: Sequence[float] | FloatArray, size: int) -> IntArray:
    """Draw indices with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int64)


def round_money(values: FloatArray) -> FloatArray:
    """Round currency amounts to cents."""
    return np.round(values, 2)


# --- time -----------------------------------------------------------------------------------

#: Relative traffic by hour of day (UTC), evenings busiest.
HOUR_WEIGHTS: tuple[float, ...] = (
    0.8, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2.0, 2.6, 3.0, 3.2,
    3.4, 3.3, 3.2, 3.2, 3.4, 3.8, 4.4, 5.0, 5.2, 4.6, 3.2, 1.8,
)  # fmt: skip


def day_weights() -> FloatArray:
    """Relative activity of each day of 2025 (weekends, summer dip, Black Friday, Christmas)."""
    days = np.arange(DAYS_IN_YEAR)
    weekday = (days + 2) % 7  # 2025-01-01 is a Wednesday (Monday = 0)
    weights = np.ones(DAYS_IN_YEAR)
    weights[weekday >= 5] *= 1.15
    weights[(days >= 181) & (days < 243)] *= 0.9  # July, August
    weights[days < 31] *= 0.9  # January
    weights[(days >= 318) & (days < 358)] *= 1.5  # 2025-11-15 .. 2025-12-24
    weights[331] *= 2.5  # Black Friday 2025-11-28
    weights[334] *= 1.8  # Cyber Monday 2025-12-01
    return weights


@dataclass(frozen=True)
class Calendar:
    """Maps uniform draws to days of 2025 weighted by :func:`day_weights`."""

    cumulative: FloatArray

    @classmethod
    def build(cls) -> Calendar:
        """Build the calendar of 2025."""
        weights = day_weights()
        cumulative = np.concatenate([[0.0], np.cumsum(weights)])
        return cls(cumulative / cumulative[-1])

    def to_share(self, ms: IntArray) -> FloatArray:
        """Share of the year's activity before each instant."""
        days = (ms - YEAR_START_MS) / MS_PER_DAY
        return np.interp(days, np.arange(DAYS_IN_YEAR + 1), self.cumulative)

    def to_ms(self, share: FloatArray) -> IntArray:
        """Instant before which ``share`` of the year's activity lies."""
        days = np.interp(share, self.cumulative, np.arange(DAYS_IN_YEAR + 1))
        return (YEAR_START_MS + days * MS_PER_DAY).astype(np.int64)

    def between(self, rng: np.random.Generator, start: IntArray, end: IntArray) -> IntArray:
        """Draw one instant in each ``[start, end)``, busier days more likely."""
        lo = self.to_share(start)
        hi = self.to_share(end)
        return np.clip(self.to_ms(lo + rng.random(len(start)) * (hi - lo)), start, end - 1)


def time_of_day(rng: np.random.Generator, days: IntArray) -> IntArray:
    """Put instants on each day (ms since epoch of midnight) following :data:`HOUR_WEIGHTS`."""
    hours = choice(rng, HOUR_WEIGHTS, len(days))
    within = rng.integers(0, MS_PER_HOUR, len(days))
    return days + hours * MS_PER_HOUR + within


def with_time_of_day(rng: np.random.Generator, ms: IntArray) -> IntArray:
    """Keep the day of each instant and redraw its time of day."""
    return time_of_day(rng, (ms // MS_PER_DAY) * MS_PER_DAY)


def iso_ms(ms: IntArray) -> list[str]:
    """``2025-03-04T05:06:07.123Z`` for each instant."""
    return np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms", timezone="UTC").tolist()  # type: ignore[no-any-return]


def iso_dates(ms: IntArray) -> list[str]:
    """``2025-03-04`` for each instant."""
    return np.datetime_as_string(ms.astype("datetime64[ms]"), unit="D").tolist()  # type: ignore[no-any-return]


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Time zone offsets (minutes) used by the "ISO with offset" format.
OFFSETS_MIN = (60, 120, -300, 330, 540, -180)

# Timestamp styles (all accepted by the contract's ``timestamp`` type).
TS_ISO_MS = 0  # 2025-03-04T05:06:07.123Z
TS_ISO = 1  # 2025-03-04T05:06:07Z
TS_SPACE = 2  # 2025-03-04 05:06:07 (no zone: UTC)
TS_OFFSET = 3  # 2025-03-04T07:06:07+02:00
TS_EPOCH_MS = 4  # 1741064767123 (number)
TS_EPOCH_S = 5  # 1741064767 (number)
TS_FRACTION = 6  # 2025-03-04T05:06:07.123456 (no zone: UTC)
#: Styles that keep the time of day.
TIME_STYLES = (TS_ISO, TS_SPACE, TS_OFFSET, TS_EPOCH_MS, TS_EPOCH_S, TS_FRACTION)

# Date styles (all accepted by the contract's ``date`` type; midnight UTC as a timestamp).
D_ISO = 10  # 2025-03-04
D_SLASH_YMD = 11  # 2025/03/04
D_DOT = 12  # 04.03.2025
D_SLASH_DMY = 13  # 04/03/2025
D_COMPACT = 14  # 20250304
D_MON_DAY = 15  # Mar 04, 2025
D_DAY_MON = 16  # 04 Mar 2025
DATE_STYLES = (D_ISO, D_SLASH_YMD, D_DOT, D_SLASH_DMY, D_COMPACT, D_MON_DAY, D_DAY_MON)


def to_datetime(ms: int) -> dt.datetime:
    """UTC datetime of epoch milliseconds (exact, no float rounding)."""
    return _EPOCH + dt.timedelta(milliseconds=ms)


def format_instant(ms: int, style: int) -> str | int:
    """Write an instant in one of the accepted styles (``TS_*`` or ``D_*``)."""
    if style == TS_EPOCH_MS:
        return ms
    if style == TS_EPOCH_S:
        return ms // 1000
    d = to_datetime(ms)
    if style == TS_ISO_MS:
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"
    if style == TS_ISO:
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == TS_SPACE:
        return d.strftime("%Y-%m-%d %H:%M:%S")
    if style == TS_OFFSET:
        offset = OFFSETS_MIN[(ms // 1000) % len(OFFSETS_MIN)]
        local = d + dt.timedelta(minutes=offset)
        sign = "+" if offset >= 0 else "-"
        hours, minutes = divmod(abs(offset), 60)
        return local.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{hours:02d}:{minutes:02d}"
    if style == TS_FRACTION:
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}{ms % 7}{ms % 3}1"
    return format_date(d.year, d.month, d.day, style)


def format_date(year: int, month: int, day: int, style: int) -> str:
    """Write a calendar date in one of the ``D_*`` styles."""
    if style == D_SLASH_YMD:
        return f"{year:04d}/{month:02d}/{day:02d}"
    if style == D_DOT:
        return f"{day:02d}.{month:02d}.{year:04d}"
    if style == D_SLASH_DMY:
        return f"{day:02d}/{month:02d}/{year:04d}"
    if style == D_COMPACT:
        return f"{year:04d}{month:02d}{day:02d}"
    if style == D_MON_DAY:
        return f"{MONTHS[month - 1]} {day:02d}, {year:04d}"
    if style == D_DAY_MON:
        return f"{day:02d} {MONTHS[month - 1]} {year:04d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def format_day(ms: int, style: int) -> str:
    """Write the UTC date of an instant in one of the ``D_*`` styles."""
    d = to_datetime(ms)
    return format_date(d.year, d.month, d.day, style)


# --- Extended JSON ----------------------------------------------------------------------------


def ejson_date(ms: int, iso: str, canonical: bool) -> dict[str, Any]:
    """``$date`` in canonical (``$numberLong``) or relaxed (ISO string) form."""
    if canonical:
        return {"$date": {"$numberLong": str(ms)}}
    return {"$date": iso}


def ejson_long(value: int, canonical: bool) -> Any:
    """An Int64 value: ``$numberLong`` in canonical form, a plain number otherwise."""
    return {"$numberLong": str(value)} if canonical else value


def ejson_int(value: int, canonical: bool) -> Any:
    """An Int32 value (Int64 beyond its range): wrapped in canonical form."""
    if not canonical:
        return value
    if -(2**31) <= value < 2**31:
        return {"$numberInt": str(value)}
    return {"$numberLong": str(value)}


def ejson_double(value: float, canonical: bool) -> Any:
    """A double: ``$numberDouble`` in canonical form, a plain number otherwise."""
    return {"$numberDouble": repr(float(value))} if canonical else float(value)


def ejson_decimal(value: float) -> dict[str, str]:
    """A Decimal128 with two decimals (the same in both forms)."""
    return {"$numberDecimal": f"{value:.2f}"}


def object_id_parts(rng: np.random.Generator, ms: IntArray) -> tuple[IntArray, IntArray]:
    """Timestamp seconds and random parts of ObjectIds (formatted later, per chunk)."""
    return ms // 1000, rng.integers(0, 2**63 - 1, len(ms), dtype=np.int64)


def object_ids(seconds: IntArray, randoms: IntArray) -> list[str]:
    """ObjectId hex strings: 4 bytes of timestamp, 8 random bytes."""
    return [
        f"{s & 0xFFFFFFFF:08x}{r:016x}"
        for s, r in zip(seconds.tolist(), randoms.tolist(), strict=True)
    ]


def uuids(rng: np.random.Generator, n: int) -> list[str]:
    """Random-looking version-4 UUID strings from the stream."""
    raw = rng.bytes(16 * n).hex()
    out = []
    for i in range(0, 32 * n, 32):
        h = raw[i : i + 32]
        out.append(f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}")
    return out


# --- text helpers --------------------------------------------------------------------------------


def ascii_fold(text: str) -> str:
    """Lowercase ASCII version of a name for emails and URL slugs."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def slug(text: str) -> str:
    """URL slug: ``Chef's Knife Set`` -> ``chefs-knife-set``."""
    folded = ascii_fold(text).replace("'", "").replace("&", "and")
    parts = "".join(c if c.isalnum() else " " for c in folded).split()
    return "-".join(parts)


# --- seeds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """The product catalogue seed."""

    products: tuple[str, ...]
    categories: tuple[str, ...]
    product_category: IntArray
    list_price: FloatArray

    @classmethod
    def load(cls, seeds_dir: Path = SEEDS_DIR) -> Catalogue:
        """Read ``product_catalogue.csv``."""
        with (seeds_dir / "product_catalogue.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        categories: list[str] = []
        for row in rows:
            if row["category"] not in categories:
                categories.append(row["category"])
        return cls(
            products=tuple(row["product"] for row in rows),
            categories=tuple(categories),
            product_category=np.array([categories.index(r["category"]) for r in rows], np.int64),
            list_price=np.array([float(r["list_price"]) for r in rows]),
        )

    def index(self, product: str) -> int:
        """Position of a product."""
        return self.products.index(product)


@dataclass(frozen=True)
class Countries:
    """The countries seed with the accepted spellings of each country."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    calling_codes: tuple[str, ...]
    regions: tuple[str, ...]
    spellings: tuple[tuple[str, ...], ...]

    @classmethod
    def load(cls, seeds_dir: Path = SEEDS_DIR) -> Countries:
        """Read ``countries.csv`` and ``country_aliases.csv``."""
        with (seeds_dir / "countries.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        with (seeds_dir / "country_aliases.csv").open(encoding="utf-8", newline="") as handle:
            aliases = list(csv.DictReader(handle))
        spellings = []
        for row in rows:
            name = row["country_name"]
            variants = [name.lower(), f" {name} ", name.upper(), f"{name} ", row["country_code"]]
            for alias in aliases:
                text = alias["alias"]
                if alias["country_code"] != row["country_code"] or text == name.lower():
                    continue
                variants.append(text.upper() if len(text) <= 3 or "." in text else text.title())
            accepted = {a["alias"] for a in aliases}
            kept = [v for v in variants if v.strip().lower() in accepted]
            spellings.append(tuple(dict.fromkeys(kept)))
        return cls(
            codes=tuple(r["country_code"] for r in rows),
            names=tuple(r["country_name"] for r in rows),
            calling_codes=tuple(r["calling_code"] for r in rows),
            regions=tuple(r["region"] for r in rows),
            spellings=tuple(spellings),
        )


# --- output -------------------------------------------------------------------------------------


class Columns:
    """Numpy columns handed out as Python lists one chunk at a time.

    Python lists of numbers take about five times the memory of the arrays, so a
    writer converts only the chunk it is writing.
    """

    def __init__(self, **arrays: npt.NDArray[Any]) -> None:
        self.arrays = arrays
        self.start = 0
        self.lists: dict[str, list[Any]] = {}

    def load(self, start: int, stop: int) -> None:
        """Convert rows ``start .. stop - 1``."""
        self.start = start
        self.lists = {name: array[..., start:stop].tolist() for name, array in self.arrays.items()}

    def __getitem__(self, name: str) -> list[Any]:
        return self.lists[name]


class LineSink:
    """Streams lines to a binary file in large writes.

    ``orjson.dumps`` results keep a large allocation each, so lines are copied into one
    buffer at once instead of being collected in lists.
    """

    def __init__(self, handle: BinaryIO, separator: bytes = b"\n", flush_at: int = 1 << 20):
        self.handle = handle
        self.separator = separator
        self.flush_at = flush_at
        self.buffer = bytearray()
        self.count = 0

    def add(self, line: bytes) -> None:
        """Append one line."""
        if self.count:
            self.buffer += self.separator
        self.buffer += line
        self.count += 1
        if len(self.buffer) >= self.flush_at:
            self.handle.write(self.buffer)
            self.buffer.clear()

    def close(self, ending: bytes = b"\n") -> int:
        """Write what is left (and ``ending`` after the last line); return the line count."""
        if self.count:
            self.buffer += ending
        self.handle.write(self.buffer)
        self.buffer.clear()
        return self.count


def emit_records(
    sink: LineSink,
    start: int,
    stop: int,
    line: Callable[[int, bool], bytes],
    stale_before: Mapping[int, list[int]],
    bad: Mapping[int, tuple[float, int]],
) -> None:
    """Write records ``start .. stop - 1`` with their extra lines.

    Args:
        sink: Output.
        start: First record.
        stop: One past the last record.
        line: Serialises record ``i`` (``True``: its stale, earlier version).
        stale_before: Record position -> records whose stale copy is written just
            before it (always at or before the record itself).
        bad: Record -> (cut, kind) of a non-JSON line written just before it.
    """
    for i in range(start, stop):
        for j in stale_before.get(i, ()):
            sink.add(line(j, True))
        current = line(i, False)
        if i in bad:
            sink.add(bad_line(current, *bad[i]))
        sink.add(current)


def stale_positions(
    duplicate: npt.NDArray[Any], pick: Sequence[int], chunk: int
) -> dict[int, list[int]]:
    """Place the stale copy of each duplicated record at or before it, in its chunk."""
    out: dict[int, list[int]] = {}
    for i in np.flatnonzero(duplicate).tolist():
        first = i - i % chunk
        out.setdefault(first + pick[i] % (i - first + 1), []).append(i)
    return out


def bad_positions(rng: np.random.Generator, n: int, count: int) -> dict[int, tuple[float, int]]:
    """Records that get a non-JSON line before them: record -> (cut, kind)."""
    chosen = np.sort(rng.choice(n, size=min(n, count), replace=False)).tolist() if n else []
    cuts = rng.uniform(0.3, 0.8, len(chosen)).tolist()
    kinds = rng.integers(0, 1_000_000, len(chosen)).tolist()
    return {i: (c, k) for i, c, k in zip(chosen, cuts, kinds, strict=True)}


def merge_lines(lines: list[bytes], extras: list[tuple[int, int, bytes]]) -> list[bytes]:
    """Insert extra lines: each ``(position, order, line)`` goes before ``lines[position]``."""
    if not extras:
        return lines
    extras.sort(key=lambda item: (item[0], item[1]))
    out: list[bytes] = []
    k = 0
    for i, line in enumerate(lines):
        while k < len(extras) and extras[k][0] <= i:
            out.append(extras[k][2])
            k += 1
        out.append(line)
    out.extend(extra[2] for extra in extras[k:])
    return out


def bad_line(line: bytes, cut: float, kind: int) -> bytes:
    """A line that is not JSON: a truncated copy of ``line`` or stray text.

    Args:
        line: A neighbouring JSON line.
        cut: Share of the line kept when truncating (0.3 .. 0.8).
        kind: Picks the variant (two thirds truncated lines, one third stray text).
    """
    from ._vocab import STRAY_TEXT

    if kind % 3 == 2:
        return STRAY_TEXT[kind % len(STRAY_TEXT)].encode("utf-8")
    source = line.rstrip(b",")
    kept = source[: max(5, int(len(source) * cut))]
    # cut on a character boundary so that the file stays valid UTF-8
    return kept.decode("utf-8", "ignore").encode("utf-8")
