{#-
    A set-returning select-list expression: one row per element of the JSON
    array `json_expression` (DuckDB JSON or PostgreSQL json/jsonb), as text
    (strings unquoted, JSON null as SQL null). A value that is not an array
    (null, a string, an object) yields no row.

        select review_id, {{ json_array_elements_text('tags') }} as tag
        from reviews
-#}
{% macro json_array_elements_text(json_expression) -%}
    {{ return(adapter.dispatch("json_array_elements_text", "marketing_analytics")(json_expression)) }}
{%- endmacro %}

{% macro default__json_array_elements_text(json_expression) -%}
    jsonb_array_elements_text(
        case
            when jsonb_typeof(cast({{ json_expression }} as jsonb)) = 'array'
                then cast({{ json_expression }} as jsonb)
            else cast('[]' as jsonb)
        end
    )
{%- endmacro %}

{% macro duckdb__json_array_elements_text(json_expression) -%}
    unnest(
        case
            when json_type(cast({{ json_expression }} as json)) = 'ARRAY'
                then json_extract_string(cast({{ json_expression }} as json), '$[*]')
            else cast([] as varchar[])
        end
    )
{%- endmacro %}
