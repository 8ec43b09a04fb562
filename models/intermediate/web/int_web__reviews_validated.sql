-- The reviews with what needs more than their own export: the catalogue
-- product name (the reference seed) and the quality flags, "future" reviews
-- against the as-of date.
with

reviews as (

    select * from {{ ref('stg_web__reviews') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

as_of as (

    {{ as_of_date() }}

),

canonicalised as (

    {{ canonical_product('reviews') }}

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
