with

source as (

    {{ raw_source('loader', '_rejected_records') }}

),

-- The raw text can hold personal data (a rejected customer line): emails
-- and phones are masked here, BSON bytes are not shown at all. The clear
-- text stays in raw._rejected_records, which only the loader's role reads.
masked as (

    select
        table_name,
        source_file,
        line_number,
        record_number,
        case
            when record_text like 'base64:%'
                then 'base64:<withheld: see raw._rejected_records>'
            else {{ mask_contact_details('record_text') }}
        end as record_text,
        {{ mask_contact_details('reason') }} as reason,
        amount,
        _loaded_at,
        _dlt_load_id
    from source

),

renamed as (

    select
        -- record
        table_name,
        source_file,
        line_number,
        record_number,
        record_text,

        -- reason
        reason,
        nullif(trim(
            {{ dbt.split_part(dbt.split_part('reason', "'; '", 1), "':'", 1) }}
        ), '') as reason_code,

        -- amount
        amount,

        -- load
        {{ utc_timestamp('_loaded_at') }} as loaded_at,
        _dlt_load_id as load_id
    from masked

)

select * from renamed
