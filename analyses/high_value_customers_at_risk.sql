-- Growth question 1: how many high-value customers are at risk, and how much
-- revenue is at stake? (business_insights: top-LTV customers, not yet lost,
-- whose churn risk score reached the At Risk threshold; the revenue at stake
-- is what they spent in the 365 days before the as-of date.)
with

insights as (

    select * from {{ ref('business_insights') }}

),

final as (

    select
        affected_customers as high_value_customers_at_risk,
        revenue_at_stake,
        severity,
        recommendation
    from insights
    where insight_id = 'high_value_customers_at_risk'

)

select * from final
