with

source as (

    {{ raw_source('sales', 'sales') }}

),

deduplicated as (

    {{ deduplicate_latest(
        'source', ['order_id'],
        amount_terms=['sales']
    ) }}

),

final as (

    select
        -- ids
        order_id,
        customer_id,
        row_index as export_row_index,

        -- money
        {{ to_money('sales') }} as total_amount,

        -- dates
        date as order_date,

        -- lineage
        raw_record_count,
        {{ to_money('duplicate_amount') }} as duplicate_amount
    from deduplicated
    {{ optimization_fence() }}

)

select * from final
