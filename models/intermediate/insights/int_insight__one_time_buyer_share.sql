-- Insight 2 of business_insights: the share of one-time buyers among the
-- customers with a purchase. One row, always.
with

totals as (

    select * from {{ ref('int_one_time_buyer_totals') }}

),

final as (

    select
        'one_time_buyer_share' as insight_id,
        2 as insight_order,
        'Share of one-time buyers' as title,
        cast(null as {{ dbt.type_string() }}) as subject,
        'one_time_buyer_share' as metric,
        {{ safe_divide("one_time_buyers", "buyers", 4) }} as metric_value,
        'share' as metric_unit,
        cast(one_time_buyers as {{ dbt.type_bigint() }}) as affected_customers,
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
    from totals

)

select * from final
