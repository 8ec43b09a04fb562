-- One row per customer with at least one revenue order in any order feed.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

revenue_orders as (

    select *
    from orders
    where is_revenue and customer_id is not null

),

aggregated as (

    select
        customer_id,
        count(*) as total_transactions,
        sum(total_amount) as total_spent,
        min(order_date) as first_purchase_date,
        max(order_date) as last_purchase_date
    from revenue_orders
    group by customer_id

),

final as (

    select
        -- ids
        aggregated.customer_id,
        customers.customer_id is not null as has_known_customer,

        -- customer
        customers.full_name,
        customers.country_name as country,
        customers.country_code,
        customers.city,
        customers.has_marketing_consent,

        -- purchases
        aggregated.total_transactions,
        cast(aggregated.total_spent as numeric(18, 2)) as total_spent,
        {{ safe_divide(
            'aggregated.total_spent', 'aggregated.total_transactions', 2
        ) }} as avg_transaction_amount,
        aggregated.first_purchase_date,
        aggregated.last_purchase_date
    from aggregated
    left join customers
        on aggregated.customer_id = customers.customer_id

)

select * from final
