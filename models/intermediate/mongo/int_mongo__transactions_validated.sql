-- The MongoDB transactions with the rules staging cannot apply from its own
-- source: the catalogue product name (the reference seed), the quality flags
-- and the revenue rule, which compare with the as-of date.
with

transactions as (

    select * from {{ ref('stg_mongo__transactions') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

as_of as (

    {{ as_of_date() }}

),

canonicalised as (

    {{ canonical_product('transactions') }}

),

validated as (

    select
        canonicalised.*,
        {{ dq_issues([
            ("missing_customer_id", "canonicalised.customer_id is null"),
            ("missing_product", "canonicalised.product_name is null"),
            ("missing_amount", "canonicalised.amount is null"),
            ("negative_amount", "canonicalised.amount < 0"),
            ("negative_discount", "canonicalised.discount_amount < 0"),
            ("negative_shipping_cost", "canonicalised.shipping_cost < 0"),
            ("discount_above_amount", "canonicalised.amount > 0 and canonicalised.total_amount < 0"),
            ("invalid_quantity", "canonicalised.quantity is null or canonicalised.quantity <= 0"),
            ("unknown_status", "canonicalised.status not in ('completed', 'refunded', 'cancelled')"),
            ("unknown_payment_method", "canonicalised.payment_method not in ('credit_card', 'debit_card', 'paypal', 'apple_pay', 'bank_transfer', 'klarna')"),
            ("missing_timestamp", "canonicalised.transaction_at is null"),
            ("future_timestamp", "canonicalised.transaction_date > as_of.as_of_date"),
        ]) }} as dq_issues,
        canonicalised.transaction_date is not null
        and coalesce(
            canonicalised.transaction_date <= as_of.as_of_date, true
        ) as is_in_the_past
    from canonicalised
    cross join as_of

),

final as (

    select
        -- ids
        transaction_id,
        customer_id,
        mongo_document_id,

        -- product
        product_name,
        is_catalogue_product,
        quantity,

        -- money
        amount,
        discount_amount,
        shipping_cost,
        total_amount,

        -- enumerations
        payment_method,
        status,

        -- timestamps
        transaction_at,
        transaction_date,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,
        status = 'completed'
        and coalesce(amount >= 0, false)
        and coalesce(total_amount >= 0, false)
        and is_in_the_past as is_revenue,
        coalesce(total_amount = 0, false) as is_zero_value,

        -- lineage
        raw_record_count,
        duplicate_amount
    from validated

)

select * from final
