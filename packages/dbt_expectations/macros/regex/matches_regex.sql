{#-
    True when `expression` contains a match of the regular expression
    `pattern` (a SQL string literal), null when `expression` is null.
    PostgreSQL's `~` is the default; DuckDB spells it regexp_matches.
-#}
{% macro matches_regex(expression, pattern) -%}
    {{ return(adapter.dispatch("matches_regex", "dbt_expectations")(
        expression, pattern
    )) }}
{%- endmacro %}

{% macro default__matches_regex(expression, pattern) -%}
    ({{ expression }} ~ {{ pattern }})
{%- endmacro %}

{% macro duckdb__matches_regex(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}
