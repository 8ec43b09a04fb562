{#-
    Aggregate: the first non-null `value` of the group in the order of
    `order_by` (an expression that is unique within the group, e.g. the
    event's position in its session). DuckDB `arg_min ... filter`;
    PostgreSQL, which has no arg_min, the first element of the ordered,
    filtered array_agg. Null when every value of the group is null.
-#}
{% macro first_non_null_by(value, order_by) -%}
    {{ return(adapter.dispatch("first_non_null_by", "marketing_analytics")(value, order_by)) }}
{%- endmacro %}

{% macro default__first_non_null_by(value, order_by) -%}
    (array_agg({{ value }} order by {{ order_by }})
        filter (where {{ value }} is not null))[1]
{%- endmacro %}

{% macro duckdb__first_non_null_by(value, order_by) -%}
    arg_min({{ value }}, {{ order_by }}) filter (where {{ value }} is not null)
{%- endmacro %}
