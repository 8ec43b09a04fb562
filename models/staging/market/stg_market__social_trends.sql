with

source as (

    {{ raw_source('market', 'social_trends') }}

),

final as (

    select
        -- keys
        date as trend_date,
        {{ clean_code('platform') }} as platform,
        {{ clean_text('category') }} as category_as_entered,
        lower({{ clean_text('topic') }}) as topic,

        -- descriptions
        {{ clean_code('trend_category') }} as trend_category,

        -- counts
        mentions,
        engagement,

        -- lineage
        _loaded_at,
        _source_file,
        _source_line
    from source
    {{ optimization_fence() }}

)

select * from final
