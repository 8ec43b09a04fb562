with

trends as (

    select * from {{ ref('int_market__social_trends_validated') }}

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
        is_valid,
        dq_issues
    from trends

)

select * from final
