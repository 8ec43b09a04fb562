"""No clear-text email or phone in any relation outside ``raw``, on DuckDB and PostgreSQL.

The scan lists every table and view of every schema but ``raw`` (staging, intermediate, core,
marts, dlt's staging dataset ``_dlt_raw_staging``, anything else there is) and reads every
text-like column (JSON, arrays and structs as text too) of the generated build, which
loaded the exports twice so that the reload went through dlt's staging dataset. No value
may contain an email- or phone-shaped part.

The shapes are tested first: every phone notation and email the sample-data generator
writes is found (so the scan can fail), and the dates, times, ids and hashes the marts
are full of are not (so it does not cry wolf).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analytics.sample_data._vocab import COUNTRY_VOCAB, INVALID_PHONES
from analytics.sample_data.customers import email_text, phone_text
from tests.conftest import REPO
from tests.integration.conftest import Build

#: Something then '@', or '@' then a domain: full addresses and the broken ones
#: (``name@``, ``name@gmail``, ``a@@b``).
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@+[A-Za-z0-9.-]*|@+[A-Za-z0-9-]+\.[A-Za-z]{2,}")
#: '+', a country code and 8 to 15 digits in all, with spaces, dots, dashes, parentheses.
INTERNATIONAL_PHONE = re.compile(r"(?<![\w+])\+[1-9](?:[ ().-]{0,2}[0-9]){7,14}(?![0-9])")
#: Groups of digits separated by spaces or dashes, the first of 2 to 5 digits or in
#: parentheses, not inside a word, an id or a time; 9 to 15 digits in all (checked below:
#: an ISO date has 8).
GROUPED_PHONE = re.compile(
    r"(?<![\w.:/+-])(?:\([0-9]{2,3}\) ?|[0-9]{2,5}[ -])(?:[ -]?[0-9]){4,13}(?![\w:])"
)
MIN_DIGITS, MAX_DIGITS = 9, 15

#: Text types of DuckDB (data_type) and PostgreSQL (data_type / udt_name) the scan reads.
TEXT_LIKE = ("CHAR", "TEXT", "STRING", "JSON", "STRUCT", "MAP", "UNION", "[]", "ARRAY")


def contact_details(text: str) -> list[str]:
    """The email- and phone-shaped parts of ``text``."""
    found = [match.group(0) for match in EMAIL.finditer(text)]
    found += [match.group(0) for match in INTERNATIONAL_PHONE.finditer(text)]
    for match in GROUPED_PHONE.finditer(text):
        digits = sum(character.isdigit() for character in match.group(0))
        if MIN_DIGITS <= digits <= MAX_DIGITS:
            found.append(match.group(0))
    return found


# --- the shapes ------------------------------------------------------------------------------


def _calling_codes() -> dict[str, str]:
    with (REPO / "seeds" / "countries.csv").open(encoding="utf-8") as seed:
        return {row["country_code"]: row["calling_code"] for row in csv.DictReader(seed)}


def every_generator_phone() -> list[str]:
    """Every notation of every country's mobile numbers the generator writes."""
    calling = _calling_codes()
    phones = {
        phone_text(code, calling[code], prefix, digits, notation)
        for code, vocab in COUNTRY_VOCAB.items()
        for prefix in vocab.prefixes
        for digits in (0, 123_456_789_012, 999_999_999_999)
        for notation in range(4)
    }
    return sorted(phones)


def test_every_phone_notation_of_the_generator_is_found() -> None:
    phones = every_generator_phone()
    assert len(phones) > 500
    for phone in phones:
        for text in (phone, f'{{"phone":"{phone}"}}', f"x,{phone},{phone};y", f"call {phone}."):
            found = contact_details(text)
            assert phone in found, (text, found)


def test_every_email_pattern_of_the_generator_is_found() -> None:
    domains = sorted({domain for vocab in COUNTRY_VOCAB.values() for domain in vocab.domains})
    for pattern in range(6):
        for domain in domains:
            email = email_text("Marie-Anne", "De Luca", pattern, domain, 62, 34)
            assert contact_details(f'{{"email":"{email}"}}') == [email]
            local = email.split("@")[0]
            for broken in (f"{local}@", f"{local}@{domain.split('.')[0]}", f"{local}@@{domain}"):
                assert contact_details(f"x {broken},"), broken


@pytest.mark.slow
def test_the_generated_customers_contact_details_are_found(generated_source: Path) -> None:
    """What the generator actually wrote: every email with an '@', every real phone."""
    checked = 0
    for line in (generated_source / "mongo" / "customers.json").read_text().splitlines():
        try:
            document = json.loads(line)
        except ValueError:
            continue  # the stray lines and cut-off documents of the export
        email, phone = document.get("email"), document.get("phone")
        if isinstance(email, str) and "@" in email:
            assert contact_details(email), email
            checked += 1
        if isinstance(phone, str) and phone not in INVALID_PHONES:
            assert phone in contact_details(phone), phone
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    "text",
    [
        "2025-09-15T00:17:16.363Z",
        "2025-03-30 07:06:21",
        "2025-03-30 07:06:21+00",
        "2024-01-05",
        "20250105",
        "17.12.2025;El Corte Inglés;Smartphone X12;Electronics;0",
        "7932,2025-12-30,100701,7933,210.4,EUR",
        "f3896f11-f872-4b2e-a8ad-566af8420ff6",
        '{"user_id":100275,"sequence_number":2,"ts":1700000000000}',
        "customer-100001",
        "TX-00000894",
        "CMP-0019",
        "+00:00",
        "+12.5%",
        "1 234 567",
        "12345",
        "000000000",
        "a3f5c0e1d2b4a69788f0e1d2c3b4a5968778695a4b3c2d1e0f9e8d7c6b5a4938",
        "#ootd",
        "<email> <phone>",
    ],
)
def test_dates_ids_and_hashes_are_not_contact_details(text: str) -> None:
    assert contact_details(text) == []


# --- the scan --------------------------------------------------------------------------------


def _query(build: Build, sql: str) -> list[tuple[Any, ...]]:
    connection = build.connect()
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        connection.close()


def _relations(build: Build) -> list[tuple[str, str, list[str]]]:
    """Every relation outside raw with its text-like columns: (schema, name, columns)."""
    udt_name = "coalesce(udt_name, '')" if build.target == "postgres" else "''"
    listed = _query(
        build,
        f"select table_schema, table_name, column_name, data_type, {udt_name}"
        " from information_schema.columns"
        " where table_catalog = current_database()"
        " and table_schema not in ('raw', 'information_schema', 'pg_catalog', 'pg_toast')"
        " order by table_schema, table_name, ordinal_position",
    )
    relations: dict[tuple[str, str], list[str]] = {}
    for schema, table, column, data_type, udt in listed:
        columns = relations.setdefault((schema, table), [])
        kind = f"{data_type} {udt}".upper()
        if any(marker in kind for marker in TEXT_LIKE) or kind.startswith("USER-DEFINED"):
            columns.append(column)
    return [(schema, table, columns) for (schema, table), columns in relations.items()]


def _values(build: Build, schema: str, table: str, columns: list[str]) -> Iterator[tuple[str, str]]:
    connection = build.connect()
    try:
        cursor = connection.cursor()
        for column in columns:
            cursor.execute(
                f'select distinct cast("{column}" as text) from "{schema}"."{table}"'
                f' where "{column}" is not null'
            )
            for (value,) in cursor.fetchall():
                yield f"{schema}.{table}.{column}", value
    finally:
        connection.close()


@pytest.mark.slow
def test_no_relation_outside_raw_holds_an_email_or_a_phone(generated_build: Build) -> None:
    assert generated_build.returncode == 0, generated_build.failures()
    relations = _relations(generated_build)
    names = {f"{schema}.{table}" for schema, table, _ in relations}
    # The scan reaches every layer, dlt's staging dataset and the customers' relations.
    assert {schema for schema, _, _ in relations} >= {
        "staging",
        "intermediate",
        "core",
        "marts",
        "_dlt_raw_staging",
    }
    assert {
        "_dlt_raw_staging.customers",
        "staging.stg_mongo__customers",
        "staging.stg_loader__rejected_records",
        "core.dim_customers",
    } <= names
    findings: dict[str, list[str]] = {}
    values = 0
    for schema, table, columns in relations:
        for where, value in _values(generated_build, schema, table, columns):
            values += 1
            found = contact_details(value)
            if found:
                findings.setdefault(where, []).extend(found[:3])
    assert values > 10_000
    assert not findings, "\n".join(f"{where}: {found[:3]}" for where, found in findings.items())


@pytest.mark.slow
def test_the_raw_rejects_the_staging_model_masks_do_hold_contact_details(
    generated_build: Build,
) -> None:
    """The masking has work to do: rejected customer lines hold emails in raw."""
    assert generated_build.returncode == 0, generated_build.failures()
    rejected = generated_build.rows("raw._rejected_records")
    customers = rejected[rejected["table_name"] == "customers"]["record_text"]
    assert any(contact_details(text) for text in customers)
    staged = generated_build.rows("staging.stg_loader__rejected_records")
    assert len(staged) == len(rejected)
    assert staged["reason_code"].notna().all()
