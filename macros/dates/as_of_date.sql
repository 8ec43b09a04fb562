{#-
    The as-of date of the build as a one-row query with one column,
    `as_of_date` (a date), for the models that flag "future" records: the
    int_<source>__<entity>s_validated models (and, until they are split the
    same way, stg_mongo__customers, stg_shopify__orders and stg_web__events).

    - The var `as_of_date` ('YYYY-MM-DD') when it is set (checked by
      int_as_of_date, which builds first).
    - Otherwise the one row of `int_as_of_date`, computed once per build from
      whatever feeds are loaded (see that model).

    Those models select it in an `as_of` import CTE and cross join it; core
    and marts read int_as_of_date directly.
-#}
{% macro as_of_date() -%}
    {%- set configured = var("as_of_date", "") -%}
    {%- set configured = "" if configured is none else configured | string | trim -%}
    {%- if configured != "" -%}
        select cast('{{ configured }}' as date) as as_of_date
    {%- else -%}
        select as_of_date from {{ ref('int_as_of_date') }}
    {%- endif -%}
{%- endmacro %}
