{#-
    How free text is matched against a reference seed (country aliases,
    product catalogue): lowercase, trimmed, inner blanks collapsed
    ("  United   Kingdom" -> "united kingdom", "wireless earbuds PRO " ->
    "wireless earbuds pro"), i.e. lower(clean_text(...)). A staging model
    that already holds the clean_text of a column matches on lower() of it
    rather than running the regular expression twice.
-#}
{% macro lookup_key(expression) -%}
    lower({{ clean_text(expression) }})
{%- endmacro %}
