-- One row per product with revenue transactions in the last two windows of
-- var insight_growth_window_days (90) days before the as-of date: the
-- revenue and orders of the recent window and of the one before it. Read by
-- product_review_profile (revenue trend) and business_insights (fastest-
-- growing and fastest-shrinking products), so both compare the same windows.
{%- set window_days = var("insight_growth_window_days") | int %}
with

transactions as (

    select * from {{ ref('fct_transactions') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

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
        windows.recent_start_date,
        windows.previous_start_date,
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

final as (

    select
        -- product
        product_name,

        -- windows
        min(previous_start_date) as previous_start_date,
        min(recent_start_date) as recent_start_date,

        -- revenue and orders
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

)

select * from final
