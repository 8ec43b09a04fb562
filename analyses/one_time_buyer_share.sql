-- Growth question 2: what share of the customers bought only once, and how
-- much of the revenue do they bring? (int_one_time_buyer_totals, which the
-- one-time-buyer insight reads too.)
with

totals as (

    select * from {{ ref('int_one_time_buyer_totals') }}

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
