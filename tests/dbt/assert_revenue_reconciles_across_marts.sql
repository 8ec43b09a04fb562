-- Every revenue figure tells the same story: the monthly revenue, the
-- customers' spend (plus the revenue of orders without a customer) and the
-- countries' revenue (plus customers without a dim_customers row) all add up
-- to the revenue of fct_orders; product revenue adds up to the revenue of
-- the fct_transactions and Shopify order lines that name a product (a line
-- without one, dq issue missing_product, is revenue but belongs to no
-- product). Returns the figures that disagree.
with

orders as (

    select
        coalesce(sum(total_amount), 0) as revenue,
        coalesce(sum(case when customer_id is null then total_amount end), 0)
            as revenue_without_customer,
        coalesce(sum(case when not has_known_customer then total_amount end), 0)
            as revenue_without_known_customer
    from {{ ref('fct_orders') }}
    where is_revenue

),

transactions as (

    select coalesce(sum(total_amount), 0) as revenue
    from {{ ref('fct_transactions') }}
    where is_revenue and product_name is not null

),

shopify_order_lines as (

    select coalesce(sum(total_amount), 0) as revenue
    from {{ ref('fct_shopify_order_lines') }}
    where is_revenue and product_name is not null

),

months as (

    select coalesce(sum(total_revenue), 0) as revenue
    from {{ ref('monthly_revenue') }}

),

customers as (

    select coalesce(sum(total_spent), 0) as revenue
    from {{ ref('customer_metrics') }}

),

countries as (

    select coalesce(sum(total_revenue), 0) as revenue
    from {{ ref('country_statistics') }}

),

products as (

    select coalesce(sum(total_revenue), 0) as revenue
    from {{ ref('product_performance') }}

),

comparisons as (

    select
        'monthly_revenue' as mart,
        months.revenue as mart_revenue,
        orders.revenue as expected_revenue
    from months
    cross join orders

    union all

    select
        'customer_metrics' as mart,
        customers.revenue as mart_revenue,
        orders.revenue - orders.revenue_without_customer as expected_revenue
    from customers
    cross join orders

    union all

    select
        'country_statistics' as mart,
        countries.revenue as mart_revenue,
        orders.revenue - orders.revenue_without_known_customer
            as expected_revenue
    from countries
    cross join orders

    union all

    select
        'product_performance' as mart,
        products.revenue as mart_revenue,
        transactions.revenue + shopify_order_lines.revenue as expected_revenue
    from products
    cross join transactions
    cross join shopify_order_lines

)

select * from comparisons
where mart_revenue <> expected_revenue
