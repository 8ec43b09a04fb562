-- No relation outside `raw` may hold a clear-text email or phone: the only
-- columns whose name mentions them are hashes, domains and has_ flags.
-- Returns the offending columns.
with

columns_in_warehouse as (

    select
        table_schema,
        table_name,
        lower(column_name) as column_name
    from information_schema.columns
    where
        table_catalog = '{{ target.database }}'
        and table_schema in ('staging', 'intermediate', 'core', 'marts')

),

final as (

    select
        table_schema,
        table_name,
        column_name
    from columns_in_warehouse
    where
        (column_name like '%email%' or column_name like '%phone%')
        and column_name not like '%\_hash' escape '\'
        and column_name not like 'has\_%' escape '\'
        and column_name <> 'email_domain'

)

select * from final
