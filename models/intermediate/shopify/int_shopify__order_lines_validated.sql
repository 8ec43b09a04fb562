-- The Shopify order lines with the product's catalogue name (the reference
-- seed) and the quality flags.
with

order_lines as (

    select * from {{ ref('stg_shopify__order_lines') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

canonicalised as (

    {{ canonical_product('order_lines') }}

),

validated as (

    select
        *,
        {{ dq_issues([
            ("missing_product", "product_name is null"),
            ("invalid_quantity", "quantity is null or quantity <= 0"),
            ("missing_price", "unit_price is null"),
            ("negative_price", "unit_price < 0"),
        ]) }} as dq_issues
    from canonicalised

),

final as (

    select
        -- ids
        order_line_key,
        order_name,
        line_number,

        -- product
        product_name,
        is_catalogue_product,
        sku,
        quantity,

        -- money
        unit_price,
        gross_amount,
        line_discount,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,

        -- lineage
        source_file,
        source_line,
        raw_record_count
    from validated

)

select * from final
