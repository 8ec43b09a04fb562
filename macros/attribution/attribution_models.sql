{#-
    The heuristic multi-touch attribution models, in the order the marts list
    them. attribution_touchpoints computes every one of them; a new model
    (issue 4: markov) adds rows to the long-format marts, never columns.
-#}
{% macro attribution_models() -%}
    {{ return([
        "first_touch",
        "last_touch",
        "last_non_direct",
        "linear",
        "time_decay",
        "position_based",
    ]) }}
{%- endmacro %}
