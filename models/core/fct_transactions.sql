with

transactions as (

    select * from {{ ref('int_mongo__transactions_validated') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

joined as (

    select
        transactions.*,
        customers.customer_id is not null as has_known_customer,
        coalesce(
            products.category,
            case
                when transactions.product_name is not null
                    then 'uncategorized'
            end
        ) as category
    from transactions
    left join customers
        on transactions.customer_id = customers.customer_id
    left join products
        on transactions.product_name = products.product_name

),

final as (

    select
        -- ids
        transaction_id,
        customer_id,
        has_known_customer,

        -- product
        product_name,
        category,
        quantity,

        -- money
        amount,
        discount_amount,
        shipping_cost,
        total_amount,

        -- enumerations
        payment_method,
        status,
        is_revenue,
        is_zero_value,

        -- timestamps
        transaction_at,
        transaction_date,

        -- quality
        is_valid and (has_known_customer or customer_id is null) as is_valid,
        {{ dq_issues([
            "dq_issues",
            ("unknown_customer", "customer_id is not null and not has_known_customer"),
        ]) }} as dq_issues
    from joined

)

select * from final
