{#-
    Ranks the records that share a key, the truth first: the latest load
    (`_loaded_at`), then the later export file name (`_source_file`), then
    the later line or document in that file (`_source_line`). Keep rank 1.
-#}
{% macro latest_record_first(partition_by) -%}
    row_number() over (
        partition by {{ partition_by | join(", ") }}
        order by
            _loaded_at desc nulls last,
            _source_file desc nulls last,
            _source_line desc nulls last
    )
{%- endmacro %}
