{#-
    Proves the de-duplication of a staging model in one pass over it:

    - `raw_rows`: the raw table has exactly as many rows as the staging model
      represents (`sum(count_column)`, each staging row carrying how many raw
      records its key had): fails when a key was kept twice, dropped or
      miscounted;
    - `repeated_key`: no key appears twice in the staging model;
    - `null_key`: no key column is null.

    One failing row per broken check (so at most 3). A missing raw table
    counts as empty. The staging key tests (unique, not_null) are this test:
    one scan of the view instead of three.
-#}
{% test raw_rows_reconcile(
    model,
    source_name,
    table_name,
    key_columns,
    count_column="raw_record_count"
) %}

with

raw_table as (

    {{ raw_source(source_name, table_name) }}

),

raw_counts as (

    select count(*) as raw_rows
    from raw_table

),

staged_keys as (

    select
        {{ key_columns | join(",\n        ") }},
        count(*) as rows_per_key,
        sum({{ count_column }}) as raw_records
    from {{ model }}
    group by {{ key_columns | join(", ") }}

),

staged_counts as (

    select
        coalesce(sum(rows_per_key), 0) as staged_rows,
        coalesce(sum(raw_records), 0) as represented_rows,
        count(case when rows_per_key > 1 then 1 end) as repeated_keys,
        count(
            case
                when
                    {% for column in key_columns -%}
                    {{ column }} is null{{ " or " if not loop.last }}
                    {%- endfor %}
                    then 1
            end
        ) as null_keys
    from staged_keys

),

checks as (

    select
        'raw_rows' as failed_check,
        raw_counts.raw_rows,
        staged_counts.staged_rows,
        staged_counts.represented_rows,
        staged_counts.repeated_keys,
        staged_counts.null_keys
    from raw_counts
    cross join staged_counts
    where raw_counts.raw_rows <> staged_counts.represented_rows

    union all

    select
        'repeated_key' as failed_check,
        raw_counts.raw_rows,
        staged_counts.staged_rows,
        staged_counts.represented_rows,
        staged_counts.repeated_keys,
        staged_counts.null_keys
    from raw_counts
    cross join staged_counts
    where staged_counts.repeated_keys > 0

    union all

    select
        'null_key' as failed_check,
        raw_counts.raw_rows,
        staged_counts.staged_rows,
        staged_counts.represented_rows,
        staged_counts.repeated_keys,
        staged_counts.null_keys
    from raw_counts
    cross join staged_counts
    where staged_counts.null_keys > 0

)

select * from checks

{% endtest %}
