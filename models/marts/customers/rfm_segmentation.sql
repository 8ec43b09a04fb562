-- One row per customer with at least one valid order (a revenue order with a
-- customer, any order feed): recency, frequency and monetary value on the as-of
-- date, their tie-stable 1-5 scores (5 best) and the RFM segment that the
-- seed rfm_segment_map gives the (r_score, f_score) pair.
with

order_summary as (

    select * from {{ ref('int_customer_order_summary') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

segments as (

    select * from {{ ref('rfm_segments') }}

),

measured as (

    select
        customer_id,
        first_order_date,
        last_order_date,
        days_since_last_order as recency_days,
        order_count as frequency,
        revenue as monetary
    from order_summary

),

scored as (

    select
        customer_id,
        first_order_date,
        last_order_date,
        recency_days,
        frequency,
        monetary,
        -- Fewer days since the last order is better: rank descending.
        cast(
            {{ percent_rank_score('recency_days', descending=true) }}
            as integer
        ) as r_score,
        cast({{ percent_rank_score('frequency') }} as integer) as f_score,
        cast({{ percent_rank_score('monetary') }} as integer) as m_score
    from measured

),

final as (

    select
        -- ids
        scored.customer_id,
        customers.customer_id is not null as has_known_customer,

        -- orders
        scored.first_order_date,
        scored.last_order_date,

        -- rfm values
        scored.recency_days,
        cast(scored.frequency as bigint) as frequency,
        cast(scored.monetary as numeric(18, 2)) as monetary,

        -- rfm scores
        scored.r_score,
        scored.f_score,
        scored.m_score,
        {{ dbt.concat([
            'cast(scored.r_score as text)',
            'cast(scored.f_score as text)',
            'cast(scored.m_score as text)',
        ]) }} as rfm_score,

        -- segment
        segment_map.segment,
        segments.description as segment_description,
        segments.recommended_action
    from scored
    left join customers
        on scored.customer_id = customers.customer_id
    left join segment_map
        on
            scored.r_score = segment_map.r_score
            and scored.f_score = segment_map.f_score
    left join segments
        on segment_map.segment = segments.segment

)

select * from final
