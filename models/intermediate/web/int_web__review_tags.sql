-- One row per review and tag: the JSON array `tags` of each review unnested,
-- every tag lowercase and trimmed, empty and repeated tags dropped.
with

reviews as (

    select * from {{ ref('stg_web__reviews') }}

),

unnested as (

    select
        review_id,
        {{ json_array_elements_text('tags') }} as tag_as_entered
    from reviews

),

final as (

    select distinct
        review_id,
        lower({{ clean_text('tag_as_entered') }}) as tag
    from unnested
    where {{ clean_text('tag_as_entered') }} is not null

)

select * from final
