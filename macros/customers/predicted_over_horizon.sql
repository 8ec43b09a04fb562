{#-
    customer_ltv's prediction over var ltv_prediction_months, as one exact
    division: p_alive * 365 * per_customer_amount / t * months / 12, with
    p_alive = (100 - churn_risk_score) / 100. amount is frequency (orders)
    or a revenue (value), t the observation time in days; trailing (an
    expression or '') multiplies the numerator after the months.
-#}
{% macro predicted_over_horizon(amount, t, scale, trailing="") -%}
    {{ safe_divide(
        "(100 - churn_risk_score) * 365 * " ~ amount ~ " * "
        ~ var("ltv_prediction_months") ~ trailing,
        "1200 * " ~ t,
        scale
    ) }}
{%- endmacro %}
