{#-
    The body of a staging model's `deduplicated` CTE: one row per key of
    `relation` (a CTE name or a relation), the latest record (see
    latest_record_first), with every column of it plus

    - `raw_record_count`: how many raw records the key had;
    - `duplicate_amount` when `amount_terms` are given: the amount of the
      key's other records (ledger_amount of those terms, as the loader's
      ledger counts them), removed as duplicates, so that revenue reconciles
      from the files to the marts;
    - `record_rank`, always 1.

    One window pass; the dbt-utils `deduplicate` shape (dispatched, a
    `default__` every adapter reads).
-#}
{% macro deduplicate_latest(relation, partition_by, amount_terms=none) -%}
    {{ return(adapter.dispatch("deduplicate_latest", "marketing_analytics")(
        relation, partition_by, amount_terms
    )) }}
{%- endmacro %}

{% macro default__deduplicate_latest(relation, partition_by, amount_terms) -%}
    {%- set key = partition_by | join(", ") -%}
    select *
    from (
        select
            *,
            count(*) over (partition by {{ key }}) as raw_record_count,
            {%- if amount_terms is not none %}
            {%- set amount = ledger_amount(amount_terms) %}
            sum({{ amount }}) over (partition by {{ key }})
            - coalesce({{ amount }}, 0) as duplicate_amount,
            {%- endif %}
            {{ latest_record_first(partition_by) }} as record_rank
        from {{ relation }}
    ) as ranked
    where record_rank = 1
{%- endmacro %}
