-- Growth question 5: which channel does each attribution model credit most,
-- and where do the models disagree? One row per channel: its share of the
-- attributed conversions under each heuristic model and the data-driven
-- markov model (null until the statistics step has computed it), side by
-- side, the spread between the most and the least generous model, and the
-- models that credit it most. Channels the models disagree on most come
-- first.
{%- set models = [
    "first_touch", "last_touch", "last_non_direct",
    "linear", "time_decay", "position_based", "markov",
] %}
with

channel_attribution as (

    select * from {{ ref('channel_attribution') }}

),

ranked as (

    select
        *,
        rank() over (
            partition by attribution_model
            order by attributed_conversions desc
        ) as channel_rank
    from channel_attribution

),

pivoted as (

    select
        channel,
        {%- for model in models %}
        max(
            case
                when attribution_model = '{{ model }}'
                    then share_of_conversions
            end
        ) as {{ model }},
        {%- endfor %}
        max(share_of_conversions) - min(share_of_conversions) as spread,
        {{ dbt.listagg(
            "case when channel_rank = 1 then attribution_model end",
            "', '",
            "order by attribution_model"
        ) }} as credited_most_by
    from ranked
    group by channel

),

final as (

    select *
    from pivoted
    order by spread desc, channel asc

)

select * from final
