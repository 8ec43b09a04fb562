-- Growth question 3: which monthly acquisition cohort keeps its customers
-- best? Cohorts of at least var cohort_min_size customers whose third month
-- after the first order is complete, ranked by 3-month retention (ties: the
-- earlier cohort; int_cohort_month_3_retention, which the best-cohort
-- insight reads too); the five best.
with

ranked_cohorts as (

    select * from {{ ref('int_cohort_month_3_retention') }}

),

cohort_retention as (

    select * from {{ ref('cohort_retention') }}

),

final as (

    select
        ranked_cohorts.cohort_month,
        ranked_cohorts.cohort_size,
        month_1.retention_rate as retention_month_1,
        ranked_cohorts.retention_rate as retention_month_3,
        ranked_cohorts.cumulative_revenue_per_customer
            as revenue_per_customer_by_month_3
    from ranked_cohorts
    left join cohort_retention as month_1
        on
            ranked_cohorts.cohort_month = month_1.cohort_month
            and month_1.months_since_first_order = 1
    where ranked_cohorts.cohort_rank <= 5
    order by ranked_cohorts.cohort_rank asc

)

select * from final
