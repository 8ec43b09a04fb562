-- Insight 4 of business_insights: the product whose revenue grew most
-- between the two windows of int_product_revenue_growth (only positive
-- growth counts; ties by product name). One row, always.
{%- set window_days = var("insight_growth_window_days") | int %}
with

product_growth as (

    select * from {{ ref('int_product_revenue_growth') }}

),

ranked as (

    select
        *,
        row_number() over (
            order by revenue_growth desc, product_name asc
        ) as growth_rank
    from product_growth
    where revenue_growth > 0

),

-- An aggregate without group by returns one row, nulls when no product grew.
fastest_growing as (

    select
        max(product_name) as product_name,
        max(revenue_growth) as revenue_growth
    from ranked
    where growth_rank = 1

),

final as (

    select
        'fastest_growing_product' as insight_id,
        4 as insight_order,
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
    from fastest_growing

)

select * from final
