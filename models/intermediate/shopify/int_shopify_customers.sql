-- One row per Shopify customer (a pseudonymous id from the normalised email
-- of their orders): the customer dimension's fields the orders export
-- carries. Country and marketing consent are those of the customer's latest
-- order that states them; the customer exists from their first order.
with

orders as (

    select * from {{ ref('stg_shopify__orders') }}
    where customer_id is not null

),

ranked as (

    select
        customer_id,
        email_hash,
        email_domain,
        has_email,
        has_valid_email,
        accepts_marketing,
        billing_country_code,
        billing_country_name,
        order_at,
        row_number() over (
            partition by customer_id
            order by
                case when billing_country_code is null then 1 else 0 end,
                order_at desc nulls last,
                order_name desc
        ) as country_rank,
        row_number() over (
            partition by customer_id
            order by
                case when accepts_marketing is null then 1 else 0 end,
                order_at desc nulls last,
                order_name desc
        ) as consent_rank
    from orders

),

aggregated as (

    select
        customer_id,
        max(email_hash) as email_hash,
        max(email_domain) as email_domain,
        {{ dbt.bool_or('has_email') }} as has_email,
        {{ dbt.bool_or('has_valid_email') }} as has_valid_email,
        max(case when country_rank = 1 then billing_country_code end)
            as country_code,
        max(case when country_rank = 1 then billing_country_name end)
            as country_name,
        coalesce(
            {{ dbt.bool_or('consent_rank = 1 and accepts_marketing') }}, false
        ) as has_marketing_consent,
        min(order_at) as created_at
    from ranked
    group by customer_id

),

final as (

    select * from aggregated

)

select * from final
