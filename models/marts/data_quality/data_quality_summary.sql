-- One row per raw table of the loader, all nine whether loaded or not: what
-- the loader read, loaded and rejected, and what staging kept, removed as
-- duplicates and flagged invalid; for the order feeds, where the money read
-- went (rejected, duplicates, not revenue, revenue), so that revenue
-- reconciles from the files to fct_orders; the columns files lacked. Driven
-- by the list below, not by the data:
-- a new raw table goes there and into the accepted_values of table_name in
-- _data_quality__models.yml and ../../staging/loader/_loader__models.yml.
-- About 275 lines: the table list, the three order feeds' money in the
-- ledger's terms and the loader's, staging's and the ledger's columns side by
-- side; the most-common-code ranking it needs twice is a macro.
{%- set warning_rate = number_var("data_quality_warning_rate", 0) %}
{%- set raw_tables = [
    {"table_name": "customers", "staging_model": "stg_mongo__customers"},
    {
        "table_name": "transactions",
        "staging_model": "stg_mongo__transactions",
        "validated_model": "int_mongo__transactions_validated",
    },
    {
        "table_name": "campaigns",
        "staging_model": "stg_mongo__campaigns",
        "validated_model": "int_mongo__campaigns_validated",
    },
    {
        "table_name": "sales",
        "staging_model": "stg_sales__orders",
        "validated_model": "int_sales__orders_validated",
    },
    {
        "table_name": "shopify_orders",
        "staging_model": "stg_shopify__order_lines",
        "validated_model": "int_shopify__order_lines_validated",
    },
    {"table_name": "events", "staging_model": "stg_web__events"},
    {
        "table_name": "reviews",
        "staging_model": "stg_web__reviews",
        "validated_model": "int_web__reviews_validated",
    },
    {
        "table_name": "social_trends",
        "staging_model": "stg_market__social_trends",
        "validated_model": "int_market__social_trends_validated",
    },
    {
        "table_name": "marketplace_sales",
        "staging_model": "stg_market__marketplace_sales",
        "validated_model": "int_market__marketplace_sales_validated",
    },
] %}

with

loaded_files as (

    select * from {{ ref('stg_loader__loaded_files') }}

),

rejected_records as (

    select * from {{ ref('stg_loader__rejected_records') }}

),
{% for raw_table in raw_tables %}
{{ raw_table.table_name }} as (

    {#- the validated model of the feed: where its dq_issues and is_valid are #}
    {%- set checked = raw_table.validated_model or raw_table.staging_model %}
    select * from {{ ref(checked) }}

),
{% endfor %}
raw_tables as (

    {% for raw_table in raw_tables -%}
    select
        '{{ raw_table.table_name }}' as table_name,
        '{{ raw_table.staging_model }}' as staging_model
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

staging_records as (

    {% for raw_table in raw_tables -%}
    select
        '{{ raw_table.table_name }}' as table_name,
        raw_record_count,
        is_valid,
        dq_issues
    from {{ raw_table.table_name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

shopify_orders_by_order as (

    select * from {{ ref('stg_shopify__orders') }}

),

-- Per order feed, the money staging holds, in the ledger's terms (contract
-- amount_terms), and the part of it that is revenue.
order_amounts as (

    select
        'transactions' as table_name,
        sum({{ ledger_amount(
            ['amount', '-discount_amount', 'shipping_cost']
        ) }})
            as staged_amount,
        sum(duplicate_amount) as duplicate_amount,
        coalesce(sum(case when is_revenue then total_amount end), 0)
            as revenue_amount
    from transactions

    union all

    select
        'sales' as table_name,
        sum(total_amount) as staged_amount,
        sum(duplicate_amount) as duplicate_amount,
        coalesce(sum(case when is_revenue then total_amount end), 0)
            as revenue_amount
    from sales

    union all

    select
        'shopify_orders' as table_name,
        sum({{ ledger_amount(['subtotal', 'shipping']) }}) as staged_amount,
        sum(duplicate_amount) as duplicate_amount,
        coalesce(sum(case when is_revenue then total_amount end), 0)
            as revenue_amount
    from shopify_orders_by_order

),

files_by_table as (

    select
        table_name,
        count(*) as files_loaded,
        cast(sum(records_read) as bigint) as records_read,
        cast(sum(rows_loaded) as bigint) as rows_loaded,
        cast(sum(rows_rejected) as bigint) as rows_rejected,
        {{ to_money('sum(amount_read)') }} as amount_read,
        {{ to_money('sum(amount_rejected)') }} as amount_rejected,
        cast(sum(rejected_without_amount) as bigint)
            as rejected_without_amount,
        max(loaded_at) as last_loaded_at
    from loaded_files
    group by table_name

),

missing_columns_of_files as (

    select distinct
        table_name,
        unnest(string_to_array(missing_columns, ',')) as column_name
    from loaded_files
    where missing_columns is not null

),

missing_columns_by_table as (

    select
        table_name,
        {{ dbt.listagg(
            "column_name", "', '", "order by column_name"
        ) }} as missing_columns
    from missing_columns_of_files
    group by table_name

),

most_common_reason_codes as (

    {{ most_common_by_table('rejected_records', 'reason_code') }}

),

staging_by_table as (

    select
        table_name,
        count(*) as staging_rows,
        cast(sum(raw_record_count) as bigint) as raw_records,
        count(case when not is_valid then 1 end) as invalid_rows
    from staging_records
    group by table_name

),

dq_issue_codes as (

    select
        table_name,
        unnest(string_to_array(dq_issues, ',')) as dq_issue_code
    from staging_records
    where dq_issues is not null

),

most_common_dq_issue_codes as (

    {{ most_common_by_table('dq_issue_codes', 'dq_issue_code') }}

),

final as (

    select
        -- table
        raw_tables.table_name,
        raw_tables.staging_model,

        -- loader
        coalesce(files_by_table.files_loaded, 0) as files_loaded,
        files_by_table.records_read,
        files_by_table.rows_loaded,
        files_by_table.rows_rejected,
        {{ safe_divide(
            'files_by_table.rows_rejected * 100', 'files_by_table.records_read', 2
        ) }} as rejection_rate,
        most_common_reason_codes.reason_code as most_common_reject_reason_code,

        -- staging
        coalesce(staging_by_table.staging_rows, 0) as staging_rows,
        coalesce(
            staging_by_table.raw_records - staging_by_table.staging_rows, 0
        ) as duplicates_removed,
        coalesce(staging_by_table.invalid_rows, 0) as invalid_rows,
        {{ safe_divide(
            'staging_by_table.invalid_rows * 100', 'staging_by_table.staging_rows', 2
        ) }} as invalid_rate,
        most_common_dq_issue_codes.dq_issue_code as most_common_dq_issue_code,

        -- money, order feeds: read = rejected + duplicates + not revenue
        -- + revenue (the ledger's terms; null for tables without an amount)
        files_by_table.amount_read,
        files_by_table.amount_rejected,
        files_by_table.rejected_without_amount,
        cast(order_amounts.duplicate_amount as numeric(18, 2))
            as amount_duplicates,
        cast(
            order_amounts.staged_amount - order_amounts.revenue_amount
            as numeric(18, 2)
        ) as amount_not_revenue,
        cast(order_amounts.revenue_amount as numeric(18, 2)) as amount_revenue,
        cast(
            case
                when order_amounts.table_name is not null
                    then
                        files_by_table.amount_read
                        - files_by_table.amount_rejected
                        - coalesce(order_amounts.duplicate_amount, 0)
                        - coalesce(order_amounts.staged_amount, 0)
            end as numeric(18, 2)
        ) as amount_unreconciled,

        -- columns a file of the table had no column for
        missing_columns_by_table.missing_columns,

        -- attention: a share of rejected or invalid records above the var
        coalesce(
            {{ safe_divide(
                'files_by_table.rows_rejected * 100', 'files_by_table.records_read', 2
            ) }} > {{ warning_rate }}
            or {{ safe_divide(
                'staging_by_table.invalid_rows * 100', 'staging_by_table.staging_rows', 2
            ) }} > {{ warning_rate }},
            false
        ) as needs_attention,

        -- load
        files_by_table.last_loaded_at
    from raw_tables
    left join files_by_table
        on raw_tables.table_name = files_by_table.table_name
    left join most_common_reason_codes
        on raw_tables.table_name = most_common_reason_codes.table_name
    left join staging_by_table
        on raw_tables.table_name = staging_by_table.table_name
    left join most_common_dq_issue_codes
        on raw_tables.table_name = most_common_dq_issue_codes.table_name
    left join order_amounts
        on raw_tables.table_name = order_amounts.table_name
    left join missing_columns_by_table
        on raw_tables.table_name = missing_columns_by_table.table_name

)

select * from final
