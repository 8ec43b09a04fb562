with

source as (

    {{ raw_source('mongo', 'campaigns') }}

),

channels as (

    select * from {{ ref('stg_reference__channels') }}

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

measured as (

    select
        renamed.*,
        case
            when renamed.campaign_type is not null
                then coalesce(channels.channel_group, 'other')
        end as channel_group,
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
    left join channels
        on renamed.campaign_type = channels.channel

),

validated as (

    select
        *,
        nullif(concat_ws(
            ',',
            case when campaign_name is null then 'missing_campaign_name' end,
            case when budget is null then 'missing_budget' end,
            case when budget < 0 then 'negative_budget' end,
            case when spend is null then 'missing_spend' end,
            case when spend < 0 then 'negative_spend' end,
            case
                when impressions < 0 or clicks < 0 or conversions < 0
                    then 'negative_count'
            end,
            case
                when clicks > impressions then 'clicks_above_impressions'
            end,
            case
                when conversions > clicks then 'conversions_above_clicks'
            end,
            case when start_date is null then 'missing_start_date' end,
            case when end_date is null then 'missing_end_date' end,
            case when end_date < start_date then 'end_before_start' end
        ), '') as dq_issues
    from measured

),

final as (

    select
        -- ids
        campaign_id,
        mongo_document_id,

        -- descriptions
        campaign_name,
        campaign_type,
        channel_group,

        -- dates
        start_date,
        end_date,

        -- money
        budget,
        spend,

        -- counts
        impressions,
        clicks,
        conversions,

        -- kpis
        ctr,
        conversion_rate,
        cpc,
        cpa,
        budget_roi,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,

        -- lineage
        raw_record_count
    from validated

)

select * from final
