{#-
    Materialization of the tables the statistics step writes
    (`python -m analytics analyze`, analytics/statistics/): SciPy and statsmodels
    compute them from the marts, so dbt cannot, but they are models all the
    same, so that the docs describe them, the lineage shows what they are
    computed from (`-- depends_on: {{ ref(...) }}` lines in the model file)
    and schema tests check them.

    dbt creates the table, empty, from the columns declared in the model's
    yml (every column needs a `data_type`), when it is missing or its columns
    differ from the declaration; otherwise it keeps the table and the rows
    the step wrote. The model's SQL is never run. The step replaces the rows;
    `dbt build --select tag:evidence+` then tests them and rebuilds the
    models that read them.
-#}
{% materialization python_result, default %}
    {%- set target_relation = this.incorporate(type="table") -%}
    {%- set declared = model.columns.values() | list -%}
    {%- if declared | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "python_result model " ~ this ~ " declares no columns in its yml"
        ) }}
    {%- endif -%}
    {%- for column in declared -%}
        {%- if not column.data_type -%}
            {{ exceptions.raise_compiler_error(
                "python_result model " ~ this ~ ": column " ~ column.name
                ~ " needs a data_type in its yml"
            ) }}
        {%- endif -%}
    {%- endfor -%}

    {%- set existing = adapter.get_relation(
        database=this.database, schema=this.schema, identifier=this.identifier
    ) -%}
    {%- set keep = false -%}
    {%- if existing is not none -%}
        {%- set current = adapter.get_columns_in_relation(existing)
            | map(attribute="name") | map("lower") | list -%}
        {%- set wanted = declared | map(attribute="name") | map("lower") | list -%}
        {%- set keep = current == wanted -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks) }}
    {%- if keep -%}
        {%- call statement("main") -%}
            select count(*) as kept_rows from {{ target_relation }}
        {%- endcall -%}
    {%- else -%}
        {%- if existing is not none -%}
            {{ adapter.drop_relation(existing) }}
        {%- endif -%}
        {%- do adapter.create_schema(target_relation) -%}
        {%- call statement("main") -%}
            create table {{ target_relation }} (
                {%- for column in declared %}
                {{ column.name }} {{ column.data_type }}{{ "," if not loop.last }}
                {%- endfor %}
            )
        {%- endcall -%}
    {%- endif -%}
    {{ run_hooks(post_hooks) }}
    {%- do persist_docs(target_relation, model) -%}
    {%- do adapter.commit() -%}
    {{ return({"relations": [target_relation]}) }}
{% endmaterialization %}
