-- One row per conversion, touchpoint and heuristic attribution model: the
-- share of the conversion (credit) and of its revenue each model gives the
-- touchpoint. The touchpoints of a conversion are the visitor's sessions with
-- a channel (landing traffic source) that started in the lookback window
-- [conversion_at - attribution_lookback_days, conversion_at]. Credits are
-- rounded to 10 decimals and revenue to the cent, the last touchpoint taking
-- the remainder: per conversion and model they add up exactly to 1 and to the
-- conversion's revenue. About 300 lines on purpose: the six models are
-- computed side by side in one pass over the touchpoints, and the unit tests
-- check them all through this model's inputs (int_conversions,
-- fct_sessions); the exact-split and decay formulas are macros
-- (macros/attribution).
{%- set lookback_days = number_var(
    "attribution_lookback_days", 0, integer=true
) %}
{%- set half_life_days = number_var(
    "attribution_half_life_days", 0, exclusive=true
) %}
with

conversions as (

    select * from {{ ref('int_conversions') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

visitor_conversions as (

    select
        conversions.conversion_key,
        conversions.event_id as conversion_event_id,
        conversions.transaction_id,
        conversions.session_key as conversion_session_key,
        conversions.conversion_at,
        conversions.revenue as conversion_revenue,
        sessions.visitor_key,
        sessions.customer_id
    from conversions
    inner join sessions
        on conversions.session_key = sessions.session_key

),

-- The visitor's sessions with a channel started in the window (an anonymous
-- visitor has a single session: the converting one). The converting session
-- always counts, even when it started before the window.
windowed_touchpoints as (

    select
        visitor_conversions.*,
        sessions.session_key,
        sessions.session_start_at,
        sessions.landing_traffic_source as channel,
        sessions.landing_campaign_id as campaign_id
    from visitor_conversions
    inner join sessions
        on
            visitor_conversions.visitor_key = sessions.visitor_key
            and visitor_conversions.conversion_at >= sessions.session_start_at
            and (
                {{ dbt.dateadd(
                    'day', -lookback_days, 'visitor_conversions.conversion_at'
                ) }} <= sessions.session_start_at
                or visitor_conversions.conversion_session_key
                = sessions.session_key
            )
    where sessions.landing_traffic_source is not null

),

conversions_with_windowed_touchpoints as (

    select distinct conversion_key
    from windowed_touchpoints

),

-- A conversion without any session with a channel in its window keeps its
-- converting session as its only touchpoint, under the channel 'unknown', so
-- that every conversion and all its revenue are attributed.
unknown_channel_touchpoints as (

    select
        visitor_conversions.*,
        sessions.session_key,
        sessions.session_start_at,
        'unknown' as channel,
        sessions.landing_campaign_id as campaign_id
    from visitor_conversions
    inner join sessions
        on visitor_conversions.conversion_session_key = sessions.session_key
    left join conversions_with_windowed_touchpoints
        on
            visitor_conversions.conversion_key
            = conversions_with_windowed_touchpoints.conversion_key
    where conversions_with_windowed_touchpoints.conversion_key is null

),

touchpoints as (

    select * from windowed_touchpoints
    union all
    select * from unknown_channel_touchpoints

),

touchpoints_positioned as (

    select
        *,
        row_number() over (
            partition by conversion_key
            order by session_start_at asc, session_key asc
        ) as touchpoint_position,
        count(*) over (partition by conversion_key) as touchpoint_count,
        max(session_start_at) over (partition by conversion_key)
            as latest_touchpoint_start_at
    from touchpoints

),

-- time_decay weight 2^(-days before the conversion / half-life), taken
-- relative to the latest touchpoint (the same shares once normalised).
touchpoints_measured as (

    select
        *,
        max(
            case when channel <> 'direct' then touchpoint_position end
        ) over (partition by conversion_key) as last_non_direct_position,
        {{ time_decay_weight(
            'session_start_at', 'latest_touchpoint_start_at', half_life_days
        ) }} as time_decay_weight
    from touchpoints_positioned

),

touchpoints_timed as (

    select
        *,
        sum(time_decay_weight) over (partition by conversion_key)
            as time_decay_weight_total
    from touchpoints_measured

),

-- Each model's credit as a weight over the conversion's total weight (one
-- pair of columns per model: the models are computed side by side, so that
-- the remainders below take one pass over the touchpoints, not one per model).
weighted as (

    select
        *,

        -- first_touch: all to the first touchpoint
        case when touchpoint_position = 1 then 1 else 0 end
            as first_touch_weight,
        1 as first_touch_weight_total,

        -- last_touch: all to the last touchpoint
        case when touchpoint_position = touchpoint_count then 1 else 0 end
            as last_touch_weight,
        1 as last_touch_weight_total,

        -- last_non_direct: all to the last non-direct touchpoint, else the last
        case
            when
                touchpoint_position
                = coalesce(last_non_direct_position, touchpoint_count)
                then 1
            else 0
        end as last_non_direct_weight,
        1 as last_non_direct_weight_total,

        -- linear: 1 / n each
        1 as linear_weight,
        touchpoint_count as linear_weight_total,

        -- time_decay: time_decay_weight / time_decay_weight_total (above)

        -- position_based 40/20/40: the ends 2 * (n - 2) and the middles 1 of
        -- 5 * (n - 2); one or two touchpoints share equally
        case
            when touchpoint_count <= 2 then 1
            when touchpoint_position in (1, touchpoint_count)
                then 2 * (touchpoint_count - 2)
            else 1
        end as position_based_weight,
        case
            when touchpoint_count <= 2 then touchpoint_count
            else 5 * (touchpoint_count - 2)
        end as position_based_weight_total
    from touchpoints_timed

),

credits_rounded as (

    select
        *,
        {% for model in attribution_models() -%}
        {{ safe_divide(
            model ~ '_weight', model ~ '_weight_total', 10
        ) }} as {{ model }}_rounded_credit
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from weighted

),

-- The last touchpoint takes 1 minus the others' rounded credits.
credits as (

    select
        *,
        {% for model in attribution_models() -%}
        {{ remainder_to_last(
            '1', model ~ '_rounded_credit', 'numeric(18, 10)'
        ) }} as {{ model }}_credit
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from credits_rounded

),

-- Each attributed revenue is the conversion revenue x credit rounded to the
-- cent; the last touchpoint takes the conversion revenue minus the others'.
revenue as (

    select
        *,
        {% for model in attribution_models() -%}
        {%- set rounded_revenue -%}
            round(
                cast(conversion_revenue as numeric(38, 2))
                * cast({{ model }}_credit as numeric(38, 10)),
                2
            )
        {%- endset %}
        {{ remainder_to_last(
            'conversion_revenue', rounded_revenue, 'numeric(18, 2)'
        ) }} as {{ model }}_attributed_revenue
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from credits

),

models as (

    {% for model in attribution_models() -%}
    select '{{ model }}' as attribution_model
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- One row per model: each picks its own pair of columns.
final as (

    select
        -- grain
        revenue.conversion_key,
        revenue.session_key,
        models.attribution_model,

        -- conversion
        revenue.conversion_event_id,
        revenue.transaction_id,
        revenue.visitor_key,
        revenue.customer_id,
        revenue.conversion_session_key,
        revenue.conversion_at,
        revenue.conversion_revenue,

        -- touchpoint
        revenue.session_start_at,
        revenue.channel,
        revenue.campaign_id,
        revenue.session_key = revenue.conversion_session_key
            as is_converting_session,
        revenue.touchpoint_position,
        revenue.touchpoint_count,
        {{ safe_divide(
            dbt.datediff(
                'revenue.session_start_at', 'revenue.conversion_at', 'microsecond'
            ),
            86400000000,
            6
        ) }} as days_before_conversion,

        -- credit
        cast(
            case models.attribution_model
                {% for model in attribution_models() -%}
                when '{{ model }}' then revenue.{{ model }}_credit
                {% endfor %}
            end as numeric(18, 10)
        ) as credit,
        cast(
            case models.attribution_model
                {% for model in attribution_models() -%}
                when '{{ model }}' then revenue.{{ model }}_attributed_revenue
                {% endfor %}
            end as numeric(18, 2)
        ) as attributed_revenue
    from revenue
    cross join models

)

select * from final
