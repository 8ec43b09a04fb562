with

source as (

    {{ raw_source('web', 'events') }}

),

countries as (

    select * from {{ ref('stg_reference__country_aliases') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

channels as (

    select * from {{ ref('stg_reference__channels') }}

),

as_of as (

    {{ as_of_date() }}

),

deduplicated as (

    {{ deduplicate_latest('source', ['event_id']) }}

),

renamed as (

    select
        -- ids
        event_id,
        user_id as customer_id,
        session_id,
        utm__campaign_id as campaign_id,
        properties__transaction_id as transaction_id,

        -- event
        sequence_number,
        {{ clean_code('event_type') }} as event_type,
        nullif(trim(uri), '') as page_path,

        -- acquisition
        {{ clean_code('traffic_source') }} as traffic_source,
        lower(nullif(trim(utm__source), '')) as utm_source,
        lower(nullif(trim(utm__medium), '')) as utm_medium,

        -- technology
        {{ clean_code('browser') }} as browser,
        {{ clean_code('device') }} as device,

        -- geography
        {{ clean_text('city') }} as city,
        {{ clean_text('country') }} as country_as_entered,

        -- product
        {{ clean_text('properties__product') }} as product_as_entered,
        {{ to_money('properties__price') }} as unit_price,
        properties__quantity as quantity,

        -- timestamps
        {{ utc_timestamp('created_at') }} as event_at,
        {{ utc_date('created_at') }} as event_date,

        -- lineage
        raw_record_count
    from deduplicated
    {{ optimization_fence() }}

),

canonicalised as (

    select
        renamed.*,
        countries.country_code,
        countries.country_name,
        coalesce(products.product_name, renamed.product_as_entered)
            as product_name,
        products.product_name is not null as is_catalogue_product,
        case
            when renamed.traffic_source is not null
                then coalesce(channels.channel_group, 'other')
        end as channel_group
    from renamed
    left join countries
        on lower(renamed.country_as_entered) = countries.country_lookup_key
    left join products
        on lower(renamed.product_as_entered) = products.product_lookup_key
    left join channels
        on renamed.traffic_source = channels.channel

),

validated as (

    select
        canonicalised.*,
        {{ dq_issues([
            ("missing_event_type", "canonicalised.event_type is null"),
            ("unknown_event_type", "canonicalised.event_type not in ('home', 'department', 'product', 'cart', 'purchase', 'cancel')"),
            ("unknown_device", "canonicalised.device not in ('desktop', 'mobile', 'tablet')"),
            ("unknown_country", "canonicalised.country_as_entered is not null and canonicalised.country_code is null"),
            ("negative_price", "canonicalised.unit_price < 0"),
            ("invalid_quantity", "canonicalised.quantity <= 0"),
            ("missing_transaction_id", "canonicalised.event_type = 'purchase' and canonicalised.transaction_id is null"),
            ("missing_timestamp", "canonicalised.event_at is null"),
            ("future_timestamp", "canonicalised.event_date > as_of.as_of_date"),
        ]) }} as dq_issues
    from canonicalised
    cross join as_of

),

final as (

    select
        -- ids
        event_id,
        customer_id,
        session_id,
        campaign_id,
        transaction_id,

        -- event
        sequence_number,
        event_type,
        page_path,

        -- acquisition
        traffic_source,
        channel_group,
        utm_source,
        utm_medium,

        -- technology
        browser,
        device,

        -- geography
        city,
        country_code,
        country_name,
        country_as_entered,

        -- product
        product_name,
        is_catalogue_product,
        unit_price,
        quantity,

        -- timestamps
        event_at,
        event_date,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,

        -- lineage
        raw_record_count
    from validated

)

select * from final
