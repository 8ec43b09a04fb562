with

source as (

    {{ raw_source('mongo', 'transactions') }}

),

deduplicated as (

    {{ deduplicate_latest(
        'source', ['transaction_id'],
        amount_terms=['amount', '-discount_applied', 'shipping_cost']
    ) }}

),

renamed as (

    select
        -- ids
        transaction_id,
        customer_id,
        _id as mongo_document_id,

        -- product
        {{ clean_text('product') }} as product_as_entered,
        quantity,

        -- money
        {{ to_money('amount') }} as amount,
        {{ to_money('coalesce(discount_applied, 0)') }} as discount_amount,
        {{ to_money('coalesce(shipping_cost, 0)') }} as shipping_cost,

        -- enumerations
        {{ clean_code('payment_method') }} as payment_method_code,
        coalesce({{ clean_code('status') }}, 'completed') as status,

        -- timestamps
        {{ utc_timestamp('"timestamp"') }} as transaction_at,
        {{ utc_date('"timestamp"') }} as transaction_date,

        -- lineage
        raw_record_count,
        {{ to_money('duplicate_amount') }} as duplicate_amount
    from deduplicated
    {{ optimization_fence() }}

),

final as (

    select
        -- ids
        transaction_id,
        customer_id,
        mongo_document_id,

        -- product
        product_as_entered,
        quantity,

        -- money
        amount,
        discount_amount,
        shipping_cost,
        cast(
            amount - discount_amount + shipping_cost as numeric(18, 2)
        ) as total_amount,

        -- enumerations
        case payment_method_code
            when 'creditcard' then 'credit_card'
            when 'debitcard' then 'debit_card'
            when 'applepay' then 'apple_pay'
            when 'wire_transfer' then 'bank_transfer'
            else payment_method_code
        end as payment_method,
        status,

        -- timestamps
        transaction_at,
        transaction_date,

        -- lineage
        raw_record_count,
        duplicate_amount
    from renamed

)

select * from final
