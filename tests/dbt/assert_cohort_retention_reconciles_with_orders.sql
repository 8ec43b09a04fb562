-- cohort_retention tells the same story as the valid orders (fct_orders rows
-- flagged is_revenue with a customer): every customer is in exactly one
-- cohort, the cohort revenue adds up to theirs, each cohort has one row per
-- month from its month 0 to the as-of month, and cumulative revenue is the
-- running sum of the monthly revenue, so it never decreases. Returns the
-- figures that disagree.
with

cohort_rows as (

    select * from {{ ref('cohort_retention') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

valid_orders as (

    select
        customer_id,
        total_amount
    from orders
    where is_revenue and customer_id is not null

),

order_totals as (

    select
        count(distinct customer_id) as customers,
        coalesce(sum(total_amount), 0) as revenue
    from valid_orders

),

cohort_totals as (

    select
        coalesce(sum(case
            when months_since_first_order = 0 then cohort_size
        end), 0) as customers,
        coalesce(sum(revenue), 0) as revenue
    from cohort_rows

),

per_cohort as (

    select
        cohort_rows.cohort_month,
        count(*) as month_rows,
        min(cohort_rows.months_since_first_order) as first_month_number,
        max(cohort_rows.months_since_first_order) as last_month_number,
        max(cohort_rows.activity_month) as last_activity_month,
        cast(
            {{ dbt.date_trunc('month', 'max(as_of.as_of_date)') }} as date
        ) as as_of_month
    from cohort_rows
    cross join as_of
    group by cohort_rows.cohort_month

),

running as (

    select
        cohort_month,
        months_since_first_order,
        cumulative_revenue,
        sum(revenue) over (
            partition by cohort_month
            order by months_since_first_order
            rows between unbounded preceding and current row
        ) as running_revenue,
        lag(cumulative_revenue) over (
            partition by cohort_month
            order by months_since_first_order
        ) as previous_cumulative_revenue
    from cohort_rows

),

problems as (

    select
        'customers' as check_name,
        cast(null as date) as cohort_month,
        cast(cohort_totals.customers as numeric(18, 2)) as actual,
        cast(order_totals.customers as numeric(18, 2)) as expected
    from cohort_totals
    cross join order_totals
    where cohort_totals.customers <> order_totals.customers

    union all

    select
        'revenue' as check_name,
        cast(null as date) as cohort_month,
        cohort_totals.revenue as actual,
        order_totals.revenue as expected
    from cohort_totals
    cross join order_totals
    where cohort_totals.revenue <> order_totals.revenue

    union all

    select
        'months from 0 to the as-of month, each once' as check_name,
        cohort_month,
        cast(month_rows as numeric(18, 2)) as actual,
        cast(last_month_number + 1 as numeric(18, 2)) as expected
    from per_cohort
    where
        first_month_number <> 0
        or month_rows <> last_month_number + 1
        or last_activity_month <> as_of_month

    union all

    select
        'cumulative revenue is the running sum' as check_name,
        cohort_month,
        cumulative_revenue as actual,
        running_revenue as expected
    from running
    where
        cumulative_revenue <> running_revenue
        or cumulative_revenue < previous_cumulative_revenue

)

select * from problems
