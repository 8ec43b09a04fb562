{#-
    dbt_expectations.expect_column_values_to_be_between: the column lies
    between `min_value` and `max_value` (either may be omitted), bounds
    excluded when `strictly=true`, only on rows matching `row_condition`.
    Nulls pass.
-#}
{% test expect_column_values_to_be_between(
    model,
    column_name,
    min_value=none,
    max_value=none,
    row_condition=none,
    strictly=false
) %}

{%- set operator_min = ">" if strictly else ">=" -%}
{%- set operator_max = "<" if strictly else "<=" -%}

select *
from {{ model }}
where
    {% if row_condition is not none -%}
    ({{ row_condition }}) and
    {% endif -%}
    not (
        1 = 1
        {%- if min_value is not none %}
        and {{ column_name }} {{ operator_min }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        and {{ column_name }} {{ operator_max }} {{ max_value }}
        {%- endif %}
    )

{% endtest %}
