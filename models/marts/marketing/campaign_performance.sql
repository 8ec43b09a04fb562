-- One row per campaign: its delivery, its KPIs, its status on the as-of
-- date, and the conversions and revenue the default attribution model (var
-- attribution_default_model) credits it with: ROAS and a true ROI.
with

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

campaign_attribution as (

    select * from {{ ref('campaign_attribution') }}
    where attribution_model = {{ attribution_default_model() }}

),

final as (

    select
        -- campaign
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.start_date,
        campaigns.end_date,
        campaigns.campaign_status as status,

        -- money
        campaigns.budget,
        campaigns.spend as total_spend,

        -- delivery
        campaigns.impressions as total_impressions,
        campaigns.clicks as total_clicks,
        campaigns.conversions as total_conversions,

        -- kpis
        campaigns.ctr as avg_ctr,
        campaigns.conversion_rate as avg_conversion_rate,
        campaigns.cpc as avg_cpc,
        campaigns.cpa as avg_cpa,
        campaigns.budget_roi,

        -- attribution (web conversions, default model)
        {{ attribution_default_model() }} as attribution_model,
        cast(
            coalesce(campaign_attribution.attributed_conversions, 0)
            as numeric(18, 10)
        ) as attributed_conversions,
        cast(
            coalesce(campaign_attribution.attributed_revenue, 0)
            as numeric(18, 2)
        ) as attributed_revenue,
        {{ safe_divide(
            'coalesce(campaign_attribution.attributed_revenue, 0)',
            'campaigns.spend'
        ) }} as roas,
        {{ safe_divide(
            'coalesce(campaign_attribution.attributed_revenue, 0)
            - campaigns.spend',
            'campaigns.spend'
        ) }} as roi,

        -- quality
        campaigns.is_valid,
        campaigns.dq_issues
    from campaigns
    left join campaign_attribution
        on campaigns.campaign_id = campaign_attribution.campaign_id

)

select * from final
