-- The social trends with their category spelled as in the catalogue (the
-- reference seed), de-duplicated on that canonical key (two spellings of one
-- key are duplicates) and flagged, "future" days against the as-of date.
with

trends as (

    select * from {{ ref('stg_market__social_trends') }}

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

canonicalised as (

    select
        trends.*,
        coalesce(categories.category, trends.category_as_entered) as category
    from trends
    left join categories
        on lower(trends.category_as_entered) = categories.category_lookup_key

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
