with

campaigns as (

    select * from {{ ref('int_mongo__campaigns_validated') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

final as (

    select
        -- ids
        campaigns.campaign_id,

        -- descriptions
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.channel_group,
        case
            when campaigns.spend > campaigns.budget then 'overspent'
            when
                campaigns.start_date is null or as_of.as_of_date is null
                then 'unknown'
            when campaigns.start_date > as_of.as_of_date then 'planned'
            when campaigns.end_date < as_of.as_of_date then 'completed'
            else 'active'
        end as campaign_status,

        -- dates
        campaigns.start_date,
        campaigns.end_date,

        -- money
        campaigns.budget,
        campaigns.spend,

        -- counts
        campaigns.impressions,
        campaigns.clicks,
        campaigns.conversions,

        -- kpis
        campaigns.ctr,
        campaigns.conversion_rate,
        campaigns.cpc,
        campaigns.cpa,
        campaigns.budget_roi,

        -- quality
        campaigns.is_valid,
        campaigns.dq_issues
    from campaigns
    cross join as_of

)

select * from final
