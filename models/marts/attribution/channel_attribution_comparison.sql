-- channel_attribution side by side: one row per channel, the attributed
-- conversions and revenue of every heuristic model in its own columns.
with

channel_attribution as (

    select * from {{ ref('channel_attribution') }}

),

final as (

    select
        -- grain
        channel,

        -- attributed conversions per model
        {% for model in attribution_models() -%}
        cast(coalesce(max(
            case
                when attribution_model = '{{ model }}'
                    then attributed_conversions
            end
        ), 0) as numeric(18, 10)) as {{ model }}_conversions,
        {% endfor %}

        -- attributed revenue per model
        {% for model in attribution_models() -%}
        cast(coalesce(max(
            case
                when attribution_model = '{{ model }}'
                    then attributed_revenue
            end
        ), 0) as numeric(18, 2)) as {{ model }}_revenue
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from channel_attribution
    group by channel

)

select * from final
