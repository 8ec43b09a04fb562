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

windows as (

    select
        as_of_date,
        cast(
            {{ dbt.dateadd("day", -window_days, "as_of_date") }} as date
        ) as recent_start_date,
        cast(
            {{ dbt.dateadd("day", -2 * window_days, "as_of_date") }} as date
        ) as previous_start_date
    from as_of

),

windowed_transactions as (

    select
        transactions.product_name,
        transactions.total_amount,
        transactions.transaction_date >= windows.recent_start_date
            as is_recent
    from transactions
    cross join windows
    where
        transactions.is_revenue
        and transactions.product_name is not null
        and transactions.transaction_date < windows.as_of_date
        and transactions.transaction_date >= windows.previous_start_date

),

product_windows as (

    select
        product_name,
        sum(
            case when is_recent then total_amount else 0 end
        ) as recent_revenue,
        count(case when is_recent then 1 end) as recent_orders,
        sum(
            case when not is_recent then total_amount else 0 end
        ) as previous_revenue,
        count(case when not is_recent then 1 end) as previous_orders
    from windowed_transactions
    group by product_name

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
