{#-
    A timestamp with time zone as a plain timestamp in UTC. Every `*_at`
    column from staging on is one, so that dates, months and "future" checks
    never depend on the session time zone (DuckDB uses the machine's,
    PostgreSQL the server's).
-#}
{% macro utc_timestamp(expression) -%}
    cast(({{ expression }} at time zone 'UTC') as timestamp)
{%- endmacro %}
