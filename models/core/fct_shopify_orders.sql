-- One row per Shopify order (its latest export), with the customer flagged as
-- known: every buyer with an email is in dim_customers.
with

orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

customers as (

    select customer_id from {{ ref('dim_customers') }}

),

final as (

    select
        -- ids
        orders.order_name as order_id,
        orders.shopify_order_id,
        orders.customer_id,
        customers.customer_id is not null as has_known_customer,

        -- order
        orders.financial_status,
        orders.status,
        orders.currency,
        orders.discount_code,
        orders.billing_country_code,
        orders.line_count,

        -- money
        orders.subtotal,
        orders.shipping,
        orders.taxes,
        orders.total,
        orders.discount_amount,
        orders.refunded_amount,
        orders.total_amount,
        orders.is_revenue,
        orders.is_zero_value,

        -- timestamps
        orders.order_at,
        orders.order_date,

        -- quality
        orders.is_valid,
        orders.dq_issues
    from orders
    left join customers
        on orders.customer_id = customers.customer_id

)

select * from final
