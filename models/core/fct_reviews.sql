with

reviews as (

    select * from {{ ref('int_web__reviews_validated') }}

),

customers as (

    select customer_id from {{ ref('dim_customers') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

purchases as (

    select distinct
        customer_id,
        product_name
    from {{ ref('fct_transactions') }}
    where customer_id is not null

),

final as (

    select
        -- ids
        reviews.review_id,
        reviews.customer_id,
        customers.customer_id is not null as has_known_customer,

        -- product
        reviews.product_name,
        coalesce(
            products.category,
            case
                when reviews.product_name is not null then 'uncategorized'
            end
        ) as category,

        -- review
        reviews.rating,
        reviews.title,
        reviews.body,
        reviews.has_requested_return,
        purchases.customer_id is not null as is_verified_purchase,

        -- timestamps
        reviews.reviewed_at,
        reviews.reviewed_date,

        -- quality
        reviews.is_valid,
        reviews.dq_issues
    from reviews
    left join customers
        on reviews.customer_id = customers.customer_id
    left join products
        on reviews.product_name = products.product_name
    left join purchases
        on
            reviews.customer_id = purchases.customer_id
            and reviews.product_name = purchases.product_name

)

select * from final
