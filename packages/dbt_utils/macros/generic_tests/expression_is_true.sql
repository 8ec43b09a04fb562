{#-
    dbt_utils.expression_is_true: every row satisfies `expression` (rows where
    it is null pass). With `column_name`, the expression is appended to it
    (`column_name: total_amount`, `expression: ">= 0"`).
-#}
{% test expression_is_true(model, expression, column_name=none) %}
    {{ return(adapter.dispatch("test_expression_is_true", "dbt_utils")(
        model, expression, column_name
    )) }}
{% endtest %}

{% macro default__test_expression_is_true(model, expression, column_name) %}

select *
from {{ model }}
{% if column_name is none -%}
where not ({{ expression }})
{%- else -%}
where not ({{ column_name }} {{ expression }})
{%- endif %}

{% endmacro %}
