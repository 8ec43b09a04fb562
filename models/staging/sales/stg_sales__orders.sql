with

source as (

    {{ raw_source('sales', 'sales') }}

),

as_of as (

    {{ as_of_date() }}

),

deduplicated as (

    {{ deduplicate_latest(
        'source', ['order_id'],
        amount_terms=['sales']
    ) }}

),

renamed as (

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

),

validated as (

    select
        renamed.*,
        {{ dq_issues([
            ("missing_customer_id", "renamed.customer_id is null"),
            ("missing_amount", "renamed.total_amount is null"),
            ("negative_amount", "renamed.total_amount < 0"),
            ("missing_timestamp", "renamed.order_date is null"),
            ("future_timestamp", "renamed.order_date > as_of.as_of_date"),
        ]) }} as dq_issues,
        renamed.order_date is not null
        and coalesce(renamed.order_date <= as_of.as_of_date, true)
            as is_in_the_past
    from renamed
    cross join as_of

),

final as (

    select
        -- ids
        order_id,
        customer_id,
        export_row_index,

        -- money
        total_amount,

        -- dates
        order_date,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,
        coalesce(total_amount >= 0, false) and is_in_the_past as is_revenue,
        coalesce(total_amount = 0, false) as is_zero_value,

        -- lineage
        raw_record_count,
        duplicate_amount
    from validated

)

select * from final
