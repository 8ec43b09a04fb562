-- The marketplace sales matched to the product catalogue (the reference
-- seed), de-duplicated on that canonical key (two spellings of one product
-- are duplicates) and flagged, "future" days against the as-of date.
with

sales as (

    select * from {{ ref('stg_market__marketplace_sales') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

as_of as (

    {{ as_of_date() }}

),

canonicalised as (

    {{ canonical_product(
        'sales',
        extra_columns=[
            "coalesce(products.category, sales.category_as_entered) as category",
        ],
    ) }}

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
