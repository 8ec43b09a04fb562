-- Revenue reconciles from the export files to the marts: per order feed, the
-- revenue data_quality_summary accounts for (money read - rejected -
-- duplicates - not revenue) is the revenue of that feed in fct_orders.
-- Returns the feeds whose figures disagree.
with

summary as (

    select
        table_name,
        amount_revenue
    from {{ ref('data_quality_summary') }}
    where table_name in ('transactions', 'sales', 'shopify_orders')

),

orders as (

    select
        case order_source
            when 'sales_csv' then 'sales'
            when 'shopify' then 'shopify_orders'
            else order_source
        end as table_name,
        sum(total_amount) as revenue
    from {{ ref('fct_orders') }}
    where is_revenue
    group by order_source

),

final as (

    select
        summary.table_name,
        summary.amount_revenue,
        coalesce(orders.revenue, 0) as fct_orders_revenue
    from summary
    left join orders
        on summary.table_name = orders.table_name
    where summary.amount_revenue <> coalesce(orders.revenue, 0)

)

select * from final
