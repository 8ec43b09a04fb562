with

source as (

    {{ raw_source('market', 'social_trends') }}

),

categories as (

    select distinct
        category,
        lower(category) as category_lookup_key
    from {{ ref('stg_reference__products') }}

),

as_of as (

    {{ as_of_date() }}

),

renamed as (

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

),

canonicalised as (

    select
        renamed.*,
        coalesce(categories.category, renamed.category_as_entered) as category
    from renamed
    left join categories
        on lower(renamed.category_as_entered) = categories.category_lookup_key

),

deduplicated as (

    {{ deduplicate_latest(
        'canonicalised', ['trend_date', 'platform', 'category', 'topic']
    ) }}

),

validated as (

    select
        deduplicated.*,
        nullif(concat_ws(
            ',',
            case
                when
                    deduplicated.platform not in (
                        'tiktok', 'instagram', 'youtube',
                        'x', 'reddit', 'facebook'
                    )
                    then 'unknown_platform'
            end,
            case
                when
                    deduplicated.trend_category not in (
                        'meme', 'entertainment', 'drama', 'news', 'review'
                    )
                    then 'unknown_trend_category'
            end,
            case when deduplicated.mentions < 0 then 'negative_mentions' end,
            case
                when deduplicated.engagement < 0 then 'negative_engagement'
            end,
            case
                when deduplicated.trend_date > as_of.as_of_date
                    then 'future_timestamp'
            end
        ), '') as dq_issues
    from deduplicated
    cross join as_of

),

final as (

    select
        -- keys
        trend_date,
        platform,
        category,
        topic,

        -- descriptions
        trend_category,

        -- counts
        mentions,
        engagement,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,

        -- lineage
        raw_record_count
    from validated

)

select * from final
