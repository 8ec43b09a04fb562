with

source as (

    {{ raw_source('market', 'marketplace_sales') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

as_of as (

    {{ as_of_date() }}

),

renamed as (

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

),

canonicalised as (

    select
        renamed.*,
        coalesce(products.product_name, renamed.product_as_entered)
            as product_name,
        products.product_name is not null as is_catalogue_product,
        coalesce(products.category, renamed.category_as_entered) as category
    from renamed
    left join products
        on lower(renamed.product_as_entered) = products.product_lookup_key

),

deduplicated as (

    {{ deduplicate_latest(
        'canonicalised', ['sale_date', 'marketplace', 'product_name']
    ) }}

),

validated as (

    select
        deduplicated.*,
        {{ dq_issues([
            ("negative_units", "deduplicated.units_sold < 0"),
            ("negative_revenue", "deduplicated.revenue < 0"),
            ("future_timestamp", "deduplicated.sale_date > as_of.as_of_date"),
        ]) }} as dq_issues
    from deduplicated
    cross join as_of

),

final as (

    select
        -- keys
        sale_date,
        marketplace,
        product_name,

        -- descriptions
        is_catalogue_product,
        category,

        -- measures
        units_sold,
        revenue,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,

        -- lineage
        raw_record_count
    from validated

)

select * from final
