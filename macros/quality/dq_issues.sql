{#-
    The data-quality flags of a row as one comma-separated text, null when
    the row has none: `nullif(concat_ws(',', case when ... then 'label' end,
    ...), '')`, the column every validated model calls `dq_issues`.

    `checks` is a list, in the order the labels are listed; each item is
    either a pair (label, condition), the label when the condition is true,
    or an expression that already is a label list or null (the issues an
    upstream model found, kept first). A check whose condition is null adds
    nothing, as concat_ws skips nulls.
-#}
{% macro dq_issues(checks) -%}
    {{ return(adapter.dispatch("dq_issues", "marketing_analytics")(checks)) }}
{%- endmacro %}

{% macro default__dq_issues(checks) -%}
    nullif(concat_ws(
        ','
        {%- for check in checks %},
        {% if check is string -%}
        {{ check }}
        {%- else -%}
        case when {{ check[1] }} then '{{ check[0] }}' end
        {%- endif %}
        {%- endfor %}
    ), '')
{%- endmacro %}
