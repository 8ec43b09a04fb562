-- Insight 6 of business_insights: the valid campaign with conversions and
-- the worst cost per acquisition, against the median CPA of those
-- campaigns. One row, always.
with

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

converting_campaigns as (

    select
        campaign_id,
        campaign_name,
        cpa
    from campaigns
    where is_valid and conversions > 0 and cpa is not null

),

median_cpa as (

    select percentile_disc(0.5) within group (order by cpa) as median_cpa
    from converting_campaigns

),

ranked as (

    select
        *,
        row_number() over (order by cpa desc, campaign_id asc) as cpa_rank
    from converting_campaigns

),

-- An aggregate without group by returns one row, nulls when no campaign
-- converted.
worst_cpa as (

    select
        max(campaign_id) as campaign_id,
        max(campaign_name) as campaign_name,
        max(cpa) as cpa
    from ranked
    where cpa_rank = 1

),

final as (

    select
        'worst_cpa_campaign' as insight_id,
        6 as insight_order,
        'Campaign with the worst CPA' as title,
        worst_cpa.campaign_id as subject,
        'cpa' as metric,
        cast(worst_cpa.cpa as numeric(18, 4)) as metric_value,
        'currency' as metric_unit,
        cast(null as {{ dbt.type_bigint() }}) as affected_customers,
        cast(null as numeric(18, 2)) as revenue_at_stake,
        case
            when worst_cpa.campaign_id is null then 'info'
            when worst_cpa.cpa >= 3 * median_cpa.median_cpa then 'high'
            when worst_cpa.cpa >= 2 * median_cpa.median_cpa then 'medium'
            else 'low'
        end as severity,
        case
            when worst_cpa.campaign_id is null
                then 'No valid campaign with conversions yet.'
            else
                'Review ' || worst_cpa.campaign_id || ' ('
                || coalesce(worst_cpa.campaign_name, 'no name')
                || '): each conversion costs '
                || cast(
                    cast(worst_cpa.cpa as numeric(18, 2))
                    as {{ dbt.type_string() }}
                )
                || ' against a median of '
                || cast(
                    cast(median_cpa.median_cpa as numeric(18, 2))
                    as {{ dbt.type_string() }}
                )
                || '; move budget to campaigns with a lower CPA or fix its'
                || ' targeting.'
        end as recommendation
    from worst_cpa
    cross join median_cpa

)

select * from final
