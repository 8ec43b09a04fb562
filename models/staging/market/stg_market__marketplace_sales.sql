with

source as (

    {{ raw_source('market', 'marketplace_sales') }}

),

final as (

    select
        -- keys
        date as sale_date,
        {{ clean_text('marketplace') }} as marketplace,
        {{ clean_text('product') }} as product_as_entered,

        -- descriptions
        {{ clean_text('category') }} as category_as_entered,

        -- measures
        units_sold,
        {{ to_money('revenue') }} as revenue,

        -- lineage
        _loaded_at,
        _source_file,
        _source_line
    from source
    {{ optimization_fence() }}

)

select * from final
