{#-
    True when a normalised (lowercase, trimmed) email is a well-formed
    address: a dot-atom local part, `@`, dot-separated labels and a top-level
    domain of two letters or more. Null stays null.
-#}
{% macro is_email_well_formed(expression) -%}
    {{ regexp_like(
        expression,
        "'^[a-z0-9!#$%&*+/=?^_`{|}~''-]+(\\.[a-z0-9!#$%&*+/=?^_`{|}~''-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$'"
    ) }}
{%- endmacro %}
