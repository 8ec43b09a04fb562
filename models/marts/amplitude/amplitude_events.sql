-- One row per web event Amplitude can place in time, as an event object of
-- its HTTP V2 and Batch Event Upload APIs: typed columns that
-- `python -m analytics amplitude-export` serialises (top-level fields by name,
-- event_properties__* and user_properties__* as the two property objects).
-- The field rules and every choice made here: _amplitude__docs.md.
with

events as (

    select * from {{ ref('fct_events') }}

),

event_sessions as (

    select * from {{ ref('int_event_sessions') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

rfm_segments as (

    select * from {{ ref('rfm_segmentation') }}

),

customer_lifetime_values as (

    select * from {{ ref('customer_ltv') }}

),

-- int_event_sessions holds the events that can be placed in time (a
-- timestamp, not after the as-of date); Amplitude also needs an event type.
placed_events as (

    select
        events.*,
        event_sessions.session_key,
        event_sessions.session_start_at,
        events.event_type = 'purchase'
        and events.unit_price >= 0
        and events.quantity > 0 as has_revenue
    from events
    inner join event_sessions
        on events.event_id = event_sessions.event_id
    where events.event_type is not null

),

final as (

    select
        -- lineage (not sent)
        placed_events.event_id,
        placed_events.event_at,

        -- identity (insert_id and time are Amplitude's field names, keywords
        -- to sqlfluff's DuckDB dialect only)
        'customer-' || placed_events.customer_id as user_id,
        md5('session:' || placed_events.session_key) as device_id,
        md5(placed_events.event_id) as insert_id,  -- noqa: RF04

        -- event
        left(placed_events.event_type, 1024) as event_type,
        {{ epoch_milliseconds('placed_events.event_at') }}
            as time,  -- noqa: RF04
        coalesce(
            {{ epoch_milliseconds('placed_events.session_start_at') }}, -1
        ) as session_id,

        -- device and location
        'Web' as platform,
        left(placed_events.browser, 1024) as os_name,
        left(placed_events.country_name, 1024) as country,
        left(placed_events.city, 1024) as city,

        -- revenue (purchases with a usable price and quantity only)
        case
            when placed_events.has_revenue then placed_events.unit_price
        end as price,
        case
            when placed_events.has_revenue then placed_events.quantity
        end as quantity,
        case
            when placed_events.has_revenue
                then
                    cast(
                        placed_events.unit_price * placed_events.quantity
                        as numeric(18, 2)
                    )
        end as revenue,
        case
            when placed_events.has_revenue
                then left(placed_events.product_name, 1024)
        end as product_id,
        case
            when placed_events.has_revenue then 'purchase'
        end as revenue_type,

        -- event properties
        left(placed_events.traffic_source, 1024)
            as event_properties__traffic_source,
        left(placed_events.utm_source, 1024) as event_properties__utm_source,
        left(placed_events.utm_medium, 1024) as event_properties__utm_medium,
        left(placed_events.campaign_id, 1024)
            as event_properties__campaign_id,
        left(placed_events.page_path, 1024) as event_properties__page_path,
        left(placed_events.product_name, 1024) as event_properties__product,
        left(products.category, 1024) as event_properties__product_category,
        placed_events.unit_price as event_properties__price,
        placed_events.quantity as event_properties__quantity,
        placed_events.event_type = 'purchase'
            as event_properties__is_conversion,
        left(placed_events.device, 1024) as event_properties__device_category,

        -- user properties (signed-in customers, values on the as-of date)
        left(customers.country_name, 1024) as user_properties__country,
        rfm_segments.segment as user_properties__rfm_segment,
        customer_lifetime_values.lifecycle_segment
            as user_properties__lifecycle_segment
    from placed_events
    left join customers
        on placed_events.customer_id = customers.customer_id
    left join products
        on placed_events.product_name = products.product_name
    left join rfm_segments
        on placed_events.customer_id = rfm_segments.customer_id
    left join customer_lifetime_values
        on placed_events.customer_id = customer_lifetime_values.customer_id

)

select * from final
