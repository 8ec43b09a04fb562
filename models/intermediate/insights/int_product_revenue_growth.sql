-- Each product's revenue in the last var insight_growth_window_days before
-- the as-of date against the window before, with the growth between them,
-- among products with at least var insight_min_product_orders revenue
-- transactions in each window (fewer is noise). Read by the fastest-growing
-- and fastest-shrinking product insights.
{%- set window_days = var("insight_growth_window_days") | int %}
{%- set min_orders = var("insight_min_product_orders") | int %}
with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

transactions as (

    select * from {{ ref('fct_transactions') }}

),

product_windows as (

    {{ product_revenue_windows('transactions', 'as_of', window_days) }}

),

final as (

    select
        product_name,
        recent_revenue,
        previous_revenue,
        {{ safe_divide(
            "recent_revenue - previous_revenue", "previous_revenue", 4
        ) }}
            as revenue_growth
    from product_windows
    where
        recent_orders >= {{ min_orders }}
        and previous_orders >= {{ min_orders }}

)

select * from final
