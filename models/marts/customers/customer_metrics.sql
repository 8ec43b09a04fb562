-- One row per customer with at least one revenue order in any order feed.
with

order_summary as (

    select * from {{ ref('int_customer_order_summary') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

purchases as (

    select
        customer_id,
        order_count as total_transactions,
        revenue as total_spent,
        first_order_date as first_purchase_date,
        last_order_date as last_purchase_date
    from order_summary

),

final as (

    select
        -- ids
        purchases.customer_id,
        customers.customer_id is not null as has_known_customer,

        -- customer
        customers.full_name,
        customers.country_name as country,
        customers.country_code,
        customers.city,
        customers.has_marketing_consent,

        -- purchases
        purchases.total_transactions,
        cast(purchases.total_spent as numeric(18, 2)) as total_spent,
        {{ safe_divide(
            'purchases.total_spent', 'purchases.total_transactions', 2
        ) }} as avg_transaction_amount,
        purchases.first_purchase_date,
        purchases.last_purchase_date
    from purchases
    left join customers
        on purchases.customer_id = customers.customer_id

)

select * from final
