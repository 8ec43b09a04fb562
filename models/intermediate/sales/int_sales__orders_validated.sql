-- The sales CSV's orders with their quality flags and revenue rule: the
-- checks against the as-of date ("future" orders, is_revenue) live here, so
-- staging reads only its own source.
with

orders as (

    select * from {{ ref('stg_sales__orders') }}

),

as_of as (

    {{ as_of_date() }}

),

validated as (

    select
        orders.*,
        {{ dq_issues([
            ("missing_customer_id", "orders.customer_id is null"),
            ("missing_amount", "orders.total_amount is null"),
            ("negative_amount", "orders.total_amount < 0"),
            ("missing_timestamp", "orders.order_date is null"),
            ("future_timestamp", "orders.order_date > as_of.as_of_date"),
        ]) }} as dq_issues,
        orders.order_date is not null
        and coalesce(orders.order_date <= as_of.as_of_date, true)
            as is_in_the_past
    from orders
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
