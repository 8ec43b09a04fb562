-- Insight 1 of business_insights: top-LTV customers, not yet lost, whose
-- churn risk score reached the At Risk threshold; the revenue at stake is
-- what they spent in the 365 days before the as-of date. One row, always.
with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

customer_ltv as (

    select * from {{ ref('customer_ltv') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

last_year_revenue as (

    select
        orders.customer_id,
        sum(orders.total_amount) as revenue_last_365_days
    from orders
    cross join as_of
    where
        orders.is_revenue
        and orders.customer_id is not null
        and orders.order_date
        >= cast({{ dbt.dateadd("day", -365, "as_of.as_of_date") }} as date)
    group by orders.customer_id

),

high_value_at_risk as (

    select
        count(*) as affected_customers,
        coalesce(sum(last_year_revenue.revenue_last_365_days), 0)
            as revenue_at_stake
    from customer_ltv
    left join last_year_revenue
        on customer_ltv.customer_id = last_year_revenue.customer_id
    where
        customer_ltv.is_top_ltv
        and customer_ltv.lifecycle_segment <> 'Lost'
        and customer_ltv.churn_risk_score
        >= {{ var("churn_risk_at_risk_score") }}

),

-- The severity compares the revenue at stake with all customers' revenue of
-- the same 365 days.
all_last_year_revenue as (

    select sum(revenue_last_365_days) as revenue_last_365_days
    from last_year_revenue

),

final as (

    select
        'high_value_customers_at_risk' as insight_id,
        1 as insight_order,
        'High-value customers at risk' as title,
        cast(null as {{ dbt.type_string() }}) as subject,
        'revenue_at_stake' as metric,
        cast(high_value_at_risk.revenue_at_stake as numeric(18, 4))
            as metric_value,
        'currency' as metric_unit,
        cast(high_value_at_risk.affected_customers as {{ dbt.type_bigint() }})
            as affected_customers,
        cast(high_value_at_risk.revenue_at_stake as numeric(18, 2))
            as revenue_at_stake,
        case
            when high_value_at_risk.affected_customers = 0 then 'info'
            when
                high_value_at_risk.revenue_at_stake
                >= 0.05 * all_last_year_revenue.revenue_last_365_days
                then 'high'
            when
                high_value_at_risk.revenue_at_stake
                >= 0.01 * all_last_year_revenue.revenue_last_365_days
                then 'medium'
            else 'low'
        end as severity,
        case
            when high_value_at_risk.affected_customers = 0
                then
                    'No top-LTV customer is overdue: keep the loyalty'
                    || ' programme running.'
            else
                'Contact the '
                || cast(
                    high_value_at_risk.affected_customers
                    as {{ dbt.type_string() }}
                )
                || ' top-LTV customers who are overdue against their own'
                || ' purchase rhythm before they lapse (a personal offer or'
                || ' call; they are on the retention or loyalty list of'
                || ' campaign_targets): they spent '
                || cast(
                    cast(high_value_at_risk.revenue_at_stake as numeric(18, 2))
                    as {{ dbt.type_string() }}
                )
                || ' in the last 365 days.'
        end as recommendation
    from high_value_at_risk
    cross join all_last_year_revenue

)

select * from final
