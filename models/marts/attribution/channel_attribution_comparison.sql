-- channel_attribution side by side: one row per channel, the attributed
-- conversions and revenue of every heuristic model and of the data-driven
-- markov model in their own columns.
with

channel_attribution as (

    select * from {{ ref('channel_attribution') }}

),

-- Whether channel_attribution holds the markov model at all: its columns are
-- null (not computed) rather than 0 (no credit) when it does not.
markov_model as (

    select count(*) > 0 as has_markov_rows
    from channel_attribution
    where attribution_model = 'markov'

),

by_channel as (

    select
        -- grain
        channel,

        -- attributed conversions per model
        {% for model in attribution_models() + ["markov"] -%}
        cast(coalesce(max(
            case
                when attribution_model = '{{ model }}'
                    then attributed_conversions
            end
        ), 0) as numeric(18, 10)) as {{ model }}_conversions,
        {% endfor %}

        -- attributed revenue per model
        {% for model in attribution_models() + ["markov"] -%}
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

),

final as (

    select
        -- grain
        by_channel.channel,

        -- attributed conversions per model
        {% for model in attribution_models() -%}
        by_channel.{{ model }}_conversions,
        {% endfor -%}
        case
            when markov_model.has_markov_rows
                then by_channel.markov_conversions
        end as markov_conversions,

        -- attributed revenue per model
        {% for model in attribution_models() -%}
        by_channel.{{ model }}_revenue,
        {% endfor -%}
        case
            when markov_model.has_markov_rows
                then by_channel.markov_revenue
        end as markov_revenue
    from by_channel
    cross join markov_model

)

select * from final
