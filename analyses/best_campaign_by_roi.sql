-- Business question 3: which campaign has the best ROI? The true ROI,
-- (attributed revenue - spend) / spend, from the web revenue the default
-- attribution model (var attribution_default_model) credits each campaign,
-- next to its ROAS and the legacy budget figure (budget_roi: share of the
-- budget left unspent, in percent), which is not a return. Valid campaigns
-- that spent at least var analysis_min_campaign_spend (default 100): ROI is
-- undefined without spend, and a ratio on a few units of spend (an email
-- send of 16) says nothing about where the next budget should go.
with

campaign_performance as (

    select * from {{ ref('campaign_performance') }}

),

final as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        attribution_model,
        total_spend,
        attributed_conversions,
        attributed_revenue,
        roas,
        roi,
        budget,
        budget_roi,
        status
    from campaign_performance
    where
        is_valid
        and total_spend > 0
        and total_spend >= {{ var("analysis_min_campaign_spend") }}
        and roi is not null
    order by roi desc, campaign_id asc
    limit 1

)

select * from final
