-- One row per product of dim_products, with its revenue order lines: the
-- transactions (one product each) and the Shopify line items.
with

products as (

    select * from {{ ref('dim_products') }}

),

transactions as (

    select * from {{ ref('fct_transactions') }}

),

shopify_order_lines as (

    select * from {{ ref('fct_shopify_order_lines') }}

),

order_lines as (

    select
        product_name,
        quantity,
        total_amount,
        customer_id,
        is_revenue
    from transactions

    union all

    select
        product_name,
        quantity,
        total_amount,
        customer_id,
        is_revenue
    from shopify_order_lines

),

aggregated as (

    select
        product_name,
        count(*) as total_transactions,
        cast(sum(quantity) as bigint) as total_sales,
        sum(total_amount) as total_revenue,
        count(distinct customer_id) as unique_customers
    from order_lines
    where is_revenue
    group by product_name

),

final as (

    select
        -- product
        products.product_name as product,
        products.category,
        products.is_catalogue_product,
        products.list_price,

        -- sales
        coalesce(aggregated.total_transactions, 0) as total_transactions,
        coalesce(aggregated.total_sales, 0) as total_sales,
        cast(coalesce(aggregated.total_revenue, 0) as numeric(18, 2))
            as total_revenue,
        {{ safe_divide(
            'aggregated.total_revenue', 'aggregated.total_sales', 2
        ) }} as avg_price,
        coalesce(aggregated.unique_customers, 0) as unique_customers
    from products
    left join aggregated
        on products.product_name = aggregated.product_name

)

select * from final
