-- Insight 7 of business_insights: the country with the most customers who
-- gave marketing consent and never placed a revenue order. One row, always.
with

customers as (

    select * from {{ ref('dim_customers') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

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

ranked as (

    select
        *,
        row_number() over (
            order by untapped_customers desc, country_code asc
        ) as untapped_rank
    from untapped
    where untapped_customers > 0

),

-- An aggregate without group by returns one row, nulls when every consented
-- customer has bought.
most_untapped as (

    select
        max(country_code) as country_code,
        max(country_name) as country_name,
        max(consented_customers) as consented_customers,
        max(untapped_customers) as untapped_customers
    from ranked
    where untapped_rank = 1

),

final as (

    select
        'most_untapped_consented_country' as insight_id,
        7 as insight_order,
        'Country with the most untapped consented customers' as title,
        most_untapped.country_code as subject,
        'untapped_consented_customers' as metric,
        cast(most_untapped.untapped_customers as numeric(18, 4))
            as metric_value,
        'customers' as metric_unit,
        cast(most_untapped.untapped_customers as {{ dbt.type_bigint() }})
            as affected_customers,
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
    from most_untapped

)

select * from final
