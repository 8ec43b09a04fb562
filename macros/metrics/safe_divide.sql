{#-
    numerator / denominator as an exact numeric(18, scale), rounded half away
    from zero; NULL when the denominator is zero or null (never an error, never
    a made-up 0). Identical figures on DuckDB and PostgreSQL: PostgreSQL
    divides numerics exactly; DuckDB turns a decimal division into a double,
    so there the quotient is computed on integers (inputs with up to 8
    decimals, e.g. money, counts and rates).
-#}
{% macro safe_divide(numerator, denominator, scale=4) -%}
    {{ return(adapter.dispatch("safe_divide", "marketing_analytics")(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator, scale) -%}
    cast(
        round(
            cast({{ numerator }} as numeric)
            / nullif(cast({{ denominator }} as numeric), 0),
            {{ scale }}
        ) as numeric(18, {{ scale }})
    )
{%- endmacro %}

{% macro duckdb__safe_divide(numerator, denominator, scale) -%}
    {#- Both operands as integers at 8 decimals; quotient rounded half away
        from zero at `scale` decimals, then shifted back exactly. -#}
    {%- set numerator_units = "cast(cast(" ~ numerator ~ " as decimal(38, 8)) * 100000000 as hugeint)" -%}
    {%- set denominator_units = "cast(cast(" ~ denominator ~ " as decimal(38, 8)) * 100000000 as hugeint)" -%}
    cast(
        cast(
            sign({{ numerator_units }}) * sign({{ denominator_units }})
            * (
                (2 * abs({{ numerator_units }}) * {{ 10 ** scale }} + abs({{ denominator_units }}))
                // nullif(2 * abs({{ denominator_units }}), 0)
            ) as decimal(38, 0)
        ) * cast({{ "1e-" ~ scale }} as decimal(38, {{ scale }}))
        as numeric(18, {{ scale }})
    )
{%- endmacro %}
