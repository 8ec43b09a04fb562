{#-
    The as-of date of the build as a one-row query with one column,
    `as_of_date` (a date). Everything "future" (a date after it), campaign
    status and recency is relative to it, never to the day the build runs.

    - The var `as_of_date` ('YYYY-MM-DD') when it is set.
    - Otherwise the day after the latest valid order date of the two order
      feeds (Mongo transactions and the sales CSV). An order is valid here
      when it has a positive amount, is completed (status absent counts as
      completed), is dated no later than the day it was loaded (an order
      cannot be exported before it happens) and no later than 31 days after
      the 99th percentile of the feeds' order dates (stray far-future dates
      never move it, even once the calendar has caught up with them). Null
      when no order is loaded.

    It reads the raw tables (not the staging views, which use it): staging
    models select it in an `as_of` import CTE and cross join it; core and
    marts read int_as_of_date. An aggregate query, not a scalar expression,
    so that PostgreSQL computes it once per query instead of once per
    reference.
-#}
{% macro as_of_date() -%}
    {%- set configured = var("as_of_date", "") -%}
    {%- set configured = "" if configured is none else configured | string | trim -%}
    {%- if configured != "" -%}
        {%- if not modules.re.match("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", configured) -%}
            {{ exceptions.raise_compiler_error(
                "var as_of_date must be a date 'YYYY-MM-DD', not '" ~ configured ~ "'"
            ) }}
        {%- endif -%}
        select cast('{{ configured }}' as date) as as_of_date
    {%- else -%}
        with

        transactions as (

            {{ raw_source("mongo", "transactions") }}

        ),

        sales as (

            {{ raw_source("sales", "sales") }}

        ),

        orders as (

            select
                {{ utc_date('"timestamp"') }} as order_date,
                {{ utc_date("_loaded_at") }} as loaded_date
            from transactions
            where
                amount > 0
                and coalesce(lower(trim(status)), 'completed') = 'completed'

            union all

            select
                date as order_date,
                {{ utc_date("_loaded_at") }} as loaded_date
            from sales
            where sales > 0

        ),

        plausible as (

            select
                percentile_disc(0.99) within group (
                    order by order_date
                ) as order_date_p99
            from orders

        )

        select
            cast(
                {{ dbt.dateadd("day", 1, "max(orders.order_date)") }} as date
            ) as as_of_date
        from orders
        cross join plausible
        where
            orders.order_date <= orders.loaded_date
            and orders.order_date
            <= cast(
                {{ dbt.dateadd("day", 31, "plausible.order_date_p99") }} as date
            )
    {%- endif -%}
{%- endmacro %}
