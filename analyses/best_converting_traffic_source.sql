-- Growth question 4: which traffic source converts best? Sessions by their
-- landing traffic source: the share that ends in a purchase, and the revenue
-- per session; best first.
with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

final as (

    select
        landing_traffic_source as traffic_source,
        count(*) as sessions,
        count(case when is_converted then 1 end) as converted_sessions,
        {{ safe_divide(
            'count(case when is_converted then 1 end)', 'count(*)', 4
        ) }} as session_conversion_rate,
        cast(sum(revenue) as numeric(18, 2)) as revenue,
        {{ safe_divide('sum(revenue)', 'count(*)', 2) }} as revenue_per_session
    from sessions
    where landing_traffic_source is not null
    group by landing_traffic_source
    order by session_conversion_rate desc, traffic_source asc

)

select * from final
