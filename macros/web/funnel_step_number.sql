{#-
    fct_sessions' ordered funnel: a window expression giving the position
    (event_number_in_session) of the session's first event of event_type
    after the position in the column `after` (none: anywhere in the
    session); null when there is none. Reads the columns session_key,
    event_type and event_number_in_session of the query.
-#}
{% macro funnel_step_number(event_type, after=none) -%}
    min(
        case
            when
                event_type = '{{ event_type }}'
                {%- if after is not none %}
                and event_number_in_session > {{ after }}
                {%- endif %}
                then event_number_in_session
        end
    ) over (partition by session_key)
{%- endmacro %}
