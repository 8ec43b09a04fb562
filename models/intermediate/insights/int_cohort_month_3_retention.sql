-- The acquisition cohorts that can be compared by 3-month retention: at
-- least var cohort_min_size customers and a third month after the first
-- order that is complete before the as-of date; ranked by that retention
-- (ties: the earlier cohort). Read by the best-cohort insight and by
-- analyses/best_cohort.sql.
with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

cohort_retention as (

    select * from {{ ref('cohort_retention') }}

),

final as (

    select
        cohort_retention.cohort_month,
        cohort_retention.cohort_size,
        cohort_retention.retention_rate,
        cohort_retention.cumulative_revenue_per_customer,
        row_number() over (
            order by
                cohort_retention.retention_rate desc,
                cohort_retention.cohort_month asc
        ) as cohort_rank
    from cohort_retention
    cross join as_of
    where
        cohort_retention.months_since_first_order = 3
        and not cohort_retention.is_small_cohort
        and cast(
            {{ dbt.dateadd("month", 1, "cohort_retention.activity_month") }}
            as date
        )
        <= as_of.as_of_date

)

select * from final
