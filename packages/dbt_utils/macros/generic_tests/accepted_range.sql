{#-
    dbt_utils.accepted_range: the column lies between `min_value` and
    `max_value` (either may be omitted), bounds included unless
    `inclusive=false`. Nulls pass (test them with not_null). dbt's own
    `where` config filters the rows tested, as with the hub package.
-#}
{% test accepted_range(
    model,
    column_name,
    min_value=none,
    max_value=none,
    inclusive=true
) %}
    {{ return(adapter.dispatch("test_accepted_range", "dbt_utils")(
        model, column_name, min_value, max_value, inclusive
    )) }}
{% endtest %}

{% macro default__test_accepted_range(
    model, column_name, min_value, max_value, inclusive
) %}

select *
from {{ model }}
where
    1 = 2
    {%- if min_value is not none %}
    or not {{ column_name }} >{{ "=" if inclusive }} {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
    or not {{ column_name }} <{{ "=" if inclusive }} {{ max_value }}
    {%- endif %}

{% endmacro %}
