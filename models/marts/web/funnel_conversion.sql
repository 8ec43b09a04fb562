-- The ordered funnel home -> product -> cart -> purchase per ISO week of the
-- session start, landing traffic source and device: distinct visitors
-- reaching each step (fct_sessions.reached_funnel_*) and the step-to-step
-- conversion rates.
with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

sessions_weekly as (

    select
        cast({{ dbt.date_trunc('week', 'session_start_at') }} as date)
            as week_start_date,
        landing_traffic_source as traffic_source,
        device,
        visitor_key,
        has_product_view,
        is_converted,
        reached_funnel_home,
        reached_funnel_product,
        reached_funnel_cart,
        reached_funnel_purchase
    from sessions

),

aggregated as (

    select
        week_start_date,
        traffic_source,
        device,
        count(*) as sessions,
        count(distinct visitor_key) as visitors,
        count(distinct case when reached_funnel_home then visitor_key end)
            as home_visitors,
        count(distinct case when reached_funnel_product then visitor_key end)
            as product_visitors,
        count(distinct case when reached_funnel_cart then visitor_key end)
            as cart_visitors,
        count(distinct case when reached_funnel_purchase then visitor_key end)
            as purchase_visitors,
        count(distinct case when has_product_view then visitor_key end)
            as product_view_visitors,
        count(distinct case when is_converted then visitor_key end)
            as converted_visitors
    from sessions_weekly
    group by
        week_start_date,
        traffic_source,
        device

),

final as (

    select
        -- grain
        week_start_date,
        traffic_source,
        device,

        -- traffic
        sessions,
        visitors,

        -- ordered funnel
        home_visitors,
        product_visitors,
        cart_visitors,
        purchase_visitors,
        {{ safe_divide('product_visitors', 'home_visitors') }}
            as home_to_product_rate,
        {{ safe_divide('cart_visitors', 'product_visitors') }}
            as product_to_cart_rate,
        {{ safe_divide('purchase_visitors', 'cart_visitors') }}
            as cart_to_purchase_rate,
        {{ safe_divide('purchase_visitors', 'home_visitors') }}
            as home_to_purchase_rate,

        -- outside the ordered funnel
        product_view_visitors,
        converted_visitors
    from aggregated

)

select * from final
