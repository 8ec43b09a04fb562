{#-
    Capitalises the first letter of every word and lowercases the rest, a word
    starting after any character that is neither a letter nor a digit
    ("jean-luc o'brien" -> "Jean-Luc O'Brien", accents included).
    PostgreSQL's initcap; DuckDB has none, so it is rebuilt character by
    character with the same rule (a letter is a character whose upper and
    lower case differ). Apply it to a short, already cleaned column.
-#}
{% macro title_case(expression) -%}
    {{ return(adapter.dispatch("title_case", "marketing_analytics")(expression)) }}
{%- endmacro %}

{% macro default__title_case(expression) -%}
    initcap({{ expression }})
{%- endmacro %}

{% macro duckdb__title_case(expression) -%}
    (
        select
            string_agg(
                case
                    when
                        characters.position = 1
                        or (
                            lower(substr({{ expression }}, characters.position - 1, 1))
                            = upper(substr({{ expression }}, characters.position - 1, 1))
                            and not regexp_matches(
                                substr({{ expression }}, characters.position - 1, 1),
                                '[0-9]'
                            )
                        )
                        then upper(substr({{ expression }}, characters.position, 1))
                    else lower(substr({{ expression }}, characters.position, 1))
                end,
                ''
                order by characters.position
            )
        from generate_series(1, length({{ expression }})) as characters (position)
    )
{%- endmacro %}
