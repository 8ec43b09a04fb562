with

source as (

    {{ raw_source('web', 'reviews') }}

),

deduplicated as (

    {{ deduplicate_latest('source', ['review_id']) }}

),

final as (

    select
        -- ids
        review_id,
        customer_id,

        -- product
        {{ clean_text('product') }} as product_as_entered,

        -- review
        case when rating between 1 and 5 then rating end as rating,
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

)

select * from final
