with

source as (

    {{ raw_source('loader', '_loaded_files') }}

),

renamed as (

    select
        -- file
        source_file,
        table_name,
        file_size_bytes,

        -- counts
        records_read,
        rows_loaded,
        rows_rejected,
        missing_columns,

        -- amounts
        amount_read,
        amount_rejected,
        rejected_without_amount,

        -- load
        seconds as read_seconds,
        {{ utc_timestamp('_loaded_at') }} as loaded_at,
        _dlt_load_id as load_id
    from source

)

select * from renamed
