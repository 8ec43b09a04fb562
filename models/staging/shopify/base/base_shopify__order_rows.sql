-- The rows of the latest export of each Shopify order, renamed and cleaned,
-- for the two staging models of the feed (orders and order lines). The
-- export's rows are line items sharing the order's name, with the
-- order-level fields on the order's first row only; an order exported again
-- (a later load, or a later file of the same load) is taken whole from that
-- latest version, never mixed line by line. Line numbers follow the order's
-- rows in its file. raw_record_count counts the raw rows each kept row stands
-- for: 1, plus the rows of the order's older versions on its first line, so
-- that the feed's raw rows add up (data_quality_summary).
-- Ephemeral: it carries the normalised email, which no relation outside raw
-- may hold; only stg_shopify__orders (a table) hashes it.
{{ config(materialized='ephemeral') }}

with

source as (

    {{ raw_source('shopify', 'shopify_orders') }}

),

versioned as (

    select
        *,
        count(*) over (partition by order_name) as order_raw_rows,
        -- Subtotal + Shipping of every version of the order, as the loader's
        -- ledger counts each row (order-level fields: first rows only)
        sum({{ ledger_amount(['subtotal', 'shipping']) }})
            over (partition by order_name) as order_raw_amount,
        dense_rank() over (
            partition by order_name
            order by _loaded_at desc, _source_file desc
        ) as version_rank,
        row_number() over (
            partition by order_name, _loaded_at, _source_file
            order by _source_line
        ) as line_number
    from source

),

latest_version as (

    select
        *,
        count(*) over (partition by order_name) as order_lines,
        sum({{ ledger_amount(['subtotal', 'shipping']) }})
            over (partition by order_name) as order_kept_amount
    from versioned
    where version_rank = 1

),

final as (

    select
        -- ids
        order_name,
        line_number,
        order_id as shopify_order_id,

        -- customer (personal data: only hashes leave the staging models)
        nullif(lower(trim(email)), '') as email_normalised,
        accepts_marketing,
        {{ clean_text('billing_country') }} as billing_country_as_entered,
        {{ clean_text('shipping_country') }} as shipping_country_as_entered,

        -- order
        {{ clean_code('financial_status') }} as financial_status,
        {{ clean_code('fulfillment_status') }} as fulfillment_status,
        upper({{ clean_text('currency') }}) as currency,
        {{ clean_text('discount_code') }} as discount_code,
        {{ clean_text('payment_method') }} as payment_method,
        {{ clean_code('source') }} as order_channel,

        -- order money
        {{ to_money('subtotal') }} as subtotal,
        {{ to_money('shipping') }} as shipping,
        {{ to_money('taxes') }} as taxes,
        {{ to_money('total') }} as total,
        {{ to_money('discount_amount') }} as discount_amount,
        {{ to_money('refunded_amount') }} as refunded_amount,

        -- timestamps
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('paid_at') }} as paid_at,
        {{ utc_timestamp('cancelled_at') }} as cancelled_at,

        -- line item
        {{ clean_text('lineitem_name') }} as product_as_entered,
        {{ clean_text('lineitem_sku') }} as sku,
        lineitem_quantity as quantity,
        {{ to_money('lineitem_price') }} as unit_price,
        {{ to_money('coalesce(lineitem_discount, 0)') }} as line_discount,

        -- lineage
        order_lines,
        _source_file as source_file,
        _source_line as source_line,
        case
            when line_number = 1 then order_raw_rows - order_lines + 1
            else 1
        end as raw_record_count,
        {{ to_money(
            'coalesce(order_raw_amount, 0) - coalesce(order_kept_amount, 0)'
        ) }} as duplicate_amount
    from latest_version

)

select * from final
