-- Business question 2: which product brings the most revenue (MongoDB
-- transactions, the feed that carries the product)?
with

product_performance as (

    select * from {{ ref('product_performance') }}

),

final as (

    select
        product,
        category,
        total_revenue,
        total_sales,
        avg_price,
        unique_customers
    from product_performance
    order by total_revenue desc, product asc
    limit 1

)

select * from final
