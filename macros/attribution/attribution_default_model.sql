{#-
    The var `attribution_default_model` (the model whose attributed revenue
    campaign_performance shows), checked: a compile error lists the allowed
    models when it names none of them. Returns the name as a SQL string
    literal.
-#}
{% macro attribution_default_model() -%}
    {%- set configured = var("attribution_default_model", "position_based") -%}
    {%- set configured = "" if configured is none else configured | string | trim -%}
    {%- if configured not in attribution_models() -%}
        {{ exceptions.raise_compiler_error(
            "var attribution_default_model must be one of "
            ~ attribution_models() | join(", ") ~ ", not '" ~ configured ~ "'"
        ) }}
    {%- endif -%}
    '{{ configured }}'
{%- endmacro %}
