-- The attribution marts tell the same story as the conversions: per model,
-- channel_attribution adds up to every conversion and all their revenue (as
-- does fct_sessions), and campaign_performance shows campaign_attribution's
-- figures for the default model. The markov model (markov_attribution,
-- written by the statistics step) adds up to the conversions it was computed
-- from, and when those are the current conversions channel_attribution holds
-- it (and then adds up like the heuristic models). Before the statistics step
-- has run, markov_attribution is empty and only the heuristic checks apply.
-- Returns the figures that disagree.
with

conversions as (

    select
        count(*) as conversions,
        coalesce(sum(revenue), 0) as revenue,
        max(conversion_at) as latest_conversion_at
    from {{ ref('int_conversions') }}

),

sessions as (

    select
        coalesce(sum(conversions), 0) as conversions,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('fct_sessions') }}

),

channels as (

    select
        attribution_model,
        sum(attributed_conversions) as conversions,
        sum(attributed_revenue) as revenue
    from {{ ref('channel_attribution') }}
    group by attribution_model

),

campaigns as (

    select
        coalesce(sum(attributed_conversions), 0) as conversions,
        coalesce(sum(attributed_revenue), 0) as revenue
    from {{ ref('campaign_attribution') }}
    where
        attribution_model = {{ attribution_default_model() }}
        and has_known_campaign

),

campaign_performance as (

    select
        coalesce(sum(attributed_conversions), 0) as conversions,
        coalesce(sum(attributed_revenue), 0) as revenue
    from {{ ref('campaign_performance') }}

),

-- No row while markov_attribution is empty.
markov as (

    select
        sum(attributed_conversions) as conversions,
        sum(attributed_revenue) as revenue,
        min(total_conversions) as total_conversions,
        max(total_conversions) as total_conversions_max,
        min(total_revenue) as total_revenue,
        max(total_revenue) as total_revenue_max,
        min(latest_conversion_at) as latest_conversion_at
    from {{ ref('markov_attribution') }}
    having count(*) > 0

),

-- One row when markov_attribution was computed from the current conversions.
current_markov as (

    select
        conversions.conversions,
        conversions.revenue
    from markov
    cross join conversions
    where
        markov.total_conversions = conversions.conversions
        and markov.total_revenue = conversions.revenue
        and markov.latest_conversion_at = conversions.latest_conversion_at

),

comparisons as (

    select
        'fct_sessions' as mart,
        sessions.conversions as mart_conversions,
        sessions.revenue as mart_revenue,
        conversions.conversions as expected_conversions,
        conversions.revenue as expected_revenue
    from sessions
    cross join conversions

    union all

    select
        {{ dbt.concat([
            "'channel_attribution '", "channels.attribution_model"
        ]) }} as mart,
        channels.conversions as mart_conversions,
        channels.revenue as mart_revenue,
        conversions.conversions as expected_conversions,
        conversions.revenue as expected_revenue
    from channels
    cross join conversions

    union all

    select
        'campaign_performance' as mart,
        campaign_performance.conversions as mart_conversions,
        campaign_performance.revenue as mart_revenue,
        campaigns.conversions as expected_conversions,
        campaigns.revenue as expected_revenue
    from campaign_performance
    cross join campaigns

    union all

    -- Its credits add up to the totals it records (the same on every row).
    select
        'markov_attribution' as mart,
        markov.conversions as mart_conversions,
        markov.revenue as mart_revenue,
        case
            when markov.total_conversions = markov.total_conversions_max
                then markov.total_conversions
        end as expected_conversions,
        case
            when markov.total_revenue = markov.total_revenue_max
                then markov.total_revenue
        end as expected_revenue
    from markov

    union all

    -- Current: channel_attribution must hold it (0 when it does not).
    select
        'channel_attribution markov (current)' as mart,
        coalesce(channels.conversions, 0) as mart_conversions,
        coalesce(channels.revenue, 0) as mart_revenue,
        current_markov.conversions as expected_conversions,
        current_markov.revenue as expected_revenue
    from current_markov
    left join channels
        on channels.attribution_model = 'markov'

)

select * from comparisons
where
    mart_conversions <> expected_conversions
    or mart_revenue <> expected_revenue
    or expected_conversions is null
    or expected_revenue is null
