-- One row per customer with at least one valid order (a revenue order with a
-- customer, any order feed): the BG/NBD and Gamma-Gamma inputs of lifetimes'
-- summary_data_from_transaction_data (daily, observed up to the as-of date),
-- historic and predicted value, churn risk and the lifecycle segment. Every
-- formula is in the docs of the model (_customers__docs.md).
-- About 240 lines on purpose: one CTE per step of those docs (summary,
-- rhythm, churn, prediction, percentile, segment), which the unit tests
-- check through this model's inputs; the long formulas are macros
-- (macros/customers).
with

order_summary as (

    select * from {{ ref('int_customer_order_summary') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

-- lifetimes groups the transactions of a customer by period (a day here)
-- and sums their value: one purchase day, however many orders it has.
summarised as (

    select
        customer_id,
        first_order_date as first_purchase_date,
        last_order_date as last_purchase_date,
        cast(order_count as bigint) as total_orders,
        cast(purchase_day_count - 1 as integer) as frequency,
        cast(
            {{ dbt.datediff(
                'first_order_date', 'last_order_date', 'day'
            ) }} as integer
        ) as recency,
        days_since_first_order as t,
        days_since_last_order as days_since_last_purchase,
        cast(revenue as numeric(18, 2)) as historic_ltv,
        cast(repeat_revenue as numeric(18, 2)) as repeat_revenue
    from order_summary

),

with_values as (

    select
        *,
        case
            when frequency = 0 then cast(0 as numeric(18, 4))
            else {{ safe_divide('repeat_revenue', 'frequency', 4) }}
        end as monetary_value,
        {{ safe_divide('historic_ltv', 'total_orders', 2) }}
            as avg_order_value,
        -- A repeat buyer's own rhythm: recency / frequency, at least 1 day
        -- (repeat purchase days are distinct, so recency >= frequency).
        case
            when frequency > 0
                then {{ safe_divide('recency', 'frequency', 4) }}
        end as own_days_between_purchases
    from summarised

),

repeat_buyer_rhythm as (

    -- percentile_disc returns an actual value of the set: the same median
    -- on DuckDB and PostgreSQL (no interpolation).
    select
        percentile_disc(0.5) within group (
            order by own_days_between_purchases
        ) as median_days_between_purchases
    from with_values
    where frequency > 0

),

population as (

    select
        cast(sum(frequency) as bigint) as total_frequency,
        cast(sum(t) as bigint) as total_t,
        count(*) as customer_count
    from with_values

),

rhythm as (

    select
        with_values.*,
        population.total_frequency,
        population.total_t,
        population.customer_count,
        cast(
            coalesce(
                with_values.own_days_between_purchases,
                repeat_buyer_rhythm.median_days_between_purchases,
                {{ var('lifecycle_active_days') }}
            ) as numeric(18, 4)
        ) as expected_days_between_purchases
    from with_values
    cross join repeat_buyer_rhythm
    cross join population

),

churn as (

    select
        *,
        {{ churn_risk_score(
            'days_since_last_purchase', 'expected_days_between_purchases'
        ) }} as churn_risk_score
    from rhythm

),

predicted as (

    -- predicted orders = p_alive * annual rate * months / 12 with
    -- p_alive = (100 - churn_risk_score) / 100; the annual rate is
    -- 365 * frequency / T (own rate of a repeat buyer, the population's for
    -- a one-time buyer). Its value is times the value of a purchase day:
    -- monetary_value (repeat_revenue / frequency) for a repeat buyer, the
    -- single purchase day's revenue (historic_ltv) for a one-time buyer.
    select
        *,
        case
            when frequency > 0
                then {{ predicted_over_horizon('frequency', 't', 4) }}
            else coalesce(
                {{ predicted_over_horizon('total_frequency', 'total_t', 4) }},
                0
            )
        end as predicted_orders_12m,
        case
            when frequency > 0
                then {{ predicted_over_horizon('repeat_revenue', 't', 2) }}
            else coalesce({{ predicted_over_horizon(
                'total_frequency', 'total_t', 2, ' * historic_ltv'
            ) }}, 0)
        end as predicted_ltv_12m
    from churn

),

ranked as (

    select
        *,
        -- customers with an LTV at or below this one (peers included)
        count(*) over (order by historic_ltv) as customers_at_or_below
    from predicted

),

top_flagged as (

    select
        *,
        {{ safe_divide('customers_at_or_below', 'customer_count', 4) }}
            as ltv_percentile,
        -- fewer than the top share of customers have a strictly higher LTV
        customer_count - customers_at_or_below
        < cast({{ var('lifecycle_high_value_share') }} as numeric(18, 6))
        * customer_count as is_top_ltv
    from ranked

),

segmented as (

    select
        *,
        case
            when days_since_last_purchase > {{ var('lifecycle_lost_days') }}
                then 'Lost'
            when t < {{ var('lifecycle_new_days') }}
                then 'New'
            when
                is_top_ltv
                and days_since_last_purchase
                <= {{ var('lifecycle_active_days') }}
                then 'High Value'
            when churn_risk_score >= {{ var('churn_risk_at_risk_score') }}
                then 'At Risk'
            else 'Regular'
        end as lifecycle_segment
    from top_flagged

),

final as (

    select
        -- ids
        segmented.customer_id,
        customers.customer_id is not null as has_known_customer,

        -- customer
        customers.has_marketing_consent,
        customers.country_code,

        -- purchases
        segmented.first_purchase_date,
        segmented.last_purchase_date,
        segmented.total_orders,

        -- lifetimes summary (daily, observation end = as-of date)
        segmented.frequency,
        segmented.recency,
        segmented.t,
        cast(segmented.monetary_value as numeric(18, 4)) as monetary_value,

        -- value
        cast(segmented.historic_ltv as numeric(18, 2)) as historic_ltv,
        cast(segmented.avg_order_value as numeric(18, 2)) as avg_order_value,

        -- churn
        segmented.days_since_last_purchase,
        cast(segmented.expected_days_between_purchases as numeric(18, 4))
            as expected_days_between_purchases,
        segmented.churn_risk_score,

        -- prediction
        cast(segmented.predicted_orders_12m as numeric(18, 4))
            as predicted_orders_12m,
        cast(segmented.predicted_ltv_12m as numeric(18, 2))
            as predicted_ltv_12m,

        -- segments
        cast(segmented.ltv_percentile as numeric(18, 4)) as ltv_percentile,
        segmented.is_top_ltv,
        segmented.lifecycle_segment
    from segmented
    left join customers
        on segmented.customer_id = customers.customer_id

)

select * from final
