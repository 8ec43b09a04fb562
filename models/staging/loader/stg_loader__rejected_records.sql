with

source as (

    {{ raw_source('loader', '_rejected_records') }}

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
    from source

)

select * from renamed
