{#-
    True when `json_expression` (DuckDB JSON or PostgreSQL json/jsonb) holds a
    JSON array, false for any other JSON value, null for SQL null.
-#}
{% macro is_json_array(json_expression) -%}
    {{ return(adapter.dispatch("is_json_array", "marketing_analytics")(json_expression)) }}
{%- endmacro %}

{% macro default__is_json_array(json_expression) -%}
    (jsonb_typeof(cast({{ json_expression }} as jsonb)) = 'array')
{%- endmacro %}

{% macro duckdb__is_json_array(json_expression) -%}
    (json_type(cast({{ json_expression }} as json)) = 'ARRAY')
{%- endmacro %}
