{#-
    dbt_expectations.expect_column_values_to_match_regex: the column contains
    a match of `regex` (anchor it with ^...$ for a full match), only on rows
    matching `row_condition`. Nulls pass. `is_raw` and `flags` are accepted
    for compatibility; keep patterns in the subset DuckDB (RE2) and
    PostgreSQL read alike.
-#}
{% test expect_column_values_to_match_regex(
    model,
    column_name,
    regex,
    row_condition=none,
    is_raw=false,
    flags=""
) %}

select *
from {{ model }}
where
    {% if row_condition is not none -%}
    ({{ row_condition }}) and
    {% endif -%}
    not {{ regexp_like(column_name, dbt.string_literal(regex)) }}

{% endtest %}
