{#-
    Use a custom schema verbatim: `+schema: core` builds into `core`, not
    `main_core` / `public_core`. Nodes without a custom schema (none in this
    project but the test and unit-test scratch relations) use the target's.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
