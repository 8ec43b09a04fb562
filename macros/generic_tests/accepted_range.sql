{#-
    dbt_utils.accepted_range: the column lies between `min_value` and
    `max_value` (either may be omitted), bounds included unless
    `inclusive=false`. Nulls pass (test them with not_null).
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

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

{% endtest %}
