-- One row per line item of the latest export of each Shopify order (see
-- base_shopify__order_rows), renamed and typed; the catalogue name and the
-- quality flags are in int_shopify__order_lines_validated.
with

order_rows as (

    select * from {{ ref('base_shopify__order_rows') }}

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
        product_as_entered,
        sku,
        quantity,

        -- money
        unit_price,
        cast(unit_price * quantity as numeric(18, 2)) as gross_amount,
        line_discount,

        -- lineage
        source_file,
        source_line,
        raw_record_count
    from order_rows

)

select * from final
