{#-
    A money value as numeric(18, 2) (currency units, cents exact), the type of
    every amount from staging on. A double from the raw layer goes through
    numeric(38, 8) first, so that 0.285 becomes 0.29 on DuckDB as on
    PostgreSQL (a direct cast would round the binary value, 0.28499...).
-#}
{% macro to_money(expression) -%}
    cast(cast({{ expression }} as numeric(38, 8)) as numeric(18, 2))
{%- endmacro %}
