-- One row per customer with at least one valid order (a revenue order with a
-- customer, any order feed): how many orders and purchase days, the revenue,
-- the first and last order and how long ago they were on the as-of date.
-- customer_metrics, rfm_segmentation, customer_ltv, country_statistics and
-- cohort_retention all read these figures from here.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

valid_orders as (

    select
        customer_id,
        order_date,
        order_month,
        total_amount
    from orders
    where is_revenue and customer_id is not null

),

first_order_dates as (

    select
        customer_id,
        min(order_date) as first_order_date
    from valid_orders
    group by customer_id

),

orders_flagged as (

    -- An order on a later day than the customer's first purchase day is a
    -- repeat purchase (lifetimes counts days, not orders).
    select
        valid_orders.customer_id,
        valid_orders.order_date,
        valid_orders.order_month,
        valid_orders.total_amount,
        valid_orders.order_date > first_order_dates.first_order_date
            as is_repeat_purchase
    from valid_orders
    inner join first_order_dates
        on valid_orders.customer_id = first_order_dates.customer_id

),

aggregated as (

    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        min(order_month) as first_order_month,
        count(*) as order_count,
        count(distinct order_date) as purchase_day_count,
        sum(total_amount) as revenue,
        coalesce(
            sum(case when is_repeat_purchase then total_amount end), 0
        ) as repeat_revenue
    from orders_flagged
    group by customer_id

),

final as (

    select
        -- ids
        aggregated.customer_id,

        -- dates
        aggregated.first_order_date,
        aggregated.last_order_date,
        aggregated.first_order_month,
        cast(
            {{ dbt.datediff(
                'aggregated.first_order_date', 'as_of.as_of_date', 'day'
            ) }} as integer
        ) as days_since_first_order,
        cast(
            {{ dbt.datediff(
                'aggregated.last_order_date', 'as_of.as_of_date', 'day'
            ) }} as integer
        ) as days_since_last_order,

        -- orders
        aggregated.order_count,
        aggregated.purchase_day_count,

        -- money (a stated type: the same on DuckDB and PostgreSQL)
        cast(aggregated.revenue as numeric(18, 2)) as revenue,
        cast(aggregated.repeat_revenue as numeric(18, 2)) as repeat_revenue
    from aggregated
    cross join as_of

)

select * from final
