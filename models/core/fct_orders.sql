-- One row per order of every order feed: the Mongo transactions, the sales
-- CSV, the Shopify orders and the web purchases no other feed holds
-- (fct_event_orders). Customer
-- and revenue marts read this model, so that an installation with any one of
-- the feeds still gets them.
with

transactions as (

    select * from {{ ref('fct_transactions') }}

),

sales_orders as (

    select * from {{ ref('fct_sales_orders') }}

),

shopify_orders as (

    select * from {{ ref('fct_shopify_orders') }}

),

event_orders as (

    select * from {{ ref('fct_event_orders') }}

),

unioned as (

    select
        'transactions' as order_source,
        transaction_id as order_id,
        customer_id,
        has_known_customer,
        transaction_at as order_at,
        transaction_date as order_date,
        total_amount,
        status,
        is_revenue,
        is_zero_value,
        is_valid,
        dq_issues
    from transactions

    union all

    select
        'sales_csv' as order_source,
        order_id,
        customer_id,
        has_known_customer,
        cast(order_date as timestamp) as order_at,
        order_date,
        total_amount,
        'completed' as status,
        is_revenue,
        is_zero_value,
        is_valid,
        dq_issues
    from sales_orders

    union all

    select
        'shopify' as order_source,
        order_id,
        customer_id,
        has_known_customer,
        order_at,
        order_date,
        total_amount,
        status,
        is_revenue,
        is_zero_value,
        is_valid,
        dq_issues
    from shopify_orders

    union all

    select
        'events' as order_source,
        order_id,
        customer_id,
        has_known_customer,
        order_at,
        order_date,
        total_amount,
        status,
        is_revenue,
        is_zero_value,
        is_valid,
        dq_issues
    from event_orders

),

final as (

    select
        -- ids
        {{ dbt.concat(['order_source', "':'", 'order_id']) }} as order_key,
        order_source,
        order_id,
        customer_id,
        has_known_customer,

        -- timestamps
        order_at,
        order_date,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date)
            as order_month,

        -- money
        total_amount,

        -- status
        status,
        is_revenue,
        is_zero_value,

        -- quality
        is_valid,
        dq_issues
    from unioned

)

select * from final
