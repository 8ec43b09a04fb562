-- One row per web purchase that no order feed holds: purchases in the web
-- events are orders too (see the fct_event_orders docs block). A purchase
-- event whose transaction_id is an order of the transactions, sales or Shopify
-- feed is
-- that order and is not repeated here; one whose transaction_id no order feed
-- has becomes an order (order_id = the transaction_id), and so does one
-- without a transaction_id when no order feed holds any order (order_id = the
-- event_id: with an order feed present such an event most likely is one of
-- its orders that the tracking lost, so it is left out, never counted twice).
with

events as (

    select * from {{ ref('fct_events') }}

),

transactions as (

    select transaction_id as order_id from {{ ref('fct_transactions') }}

),

sales_orders as (

    select order_id from {{ ref('fct_sales_orders') }}

),

shopify_orders as (

    select
        order_id,
        shopify_order_id
    from {{ ref('fct_shopify_orders') }}

),

customers as (

    select customer_id from {{ ref('dim_customers') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

feed_orders as (

    select order_id from transactions
    union all
    select order_id from sales_orders
    union all
    select order_id from shopify_orders
    union all
    select shopify_order_id as order_id from shopify_orders
    where shopify_order_id is not null

),

order_feeds as (

    select count(*) > 0 as has_order_feed
    from feed_orders

),

cancelled_orders as (

    select distinct transaction_id as order_id
    from events
    where event_type = 'cancel' and transaction_id is not null

),

purchase_events as (

    select
        coalesce(events.transaction_id, events.event_id) as order_id,
        events.transaction_id,
        events.customer_id,
        events.product_name,
        events.unit_price,
        coalesce(events.quantity, 1) as quantity,
        events.event_at
    from events
    cross join order_feeds
    where
        events.event_type = 'purchase'
        and (
            events.transaction_id is not null
            or not order_feeds.has_order_feed
        )

),

unmatched_purchase_events as (

    select purchase_events.*
    from purchase_events
    left join feed_orders
        on purchase_events.transaction_id = feed_orders.order_id
    where feed_orders.order_id is null

),

-- A tracker that fires twice sends the same line twice: each distinct
-- (product, price, quantity) of an order counts once.
order_lines as (

    select distinct
        order_id,
        product_name,
        unit_price,
        quantity
    from unmatched_purchase_events

),

lines_aggregated as (

    select
        order_id,
        count(*) as line_count,
        sum(unit_price * quantity) as total_amount,
        count(case when unit_price is null then 1 end) as lines_without_price,
        count(case when unit_price < 0 then 1 end) as lines_with_negative_price,
        count(case when quantity <= 0 then 1 end) as lines_with_invalid_quantity
    from order_lines
    group by order_id

),

purchases_aggregated as (

    select
        order_id,
        min(customer_id) as customer_id,
        count(distinct customer_id) as customer_count,
        min(event_at) as order_at
    from unmatched_purchase_events
    group by order_id

),

joined as (

    select
        purchases_aggregated.order_id,
        purchases_aggregated.customer_id,
        customers.customer_id is not null as has_known_customer,
        purchases_aggregated.customer_count,
        purchases_aggregated.order_at,
        cast(purchases_aggregated.order_at as date) as order_date,
        cast(
            case
                when lines_aggregated.lines_without_price = 0
                    then lines_aggregated.total_amount
            end as numeric(18, 2)
        ) as total_amount,
        lines_aggregated.line_count,
        lines_aggregated.lines_with_negative_price,
        lines_aggregated.lines_with_invalid_quantity,
        case
            when cancelled_orders.order_id is not null then 'cancelled'
            else 'completed'
        end as status,
        as_of.as_of_date
    from purchases_aggregated
    inner join lines_aggregated
        on purchases_aggregated.order_id = lines_aggregated.order_id
    left join customers
        on purchases_aggregated.customer_id = customers.customer_id
    left join cancelled_orders
        on purchases_aggregated.order_id = cancelled_orders.order_id
    cross join as_of

),

validated as (

    select
        joined.*,
        {{ dq_issues([
            ("missing_customer_id", "joined.customer_id is null"),
            ("unknown_customer", "joined.customer_id is not null and not joined.has_known_customer"),
            ("several_customers", "joined.customer_count > 1"),
            ("missing_amount", "joined.total_amount is null"),
            ("negative_amount", "joined.lines_with_negative_price > 0"),
            ("invalid_quantity", "joined.lines_with_invalid_quantity > 0"),
            ("missing_timestamp", "joined.order_at is null"),
            ("future_timestamp", "joined.order_date > joined.as_of_date"),
        ]) }} as dq_issues
    from joined

),

final as (

    select
        -- ids
        order_id,
        customer_id,
        has_known_customer,

        -- timestamps
        order_at,
        order_date,

        -- money
        total_amount,
        line_count,

        -- status
        status,
        status = 'completed'
        and coalesce(total_amount >= 0, false)
        and lines_with_negative_price = 0
        and lines_with_invalid_quantity = 0
        and order_date is not null
        and coalesce(order_date <= as_of_date, true) as is_revenue,
        coalesce(total_amount = 0, false) as is_zero_value,

        -- quality
        dq_issues is null as is_valid,
        dq_issues
    from validated

)

select * from final
