-- Insight 5 of business_insights: the product whose revenue shrank most
-- between the two windows of int_product_revenue_growth (only negative
-- growth counts; ties by product name), with the revenue it lost. One row,
-- always.
with

product_growth as (

    select * from {{ ref('int_product_revenue_growth') }}

),

ranked as (

    select
        *,
        row_number() over (
            order by revenue_growth asc, product_name asc
        ) as growth_rank
    from product_growth
    where revenue_growth < 0

),

-- An aggregate without group by returns one row, nulls when no product
-- shrank.
fastest_shrinking as (

    select
        max(product_name) as product_name,
        max(revenue_growth) as revenue_growth,
        max(previous_revenue - recent_revenue) as lost_revenue
    from ranked
    where growth_rank = 1

),

final as (

    select
        'fastest_shrinking_product' as insight_id,
        5 as insight_order,
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
    from fastest_shrinking

)

select * from final
