-- The product catalogue, plus every product name the feeds use that the
-- catalogue does not know (category 'uncategorized', no list price).
with

catalogue as (

    select * from {{ ref('stg_reference__products') }}

),

transactions as (

    select product_name from {{ ref('fct_transactions') }}

),

reviews as (

    select product_name from {{ ref('fct_reviews') }}

),

events as (

    select product_name from {{ ref('fct_events') }}

),

marketplace_sales as (

    select product_name from {{ ref('fct_marketplace_sales_daily') }}

),

shopify_order_lines as (

    select product_name from {{ ref('int_shopify__order_lines_validated') }}

),

observed as (

    select product_name from transactions
    union
    select product_name from reviews
    union
    select product_name from events
    union
    select product_name from marketplace_sales
    union
    select product_name from shopify_order_lines

),

uncatalogued as (

    select
        observed.product_name,
        'uncategorized' as category,
        cast(null as numeric(18, 2)) as list_price,
        false as is_catalogue_product
    from observed
    left join catalogue
        on observed.product_name = catalogue.product_name
    where
        observed.product_name is not null
        and catalogue.product_name is null

),

catalogued as (

    select
        product_name,
        category,
        list_price,
        true as is_catalogue_product
    from catalogue

),

final as (

    select * from catalogued
    union all
    select * from uncatalogued

)

select * from final
