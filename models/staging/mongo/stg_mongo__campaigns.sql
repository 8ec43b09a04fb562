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
        {{ dq_issues([
            ("missing_campaign_name", "campaign_name is null"),
            ("missing_budget", "budget is null"),
            ("negative_budget", "budget < 0"),
            ("missing_spend", "spend is null"),
            ("negative_spend", "spend < 0"),
            ("negative_count", "impressions < 0 or clicks < 0 or conversions < 0"),
            ("clicks_above_impressions", "clicks > impressions"),
            ("conversions_above_clicks", "conversions > clicks"),
            ("missing_start_date", "start_date is null"),
            ("missing_end_date", "end_date is null"),
            ("end_before_start", "end_date < start_date"),
        ]) }} as dq_issues
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
