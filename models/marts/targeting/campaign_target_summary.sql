-- One row per target list (all four, also when empty): who is on it, who was
-- left out for lack of marketing consent (counted, never listed), and the
-- expected value by priority.
with

candidates as (

    select * from {{ ref('int_campaign_target_candidates') }}

),

targets as (

    select * from {{ ref('campaign_targets') }}

),

lists as (

    select
        'win_back' as campaign_type,
        'Lost customers (no purchase for over a year) with a high past value:'
        || ' bring them back.' as description,
        1 as list_order

    union all

    select
        'retention' as campaign_type,
        'At-risk customers, overdue against their own purchase rhythm: keep'
        || ' them.' as description,
        2 as list_order

    union all

    select
        'cross_sell' as campaign_type,
        'Regular customers who bought from one category only: offer a second'
        || ' one.' as description,
        3 as list_order

    union all

    select
        'loyalty' as campaign_type,
        'High-value, active customers: reward and retain them.' as description,
        4 as list_order

),

left_out as (

    select
        campaign_type,
        count(*) as candidate_customers,
        count(
            case when has_marketing_consent = false then 1 end
        ) as excluded_without_consent,
        count(
            case when has_marketing_consent is null then 1 end
        ) as excluded_unknown_consent
    from candidates
    group by campaign_type

),

listed as (

    select
        campaign_type,
        count(*) as target_customers,
        count(
            case when priority = 'high' then 1 end
        ) as high_priority_customers,
        count(
            case when priority = 'medium' then 1 end
        ) as medium_priority_customers,
        count(case when priority = 'low' then 1 end) as low_priority_customers,
        sum(expected_value) as expected_value,
        sum(
            case when priority = 'high' then expected_value end
        ) as high_priority_expected_value
    from targets
    group by campaign_type

),

final as (

    select
        -- list
        lists.campaign_type,
        lists.description,
        lists.list_order,

        -- customers
        coalesce(left_out.candidate_customers, 0) as candidate_customers,
        coalesce(listed.target_customers, 0) as target_customers,
        coalesce(left_out.excluded_without_consent, 0)
            as excluded_without_consent,
        coalesce(left_out.excluded_unknown_consent, 0)
            as excluded_unknown_consent,
        coalesce(listed.high_priority_customers, 0) as high_priority_customers,
        coalesce(listed.medium_priority_customers, 0)
            as medium_priority_customers,
        coalesce(listed.low_priority_customers, 0) as low_priority_customers,

        -- value
        cast(coalesce(listed.expected_value, 0) as numeric(18, 2))
            as expected_value,
        cast(coalesce(listed.high_priority_expected_value, 0) as numeric(18, 2))
            as high_priority_expected_value
    from lists
    left join left_out
        on lists.campaign_type = left_out.campaign_type
    left join listed
        on lists.campaign_type = listed.campaign_type

)

select * from final
