-- No free-text column of the customer relations holds something that looks
-- like an email address or a phone number in clear (the hash columns are
-- hexadecimal, tested by their own regex). Returns the offending rows.
with

staged as (

    select * from {{ ref('stg_mongo__customers') }}

),

values_to_check as (

    select
        customer_id,
        concat_ws(
            ' | ',
            full_name, first_name, last_name, email_domain, city,
            country_as_entered
        ) as text_values
    from staged

),

final as (

    select
        customer_id,
        text_values
    from values_to_check
    where
        text_values like '%@%'
        or {{ regexp_like('text_values', "'[+]?[0-9][0-9 ().-]{7,}[0-9]'") }}

)

select * from final
