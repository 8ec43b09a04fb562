-- The attribution marts tell the same story as the conversions: per model,
-- channel_attribution adds up to every conversion and all their revenue (as
-- does fct_sessions), and campaign_performance shows campaign_attribution's
-- figures for the default model. Returns the figures that disagree.
with

conversions as (

    select
        count(*) as conversions,
        coalesce(sum(revenue), 0) as revenue
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

)

select * from comparisons
where
    mart_conversions <> expected_conversions
    or mart_revenue <> expected_revenue
