{#-
    A table function yielding one timestamp per `datepart` (day, month, ...)
    from `start_date` to `end_date`, both included: the spine of a calendar
    or of a cohort grid. Use it as a from-item with an alias and a column
    name, and cast the column to date:

        cross join {{ date_series('day', 'bounds.first_date', 'bounds.last_date') }}
            as spine_days (calendar_day)

    DuckDB and PostgreSQL both have generate_series over timestamps (the
    default); an engine without it (Spark: explode(sequence(...))) gets its
    own override.
-#}
{% macro date_series(datepart, start_date, end_date) -%}
    {{ return(adapter.dispatch("date_series", "marketing_analytics")(
        datepart, start_date, end_date
    )) }}
{%- endmacro %}

{% macro default__date_series(datepart, start_date, end_date) -%}
    generate_series(
        cast({{ start_date }} as timestamp),
        cast({{ end_date }} as timestamp),
        interval '1 {{ datepart }}'
    )
{%- endmacro %}
