{#-
    Free text made comparable: blanks (spaces, tabs, line breaks) collapsed
    to one space, trimmed; an empty result is null.
-#}
{% macro clean_text(expression) -%}
    nullif(trim(regexp_replace({{ expression }}, '\s+', ' ', 'g')), '')
{%- endmacro %}
