-- One row per conversion: a purchase event placed in a session, one per
-- transaction_id (the first of its purchase events) or, without a
-- transaction_id, one per event. Its revenue is the linked order's: the order
-- of any order feed with that transaction_id (the transactions first), or
-- the web order the purchase itself became (fct_event_orders).
with

events as (

    select * from {{ ref('fct_events') }}

),

event_sessions as (

    select * from {{ ref('int_event_sessions') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

linkable_orders as (

    select
        order_id,
        order_source,
        total_amount,
        is_revenue,
        row_number() over (
            partition by order_id
            order by
                case order_source
                    when 'transactions' then 1
                    when 'sales_csv' then 2
                    when 'shopify' then 3
                    else 4
                end
        ) as link_rank
    from orders

),

purchases as (

    select
        events.event_id,
        events.transaction_id,
        event_sessions.session_key,
        events.event_at,
        events.unit_price,
        events.quantity,
        row_number() over (
            partition by
                coalesce(
                    events.transaction_id,
                    {{ dbt.concat(["'event:'", "events.event_id"]) }}
                )
            order by
                events.event_at asc,
                events.sequence_number asc nulls last,
                events.event_id asc
        ) as purchase_rank
    from events
    inner join event_sessions
        on events.event_id = event_sessions.event_id
    where events.event_type = 'purchase'

),

final as (

    select
        -- ids
        case
            when purchases.transaction_id is not null
                then
                    {{ dbt.concat([
                        "'transaction:'", "purchases.transaction_id"
                    ]) }}
            else {{ dbt.concat(["'event:'", "purchases.event_id"]) }}
        end as conversion_key,
        purchases.event_id,
        purchases.transaction_id,
        purchases.session_key,

        -- timestamps
        purchases.event_at as conversion_at,

        -- money
        cast(
            case
                when orders.order_id is not null and orders.is_revenue
                    then orders.total_amount
                when orders.order_id is not null then 0
                when purchases.unit_price >= 0 and purchases.quantity > 0
                    then purchases.unit_price * purchases.quantity
                else 0
            end as numeric(18, 2)
        ) as revenue,
        case
            when orders.order_id is not null and orders.is_revenue
                then 'order'
            when orders.order_id is not null then 'order_not_revenue'
            when purchases.unit_price >= 0 and purchases.quantity > 0
                then 'event'
            else 'none'
        end as revenue_source
    from purchases
    left join linkable_orders as orders
        on
            coalesce(purchases.transaction_id, purchases.event_id)
            = orders.order_id
            and orders.link_rank = 1
            and (
                purchases.transaction_id is not null
                or orders.order_source = 'events'
            )
    where purchases.purchase_rank = 1

)

select * from final
