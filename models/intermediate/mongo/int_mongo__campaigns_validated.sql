-- The MongoDB campaigns with what needs more than their own export: the
-- channel group of their campaign type (the channel seed) and the quality
-- flags.
with

campaigns as (

    select * from {{ ref('stg_mongo__campaigns') }}

),

channels as (

    select * from {{ ref('stg_reference__channels') }}

),

grouped as (

    select
        campaigns.*,
        case
            when campaigns.campaign_type is not null
                then coalesce(channels.channel_group, 'other')
        end as channel_group
    from campaigns
    left join channels
        on campaigns.campaign_type = channels.channel

),

validated as (

    select
        *,
        {{ dq_issues([
            ("missing_campaign_name", "campaign_name is null"),
            ("missing_budget", "budget is null"),
            ("negative_budget", "budget < 0"),
            ("missing_spend", "spend is null"),
            ("negative_spend", "spend < 0"),
            ("negative_count", "impressions < 0 or clicks < 0 or conversions < 0"),
            ("clicks_above_impressions", "clicks > impressions"),
            ("conversions_above_clicks", "conversions > clicks"),
            ("missing_start_date", "start_date is null"),
            ("missing_end_date", "end_date is null"),
            ("end_before_start", "end_date < start_date"),
        ]) }} as dq_issues
    from grouped

),

final as (

    select
        -- ids
        campaign_id,
        mongo_document_id,

        -- descriptions
        campaign_name,
        campaign_type,
        channel_group,

        -- dates
        start_date,
        end_date,

        -- money
        budget,
        spend,

        -- counts
        impressions,
        clicks,
        conversions,

        -- kpis
        ctr,
        conversion_rate,
        cpc,
        cpa,
        budget_roi,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,

        -- lineage
        raw_record_count
    from validated

)

select * from final
