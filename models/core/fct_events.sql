with

events as (

    select * from {{ ref('stg_web__events') }}

),

customers as (

    select customer_id from {{ ref('dim_customers') }}

),

campaigns as (

    select campaign_id from {{ ref('dim_campaigns') }}

),

final as (

    select
        -- ids
        events.event_id,
        events.customer_id,
        customers.customer_id is not null as has_known_customer,
        events.session_id,
        events.campaign_id,
        campaigns.campaign_id is not null as has_known_campaign,
        events.transaction_id,

        -- event
        events.sequence_number,
        events.event_type,
        events.page_path,

        -- acquisition
        events.traffic_source,
        events.channel_group,
        events.utm_source,
        events.utm_medium,

        -- technology
        events.browser,
        events.device,

        -- geography
        events.city,
        events.country_code,
        events.country_name,

        -- product
        events.product_name,
        events.unit_price,
        events.quantity,

        -- timestamps
        events.event_at,
        events.event_date,

        -- quality
        events.is_valid,
        events.dq_issues
    from events
    left join customers
        on events.customer_id = customers.customer_id
    left join campaigns
        on events.campaign_id = campaigns.campaign_id

)

select * from final
