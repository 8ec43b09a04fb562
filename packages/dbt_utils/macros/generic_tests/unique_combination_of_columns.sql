{#-
    dbt_utils.unique_combination_of_columns: no two rows share the values of
    `combination_of_columns` (the grain of a table with a composite key).
    One failure per repeated combination.
-#}
{% test unique_combination_of_columns(
    model,
    combination_of_columns,
    quote_columns=false
) %}
    {{ return(adapter.dispatch(
        "test_unique_combination_of_columns", "dbt_utils"
    )(model, combination_of_columns, quote_columns)) }}
{% endtest %}

{% macro default__test_unique_combination_of_columns(
    model, combination_of_columns, quote_columns
) %}

{%- set columns = [] -%}
{%- for column in combination_of_columns -%}
    {%- do columns.append(adapter.quote(column) if quote_columns else column) -%}
{%- endfor -%}

select
    {{ columns | join(",\n    ") }},
    count(*) as row_count
from {{ model }}
group by {{ columns | join(", ") }}
having count(*) > 1

{% endmacro %}
