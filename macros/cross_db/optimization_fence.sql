{#-
    Ends a CTE whose expressions are costly (regular expressions, casts) and
    are referenced several times downstream. PostgreSQL inlines such a CTE
    into the query that reads it and then recomputes each expression at
    every reference (it does no common-subexpression elimination): `offset
    0` keeps the CTE a separate plan node, computed once per row. DuckDB
    computes each expression once already, and an OFFSET would make it
    preserve row order, so there it renders nothing.
-#}
{% macro optimization_fence() -%}
    {{ return(adapter.dispatch("optimization_fence", "marketing_analytics")()) }}
{%- endmacro %}

{% macro default__optimization_fence() -%}
    offset 0
{%- endmacro %}

{% macro duckdb__optimization_fence() -%}
{%- endmacro %}
