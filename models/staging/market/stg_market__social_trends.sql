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
        {{ dq_issues([
            ("unknown_platform", "deduplicated.platform not in ('tiktok', 'instagram', 'youtube', 'x', 'reddit', 'facebook')"),
            ("unknown_trend_category", "deduplicated.trend_category not in ('meme', 'entertainment', 'drama', 'news', 'review')"),
            ("negative_mentions", "deduplicated.mentions < 0"),
            ("negative_engagement", "deduplicated.engagement < 0"),
            ("future_timestamp", "deduplicated.trend_date > as_of.as_of_date"),
        ]) }} as dq_issues
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
