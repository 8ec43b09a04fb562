with

source as (

    {{ raw_source('mongo', 'campaigns') }}

),

deduplicated as (

    select
        *,
        count(*) over (partition by campaign_id) as raw_record_count,
        {{ latest_record_first(['campaign_id']) }} as record_rank
    from source

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
    where record_rank = 1
    {{ optimization_fence() }}

),

measured as (

    select
        *,
        {{ safe_divide('clicks * 100', 'impressions') }} as ctr,
        {{ safe_divide('conversions * 100', 'clicks') }} as conversion_rate,
        {{ safe_divide('spend', 'clicks') }} as cpc,
        {{ safe_divide('spend', 'conversions') }} as cpa,
        {{ safe_divide('(budget - spend) * 100', 'budget') }} as budget_roi
    from renamed

),

validated as (

    select
        *,
        nullif(concat_ws(
            ',',
            case when campaign_name is null then 'missing_campaign_name' end,
            case
                when
                    campaign_type not in (
                        'email', 'social', 'search',
                        'display', 'affiliate', 'video'
                    )
                    then 'unknown_campaign_type'
            end,
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
