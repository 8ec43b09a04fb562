-- Growth question 3: which monthly acquisition cohort keeps its customers
-- best? Cohorts of at least var cohort_min_size customers whose third month
-- after the first order is complete, ranked by 3-month retention (ties: the
-- earlier cohort); the five best.
with

cohort_retention as (

    select * from {{ ref('cohort_retention') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

month_3 as (

    select cohort_retention.*
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

),

final as (

    select
        month_3.cohort_month,
        month_3.cohort_size,
        month_1.retention_rate as retention_month_1,
        month_3.retention_rate as retention_month_3,
        month_3.cumulative_revenue_per_customer
            as revenue_per_customer_by_month_3
    from month_3
    left join cohort_retention as month_1
        on
            month_3.cohort_month = month_1.cohort_month
            and month_1.months_since_first_order = 1
    order by month_3.retention_rate desc, month_3.cohort_month asc
    limit 5

)

select * from final
