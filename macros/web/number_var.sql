{#-
    A numeric var of the web and attribution models (session timeout,
    lookback, half-life), checked: a compile error names the var when its
    value is not a number, not a whole number although `integer` asks for
    one, or below `minimum` (or equal to it when `exclusive`). Returns the
    number, to be rendered into SQL.
-#}
{% macro number_var(name, minimum, exclusive=false, integer=false) -%}
    {%- set configured = var(name) -%}
    {%- set text = "" if configured is none else configured | string | trim -%}
    {%- if not modules.re.match("^[0-9]+([.][0-9]+)?$", text) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a non-negative number, not '" ~ text ~ "'"
        ) }}
    {%- endif -%}
    {%- set number = text | float -%}
    {%- if integer and number != (number | int) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a whole number, not '" ~ text ~ "'"
        ) }}
    {%- endif -%}
    {%- if number < minimum or (exclusive and number == minimum) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be " ~ ("above " if exclusive else "at least ")
            ~ minimum ~ ", not '" ~ text ~ "'"
        ) }}
    {%- endif -%}
    {{ return(number | int if integer else number) }}
{%- endmacro %}
