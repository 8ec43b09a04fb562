with

orders as (

    select * from {{ ref('int_sales__orders_validated') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

final as (

    select
        -- ids
        orders.order_id,
        orders.customer_id,
        customers.customer_id is not null as has_known_customer,

        -- money
        orders.total_amount,
        orders.is_revenue,
        orders.is_zero_value,

        -- dates
        orders.order_date,

        -- quality
        orders.is_valid,
        orders.dq_issues
    from orders
    left join customers
        on orders.customer_id = customers.customer_id

)

select * from final
