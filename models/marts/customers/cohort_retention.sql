-- One row per monthly acquisition cohort (the month of a customer's first
-- valid order) and month since that first order, from the cohort month up
-- to the month of the as-of date: months without any active customer are
-- rows with zeros, and small cohorts are flagged, never dropped.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

order_summary as (

    select * from {{ ref('int_customer_order_summary') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

valid_orders as (

    select
        customer_id,
        order_month,
        total_amount
    from orders
    where is_revenue and customer_id is not null

),

first_orders as (

    select
        customer_id,
        first_order_month as cohort_month
    from order_summary

),

cohorts as (

    select
        cohort_month,
        count(*) as cohort_size
    from first_orders
    group by cohort_month

),

activity as (

    select
        first_orders.cohort_month,
        valid_orders.order_month as activity_month,
        count(distinct valid_orders.customer_id) as active_customers,
        sum(valid_orders.total_amount) as revenue
    from valid_orders
    inner join first_orders
        on valid_orders.customer_id = first_orders.customer_id
    group by first_orders.cohort_month, valid_orders.order_month

),

bounds as (

    select
        min(cohorts.cohort_month) as first_month,
        cast({{ dbt.date_trunc('month', 'max(as_of.as_of_date)') }} as date)
            as as_of_month
    from cohorts
    cross join as_of

),

month_spine as (

    select cast(spine_months.month_start as date) as activity_month
    from bounds
    cross join {{ date_series(
        'month', 'bounds.first_month', 'bounds.as_of_month'
    ) }} as spine_months (month_start)

),

cohort_months as (

    select
        cohorts.cohort_month,
        cohorts.cohort_size,
        month_spine.activity_month
    from cohorts
    inner join month_spine
        on cohorts.cohort_month <= month_spine.activity_month

),

joined as (

    select
        cohort_months.cohort_month,
        cohort_months.activity_month,
        cohort_months.cohort_size,
        coalesce(activity.active_customers, 0) as active_customers,
        coalesce(activity.revenue, 0) as revenue
    from cohort_months
    left join activity
        on
            cohort_months.cohort_month = activity.cohort_month
            and cohort_months.activity_month = activity.activity_month

),

accumulated as (

    select
        *,
        sum(revenue) over (
            partition by cohort_month
            order by activity_month
            rows between unbounded preceding and current row
        ) as cumulative_revenue
    from joined

),

final as (

    select
        -- grain
        accumulated.cohort_month,
        cast(
            {{ dbt.datediff(
                'accumulated.cohort_month', 'accumulated.activity_month', 'month'
            ) }} as integer
        ) as months_since_first_order,
        accumulated.activity_month,

        -- customers
        cast(accumulated.cohort_size as bigint) as cohort_size,
        cast(accumulated.active_customers as bigint) as active_customers,
        {{ safe_divide(
            'accumulated.active_customers', 'accumulated.cohort_size', 4
        ) }} as retention_rate,

        -- revenue
        cast(accumulated.revenue as numeric(18, 2)) as revenue,
        cast(accumulated.cumulative_revenue as numeric(18, 2))
            as cumulative_revenue,
        {{ safe_divide(
            'accumulated.cumulative_revenue', 'accumulated.cohort_size', 2
        ) }} as cumulative_revenue_per_customer,

        -- flags
        accumulated.cohort_size < {{ var('cohort_min_size') }}
            as is_small_cohort,
        accumulated.activity_month = bounds.as_of_month as is_partial_month
    from accumulated
    cross join bounds

)

select * from final
