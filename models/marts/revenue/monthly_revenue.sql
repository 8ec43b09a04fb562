-- One row per calendar month from the first to the last month with revenue
-- (months without any revenue order show zero), every order feed together.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

revenue_orders as (

    select *
    from orders
    where is_revenue

),

aggregated as (

    select
        order_month,
        sum(total_amount) as total_revenue,
        count(*) as total_transactions,
        count(distinct customer_id) as unique_customers,
        sum(
            case when order_source = 'transactions' then total_amount else 0 end
        ) as transactions_revenue,
        sum(
            case when order_source = 'sales_csv' then total_amount else 0 end
        ) as sales_csv_revenue,
        sum(
            case when order_source = 'shopify' then total_amount else 0 end
        ) as shopify_revenue,
        sum(
            case when order_source = 'events' then total_amount else 0 end
        ) as events_revenue
    from revenue_orders
    group by order_month

),

revenue_months as (

    select
        min(order_month) as first_month,
        max(order_month) as last_month
    from aggregated

),

months as (

    select distinct calendar.month_start_date as month
    from calendar
    inner join revenue_months
        on
            calendar.month_start_date
            between revenue_months.first_month and revenue_months.last_month

),

final as (

    select
        months.month,
        cast(coalesce(aggregated.total_revenue, 0) as numeric(18, 2))
            as total_revenue,
        coalesce(aggregated.total_transactions, 0) as total_transactions,
        coalesce(aggregated.unique_customers, 0) as unique_customers,
        {{ safe_divide(
            'aggregated.total_revenue', 'aggregated.total_transactions', 2
        ) }} as avg_transaction_value,
        cast(coalesce(aggregated.transactions_revenue, 0) as numeric(18, 2))
            as transactions_revenue,
        cast(coalesce(aggregated.sales_csv_revenue, 0) as numeric(18, 2))
            as sales_csv_revenue,
        cast(coalesce(aggregated.shopify_revenue, 0) as numeric(18, 2))
            as shopify_revenue,
        cast(coalesce(aggregated.events_revenue, 0) as numeric(18, 2))
            as events_revenue
    from months
    left join aggregated
        on months.month = aggregated.order_month

)

select * from final
