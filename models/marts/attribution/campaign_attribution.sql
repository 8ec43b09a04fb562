-- Attributed conversions and revenue per attribution model and campaign (the
-- campaign of the touchpoint session's landing URL), long format: one row
-- per model and campaign that touched at least one conversion.
with

touchpoints as (

    select * from {{ ref('attribution_touchpoints') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

model_totals as (

    select
        attribution_model,
        count(distinct conversion_key) as conversions,
        sum(attributed_revenue) as revenue
    from touchpoints
    group by attribution_model

),

by_campaign as (

    select
        attribution_model,
        campaign_id,
        sum(credit) as attributed_conversions,
        sum(attributed_revenue) as attributed_revenue,
        count(*) as touchpoints,
        count(distinct conversion_key) as touched_conversions
    from touchpoints
    where campaign_id is not null
    group by
        attribution_model,
        campaign_id

),

final as (

    select
        -- grain
        by_campaign.attribution_model,
        by_campaign.campaign_id,

        -- campaign
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.campaign_id is not null as has_known_campaign,

        -- attributed
        cast(by_campaign.attributed_conversions as numeric(18, 10))
            as attributed_conversions,
        cast(by_campaign.attributed_revenue as numeric(18, 2))
            as attributed_revenue,
        {{ safe_divide(
            'round(by_campaign.attributed_conversions, 8)',
            'model_totals.conversions'
        ) }} as share_of_conversions,
        {{ safe_divide(
            'by_campaign.attributed_revenue', 'model_totals.revenue'
        ) }} as share_of_revenue,

        -- touches
        by_campaign.touchpoints,
        by_campaign.touched_conversions
    from by_campaign
    inner join model_totals
        on by_campaign.attribution_model = model_totals.attribution_model
    left join campaigns
        on by_campaign.campaign_id = campaigns.campaign_id

)

select * from final
