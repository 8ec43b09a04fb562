-- Business question 3: which campaign has the best ROI (the legacy "budget
-- ROI": share of the budget left unspent)? Valid campaigns that spent
-- something: a campaign that spent nothing (no delivery) would top the list
-- with 100% without having done anything.
with

campaign_performance as (

    select * from {{ ref('campaign_performance') }}

),

final as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        budget,
        total_spend,
        roi,
        status
    from campaign_performance
    where is_valid and total_spend > 0 and roi is not null
    order by roi desc, campaign_id asc
    limit 1

)

select * from final
