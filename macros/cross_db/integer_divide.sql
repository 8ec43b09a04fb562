{#-
    The integer quotient of two integer expressions, truncated toward zero
    (7 / 2 -> 3), as a bigint, computed exactly. PostgreSQL's `/` on
    integers already truncates; DuckDB's `/` returns a double, so there it is
    `//`, its integer division (which also truncates toward zero). Null when
    either operand is null; a zero divisor is an error on both, so guard it.
-#}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch("integer_divide", "marketing_analytics")(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_divide(dividend, divisor) -%}
    (cast({{ dividend }} as bigint) / cast({{ divisor }} as bigint))
{%- endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    (cast({{ dividend }} as bigint) // cast({{ divisor }} as bigint))
{%- endmacro %}
