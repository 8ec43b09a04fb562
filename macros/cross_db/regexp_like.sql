{#-
    True when `expression` contains a match of the regular expression
    `pattern` (a SQL string literal). Keep patterns in the subset both engines
    read alike (POSIX classes, [0-9] rather than \d): DuckDB uses RE2,
    PostgreSQL its own engine.
-#}
{% macro regexp_like(expression, pattern) -%}
    {{ return(adapter.dispatch("regexp_like", "marketing_analytics")(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_like(expression, pattern) -%}
    ({{ expression }} ~ {{ pattern }})
{%- endmacro %}

{% macro duckdb__regexp_like(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}
