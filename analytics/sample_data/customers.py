"""Customers: the population (kept as arrays) and ``mongo/customers.json``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from . import params
from ._common import (
    CUSTOMERS_START_MS,
    D_DOT,
    D_SLASH_YMD,
    FUTURE_END_MS,
    FUTURE_START_MS,
    MS_PER_DAY,
    TS_EPOCH_MS,
    TS_ISO,
    TS_OFFSET,
    TS_SPACE,
    YEAR_END_MS,
    AnyArray,
    BoolArray,
    Columns,
    Countries,
    IntArray,
    LineSink,
    ascii_fold,
    assign_codes,
    bad_positions,
    choice,
    ejson_date,
    ejson_int,
    ejson_long,
    emit_records,
    exact_count,
    format_instant,
    iso_ms,
    object_id_parts,
    object_ids,
    scaled,
    stale_positions,
    stream,
    time_of_day,
)
from ._vocab import COUNTRY_VOCAB, GENDER_SPELLINGS, GENDER_WEIGHTS, GENDERS, INVALID_PHONES

FIRST_CUSTOMER_ID = 100_001
CHUNK = 20_000

# value defects (exclusive)
_MISSING, _NULL, _ID_TEXT, _AGE_TEXT, _AGE_NEG, _AGE_240, _EMAIL, _PHONE = range(1, 9)
_OPTIONAL = ("email", "phone", "age", "gender", "city", "country")
_CREATED_STYLES = (TS_ISO, TS_SPACE, TS_EPOCH_MS, TS_OFFSET, D_SLASH_YMD, D_DOT)
_CONSENT_SPELLINGS: tuple[tuple[Any, Any], ...] = (
    ("yes", "no"), ("Y", "N"), (1, 0), ("true", "false"), ("TRUE", "FALSE"), ("t", "f"),
)  # fmt: skip


@dataclass
class Customers:
    """The customer population, one array entry per customer in customer_id order."""

    ids: IntArray
    country: AnyArray  # int8 index into the countries seed
    city: AnyArray  # int8 index into the country's cities
    gender: AnyArray  # int8: 10 * gender + (0: female names, 1: male names)
    first: AnyArray
    last: AnyArray
    age: AnyArray
    consent: BoolArray
    created_ms: IntArray
    email_pattern: AnyArray
    email_domain: AnyArray
    email_digits: AnyArray
    phone_digits: IntArray
    phone_prefix: AnyArray
    phone_notation: AnyArray

    @property
    def n(self) -> int:
        """Number of customers."""
        return len(self.ids)


def build(seed: int, scale: float, countries: Countries) -> Customers:
    """Draw the customer population."""
    rng = stream(seed, "customers")
    n = scaled(params.COUNTS_AT_SCALE_1["customers"], scale, params.MINIMUM_COUNTS["customers"])
    year = choice(rng, params.CREATED_YEAR_SHARES, n)
    year_start = np.array([CUSTOMERS_START_MS, 1_704_067_200_000, 1_735_689_600_000])
    year_days = np.array([365, 366, 365])
    day = rng.integers(0, year_days[year])
    created = np.sort(time_of_day(rng, year_start[year] + day * MS_PER_DAY))
    created = np.minimum(created, YEAR_END_MS - 1)
    vocab = [COUNTRY_VOCAB[code] for code in countries.codes]
    country = choice(rng, [v.weight for v in vocab], n)
    gender = choice(rng, GENDER_WEIGHTS, n)
    u = rng.random((6, n), dtype=np.float32)
    city_rank_weights = [np.array([(r + 1) ** -0.8 for r in range(len(v.cities))]) for v in vocab]
    city = np.empty(n, np.int8)
    first = np.empty(n, np.int8)
    last = np.empty(n, np.int8)
    domain = np.empty(n, np.int8)
    prefix = np.empty(n, np.int8)
    for c, v in enumerate(vocab):
        here = country == c
        cdf = np.cumsum(city_rank_weights[c]) / city_rank_weights[c].sum()
        city[here] = np.searchsorted(cdf, u[0][here])
        female = here & ((gender == 0) | ((gender >= 2) & (u[1] < 0.5)))
        male = here & ~female
        first[female] = (u[2][female] * len(v.female)).astype(np.int64)
        first[male] = (u[2][male] * len(v.male)).astype(np.int64)
        last[here] = (u[3][here] * len(v.last)).astype(np.int64)
        dcdf = np.cumsum(1.0 / (np.arange(len(v.domains)) + 1)) / np.sum(
            1.0 / (np.arange(len(v.domains)) + 1)
        )
        domain[here] = np.searchsorted(dcdf, u[4][here])
        prefix[here] = (u[5][here] * len(v.prefixes)).astype(np.int64)
    # names of women are looked up in ``female``: remember who that is via the gender column
    gender_for_names = np.where(
        (gender >= 2) & (u[1] < 0.5), 0, np.where(gender >= 2, 1, gender)
    ).astype(np.int64)
    age = np.clip(np.round(rng.normal(40, 13, n)), 18, 85).astype(np.int64)
    return Customers(
        ids=FIRST_CUSTOMER_ID + np.arange(n, dtype=np.int64),
        country=country.astype(np.int8),
        city=city.astype(np.int8),
        gender=(gender * 10 + gender_for_names).astype(np.int8),
        first=first.astype(np.int8),
        last=last.astype(np.int8),
        age=age.astype(np.int16),
        consent=rng.random(n) < params.CONSENT_SHARE,
        created_ms=created.astype(np.int64),
        email_pattern=choice(rng, (0.30, 0.12, 0.10, 0.35, 0.08, 0.05), n).astype(np.int8),
        email_domain=domain.astype(np.int8),
        email_digits=rng.integers(1, 100, n, dtype=np.int8),
        phone_digits=rng.integers(0, 10**12, n),
        phone_prefix=prefix.astype(np.int8),
        phone_notation=choice(rng, (0.45, 0.20, 0.30, 0.05), n).astype(np.int8),
    )


def _group(pattern: str, digits: str) -> str:
    out = []
    k = 0
    for ch in pattern:
        if ch == "#":
            out.append(digits[k])
            k += 1
        else:
            out.append(ch)
    return "".join(out)


def phone_text(code: str, calling: str, prefix: str, digits: int, notation: int) -> str:
    """Write a mobile number of the country in one of four notations."""
    v = COUNTRY_VOCAB[code]
    nsn = (prefix + f"{digits:012d}")[: v.nsn_length]
    if notation == 0:
        return f"+{calling} " + _group(v.international, nsn)
    if notation == 1:
        return f"+{calling}{nsn}"
    if notation == 2:
        return _group(v.national, nsn)
    return f"00{calling} " + _group(v.international, nsn)


def email_text(first: str, last: str, pattern: int, domain: str, digits: int, age: int) -> str:
    """Build a plausible email address from the names."""
    f = ascii_fold(first).replace(" ", "").replace("'", "")
    lname = ascii_fold(last).replace(" ", "").replace("'", "")
    if pattern == 0:
        local = f"{f}.{lname}"
    elif pattern == 1:
        local = f"{f}{lname}"
    elif pattern == 2:
        local = f"{f[0]}.{lname}"
    elif pattern == 3:
        local = f"{f}.{lname}{digits}"
    elif pattern == 4:
        local = f"{f}_{lname}{(2025 - age) % 100:02d}"
    else:
        local = f"{lname}.{f}"
    return f"{local}@{domain}"


def _invalid_email(email: str, kind: int) -> str:
    local, _, domain = email.partition("@")
    if kind == 0:
        return local + domain
    if kind == 1:
        return local + "@"
    if kind == 2:
        return f"{local}@{domain.split('.')[0]}"
    if kind == 3:
        return local.replace(".", " ", 1) + "@" + domain if "." in local else f"{local} @{domain}"
    return f"{local}@@{domain}"


def write(
    path: Path, seed: int, customers: Customers, countries: Countries, buyers: BoolArray
) -> int:
    """Write ``mongo/customers.json``; return the number of lines."""
    rng = stream(seed, "customers_write")
    rates = params.DEFECT_RATES["customers"]
    n = customers.n
    codes = assign_codes(
        rng,
        n,
        [
            (_MISSING, exact_count(rates["missing_field"], n), None),
            (_NULL, exact_count(rates["explicit_null"], n), None),
            (_ID_TEXT, exact_count(rates["customer_id_as_string"], n), None),
            (_AGE_TEXT, exact_count(rates["age_as_string"], n), None),
            (_AGE_NEG, exact_count(rates["age_negative"], n), None),
            (_AGE_240, exact_count(rates["age_240"], n), None),
            (_EMAIL, exact_count(rates["invalid_email"], n), None),
            (_PHONE, exact_count(rates["invalid_phone"], n), None),
        ],
    )
    # created_at: 1 = future (non-buyers only), 2 = another format
    created_codes = assign_codes(
        rng,
        n,
        [
            (1, exact_count(rates["future_timestamp"], n), ~buyers),
            (2, exact_count(rates["timestamp_other_format"], n), None),
        ],
    )
    future_ms = rng.integers(FUTURE_START_MS, FUTURE_END_MS, n)
    created_ms = np.where(created_codes == 1, future_ms, customers.created_ms)
    oid_seconds, oid_random = object_id_parts(rng, customers.created_ms)
    stale_seconds, stale_random = object_id_parts(
        rng, customers.created_ms - rng.integers(1, 30, n) * MS_PER_DAY
    )
    columns = Columns(
        ids=customers.ids,
        country=customers.country,
        city=customers.city,
        gender=customers.gender,
        first=customers.first,
        last=customers.last,
        age=customers.age,
        consent=customers.consent,
        email_pattern=customers.email_pattern,
        email_domain=customers.email_domain,
        email_digits=customers.email_digits,
        phone_digits=customers.phone_digits,
        phone_prefix=customers.phone_prefix,
        phone_notation=customers.phone_notation,
        code=codes,
        created_code=created_codes,
        created=created_ms,
        style=rng.integers(0, len(_CREATED_STYLES), n),
        variant=assign_codes(
            rng, n, [(1, exact_count(rates["country_spelling_variant"], n), None)]
        ),
        gender_variant=assign_codes(
            rng, n, [(1, exact_count(rates["gender_spelling_variant"], n), None)]
        ),
        consent_variant=assign_codes(
            rng, n, [(1, exact_count(rates["boolean_spelling_variant"], n), None)]
        ),
        canonical=assign_codes(rng, n, [(1, exact_count(rates["canonical_ejson"], n), None)]),
        pick=rng.integers(0, 1_000_000, (4, n), dtype=np.int32),
    )
    duplicate = assign_codes(rng, n, [(1, exact_count(rates["duplicate_key"], n), None)])
    stale = stale_positions(duplicate, columns.arrays["pick"][2], CHUNK)
    bad = bad_positions(rng, n, max(1, exact_count(rates["non_json_line"], n)))
    writer = _Writer(columns, countries, (oid_seconds, oid_random, stale_seconds, stale_random))
    with path.open("wb") as handle:
        sink = LineSink(handle)
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            writer.load(start, stop)
            emit_records(sink, start, stop, writer.line, stale, bad)
        return sink.close()


class _Writer:
    """Serialises customer documents, one chunk of rows at a time."""

    def __init__(
        self,
        columns: Columns,
        countries: Countries,
        oid_parts: tuple[IntArray, IntArray, IntArray, IntArray],
    ) -> None:
        self.c = columns
        self.countries = countries
        self.oid_parts = oid_parts
        self.vocab = [COUNTRY_VOCAB[code] for code in countries.codes]
        self.oids: list[str] = []
        self.stale_oids: list[str] = []
        self.iso: list[str] = []

    def load(self, start: int, stop: int) -> None:
        self.c.load(start, stop)
        seconds, randoms, stale_seconds, stale_randoms = self.oid_parts
        self.oids = object_ids(seconds[start:stop], randoms[start:stop])
        self.stale_oids = object_ids(stale_seconds[start:stop], stale_randoms[start:stop])
        self.iso = iso_ms(self.c.arrays["created"][start:stop])

    def line(self, i: int, stale: bool) -> bytes:
        return orjson.dumps(self.document(i - self.c.start, stale))

    def document(self, k: int, stale: bool) -> dict[str, Any]:
        c = self.c
        countries = self.countries
        pick = c["pick"]
        country = c["country"][k]
        v = self.vocab[country]
        code = countries.codes[country]
        canon = bool(c["canonical"][k])
        gender_code, names_of = divmod(c["gender"][k], 10)
        first = (v.female if names_of == 0 else v.male)[c["first"][k]]
        last = v.last[c["last"][k]]
        age = c["age"][k]
        domain_index = c["email_domain"][k]
        email = email_text(
            first, last, c["email_pattern"][k], v.domains[domain_index], c["email_digits"][k], age
        )
        if pick[0][k] % 20 == 0:
            email = email[0].upper() + email[1:]
        calling = countries.calling_codes[country]
        phone = phone_text(
            code, calling, v.prefixes[c["phone_prefix"][k]], c["phone_digits"][k],
            c["phone_notation"][k],
        )  # fmt: skip
        city = v.cities[c["city"][k]]
        consent: Any = c["consent"][k]
        if c["consent_variant"][k]:
            spelling = _CONSENT_SPELLINGS[pick[3][k] % len(_CONSENT_SPELLINGS)]
            consent = spelling[0 if consent else 1]
        country_text = countries.names[country]
        if c["variant"][k]:
            spellings = countries.spellings[country]
            country_text = spellings[pick[2][k] % len(spellings)]
        gender = GENDERS[gender_code]
        if c["gender_variant"][k]:
            options = GENDER_SPELLINGS[gender]
            gender = options[pick[3][k] % len(options)]
        created_value: Any
        if c["created_code"][k] == 2:
            created_value = format_instant(c["created"][k], _CREATED_STYLES[c["style"][k]])
        else:
            created_value = ejson_date(c["created"][k], self.iso[k], canon)
        doc: dict[str, Any] = {
            "_id": {"$oid": self.stale_oids[k] if stale else self.oids[k]},
            "customer_id": ejson_long(c["ids"][k], canon),
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": phone,
            "age": ejson_int(age, canon),
            "country": country_text,
            "city": city,
            "gender": gender,
            "marketing_consent": consent,
            "created_at": created_value,
        }
        defect = c["code"][k]
        if defect in (_MISSING, _NULL):
            field_name = _OPTIONAL[pick[0][k] % len(_OPTIONAL)]
            if defect == _MISSING:
                del doc[field_name]
            else:
                doc[field_name] = None
        elif defect == _ID_TEXT:
            doc["customer_id"] = str(c["ids"][k])
        elif defect == _AGE_TEXT:
            doc["age"] = str(age)
        elif defect == _AGE_NEG:
            doc["age"] = ejson_int(-5, canon)
        elif defect == _AGE_240:
            doc["age"] = ejson_int(240, canon)
        elif defect == _EMAIL:
            doc["email"] = _invalid_email(email, pick[1][k] % 5)
        elif defect == _PHONE:
            doc["phone"] = INVALID_PHONES[pick[1][k] % len(INVALID_PHONES)]
        if stale:  # the earlier version differs in one field that the export has
            present = [f for f in ("email", "phone", "city", "marketing_consent") if doc.get(f)]
            field = present[pick[1][k] % len(present)] if present else "marketing_consent"
            if field == "email":
                local = str(doc["email"]).split("@")[0]
                doc["email"] = f"{local}@{v.domains[(domain_index + 1) % len(v.domains)]}"
            elif field == "phone":
                doc["phone"] = phone_text(code, calling, v.prefixes[0], pick[2][k] * 997, 2)
            elif field == "city":
                doc["city"] = v.cities[(c["city"][k] + 1 + pick[2][k] % 3) % len(v.cities)]
            else:
                doc["marketing_consent"] = not c["consent"][k]
        return doc
