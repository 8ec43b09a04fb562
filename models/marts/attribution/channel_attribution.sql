-- Attributed conversions and revenue per attribution model and channel (the
-- touchpoints' landing traffic source), long format: one row per model and
-- channel, a new model (issue 4: markov) adds rows, never columns.
with

touchpoints as (

    select * from {{ ref('attribution_touchpoints') }}

),

model_totals as (

    select
        attribution_model,
        count(distinct conversion_key) as conversions,
        sum(attributed_revenue) as revenue
    from touchpoints
    group by attribution_model

),

by_channel as (

    select
        attribution_model,
        channel,
        sum(credit) as attributed_conversions,
        sum(attributed_revenue) as attributed_revenue,
        count(*) as touchpoints,
        count(distinct conversion_key) as touched_conversions
    from touchpoints
    group by
        attribution_model,
        channel

),

-- Conversions whose touchpoints all share one channel: every model gives it
-- all of them. Touchpoints are the same under every model.
single_channel_conversions as (

    select
        conversion_key,
        min(channel) as channel,
        max(conversion_revenue) as conversion_revenue
    from touchpoints
    group by conversion_key
    having min(channel) = max(channel)

),

single_channel as (

    select
        channel,
        count(*) as single_channel_conversions,
        sum(conversion_revenue) as single_channel_revenue
    from single_channel_conversions
    group by channel

),

final as (

    select
        -- grain
        by_channel.attribution_model,
        by_channel.channel,

        -- attributed
        cast(by_channel.attributed_conversions as numeric(18, 10))
            as attributed_conversions,
        cast(by_channel.attributed_revenue as numeric(18, 2))
            as attributed_revenue,
        {{ safe_divide(
            'round(by_channel.attributed_conversions, 8)',
            'model_totals.conversions'
        ) }} as share_of_conversions,
        {{ safe_divide(
            'by_channel.attributed_revenue', 'model_totals.revenue'
        ) }} as share_of_revenue,

        -- touches
        by_channel.touchpoints,
        by_channel.touched_conversions,
        coalesce(single_channel.single_channel_conversions, 0)
            as single_channel_conversions,
        cast(
            coalesce(single_channel.single_channel_revenue, 0)
            as numeric(18, 2)
        ) as single_channel_revenue
    from by_channel
    inner join model_totals
        on by_channel.attribution_model = model_totals.attribution_model
    left join single_channel
        on by_channel.channel = single_channel.channel

)

select * from final
