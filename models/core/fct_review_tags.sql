with

tags as (

    select * from {{ ref('int_web__review_tags') }}

),

reviews as (

    select * from {{ ref('fct_reviews') }}

),

final as (

    select
        -- ids
        tags.review_id,
        tags.tag,

        -- review context
        reviews.product_name,
        reviews.category,
        reviews.rating,
        reviews.reviewed_date
    from tags
    inner join reviews
        on tags.review_id = reviews.review_id

)

select * from final
