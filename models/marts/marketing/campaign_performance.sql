-- One row per campaign: its delivery, its KPIs and its status on the as-of
-- date.
with

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

final as (

    select
        -- campaign
        campaign_id,
        campaign_name,
        campaign_type,
        start_date,
        end_date,
        campaign_status as status,

        -- money
        budget,
        spend as total_spend,

        -- delivery
        impressions as total_impressions,
        clicks as total_clicks,
        conversions as total_conversions,

        -- kpis
        ctr as avg_ctr,
        conversion_rate as avg_conversion_rate,
        cpc as avg_cpc,
        cpa as avg_cpa,
        budget_roi as roi,

        -- quality
        is_valid,
        dq_issues
    from campaigns

)

select * from final
