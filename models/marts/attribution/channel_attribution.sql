-- Attributed conversions and revenue per attribution model and channel (the
-- touchpoints' landing traffic source), long format: one row per model and
-- channel. The six heuristic models come from attribution_touchpoints; the
-- data-driven model `markov` from markov_attribution (the statistics step),
-- only while it was computed from the current conversions.
with

touchpoints as (

    select * from {{ ref('attribution_touchpoints') }}

),

markov_attribution as (

    select * from {{ ref('markov_attribution') }}

),

-- One row per conversion (attribution_touchpoints repeats it per touchpoint
-- and model).
conversions as (

    select
        conversion_key,
        max(conversion_revenue) as conversion_revenue,
        max(conversion_at) as conversion_at
    from touchpoints
    group by conversion_key

),

-- What every model shares out: the same for every model.
conversion_totals as (

    select
        count(*) as conversions,
        sum(conversion_revenue) as revenue,
        max(conversion_at) as latest_conversion_at
    from conversions

),

heuristic_credits as (

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

-- A channel's touches are the same under every model.
channel_touches as (

    select
        channel,
        max(touchpoints) as touchpoints,
        max(touched_conversions) as touched_conversions
    from heuristic_credits
    group by channel

),

-- The markov credits when markov_attribution was computed from the current
-- conversions (same count, revenue and latest conversion); none before the
-- statistics step has run, or after a build on new data until it runs again.
markov_credits as (

    select
        markov_attribution.attribution_model,
        markov_attribution.channel,
        markov_attribution.attributed_conversions,
        markov_attribution.attributed_revenue
    from markov_attribution
    inner join conversion_totals
        on
            markov_attribution.total_conversions = conversion_totals.conversions
            and markov_attribution.total_revenue = conversion_totals.revenue
            and markov_attribution.latest_conversion_at
            = conversion_totals.latest_conversion_at

),

credits as (

    select
        attribution_model,
        channel,
        attributed_conversions,
        attributed_revenue
    from heuristic_credits

    union all

    select
        attribution_model,
        channel,
        attributed_conversions,
        attributed_revenue
    from markov_credits

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
        credits.attribution_model,
        credits.channel,

        -- attributed
        cast(credits.attributed_conversions as numeric(18, 10))
            as attributed_conversions,
        cast(credits.attributed_revenue as numeric(18, 2))
            as attributed_revenue,
        {{ safe_divide(
            'round(credits.attributed_conversions, 8)',
            'conversion_totals.conversions'
        ) }} as share_of_conversions,
        {{ safe_divide(
            'credits.attributed_revenue', 'conversion_totals.revenue'
        ) }} as share_of_revenue,

        -- touches
        channel_touches.touchpoints,
        channel_touches.touched_conversions,
        coalesce(single_channel.single_channel_conversions, 0)
            as single_channel_conversions,
        cast(
            coalesce(single_channel.single_channel_revenue, 0)
            as numeric(18, 2)
        ) as single_channel_revenue
    from credits
    -- a channel touched a conversion (markov's channels on no converting
    -- path, credit 0, are no channels here)
    inner join channel_touches
        on credits.channel = channel_touches.channel
    cross join conversion_totals
    left join single_channel
        on credits.channel = single_channel.channel

)

select * from final
