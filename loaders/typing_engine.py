r"""Typing raw records against the contract, vectorised in an in-memory DuckDB.

Readers hand over blocks of records as Arrow tables: the record text (a JSON
document, or a CSV line plus its cells), where it came from (line and record
number) and, if the reader already knows the record is bad (not UTF-8, wrong
number of CSV fields), a reason. One SQL statement per block then

* parses JSON documents and extracts every contract field,
* unwraps MongoDB Extended JSON (``$oid``, ``$date``, ``$numberLong``,
  ``$numberInt``, ``$numberDouble``, ``$numberDecimal``),
* types every value by the rules of :mod:`loaders.contract`,
* and names every reason a record cannot be loaded.

The same statement adds each record's amount (the sum of its table's amount
terms, from the values that could be typed). The result is split into the
typed rows and the rejected records. DuckDB does
this about 50 times faster than a Python loop over dictionaries, and it is
only a library here: the destination can be DuckDB or PostgreSQL.

Two rules keep both warehouses equal where PostgreSQL could not store a
record: a value holding a NUL character (a ``\u0000`` escape in JSON, a NUL
byte in CSV) rejects its record (``email: NUL character (\u0000)``), and a
document nested deeper than :data:`MAX_NESTING` levels is rejected whole
(``nested deeper than 100 levels``). Rejected texts and reasons show a NUL as
the six characters ``\u0000``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .contract import DATE_FORMATS, NULL_TOKENS, SOURCE_LINE_COLUMN, Field, FieldType, TableSpec
from .duckdb_settings import connect_duckdb

#: Arrow type of each contract type in the typed output.
ARROW_TYPES: dict[FieldType, pa.DataType] = {
    "id": pa.string(),
    "text": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "json": pa.string(),
}

#: Columns every input block carries besides the field cells.
TEXT_COLUMN = "_text"
RECORD_COLUMN = "_record_number"
PRE_REASON_COLUMN = "_pre_reason"
REASON_COLUMN = "_reason"
#: The record's amount (its table's amount terms added up), in the typer's output.
AMOUNT_COLUMN = "_amount"

#: Deepest nesting of objects and arrays a document may have (MongoDB's own
#: limit for BSON documents); deeper documents are rejected on every target.
MAX_NESTING = 100
NESTED_TOO_DEEP = f"nested deeper than {MAX_NESTING} levels"
#: How a NUL character is shown in rejected texts and reasons.
NUL_SHOWN = "\\u0000"
NUL_REASON = f"NUL character ({NUL_SHOWN})"

#: A JSON string (escapes included) or a bracket: what nesting is made of.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _scan(text: str, start: int) -> tuple[int, int | None]:
    """Deepest nesting of the JSON value at ``start`` and where it ends (None: not in text)."""
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text, start):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
        if depth <= 0:
            return deepest, match.end()
    return deepest, None


def nesting_depth(text: str) -> int:
    """How deeply objects and arrays nest in a JSON text (``{}`` is 1), without recursion."""
    return _scan(text, 0)[0]


def document_end(text: str, start: int) -> int | None:
    """Where the JSON object or array starting at ``start`` ends, without recursion.

    None when it does not end within ``text``.
    """
    return _scan(text, start)[1]


# Values outside these years are typos, not dates (future timestamps inside
# the window are kept and flagged by staging).
_MIN_YEAR = 1900
_MAX_YEAR = 2199


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _json_path(parts: tuple[str, ...]) -> str:
    return "$" + "".join("." + _quote(part) for part in parts)


def _equals_any(expression: str, values: tuple[str, ...]) -> str:
    """``x = a or x = b ...``: DuckDB plans an IN list of five or more as a hash join."""
    return " or ".join(f"{expression} = {_sql_string(value)}" for value in values)


#: What counts as blank around a value: spaces, tabs and line ends.
_BLANKS = "' \t\r\n'"
_TRUE_WORDS = ("true", "t", "yes", "y", "1")
_FALSE_WORDS = ("false", "f", "no", "n", "0")
#: Values longer than this are neither null tokens nor boolean words, whatever
#: blanks surround them.
_SHORT = 20


def _format_list(formats: tuple[str, ...]) -> str:
    return "[" + ", ".join(_sql_string(fmt) for fmt in formats) + "]"


_DATE_FORMAT_LIST = _format_list(DATE_FORMATS)

# The built-in timestamp rules: ISO 8601, then the date formats, epoch seconds
# or milliseconds.
_TIMESTAMP_BUILTIN = f"""coalesce(
        try_cast(t as timestamptz),
        case
            when try_cast(strip(t) as bigint) is null
                then cast(try_strptime(strip(t), {_DATE_FORMAT_LIST}) as timestamptz)
            when length(strip(t)) between 12 and 14
                then cast(epoch_ms(cast(strip(t) as bigint)) as timestamptz)
            when length(strip(t)) between 9 and 10
                then to_timestamp(cast(strip(t) as bigint))
            else cast(try_strptime(strip(t), {_DATE_FORMAT_LIST}) as timestamptz)
        end
    )"""

# DuckDB macros used by the generated statement (the defaults; a table's own
# date formats and separators replace parse_timestamp_any and parse_number,
# see _table_macros).
_MACROS = f"""
-- The scalar inside a one-key Extended JSON wrapper ($oid, $date, $numberLong,
-- $numberInt, $numberDouble, $numberDecimal; $date may wrap $numberLong), else NULL.
create or replace macro ejson_scalar(x) as
    case
        when json_array_length(json_keys(x)) = 1 then coalesce(
            x->>'$."$oid"',
            x->>'$."$numberLong"',
            x->>'$."$numberInt"',
            x->>'$."$numberDouble"',
            x->>'$."$numberDecimal"',
            case json_type(x, '$."$date"')
                when 'OBJECT' then x->>'$."$date"."$numberLong"'
                else x->>'$."$date"'
            end
        )
    end;
-- t without blanks around; cheaper than trim() when there are none (most values).
create or replace macro strip(t) as
    case when ascii(t) <= 32 or ascii(t[-1]) <= 32 then trim(t, {_BLANKS}) else t end;
create or replace macro parse_number(t) as
    coalesce(
        try_cast(t as double),
        case
            when contains(t, ',') and not contains(t, '.')
                then try_cast(replace(t, ',', '.') as double)
        end
    );
create or replace macro integral(n) as
    case when n = trunc(n) and abs(n) < 9.0e15 then cast(n as bigint) end;
create or replace macro parse_timestamp_any(t) as
    {_TIMESTAMP_BUILTIN};
create or replace macro in_window(ts) as
    ts >= timestamptz '{_MIN_YEAR}-01-01 00:00:00+00'
    and ts < timestamptz '{_MAX_YEAR + 1}-01-01 00:00:00+00';
"""


def _character_class(character: str) -> str:
    """A regular-expression class matching exactly ``character``."""
    return "[" + ("\\" + character if character in "]\\^-" else character) + "]"


def number_pattern(decimal: str, thousands: str | None) -> str:
    """The regular expression a number with these separators must match (RE2).

    Digits grouped by three around the thousands separator (``1.234.567``),
    or not grouped at all, then optionally the decimal separator and digits.
    """
    point = _character_class(decimal)
    whole = r"[0-9]+"
    if thousands is not None:
        whole = r"(?:[0-9]{1,3}(?:" + _character_class(thousands) + r"[0-9]{3})+|[0-9]+)"
    return r"[+-]?(?:" + whole + "(?:" + point + r"[0-9]*)?|" + point + r"[0-9]+)"


def _table_macros(spec: TableSpec) -> str:
    """The macros for one table: the defaults, with its date formats and separators."""
    macros = _MACROS
    if spec.date_formats:
        # The table's formats first, then the built-in rules.
        macros += f"""
create or replace macro parse_timestamp_any(t) as
    coalesce(
        cast(try_strptime(strip(t), {_format_list(spec.date_formats)}) as timestamptz),
        {_TIMESTAMP_BUILTIN}
    );
"""
    if spec.decimal_separator is not None or spec.thousands_separator is not None:
        decimal = spec.decimal_separator or "."
        as_digits = "strip(t)"
        if spec.thousands_separator is not None:
            as_digits = f"replace({as_digits}, {_sql_string(spec.thousands_separator)}, '')"
        if decimal != ".":
            as_digits = f"replace({as_digits}, {_sql_string(decimal)}, '.')"
        pattern = _sql_string(number_pattern(decimal, spec.thousands_separator))
        macros += f"""
create or replace macro parse_number(t) as
    case
        when regexp_full_match(strip(t), {pattern})
            then try_cast({as_digits} as double)
    end;
"""
    return macros


_FAILURE = {
    "integer": "not an integer",
    "number": "not a number",
    "boolean": "not a boolean",
    "timestamp": "not a timestamp",
    "date": "not a date",
}


def _parse_expression(
    field_type: FieldType, text: str, number: str, stamp: str, lowered: str
) -> str:
    """SQL typing a non-missing value (NULL when it cannot be typed).

    ``text`` is the value as text; ``number``, ``stamp`` and ``lowered`` its
    parse as a double, as a timestamp and its stripped lowercase form (each
    computed once, in earlier steps).
    """
    return {
        "integer": (
            f"coalesce(case when not contains({text}, '.') and not contains(lower({text}), 'e') "
            f"then try_cast(strip({text}) as bigint) end, integral({number}))"
        ),
        "number": f"case when isfinite({number}) then {number} end",
        "boolean": (
            f"case when {_equals_any(lowered, _TRUE_WORDS)} then true "
            f"when {_equals_any(lowered, _FALSE_WORDS)} then false end"
        ),
        "timestamp": f"case when in_window({stamp}) then {stamp} end",
        "date": f"case when in_window({stamp}) then cast({stamp} as date) end",
    }[field_type]


_EJSON_DATE_LONG = r'\{\s*"\$date"\s*:\s*\{\s*"\$numberLong"\s*:\s*"(-?[0-9]+)"\s*\}\s*\}'
_EJSON_STRING_WRAPPER = (
    r'\{\s*"\$(?:oid|date|numberLong|numberInt|numberDouble|numberDecimal)"\s*:\s*("[^"\\]*")\s*\}'
)


def _struct_type(fields: tuple[Field, ...]) -> str:
    """The from_json structure: every contract path as VARCHAR, nested as objects."""
    tree: dict[str, object] = {}
    for field in fields:
        node = tree
        *parents, leaf = field.json_path
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ValueError(f"{field.name}: {part} is both a value and an object")
            node = child
        node[leaf] = "VARCHAR"
    return json.dumps(tree, separators=(",", ":"))


def struct_problem(fields: tuple[Field, ...]) -> str | None:
    """Why the fields' document paths cannot be read together, or None."""
    try:
        _struct_type(fields)
    except ValueError as error:
        return str(error)
    return None


def _struct_access(parts: tuple[str, ...]) -> str:
    return "_s" + "".join("." + _quote(part) for part in parts)


def _json_steps(spec: TableSpec, extended: bool) -> tuple[list[str], list[tuple[str, str]]]:
    """CTEs turning JSON documents into one text and one 'structured' column per field.

    ``from_json`` reads every contract path as text in one pass (numbers and
    booleans as their JSON text, objects and arrays as JSON). Only values
    that start with ``{`` or ``[`` are looked at again: Extended JSON
    wrappers are unwrapped to their scalar, and real objects or arrays are
    marked so the typer can say "expected a number, got a JSON object".
    """
    fields = spec.fields
    parents = sorted({f.json_path[:-1] for f in fields if len(f.json_path) > 1})
    # Extended JSON wrappers around a string ({"$oid": "..."}, {"$date": "..."},
    # {"$numberLong": "..."}, {"$date": {"$numberLong": "..."}}, ...) are first
    # rewritten to that string with two regular expressions, only in documents
    # that contain '"$': far cheaper than unwrapping value by value. Wrappers
    # of any other shape are still unwrapped per value (ejson_scalar).
    # Validity is then checked in one cheap pass (json_valid) and a document is
    # parsed once (from_json); only the rare record that is not an object, or
    # not JSON at all, is looked at again to say which. (try(from_json(...))
    # instead of the validity pass is three times slower in DuckDB 2.0.)
    steps = [
        f"""unwrapped_text as (
    select
        *,
        case
            when contains({TEXT_COLUMN}, '"$') then regexp_replace(
                regexp_replace({TEXT_COLUMN}, {_sql_string(_EJSON_DATE_LONG)}, '"\\1"', 'g'),
                {_sql_string(_EJSON_STRING_WRAPPER)},
                '\\1',
                'g'
            )
            else {TEXT_COLUMN}
        end as _json
    from block
)"""
        if extended
        else f"""unwrapped_text as (
    select *, {TEXT_COLUMN} as _json
    from block
)""",
        f"""documents as (
    select
        *,
        case
            when {PRE_REASON_COLUMN} is not null or not json_valid(_json) then null
            when left(ltrim(_json), 1) = '{{' then 'OBJECT'
            else json_type(_json)
        end as _doc_kind
    from unwrapped_text
)""",
        f"""extracted as (
    select
        *,
        case when _doc_kind = 'OBJECT'
            then from_json(_json, {_sql_string(_struct_type(fields))}) end as _s
    from documents
)""",
    ]
    raw_kinds = []
    for field in fields:
        raw = _struct_access(field.json_path)
        path = _sql_string(_json_path(field.json_path))
        raw_kinds.append(f"{raw} as {_quote('r:' + field.name)}")
        raw_kinds.append(
            f"case when starts_with({raw}, '{{') or starts_with({raw}, '[') "
            f"then json_type(_json, {path}) end "
            f"as {_quote('k:' + field.name)}"
        )
    reasons: list[tuple[str, str]] = []
    for parent in parents:
        leaves = [f for f in fields if f.json_path[: len(parent)] == parent]
        all_null = " and ".join(f"{_struct_access(f.json_path)} is null" for f in leaves)
        kind = f"json_type(_json, {_sql_string(_json_path(parent))})"
        raw_kinds.append(
            f"case when _doc_kind = 'OBJECT' and {all_null} then {kind} end "
            f"as {_quote('o:' + '__'.join(parent))}"
        )
        reasons.append(
            (
                f"{_quote('o:' + '__'.join(parent))} not in ('OBJECT', 'NULL')",
                f"{_sql_string('__'.join(parent) + ': expected a JSON object, got a JSON ')} "
                f"|| lower({_quote('o:' + '__'.join(parent))})",
            )
        )
    steps.append(
        "kinds as (\n    select\n        *,\n        "
        + ",\n        ".join(raw_kinds)
        + "\n    from extracted\n)"
    )
    texts = []
    for field in fields:
        raw, kind = _quote("r:" + field.name), _quote("k:" + field.name)
        scalar = f"case when {kind} = 'OBJECT' then ejson_scalar(cast({raw} as json)) end"
        texts.append(f"{scalar} as {_quote('e:' + field.name)}")
    steps.append(
        "unwrapped as (\n    select\n        *,\n        "
        + ",\n        ".join(texts)
        + "\n    from kinds\n)"
    )
    return steps, reasons


def build_typing_sql(
    spec: TableSpec, is_json: bool, extended: bool = True, nul: bool = False
) -> str:
    r"""The statement that types one block of ``spec``'s records (relation ``block``).

    Columns per field ``x`` along the way: ``t:x`` the value as text (NULL if
    absent), ``s:x`` set when the value is a JSON object or array rather
    than a scalar, ``m:x`` whether the value counts as missing, ``v:x`` the
    typed value. With ``nul`` (for blocks where some text holds a NUL byte or
    a ``\u0000`` escape) a value holding a NUL character is a reason, and
    rejected texts and reasons show NUL as ``\u0000``.
    """
    fields = spec.fields
    names = [field.name for field in fields]
    constants = {name: _sql_string(value) for name, value in spec.constants}
    parent_problems: list[tuple[str, str]] = []
    if is_json:
        steps, parent_problems = _json_steps(spec, extended)
        previous = "unwrapped"
        texts = []
        for field in fields:
            raw, kind, scalar = (_quote(p + field.name) for p in ("r:", "k:", "e:"))
            if field.type == "json":
                text = f"case when {kind} in ('ARRAY', 'OBJECT') then {raw} end"
                structured = f"case when {raw} is not null and {kind} is null then 'scalar' end"
            else:
                text = (
                    f"case when {kind} = 'OBJECT' then {scalar} "
                    f"when {kind} = 'ARRAY' then null else {raw} end"
                )
                structured = (
                    f"case when {kind} = 'ARRAY' or ({kind} = 'OBJECT' and {scalar} is null) "
                    f"then lower({kind}) end"
                )
            if field.name in constants:
                # The value of every record that is a document at all.
                text = f"case when _doc_kind = 'OBJECT' then {constants[field.name]} end"
                structured = "cast(null as varchar)"
            texts.append(f"{text} as {_quote('t:' + field.name)}")
            texts.append(f"{structured} as {_quote('s:' + field.name)}")
    else:
        steps = []
        previous = "block"
        texts = []
        for field in fields:
            text = _quote(field.name)
            if field.name in constants:
                # The value of every record the reader could split into cells.
                text = f"case when {PRE_REASON_COLUMN} is null then {constants[field.name]} end"
            texts.append(f"{text} as {_quote('t:' + field.name)}")
            texts.append(f"cast(null as varchar) as {_quote('s:' + field.name)}")
    steps.append(
        "texted as (\n    select\n        *,\n        "
        + ",\n        ".join(texts)
        + f"\n    from {previous}\n)"
    )
    # Each value is lowercased and stripped once (only when short enough to be
    # a null token or a boolean word), in its own step: DuckDB does not share
    # a repeated sub-expression, and macros repeat theirs.
    lowered, flags, parses = [], [], []
    for field in fields:
        text, low = _quote("t:" + field.name), _quote("l:" + field.name)
        # Text keeps blanks as exported, except in a key: a blank key identifies nothing.
        keeps_blanks = field.type in ("text", "json") and field.name not in spec.key
        if keeps_blanks:
            flags.append(f"{text} is null as {_quote('m:' + field.name)}")
        else:
            # Short values, or values with blanks around (which may be blank throughout).
            lowered.append(
                f"case when length({text}) <= {_SHORT} or ascii({text}) <= 32 "
                f"or ascii({text}[-1]) <= 32 then lower(strip({text})) end as {low}"
            )
            flags.append(
                f"{text} is null or coalesce({_equals_any(low, NULL_TOKENS)}, false) "
                f"as {_quote('m:' + field.name)}"
            )
        missing = _quote("m:" + field.name)
        if field.type in ("integer", "number"):
            parses.append(
                f"case when not {missing} then parse_number({text}) end "
                f"as {_quote('n:' + field.name)}"
            )
        if field.type in ("timestamp", "date"):
            parses.append(
                f"case when not {missing} then parse_timestamp_any({text}) end "
                f"as {_quote('p:' + field.name)}"
            )
    for name, columns, source in (
        ("lowered", lowered, "texted"),
        ("flagged", flags, "lowered"),
        ("parsed", parses, "flagged"),
    ):
        steps.append(
            f"{name} as (\n    select\n        *"
            + "".join(",\n        " + column for column in columns)
            + f"\n    from {source}\n)"
        )
    values = []
    for field in fields:
        text, missing = _quote("t:" + field.name), _quote("m:" + field.name)
        structured = _quote("s:" + field.name)
        if field.type in ("text", "json"):
            value = f"case when {structured} is null and not {missing} then {text} end"
        elif field.type == "id":
            value = (
                f"case when {structured} is null and not {missing} then "
                f"case when {text} like '%.0%' "
                f"then regexp_replace(strip({text}), '^([+-]?[0-9]+)\\.0+$', '\\1') "
                f"else strip({text}) end end"
            )
        else:
            parsed = _parse_expression(
                field.type,
                text,
                _quote("n:" + field.name),
                _quote("p:" + field.name),
                _quote("l:" + field.name),
            )
            value = f"case when {structured} is null and not {missing} then {parsed} end"
        values.append(f"{value} as {_quote('v:' + field.name)}")
    steps.append(
        "typed as (\n    select\n        *,\n        "
        + ",\n        ".join(values)
        + "\n    from parsed\n)"
    )
    # Each problem is a (condition, message) pair. Most records have none, so
    # the messages are only put together where one of the conditions holds.
    problems: list[tuple[str, str]] = list(parent_problems)
    for field in fields:
        text, missing = _quote("t:" + field.name), _quote("m:" + field.name)
        structured, value = _quote("s:" + field.name), _quote("v:" + field.name)
        label = _sql_string(f"{field.name}: ")
        if nul:
            holds_nul = f"contains({text}, chr(0))"
            if field.type == "json" and is_json:
                # JSON text keeps its escapes: an odd run of backslashes before u0000.
                holds_nul = f"regexp_matches({text}, {_sql_string(_JSON_NUL_ESCAPE)})"
            elif field.type == "json":
                holds_nul += f" or regexp_matches({text}, {_sql_string(_JSON_NUL_ESCAPE)})"
            problems.append((holds_nul, f"{label} || {_sql_string(NUL_REASON)}"))
        if field.type == "json":
            problems.append(
                (
                    f"{structured} is not null",
                    f"{label} || 'expected a JSON array or object, got a scalar'",
                )
            )
            continue
        problems.append(
            (
                f"{structured} is not null",
                f"{label} || 'expected {field.type}, got a JSON ' || {structured}",
            )
        )
        if field.type in _FAILURE:
            problems.append(
                (
                    f"{value} is null and not {missing} and {structured} is null",
                    f"{label} || '{_FAILURE[field.type]}: \"' || left({text}, 40) || '\"'",
                )
            )
    problems.extend(
        (f"{_quote('m:' + key)} and {_quote('s:' + key)} is null", f"'missing key field {key}'")
        for key in spec.key
    )
    any_problem = " or ".join(f"coalesce({condition}, false)" for condition, _ in problems)
    messages = ", ".join(
        f"case when {condition} then {message} end" for condition, message in problems
    )
    reason_sql = f"case when {any_problem} then concat_ws('; ', {messages}) end"
    if is_json:
        reason_sql = (
            f"case when {PRE_REASON_COLUMN} is not null then {PRE_REASON_COLUMN} "
            f"when _doc_kind is null then 'not valid JSON' "
            f"when _doc_kind <> 'OBJECT' then 'not a JSON object but a JSON ' || lower(_doc_kind) "
            f"else {reason_sql} end"
        )
    else:
        reason_sql = f"coalesce({PRE_REASON_COLUMN}, {reason_sql})"
    steps.append(
        f"judged as (\n    select\n        *,\n        {reason_sql} as {REASON_COLUMN}"
        "\n    from typed\n)"
    )
    outputs = [f"{_quote('v:' + name)} as {_quote(name)}" for name in names]
    # The record text is only needed for rejected records: not carrying it
    # for the others halves the data DuckDB hands back.
    shown_text = f"rtrim({TEXT_COLUMN}, {_BLANKS})"
    reason = REASON_COLUMN
    if nul:
        shown_text = f"replace({shown_text}, chr(0), {_sql_string(NUL_SHOWN)})"
        reason = f"replace({REASON_COLUMN}, chr(0), {_sql_string(NUL_SHOWN)}) as {REASON_COLUMN}"
    text = f"case when {REASON_COLUMN} is not null then {shown_text} end as {TEXT_COLUMN}"
    columns = [*outputs, SOURCE_LINE_COLUMN, RECORD_COLUMN, text, reason]
    columns.append(f"{_amount_expression(spec)} as {AMOUNT_COLUMN}")
    select = "select\n    " + ",\n    ".join(columns) + "\nfrom judged"
    return "with " + ",\n".join(steps) + "\n" + select


def _amount_expression(spec: TableSpec) -> str:
    """SQL of a record's amount: its amount terms added up, NULL when none is readable.

    A term is readable when its value could be typed; a term that is missing
    or could not be typed counts 0. Each term counts in whole cents, rounded
    half away from zero as the warehouse stores money (macro ``to_money``), so
    that a sub-cent value such as 10.005 is 10.01 in the ledger as in staging.
    """
    if not spec.amount_terms:
        return "cast(null as double)"
    readable, parts = [], []
    for term in spec.amount_terms:
        value = _quote("v:" + term.removeprefix("-"))
        readable.append(f"{value} is not null")
        sign = "-" if term.startswith("-") else "+"
        number = f"cast({value} as double)"
        # Beyond decimal(38, 8) (no money the warehouse can store) the number stays as read.
        cents = f"round(try_cast({number} as decimal(38, 8)), 2)"
        cents = f"coalesce(cast({cents} as double), {number})"
        parts.append(f"{sign} coalesce({cents}, 0)")
    total = " ".join(parts).removeprefix("+ ")
    return f"case when {' or '.join(readable)} then {total} end"


#: A ``\\u0000`` escape in JSON text (not ``\\\\u0000``, an escaped backslash).
_JSON_NUL_ESCAPE = r"(^|[^\\])(\\\\)*\\u0000"


@dataclass
class _TextScan:
    r"""What one pass over a block's record texts found.

    Attributes:
        extended: Some text holds ``"$`` (Extended JSON may need unwrapping).
        nul: Some text holds a NUL byte or, in JSON, a ``\u0000`` escape.
        bracketed: Indexes of the texts with more than MAX_NESTING opening
            brackets, the only ones that can be nested that deep.
    """

    extended: bool = False
    nul: bool = False
    bracketed: list[int] = dataclasses.field(default_factory=list)


def _scan_texts(texts: pa.ChunkedArray, is_json: bool) -> _TextScan:
    """Look at the bytes of a block's texts once (byte searches, not per-record functions)."""
    scan = _TextScan()
    base = 0
    for chunk in texts.chunks:
        if chunk.type != pa.string() or chunk.null_count:
            _scan_slowly(chunk, base, is_json, scan)
            base += len(chunk)
            continue
        _, offsets_buffer, values = chunk.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[
            chunk.offset : chunk.offset + len(chunk) + 1
        ]
        first, last = int(offsets[0]), int(offsets[-1])
        data = values.slice(first, last - first).to_pybytes() if values is not None else b""
        scan.nul = scan.nul or b"\x00" in data
        if is_json:
            scan.extended = scan.extended or b'"$' in data
            scan.nul = scan.nul or NUL_SHOWN.encode() in data
            raw = np.frombuffer(data, dtype=np.uint8)
            brackets = np.flatnonzero((raw == ord("{")) | (raw == ord("[")))
            if len(brackets) > MAX_NESTING:
                owners = np.searchsorted(offsets - first, brackets, side="right") - 1
                counts = np.bincount(owners, minlength=len(chunk))
                scan.bracketed.extend((np.flatnonzero(counts > MAX_NESTING) + base).tolist())
        base += len(chunk)
    return scan


def _scan_slowly(chunk: pa.Array, base: int, is_json: bool, scan: _TextScan) -> None:
    """:func:`_scan_texts` for a chunk that is not a plain string array without nulls."""
    texts = pc.cast(chunk, pa.string())

    def found(pattern: str) -> bool:
        return bool(pc.any(pc.match_substring(texts, pattern)).as_py())

    scan.nul = scan.nul or found("\x00")
    if is_json:
        scan.extended = scan.extended or found('"$')
        scan.nul = scan.nul or found(NUL_SHOWN)
        brackets = pc.add(pc.count_substring(texts, "{"), pc.count_substring(texts, "["))
        over = pc.indices_nonzero(pc.fill_null(pc.greater(brackets, MAX_NESTING), False))
        scan.bracketed.extend(base + index for index in over.to_pylist())


def _mark_deep_documents(block: pa.Table, candidates: list[int]) -> pa.Table:
    """Give every candidate document nested deeper than MAX_NESTING its reason."""
    texts = block[TEXT_COLUMN]
    reasons = block[PRE_REASON_COLUMN].to_pylist()
    changed = False
    for index in candidates:
        if reasons[index] is None and nesting_depth(texts[index].as_py()) > MAX_NESTING:
            reasons[index] = NESTED_TOO_DEEP
            changed = True
    if not changed:
        return block
    column = block.schema.get_field_index(PRE_REASON_COLUMN)
    return block.set_column(column, PRE_REASON_COLUMN, pa.array(reasons, pa.string()))


@dataclass
class TypedBlock:
    """The outcome of typing one block.

    ``rejected`` carries each rejected record's amount (``_amount``, NULL when
    none could be read). The amounts are None for a table without amount
    terms. ``present`` (JSON only) holds the contract columns some record
    typed so far has a value for, or the path of; ``document_paths`` the paths
    (joined by ``__``) of the first documents, to suggest a close one for a
    column no record has.
    """

    rows: pa.Table
    rejected: pa.Table
    amount_read: float | None = None
    amount_rejected: float | None = None
    rejected_without_amount: int | None = None
    present: frozenset[str] = dataclasses.field(default_factory=frozenset)
    document_paths: frozenset[str] = dataclasses.field(default_factory=frozenset)


class Typer:
    """Types blocks of one table's records; one DuckDB connection per typer."""

    def __init__(self, spec: TableSpec, is_json: bool, threads: int | None = None) -> None:
        self.spec = spec
        self.is_json = is_json
        # Blocks without any '"$' (no Extended JSON) skip the rewriting step;
        # blocks without any NUL skip its checks. Statements are built when needed.
        self._statements: dict[tuple[bool, bool], str] = {}
        #: JSON: the contract columns some record typed so far has (see :meth:`type_block`).
        self.present: set[str] = set()
        #: JSON: the paths of the first documents typed.
        self.document_paths: set[str] = set()
        self.connection = connect_duckdb(":memory:")
        self.connection.execute("set TimeZone = 'UTC'")
        if threads:
            self.connection.execute(f"set threads = {int(threads)}")
        self.connection.execute(_table_macros(spec))
        self.schema = pa.schema(
            [
                pa.field(field.name, ARROW_TYPES[field.type], nullable=field.name not in spec.key)
                for field in spec.fields
            ]
            + [pa.field(SOURCE_LINE_COLUMN, pa.int64(), nullable=False)]
        )

    def statement(self, extended: bool, nul: bool) -> str:
        """The typing statement for a block of this kind (built once)."""
        extended = extended or not self.is_json
        key = (extended, nul)
        if key not in self._statements:
            self._statements[key] = build_typing_sql(self.spec, self.is_json, extended, nul)
        return self._statements[key]

    def close(self) -> None:
        """Release the DuckDB connection."""
        self.connection.close()

    def type_block(self, block: pa.Table) -> TypedBlock:
        """Type one block of records.

        Args:
            block: ``_source_line``, ``_record_number``, ``_text``,
                ``_pre_reason`` and, for CSV, one string column per field.

        Returns:
            The typed rows (contract columns plus ``_source_line``) and the
            rejected records (``_source_line``, ``_record_number``, ``_text``,
            ``_reason``).
        """
        scan = _scan_texts(block[TEXT_COLUMN], self.is_json)
        if scan.bracketed:
            block = _mark_deep_documents(block, scan.bracketed)
        self.connection.register("block", block)
        try:
            result = self.connection.sql(self.statement(scan.extended, scan.nul)).to_arrow_table()
            if self.is_json:
                self._find_present(result)
                if not self.document_paths:
                    self.document_paths = _document_paths(block)
        finally:
            self.connection.unregister("block")
        reasons = result[REASON_COLUMN]
        if reasons.null_count == result.num_rows:
            good, bad = result, result.slice(0, 0)
        else:
            is_rejected = pc.is_valid(reasons)
            good = result.filter(pc.invert(is_rejected))
            bad = result.filter(is_rejected)
        rows = good.select(self.schema.names)
        if rows.schema != self.schema:
            rows = rows.cast(self.schema)
        rejected = bad.select(
            [SOURCE_LINE_COLUMN, RECORD_COLUMN, TEXT_COLUMN, REASON_COLUMN, AMOUNT_COLUMN]
        )
        typed = TypedBlock(
            rows=rows,
            rejected=rejected,
            present=frozenset(self.present),
            document_paths=frozenset(self.document_paths),
        )
        if self.spec.amount_terms:
            typed.amount_read = _sum(result[AMOUNT_COLUMN])
            typed.amount_rejected = _sum(bad[AMOUNT_COLUMN])
            typed.rejected_without_amount = bad[AMOUNT_COLUMN].null_count
        return typed

    def _find_present(self, result: pa.Table) -> None:
        """Add the contract columns some record of the block has to :attr:`present`.

        A column with a typed value somewhere is there. For the others (and
        columns given a constant) the documents are asked whether the path
        exists at all (a JSON null, an object where a number belongs): only
        in records whose text holds the path's last key.
        """
        constants = self.spec.constant_values
        unknown = []
        for column in self.spec.fields:
            if column.name in self.present:
                continue
            if column.name not in constants and result[column.name].null_count < result.num_rows:
                self.present.add(column.name)
            else:
                unknown.append(column)
        if not unknown or not result.num_rows:
            return
        checks = [
            f"coalesce(bool_or(case when contains({TEXT_COLUMN}, "
            f"{_sql_string(json.dumps(column.json_path[-1], ensure_ascii=False))}) "
            f"and json_valid({TEXT_COLUMN}) "
            f"then json_exists({TEXT_COLUMN}, {_sql_string(_json_path(column.json_path))}) end), "
            "false)"
            for column in unknown
        ]
        (found,) = self.connection.execute(
            f"select {', '.join(checks)} from block where {PRE_REASON_COLUMN} is null"
        ).fetchall()
        for column, exists in zip(unknown, found, strict=True):
            if exists:
                self.present.add(column.name)


#: Documents whose paths are sampled for close matches.
_SAMPLED_DOCUMENTS = 200


def _document_paths(block: pa.Table) -> set[str]:
    """The paths (keys joined by ``__``) of the first documents of a block.

    An object with a ``$`` key (an Extended JSON wrapper) is a value, not a
    parent; so is an array.
    """
    paths: set[str] = set()

    def walk(node: object, prefix: str) -> None:
        if isinstance(node, dict) and node and not any(str(k).startswith("$") for k in node):
            for key, value in node.items():
                walk(value, f"{prefix}__{key}" if prefix else str(key))
        elif prefix:
            paths.add(prefix)

    reasons = block[PRE_REASON_COLUMN].slice(0, _SAMPLED_DOCUMENTS).to_pylist()
    texts = block[TEXT_COLUMN].slice(0, _SAMPLED_DOCUMENTS).to_pylist()
    for text, reason in zip(texts, reasons, strict=True):
        if reason is None and text:
            try:
                walk(json.loads(text), "")
            except (ValueError, RecursionError):
                continue
    return paths


def _sum(values: pa.ChunkedArray) -> float:
    """The sum of the non-null values (0 when there are none)."""
    total = pc.sum(values).as_py()
    return float(total) if total is not None else 0.0


def date_format_problem(date_format: str) -> str | None:
    """Why DuckDB cannot use a strptime format for dates, or None if it can."""
    connection = connect_duckdb(":memory:")
    try:
        connection.execute("select try_strptime('', ?)", [date_format]).fetchall()
    except duckdb.Error as error:
        return str(error).splitlines()[0]
    finally:
        connection.close()
    if not re.search(r"%[Yy]", date_format):
        return "has no year (%Y or %y): every date would be in 1900"
    return None


def constant_problems(spec: TableSpec) -> list[str]:
    """Why each of the table's constants cannot be typed (empty when all can)."""
    if not spec.constants:
        return []
    is_json = spec.format != "csv"
    typer = Typer(spec, is_json=is_json)
    try:
        cells = {
            column.name: pa.array([spec.constant_values.get(column.name)], pa.string())
            for column in spec.fields
        }
        block = pa.table(
            {
                SOURCE_LINE_COLUMN: pa.array([1], pa.int64()),
                RECORD_COLUMN: pa.array([1], pa.int64()),
                TEXT_COLUMN: pa.array(["{}" if is_json else ""], pa.string()),
                PRE_REASON_COLUMN: pa.nulls(1, pa.string()),
                **({} if is_json else cells),
            }
        )
        rejected = typer.type_block(block).rejected
    finally:
        typer.close()
    reasons = rejected[REASON_COLUMN].to_pylist()
    problems = []
    for reason in reasons[0].split("; ") if reasons else []:
        column = reason.split(":", 1)[0]
        if column in spec.constant_values:
            problems.append(reason)
    return problems
