{#-
    data_quality_summary's "most common code" columns: per table_name of
    `relation`, the value of `column` with the most rows (ties: the first
    value in sort order), as the rows table_name, <column>. One query for the
    reject reasons and the dq issue codes, which are counted alike.
-#}
{% macro most_common_by_table(relation, column) -%}
    select
        table_name,
        {{ column }}
    from (
        select
            table_name,
            {{ column }},
            row_number() over (
                partition by table_name
                order by count(*) desc, {{ column }} asc
            ) as code_rank
        from {{ relation }}
        group by table_name, {{ column }}
    ) as ranked
    where code_rank = 1
{%- endmacro %}
