{#-
    dbt_expectations.expect_column_values_to_be_between: the column lies
    between `min_value` and `max_value` (either may be omitted, not both),
    bounds excluded when `strictly=true`, only on rows matching
    `row_condition`. Nulls pass. `group_by` (the hub's grouped variant) is
    not supported: it stops the compilation.
-#}
{% test expect_column_values_to_be_between(
    model,
    column_name,
    min_value=none,
    max_value=none,
    row_condition=none,
    strictly=false,
    group_by=none
) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(
            "expect_column_values_to_be_between: give min_value, max_value"
            ~ " or both"
        ) }}
    {%- endif -%}
    {%- if group_by is not none -%}
        {{ exceptions.raise_compiler_error(
            "expect_column_values_to_be_between: group_by is not supported"
            ~ " by the local dbt_expectations (packages/dbt_expectations)"
        ) }}
    {%- endif -%}
    {{ return(adapter.dispatch(
        "test_expect_column_values_to_be_between", "dbt_expectations"
    )(model, column_name, min_value, max_value, row_condition, strictly)) }}
{% endtest %}

{% macro default__test_expect_column_values_to_be_between(
    model, column_name, min_value, max_value, row_condition, strictly
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

{% endmacro %}
