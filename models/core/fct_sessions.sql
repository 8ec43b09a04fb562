-- One row per web session (int_event_sessions): who, when, where from (the
-- landing event), what was seen, how far the visitor got in the ordered
-- funnel home -> product -> cart -> purchase, and what it earned.
{%- set landing_columns = [
    "traffic_source", "channel_group", "campaign_id", "page_path", "event_type",
] %}
with

events as (

    select * from {{ ref('fct_events') }}

),

event_sessions as (

    select * from {{ ref('int_event_sessions') }}

),

conversions as (

    select * from {{ ref('int_conversions') }}

),

session_events as (

    select
        event_sessions.session_key,
        event_sessions.session_id,
        event_sessions.session_start_at,
        event_sessions.event_number_in_session,
        event_sessions.is_sessionised_by_inactivity,
        events.customer_id,
        events.event_type,
        events.event_at,
        events.traffic_source,
        events.channel_group,
        events.campaign_id,
        events.page_path,
        events.device,
        events.browser,
        events.country_code
    from event_sessions
    inner join events
        on event_sessions.event_id = events.event_id

),

-- The ordered funnel: the position of the first home event, of the first
-- product event after it, of the first cart event after that, and of the
-- first purchase event after that (null: step not reached).
funnel_home as (

    select
        *,
        {{ funnel_step_number('home') }} as home_step_number
    from session_events

),

funnel_product as (

    select
        *,
        {{ funnel_step_number('product', 'home_step_number') }}
            as product_step_number
    from funnel_home

),

funnel_cart as (

    select
        *,
        {{ funnel_step_number('cart', 'product_step_number') }}
            as cart_step_number
    from funnel_product

),

sessions_aggregated as (

    select
        session_key,
        session_id,
        session_start_at,
        is_sessionised_by_inactivity,
        min(customer_id) as customer_id,
        max(event_at) as session_end_at,

        -- landing event
        {%- for column in landing_columns %}
        max(case when event_number_in_session = 1 then {{ column }} end)
            as landing_{{ column }},
        {%- endfor %}

        -- visitor's technology and place: the first event that has them
        {{ first_non_null_by('device', 'event_number_in_session') }}
            as device,
        {{ first_non_null_by('browser', 'event_number_in_session') }}
            as browser,
        {{ first_non_null_by('country_code', 'event_number_in_session') }}
            as country_code,

        -- activity
        count(*) as event_count,
        sum(
            case
                when event_type in ('home', 'department', 'product') then 1
                else 0
            end
        ) as page_count,
        max(case when event_type = 'product' then 1 else 0 end)
            as product_view_flag,
        max(case when event_type = 'cart' then 1 else 0 end) as cart_flag,

        -- ordered funnel
        max(home_step_number) as home_step_number,
        max(product_step_number) as product_step_number,
        max(cart_step_number) as cart_step_number,
        max(
            case
                when
                    event_type = 'purchase'
                    and event_number_in_session > cart_step_number
                    then 1
                else 0
            end
        ) as funnel_purchase_flag
    from funnel_cart
    group by
        session_key,
        session_id,
        session_start_at,
        is_sessionised_by_inactivity

),

conversions_per_session as (

    select
        session_key,
        count(*) as conversions,
        sum(revenue) as revenue
    from conversions
    group by session_key

),

final as (

    select
        -- ids
        sessions_aggregated.session_key,
        sessions_aggregated.session_id,
        sessions_aggregated.customer_id,
        coalesce(
            sessions_aggregated.customer_id,
            {{ dbt.concat([
                "'anonymous:'", "sessions_aggregated.session_key"
            ]) }}
        ) as visitor_key,

        -- timestamps
        sessions_aggregated.session_start_at,
        sessions_aggregated.session_end_at,
        cast(sessions_aggregated.session_start_at as date) as session_date,
        {{ safe_divide(
            dbt.datediff(
                'sessions_aggregated.session_start_at',
                'sessions_aggregated.session_end_at',
                'microsecond'
            ),
            1000000,
            3
        ) }} as duration_seconds,

        -- acquisition (landing event)
        sessions_aggregated.landing_traffic_source,
        sessions_aggregated.landing_channel_group,
        sessions_aggregated.landing_campaign_id,
        sessions_aggregated.landing_page_path,
        sessions_aggregated.landing_event_type,

        -- technology and geography
        sessions_aggregated.device,
        sessions_aggregated.browser,
        sessions_aggregated.country_code,

        -- activity
        sessions_aggregated.event_count,
        sessions_aggregated.page_count,
        sessions_aggregated.product_view_flag = 1 as has_product_view,
        sessions_aggregated.cart_flag = 1 as has_cart,

        -- ordered funnel home -> product -> cart -> purchase
        sessions_aggregated.home_step_number is not null
            as reached_funnel_home,
        sessions_aggregated.product_step_number is not null
            as reached_funnel_product,
        sessions_aggregated.cart_step_number is not null
            as reached_funnel_cart,
        sessions_aggregated.funnel_purchase_flag = 1
            as reached_funnel_purchase,

        -- conversions
        coalesce(conversions_per_session.conversions, 0) > 0 as is_converted,
        coalesce(conversions_per_session.conversions, 0) as conversions,
        cast(
            coalesce(conversions_per_session.revenue, 0) as numeric(18, 2)
        ) as revenue,

        -- lineage
        sessions_aggregated.is_sessionised_by_inactivity
    from sessions_aggregated
    left join conversions_per_session
        on sessions_aggregated.session_key = conversions_per_session.session_key

)

select * from final
