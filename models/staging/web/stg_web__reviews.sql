with

source as (

    {{ raw_source('web', 'reviews') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

as_of as (

    {{ as_of_date() }}

),

deduplicated as (

    {{ deduplicate_latest('source', ['review_id']) }}

),

renamed as (

    select
        -- ids
        review_id,
        customer_id,

        -- product
        {{ clean_text('product') }} as product_as_entered,

        -- review
        rating as rating_as_entered,
        {{ clean_text('title') }} as title,
        trim(body) as body,
        tags,
        coalesce(return_requested, false) as has_requested_return,

        -- timestamps
        {{ utc_timestamp('created_at') }} as reviewed_at,
        {{ utc_date('created_at') }} as reviewed_date,

        -- lineage
        raw_record_count
    from deduplicated
    {{ optimization_fence() }}

),

canonicalised as (

    select
        renamed.*,
        coalesce(products.product_name, renamed.product_as_entered)
            as product_name,
        products.product_name is not null as is_catalogue_product,
        case
            when renamed.rating_as_entered between 1 and 5
                then renamed.rating_as_entered
        end as rating
    from renamed
    left join products
        on lower(renamed.product_as_entered) = products.product_lookup_key

),

validated as (

    select
        canonicalised.*,
        {{ dq_issues([
            ("missing_customer_id", "canonicalised.customer_id is null"),
            ("missing_product", "canonicalised.product_name is null"),
            ("rating_out_of_range", "canonicalised.rating is null"),
            ("invalid_tags", "not " ~ is_json_array("canonicalised.tags")),
            ("missing_timestamp", "canonicalised.reviewed_at is null"),
            ("future_timestamp", "canonicalised.reviewed_date > as_of.as_of_date"),
        ]) }} as dq_issues
    from canonicalised
    cross join as_of

),

final as (

    select
        -- ids
        review_id,
        customer_id,

        -- product
        product_name,
        is_catalogue_product,

        -- review
        rating,
        rating_as_entered,
        title,
        body,
        tags,
        has_requested_return,

        -- timestamps
        reviewed_at,
        reviewed_date,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,

        -- lineage
        raw_record_count
    from validated

)

select * from final
