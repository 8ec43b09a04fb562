-- One row per customer: the MongoDB customers export, plus the Shopify
-- customers (pseudonymous ids from their orders' emails) it does not hold.
with

customers as (

    select * from {{ ref('stg_mongo__customers') }}

),

shopify_customers as (

    select * from {{ ref('int_shopify_customers') }}

),

unioned as (

    select
        -- ids
        customer_id,
        'customers' as customer_source,

        -- names
        full_name,
        first_name,
        last_name,

        -- contact, pseudonymised
        email_hash,
        email_domain,
        has_email,
        has_valid_email,
        phone_hash,
        has_phone,
        has_valid_phone,

        -- demographics
        age,
        gender,
        city,
        country_code,
        country_name,

        -- marketing
        has_marketing_consent,

        -- timestamps
        created_at,
        cast(created_at as date) as created_date,

        -- quality
        is_valid,
        dq_issues
    from customers

    union all

    select
        -- ids
        customer_id,
        'shopify' as customer_source,

        -- names
        cast(null as {{ dbt.type_string() }}) as full_name,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,

        -- contact, pseudonymised
        email_hash,
        email_domain,
        has_email,
        has_valid_email,
        cast(null as {{ dbt.type_string() }}) as phone_hash,
        false as has_phone,
        false as has_valid_phone,

        -- demographics
        cast(null as {{ dbt.type_int() }}) as age,
        cast(null as {{ dbt.type_string() }}) as gender,
        cast(null as {{ dbt.type_string() }}) as city,
        country_code,
        country_name,

        -- marketing
        has_marketing_consent,

        -- timestamps
        created_at,
        cast(created_at as date) as created_date,

        -- quality
        true as is_valid,
        cast(null as {{ dbt.type_string() }}) as dq_issues
    from shopify_customers

),

final as (

    select * from unioned

)

select * from final
