-- Growth question 2: what share of the customers bought only once, and how
-- much of the revenue do they bring?
with

customer_ltv as (

    select * from {{ ref('customer_ltv') }}

),

totals as (

    select
        count(*) as buyers,
        count(case when total_orders = 1 then 1 end) as one_time_buyers,
        sum(historic_ltv) as revenue,
        sum(
            case when total_orders = 1 then historic_ltv else 0 end
        ) as one_time_buyer_revenue
    from customer_ltv

),

final as (

    select
        buyers,
        one_time_buyers,
        {{ safe_divide('one_time_buyers', 'buyers', 4) }}
            as one_time_buyer_share,
        buyers - one_time_buyers as repeat_buyers,
        {{ safe_divide('one_time_buyer_revenue', 'revenue', 4) }}
            as one_time_buyer_revenue_share
    from totals

)

select * from final
