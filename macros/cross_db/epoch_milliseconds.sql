{#-
    Milliseconds since 1970-01-01 00:00:00 UTC of a timestamp without time
    zone that holds UTC (every `*_at` column of the project), as a bigint.
    Sub-millisecond digits are dropped toward the past (floor), so that both
    engines give the same integer: DuckDB's own epoch_ms() rounds to the
    nearest millisecond (05:06:07.123999 -> ...124) where PostgreSQL's
    extract(epoch ...) keeps the microseconds (...123.999), hence the explicit
    floor on both. Null stays null.
-#}
{% macro epoch_milliseconds(expression) -%}
    {{ return(adapter.dispatch("epoch_milliseconds", "marketing_analytics")(expression)) }}
{%- endmacro %}

{% macro default__epoch_milliseconds(expression) -%}
    cast(floor(extract(epoch from {{ expression }}) * 1000) as bigint)
{%- endmacro %}

{% macro duckdb__epoch_milliseconds(expression) -%}
    cast(floor(epoch_us({{ expression }}) / 1000) as bigint)
{%- endmacro %}
