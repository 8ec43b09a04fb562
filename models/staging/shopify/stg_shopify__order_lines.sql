-- One row per line item of the latest export of each Shopify order (see
-- base_shopify__order_rows), with the product's catalogue name.
with

order_rows as (

    select * from {{ ref('base_shopify__order_rows') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

canonicalised as (

    select
        order_rows.order_name,
        order_rows.line_number,
        order_rows.sku,
        order_rows.quantity,
        order_rows.unit_price,
        order_rows.line_discount,
        order_rows.source_file,
        order_rows.source_line,
        order_rows.raw_record_count,
        coalesce(products.product_name, order_rows.product_as_entered)
            as product_name,
        products.product_name is not null as is_catalogue_product,
        cast(order_rows.unit_price * order_rows.quantity as numeric(18, 2))
            as gross_amount
    from order_rows
    left join products
        on lower(order_rows.product_as_entered) = products.product_lookup_key

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
        {{ dbt.concat([
            'order_name', "':'", dbt.cast('line_number', dbt.type_string())
        ]) }} as order_line_key,
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
