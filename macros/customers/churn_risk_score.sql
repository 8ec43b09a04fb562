{#-
    customer_ltv's churn risk score, 0..100: 100 * (1 - exp(-days since the
    last purchase / expected days between purchases)). exp runs in double
    precision on both databases; the result is rounded as a numeric (half
    away from zero on both), so DuckDB and PostgreSQL agree.
-#}
{% macro churn_risk_score(days_since_last_purchase, expected_days_between_purchases) -%}
    cast(
        round(
            cast(
                100 * (
                    1 - exp(
                        -cast(
                            {{ safe_divide(
                                days_since_last_purchase,
                                expected_days_between_purchases,
                                8
                            ) }} as double precision
                        )
                    )
                ) as numeric(18, 6)
            ),
            0
        ) as integer
    )
{%- endmacro %}
