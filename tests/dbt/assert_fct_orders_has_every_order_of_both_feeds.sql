-- fct_orders holds every transaction, every sales-CSV order and every web
-- order exactly once.
-- Returns the feeds whose counts disagree.
with

orders as (

    select
        order_source,
        count(*) as order_count
    from {{ ref('fct_orders') }}
    group by order_source

),

feeds as (

    select
        'transactions' as order_source,
        count(*) as order_count
    from {{ ref('fct_transactions') }}

    union all

    select
        'sales_csv' as order_source,
        count(*) as order_count
    from {{ ref('fct_sales_orders') }}

    union all

    select
        'shopify' as order_source,
        count(*) as order_count
    from {{ ref('fct_shopify_orders') }}

    union all

    select
        'events' as order_source,
        count(*) as order_count
    from {{ ref('fct_event_orders') }}

),

final as (

    select
        feeds.order_source,
        feeds.order_count as feed_count,
        coalesce(orders.order_count, 0) as fct_orders_count
    from feeds
    left join orders
        on feeds.order_source = orders.order_source
    where feeds.order_count <> coalesce(orders.order_count, 0)

)

select * from final
