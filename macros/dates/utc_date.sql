{#-
    The UTC calendar date of a timestamp with time zone (see utc_timestamp).
-#}
{% macro utc_date(expression) -%}
    cast(({{ expression }} at time zone 'UTC') as date)
{%- endmacro %}
