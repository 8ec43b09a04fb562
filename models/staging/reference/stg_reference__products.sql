-- The product catalogue seed with the comparable form of each name
-- (`product_lookup_key`), so that feeds can be matched to it whatever the
-- case or spacing they use.
with

catalogue as (

    select * from {{ ref('product_catalogue') }}

),

final as (

    select
        {{ lookup_key('product') }} as product_lookup_key,
        {{ clean_text('product') }} as product_name,
        {{ clean_text('category') }} as category,
        {{ to_money('list_price') }} as list_price
    from catalogue

)

select * from final
