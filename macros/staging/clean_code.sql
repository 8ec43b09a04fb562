{#-
    An enumeration value in its canonical form: lowercase snake_case, runs of
    blanks, underscores and dashes made one underscore ("Credit Card",
    " credit-card ", "CREDIT_CARD" -> credit_card); an empty result is null.
    One regular expression per value: it runs on every row of the biggest
    feeds.
-#}
{% macro clean_code(expression) -%}
    nullif(regexp_replace(lower(trim({{ expression }})), '[\s_-]+', '_', 'g'), '')
{%- endmacro %}
