-- Customers with a purchase and those among them who bought exactly once,
-- with their revenue (customer_ltv): one row. Read by the one-time-buyer
-- insight and by analyses/one_time_buyer_share.sql.
with

customer_ltv as (

    select * from {{ ref('customer_ltv') }}

),

final as (

    select
        count(*) as buyers,
        count(case when total_orders = 1 then 1 end) as one_time_buyers,
        sum(historic_ltv) as revenue,
        sum(
            case when total_orders = 1 then historic_ltv else 0 end
        ) as one_time_buyer_revenue
    from customer_ltv

)

select * from final
