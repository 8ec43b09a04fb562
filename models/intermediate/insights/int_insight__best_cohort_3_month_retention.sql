-- Insight 3 of business_insights: the cohort with the best 3-month
-- retention (int_cohort_month_3_retention). One row, always.
with

ranked_cohorts as (

    select * from {{ ref('int_cohort_month_3_retention') }}

),

-- An aggregate without group by returns one row, nulls when no cohort
-- qualifies.
best_cohort as (

    select
        max(cohort_month) as cohort_month,
        max(cohort_size) as cohort_size,
        max(retention_rate) as retention_rate
    from ranked_cohorts
    where cohort_rank = 1

),

final as (

    select
        'best_cohort_3_month_retention' as insight_id,
        3 as insight_order,
        'Best cohort by 3-month retention' as title,
        cast(best_cohort.cohort_month as {{ dbt.type_string() }}) as subject,
        'retention_rate_month_3' as metric,
        cast(best_cohort.retention_rate as numeric(18, 4)) as metric_value,
        'share' as metric_unit,
        cast(best_cohort.cohort_size as {{ dbt.type_bigint() }})
            as affected_customers,
        cast(null as numeric(18, 2)) as revenue_at_stake,
        'info' as severity,
        case
            when best_cohort.cohort_month is null
                then
                    'No cohort of the minimum size has a complete third'
                    || ' month yet.'
            else
                'Study what the '
                || cast(best_cohort.cohort_month as {{ dbt.type_string() }})
                || ' cohort was acquired with (channels, campaigns, offers) and'
                || ' repeat it: its customers kept buying best three months on.'
        end as recommendation
    from best_cohort

)

select * from final
