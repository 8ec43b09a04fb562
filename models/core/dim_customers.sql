with

customers as (

    select * from {{ ref('stg_mongo__customers') }}

),

final as (

    select
        -- ids
        customer_id,

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

)

select * from final
