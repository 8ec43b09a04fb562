-- A table, not a view: a view would keep the PII hash salt in its definition,
-- readable in the database catalogue by anyone who can read the schema.
{{ config(materialized='table') }}

with

source as (

    {{ raw_source('mongo', 'customers') }}

),

countries as (

    select * from {{ ref('stg_reference__country_aliases') }}

),

as_of as (

    {{ as_of_date() }}

),

deduplicated as (

    {{ deduplicate_latest('source', ['customer_id']) }}

),

renamed as (

    select
        -- ids
        customer_id,
        _id as mongo_document_id,

        -- names
        {{ clean_text('first_name') }} as first_name_as_entered,
        {{ clean_text('last_name') }} as last_name_as_entered,

        -- contact (personal data: only hashes leave this model)
        lower(trim(email)) as email_normalised,
        {{ clean_text('phone') }} as phone_as_entered,

        -- demographics
        age as age_as_entered,
        {{ clean_code('gender') }} as gender_code,
        {{ clean_text('city') }} as city,
        {{ clean_text('country') }} as country_as_entered,

        -- marketing
        coalesce(marketing_consent, false) as has_marketing_consent,

        -- timestamps
        {{ utc_timestamp('created_at') }} as created_at,

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
        case
            when
                renamed.first_name_as_entered
                in (
                    lower(renamed.first_name_as_entered),
                    upper(renamed.first_name_as_entered)
                )
                then {{ title_case('renamed.first_name_as_entered') }}
            else renamed.first_name_as_entered
        end as first_name,
        case
            when
                renamed.last_name_as_entered
                in (
                    lower(renamed.last_name_as_entered),
                    upper(renamed.last_name_as_entered)
                )
                then {{ title_case('renamed.last_name_as_entered') }}
            else renamed.last_name_as_entered
        end as last_name,
        {{ is_email_well_formed('renamed.email_normalised') }}
            as is_email_well_formed,
        {{ e164_phone('renamed.phone_as_entered', 'countries.calling_code') }}
            as phone_e164,
        case
            when renamed.gender_code in ('f', 'female', 'woman')
                then 'female'
            when renamed.gender_code in ('m', 'male', 'man')
                then 'male'
            when renamed.gender_code in ('non_binary', 'nonbinary', 'nb')
                then 'non_binary'
            when
                renamed.gender_code in (
                    'prefer_not_to_say', 'n.s.', 'ns', 'undisclosed'
                )
                then 'prefer_not_to_say'
        end as gender,
        case
            when
                renamed.age_as_entered between {{ var('customer_age_min') }}
                and {{ var('customer_age_max') }}
                then renamed.age_as_entered
        end as age
    from renamed
    left join countries
        on lower(renamed.country_as_entered) = countries.country_lookup_key

),

checked as (

    select
        canonicalised.*,
        coalesce(canonicalised.is_email_well_formed, false)
            as has_valid_email,
        coalesce(
            {{ regexp_like(
                'canonicalised.phone_e164', "'^\\+[1-9][0-9]{7,14}$'"
            ) }},
            false
        ) as has_valid_phone
    from canonicalised

),

validated as (

    select
        checked.*,
        {{ dq_issues([
            ("invalid_email", "checked.email_normalised is not null and not checked.has_valid_email"),
            ("invalid_phone", "checked.phone_as_entered is not null and not checked.has_valid_phone"),
            ("age_out_of_range", "checked.age_as_entered is not null and checked.age is null"),
            ("unknown_country", "checked.country_as_entered is not null and checked.country_code is null"),
            ("unknown_gender", "checked.gender_code is not null and checked.gender is null"),
            ("future_timestamp", "cast(checked.created_at as date) > as_of.as_of_date"),
        ]) }} as dq_issues
    from checked
    cross join as_of

),

final as (

    select
        -- ids
        customer_id,
        mongo_document_id,

        -- names
        first_name,
        last_name,
        nullif(concat_ws(' ', first_name, last_name), '') as full_name,

        -- contact, pseudonymised
        case
            when has_valid_email then {{ hash_pii('email_normalised') }}
        end as email_hash,
        case
            when has_valid_email then split_part(email_normalised, '@', 2)
        end as email_domain,
        email_normalised is not null as has_email,
        has_valid_email,
        case
            when has_valid_phone then {{ hash_pii('phone_e164') }}
        end as phone_hash,
        phone_as_entered is not null as has_phone,
        has_valid_phone,

        -- demographics
        age,
        gender,
        city,
        country_code,
        country_name,
        country_as_entered,

        -- marketing
        has_marketing_consent,

        -- timestamps
        created_at,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,

        -- lineage
        raw_record_count
    from validated

)

select * from final
