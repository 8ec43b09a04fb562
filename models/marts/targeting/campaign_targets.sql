-- One row per customer on a target list: win_back, retention, cross_sell or
-- loyalty (exclusive, they follow the lifecycle segments), with a priority
-- and an expected value. Only customers with marketing consent are listed;
-- campaign_target_summary counts the ones left out.
with

candidates as (

    select * from {{ ref('int_campaign_target_candidates') }}

),

eligible as (

    select *
    from candidates
    where has_marketing_consent

),

ranked as (

    select
        *,
        rank() over (
            partition by campaign_type
            order by expected_value desc
        ) as value_rank,
        count(*) over (partition by campaign_type) as list_size
    from eligible

),

final as (

    select
        -- ids
        customer_id,

        -- list
        campaign_type,
        -- Thirds of the list by expected value; equal values share a third.
        case
            when 3 * (value_rank - 1) < list_size then 'high'
            when 3 * (value_rank - 1) < 2 * list_size then 'medium'
            else 'low'
        end as priority,
        value_rank,

        -- value
        expected_value,
        response_rate,
        value_if_responds,

        -- why
        lifecycle_segment,
        rfm_segment,
        historic_ltv,
        predicted_ltv_12m,
        churn_risk_score,
        days_since_last_purchase,
        categories_bought,
        only_category,

        -- where
        country_code,
        has_marketing_consent
    from ranked

)

select * from final
