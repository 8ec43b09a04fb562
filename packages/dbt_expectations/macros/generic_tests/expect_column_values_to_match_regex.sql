{#-
    dbt_expectations.expect_column_values_to_match_regex: the column contains
    a match of `regex` (anchor it with ^...$ for a full match), only on rows
    matching `row_condition`. Nulls pass. The pattern is written into the SQL
    as a string literal, as the hub does, so `is_raw` changes nothing here.
    `flags` is not supported (a non-empty value stops the compilation): write
    an embedded option such as `(?i)` at the start of the pattern instead,
    which DuckDB and PostgreSQL both read. Keep patterns in the subset
    DuckDB (RE2) and PostgreSQL read alike (POSIX classes, [0-9] for \d).
-#}
{% test expect_column_values_to_match_regex(
    model,
    column_name,
    regex,
    row_condition=none,
    is_raw=false,
    flags=""
) %}
    {%- if flags -%}
        {{ exceptions.raise_compiler_error(
            "expect_column_values_to_match_regex: flags are not supported"
            ~ " by the local dbt_expectations (packages/dbt_expectations);"
            ~ " start the pattern with an embedded option such as (?i)"
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch(
        "test_expect_column_values_to_match_regex", "dbt_expectations"
    )(model, column_name, regex, row_condition)) }}
{% endtest %}

{% macro default__test_expect_column_values_to_match_regex(
    model, column_name, regex, row_condition
) %}

select *
from {{ model }}
where
    {% if row_condition is not none -%}
    ({{ row_condition }}) and
    {% endif -%}
    not {{ dbt_expectations.matches_regex(
        column_name, dbt.string_literal(regex)
    ) }}

{% endmacro %}
