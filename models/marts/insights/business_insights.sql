-- Automated insights: one row per insight (always the same seven rows, in
-- insight_order), each with its metric, value, severity and recommendation.
-- An insight the data cannot answer keeps its row with null figures and
-- severity 'info'. Rules and thresholds: _insights__models.yml.
{%- set window_days = var("insight_growth_window_days") | int %}
{%- set min_orders = var("insight_min_product_orders") | int %}
with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

customer_ltv as (

    select * from {{ ref('customer_ltv') }}

),

cohort_retention as (

    select * from {{ ref('cohort_retention') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

transactions as (

    select * from {{ ref('fct_transactions') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

-- 1. high-value customers at risk: top-LTV customers, not yet lost, whose
-- churn risk score reached the At Risk threshold; the revenue at stake is
-- what they spent in the 365 days before the as-of date.
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

all_last_year_revenue as (

    select sum(revenue_last_365_days) as revenue_last_365_days
    from last_year_revenue

),

-- 2. one-time buyers
one_time_buyers as (

    select
        count(case when total_orders = 1 then 1 end) as one_time_buyers,
        count(*) as buyers
    from customer_ltv

),

-- 3. best cohort by 3-month retention: cohorts of at least cohort_min_size
-- customers whose third month after the first order is complete.
best_cohort as (

    select
        cohort_retention.cohort_month,
        cohort_retention.cohort_size,
        cohort_retention.retention_rate,
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

),

-- 4 and 5. products: revenue of the last window against the window before.
windows as (

    select
        as_of_date,
        cast(
            {{ dbt.dateadd("day", -window_days, "as_of_date") }} as date
        ) as recent_start_date,
        cast(
            {{ dbt.dateadd("day", -2 * window_days, "as_of_date") }} as date
        ) as previous_start_date
    from as_of

),

windowed_transactions as (

    select
        transactions.product_name,
        transactions.total_amount,
        transactions.transaction_date >= windows.recent_start_date
            as is_recent
    from transactions
    cross join windows
    where
        transactions.is_revenue
        and transactions.product_name is not null
        and transactions.transaction_date < windows.as_of_date
        and transactions.transaction_date >= windows.previous_start_date

),

product_windows as (

    select
        product_name,
        sum(
            case when is_recent then total_amount else 0 end
        ) as recent_revenue,
        count(case when is_recent then 1 end) as recent_orders,
        sum(
            case when not is_recent then total_amount else 0 end
        ) as previous_revenue,
        count(case when not is_recent then 1 end) as previous_orders
    from windowed_transactions
    group by product_name

),

product_growth as (

    select
        product_name,
        recent_revenue,
        previous_revenue,
        {{ safe_divide(
            "recent_revenue - previous_revenue", "previous_revenue", 4
        ) }}
            as revenue_growth
    from product_windows
    where
        recent_orders >= {{ min_orders }}
        and previous_orders >= {{ min_orders }}

),

fastest_growing as (

    select
        *,
        row_number() over (
            order by revenue_growth desc, product_name asc
        ) as growth_rank
    from product_growth
    where revenue_growth > 0

),

fastest_shrinking as (

    select
        *,
        row_number() over (
            order by revenue_growth asc, product_name asc
        ) as growth_rank
    from product_growth
    where revenue_growth < 0

),

-- 6. the campaign with the worst cost per acquisition (valid campaigns with
-- conversions), against the median CPA of those campaigns.
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

worst_cpa as (

    select
        *,
        row_number() over (order by cpa desc, campaign_id asc) as cpa_rank
    from converting_campaigns

),

-- 7. the country with the most consented customers who never placed a
-- revenue order.
buyers as (

    select distinct customer_id
    from orders
    where is_revenue and customer_id is not null

),

untapped as (

    select
        customers.country_code,
        customers.country_name,
        count(*) as consented_customers,
        count(
            case when buyers.customer_id is null then 1 end
        ) as untapped_customers
    from customers
    left join buyers
        on customers.customer_id = buyers.customer_id
    where customers.has_marketing_consent and customers.country_code is not null
    group by customers.country_code, customers.country_name

),

most_untapped as (

    select
        *,
        row_number() over (
            order by untapped_customers desc, country_code asc
        ) as untapped_rank
    from untapped
    where untapped_customers > 0

),

-- The winners as exactly one row each (an aggregate without group by
-- returns one row, nulls when there is no winner).
best_cohort_row as (

    select
        max(cohort_month) as cohort_month,
        max(cohort_size) as cohort_size,
        max(retention_rate) as retention_rate
    from best_cohort
    where cohort_rank = 1

),

fastest_growing_row as (

    select
        max(product_name) as product_name,
        max(revenue_growth) as revenue_growth
    from fastest_growing
    where growth_rank = 1

),

fastest_shrinking_row as (

    select
        max(product_name) as product_name,
        max(revenue_growth) as revenue_growth,
        max(previous_revenue - recent_revenue) as lost_revenue
    from fastest_shrinking
    where growth_rank = 1

),

worst_cpa_row as (

    select
        max(campaign_id) as campaign_id,
        max(campaign_name) as campaign_name,
        max(cpa) as cpa
    from worst_cpa
    where cpa_rank = 1

),

most_untapped_row as (

    select
        max(country_code) as country_code,
        max(country_name) as country_name,
        max(consented_customers) as consented_customers,
        max(untapped_customers) as untapped_customers
    from most_untapped
    where untapped_rank = 1

),

insights as (

    select
        1 as insight_order,
        'high_value_customers_at_risk' as insight_id,
        'High-value customers at risk' as title,
        cast(null as {{ dbt.type_string() }}) as subject,
        'revenue_at_stake' as metric,
        cast(high_value_at_risk.revenue_at_stake as numeric(18, 4))
            as metric_value,
        'currency' as metric_unit,
        high_value_at_risk.affected_customers,
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

    union all

    select
        2 as insight_order,
        'one_time_buyer_share' as insight_id,
        'Share of one-time buyers' as title,
        cast(null as {{ dbt.type_string() }}) as subject,
        'one_time_buyer_share' as metric,
        {{ safe_divide("one_time_buyers", "buyers", 4) }} as metric_value,
        'share' as metric_unit,
        one_time_buyers as affected_customers,
        cast(null as numeric(18, 2)) as revenue_at_stake,
        case
            when buyers = 0 then 'info'
            when one_time_buyers >= 0.6 * buyers then 'high'
            when one_time_buyers >= 0.4 * buyers then 'medium'
            else 'low'
        end as severity,
        case
            when buyers = 0 then 'No buyer yet.'
            else
                'Turn first orders into second ones: a post-purchase sequence'
                || ' (thank-you, usage tips, a second-order offer within the'
                || ' population''s usual repurchase interval) for the '
                || cast(one_time_buyers as {{ dbt.type_string() }})
                || ' one-time buyers.'
        end as recommendation
    from one_time_buyers

    union all

    select
        3 as insight_order,
        'best_cohort_3_month_retention' as insight_id,
        'Best cohort by 3-month retention' as title,
        cast(best_cohort.cohort_month as {{ dbt.type_string() }}) as subject,
        'retention_rate_month_3' as metric,
        cast(best_cohort.retention_rate as numeric(18, 4)) as metric_value,
        'share' as metric_unit,
        best_cohort.cohort_size as affected_customers,
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
    from best_cohort_row as best_cohort

    union all

    select
        4 as insight_order,
        'fastest_growing_product' as insight_id,
        'Fastest-growing product' as title,
        fastest_growing.product_name as subject,
        'revenue_growth' as metric,
        fastest_growing.revenue_growth as metric_value,
        'share' as metric_unit,
        cast(null as {{ dbt.type_bigint() }}) as affected_customers,
        cast(null as numeric(18, 2)) as revenue_at_stake,
        'info' as severity,
        case
            when fastest_growing.product_name is null
                then
                    'No product grew between the two windows (or too few'
                    || ' orders to tell).'
            else
                'Give ' || fastest_growing.product_name
                || ' more room (stock, ad budget, cross-sell placements): its'
                || ' revenue grew most between the last two'
                || ' {{ window_days }}-day windows.'
        end as recommendation
    from fastest_growing_row as fastest_growing

    union all

    select
        5 as insight_order,
        'fastest_shrinking_product' as insight_id,
        'Fastest-shrinking product' as title,
        fastest_shrinking.product_name as subject,
        'revenue_growth' as metric,
        fastest_shrinking.revenue_growth as metric_value,
        'share' as metric_unit,
        cast(null as {{ dbt.type_bigint() }}) as affected_customers,
        cast(fastest_shrinking.lost_revenue as numeric(18, 2))
            as revenue_at_stake,
        case
            when fastest_shrinking.product_name is null then 'info'
            when fastest_shrinking.revenue_growth <= -0.5 then 'high'
            when fastest_shrinking.revenue_growth <= -0.2 then 'medium'
            else 'low'
        end as severity,
        case
            when fastest_shrinking.product_name is null
                then
                    'No product shrank between the two windows (or too few'
                    || ' orders to tell).'
            else
                'Find out why ' || fastest_shrinking.product_name
                || ' is losing revenue (reviews and complaint tags, price,'
                || ' stock,'
                || ' competition) before cutting its budget.'
        end as recommendation
    from fastest_shrinking_row as fastest_shrinking

    union all

    select
        6 as insight_order,
        'worst_cpa_campaign' as insight_id,
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
    from worst_cpa_row as worst_cpa
    cross join median_cpa

    union all

    select
        7 as insight_order,
        'most_untapped_consented_country' as insight_id,
        'Country with the most untapped consented customers' as title,
        most_untapped.country_code as subject,
        'untapped_consented_customers' as metric,
        cast(most_untapped.untapped_customers as numeric(18, 4))
            as metric_value,
        'customers' as metric_unit,
        most_untapped.untapped_customers as affected_customers,
        cast(null as numeric(18, 2)) as revenue_at_stake,
        case
            when most_untapped.country_code is null then 'info'
            when
                most_untapped.untapped_customers
                >= 0.25 * most_untapped.consented_customers
                then 'medium'
            else 'low'
        end as severity,
        case
            when most_untapped.country_code is null
                then 'Every consented customer has bought.'
            else
                'Run a first-purchase campaign in '
                || most_untapped.country_name || ': '
                || cast(
                    most_untapped.untapped_customers as {{ dbt.type_string() }}
                )
                || ' customers there agreed to marketing and never bought.'
        end as recommendation
    from most_untapped_row as most_untapped

),

final as (

    select
        -- ids
        insights.insight_id,
        insights.insight_order,

        -- insight
        insights.title,
        insights.subject,
        insights.metric,
        insights.metric_value,
        insights.metric_unit,
        cast(insights.affected_customers as {{ dbt.type_bigint() }})
            as affected_customers,
        insights.revenue_at_stake,
        insights.severity,
        insights.recommendation,

        -- timestamps
        as_of.as_of_date
    from insights
    cross join as_of

)

select * from final
