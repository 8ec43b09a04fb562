with

source as (

    {{ raw_source('mongo', 'campaigns') }}

),

deduplicated as (

    {{ deduplicate_latest('source', ['campaign_id']) }}

),

renamed as (

    select
        -- ids
        campaign_id,
        _id as mongo_document_id,

        -- descriptions
        {{ clean_text('campaign_name') }} as campaign_name,
        {{ clean_code('campaign_type') }} as campaign_type,

        -- money
        {{ to_money('budget') }} as budget,
        {{ to_money('spend') }} as spend,

        -- counts
        impressions,
        clicks,
        conversions,

        -- dates
        start_date,
        end_date,

        -- lineage
        raw_record_count
    from deduplicated
    {{ optimization_fence() }}

),

final as (

    select
        renamed.*,
        {{ safe_divide('renamed.clicks * 100', 'renamed.impressions') }}
            as ctr,
        {{ safe_divide('renamed.conversions * 100', 'renamed.clicks') }}
            as conversion_rate,
        {{ safe_divide('renamed.spend', 'renamed.clicks') }} as cpc,
        {{ safe_divide('renamed.spend', 'renamed.conversions') }} as cpa,
        {{ safe_divide(
            '(renamed.budget - renamed.spend) * 100', 'renamed.budget'
        ) }} as budget_roi
    from renamed

)

select * from final
