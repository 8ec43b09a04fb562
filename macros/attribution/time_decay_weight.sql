{#-
    The time_decay weight 2^(-(latest_at - started_at) / half-life) of a
    touchpoint, relative to the conversion's latest touchpoint (whose weight
    is 1), in integer units of 1e-12: sums of bigints add up alike on DuckDB
    and PostgreSQL, where sums of doubles might not.
-#}
{% macro time_decay_weight(started_at, latest_at, half_life_days) -%}
    cast(
        floor(
            power(
                cast(2 as double precision),
                -cast({{ dbt.datediff(
                    started_at,
                    latest_at,
                    'microsecond'
                ) }} as double precision)
                / (
                    cast(86400000000 as double precision)
                    * cast({{ half_life_days }} as double precision)
                )
            )
            * cast(1000000000000 as double precision)
        ) as bigint
    )
{%- endmacro %}
