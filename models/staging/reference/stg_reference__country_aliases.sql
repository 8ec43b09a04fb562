-- One row per way of writing a country (an alias from the country_aliases
-- seed, or the country's own name or ISO code from the countries seed), in
-- the comparable form `country_lookup_key` (see macro lookup_key).
with

aliases as (

    select * from {{ ref('country_aliases') }}

),

countries as (

    select * from {{ ref('countries') }}

),

spellings as (

    select
        alias as spelling,
        country_code
    from aliases

    union all

    select
        country_name as spelling,
        country_code
    from countries

    union all

    select
        country_code as spelling,
        country_code
    from countries

),

keyed as (

    select distinct
        {{ lookup_key('spellings.spelling') }} as country_lookup_key,
        upper(trim(spellings.country_code)) as country_code
    from spellings

),

final as (

    select
        keyed.country_lookup_key,
        keyed.country_code,
        countries.country_name,
        countries.calling_code,
        countries.region
    from keyed
    inner join countries
        on keyed.country_code = upper(trim(countries.country_code))

)

select * from final
