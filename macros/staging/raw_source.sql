{#-
    The import query of a staging model: every column declared for the raw
    table in its `_<source>__sources.yml` (with its `data_type`), in the
    declared order.

    - The raw table exists: its columns; a declared column the loader did not
      create (dlt creates no column for a field that was never filled) is
      selected as a typed null.
    - The raw table does not exist (the source had no file, or nothing was
      loaded yet): an empty relation with the declared names and types, so
      every downstream model builds, empty.
    - In a unit test the source is the test's fixture: selected as it is.
-#}
{% macro raw_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or relation.is_cte -%}
        select * from {{ relation }}
    {%- else -%}
        {%- set declared = [] -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.source_name == source_name and node.name == table_name -%}
                {%- for column in node.columns.values() -%}
                    {%- do declared.append(column) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for column in declared if not column.data_type -%}
            {{ exceptions.raise_compiler_error(
                "raw_source: column " ~ column.name ~ " of source "
                ~ source_name ~ "." ~ table_name ~ " has no data_type"
            ) }}
        {%- endfor -%}
        {%- if declared | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "raw_source: source " ~ source_name ~ "." ~ table_name
                ~ " declares no columns"
            ) }}
        {%- endif -%}
        {%- set existing = adapter.get_relation(
            database=relation.database,
            schema=relation.schema,
            identifier=relation.identifier,
        ) -%}
        {%- set present = [] -%}
        {%- if existing is not none -%}
            {%- for column in adapter.get_columns_in_relation(existing) -%}
                {%- do present.append(column.name | lower) -%}
            {%- endfor -%}
        {%- else -%}
            {{ log(
                "raw_source: " ~ relation ~ " does not exist, "
                ~ model.name ~ " reads an empty relation",
                info=false,
            ) }}
        {%- endif -%}
        select
        {%- for column in declared %}
            {% if column.name | lower in present -%}
                {{ adapter.quote(column.name) }}
            {%- else -%}
                cast(null as {{ column.data_type }}) as {{ adapter.quote(column.name) }}
            {%- endif -%}
            {{- "," if not loop.last }}
        {%- endfor %}
        {% if existing is not none -%}
        from {{ existing }}
        {%- else -%}
        where 1 = 0
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
