-- Business question 1: who are the 10 best customers (by revenue, both
-- feeds)? Ties broken by customer_id so that the answer is stable.
with

customer_metrics as (

    select * from {{ ref('customer_metrics') }}

),

final as (

    select
        customer_id,
        full_name,
        country,
        total_transactions,
        total_spent,
        avg_transaction_amount,
        first_purchase_date,
        last_purchase_date
    from customer_metrics
    order by total_spent desc, customer_id asc
    limit 10

)

select * from final
order by total_spent desc, customer_id asc
