-- The as-of date of this build as a one-row table: the day the data is looked
-- at, which "future", recency, campaign status and every "days since" use
-- instead of the day the build runs (see the as_of_date docs block).
--
-- With the var as_of_date set: that day. Otherwise the day after the latest
-- plausible activity date of whatever feeds are loaded (orders, web events,
-- reviews, customer sign-ups, social trends, marketplace sales), so that an
-- installation with any subset of the feeds gets one. A date is plausible
-- when it is no later than the day its record was loaded (nothing is exported
-- before it happens) and no later than 31 days after the 99th percentile of
-- its own feed's dates (a stray far-future typo never moves it, even once the
-- calendar has caught up with it). Campaign start and end days are plans, not
-- activity: they count only when no other feed has a dated record (a
-- campaigns-only installation). Null only when no feed holds a dated record.
--
-- It reads the raw tables directly (staging models flag "future" records
-- against it, so it cannot read them): one scan per feed, once per build.
{%- set configured = var("as_of_date", "") -%}
{%- set configured = "" if configured is none
    else configured | string | trim -%}
{%- set feeds = [
    {"feed": "transactions", "source": ["mongo", "transactions"],
        "dates": ['"timestamp"'], "rank": 1},
    {"feed": "sales", "source": ["sales", "sales"], "dates": ["date"], "rank": 1},
    {"feed": "shopify_orders", "source": ["shopify", "shopify_orders"],
        "dates": ["created_at"], "rank": 1},
    {"feed": "events", "source": ["web", "events"], "dates": ["created_at"],
        "rank": 1},
    {"feed": "reviews", "source": ["web", "reviews"], "dates": ["created_at"],
        "rank": 1},
    {"feed": "customers", "source": ["mongo", "customers"],
        "dates": ["created_at"], "rank": 1},
    {"feed": "social_trends", "source": ["market", "social_trends"],
        "dates": ["date"], "rank": 1},
    {"feed": "marketplace_sales", "source": ["market", "marketplace_sales"],
        "dates": ["date"], "rank": 1},
    {"feed": "campaigns", "source": ["mongo", "campaigns"],
        "dates": ["start_date", "end_date"], "rank": 2},
] %}

with
{% if configured != "" %}
{%- if not modules.re.match("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", configured) -%}
    {{ exceptions.raise_compiler_error(
        "var as_of_date must be a date 'YYYY-MM-DD', not '" ~ configured ~ "'"
    ) }}
{%- endif %}
final as (

    select
        cast('{{ configured }}' as date) as as_of_date,
        cast('var as_of_date' as {{ dbt.type_string() }}) as determined_by

)
{% else %}
{%- for feed in feeds %}
{{ feed.feed }} as (

    {{ raw_source(feed.source[0], feed.source[1]) }}

),
{% endfor %}
activity as (

    {% for feed in feeds -%}
    {%- set outer_loop = loop -%}
    {%- for date_column in feed.dates -%}
    select
        '{{ feed.feed }}' as feed,
        {{ feed.rank }} as feed_rank,
        {% if date_column in ("date", "start_date", "end_date") -%}
        {{ date_column }}
        {%- else -%}
        {{ utc_date(date_column) }}
        {%- endif %} as activity_date,
        {{ utc_date("_loaded_at") }} as loaded_date
    from {{ feed.feed }}
    {% if not (outer_loop.last and loop.last) %}union all{% endif %}
    {% endfor -%}
    {%- endfor %}

),

feed_percentiles as (

    select
        feed,
        percentile_disc(0.99) within group (
            order by activity_date
        ) as activity_date_p99
    from activity
    where activity_date is not null
    group by feed

),

plausible as (

    select
        activity.feed,
        activity.feed_rank,
        activity.activity_date
    from activity
    inner join feed_percentiles
        on activity.feed = feed_percentiles.feed
    where
        activity.activity_date <= activity.loaded_date
        and activity.activity_date
        <= cast(
            {{ dbt.dateadd("day", 31, "feed_percentiles.activity_date_p99") }}
            as date
        )

),

-- Activity feeds first; campaign plans only when there is no activity.
first_rank as (

    select min(feed_rank) as feed_rank
    from plausible

),

latest_by_feed as (

    select
        plausible.feed,
        max(plausible.activity_date) as latest_activity_date
    from plausible
    inner join first_rank
        on plausible.feed_rank = first_rank.feed_rank
    group by plausible.feed

),

latest as (

    select max(latest_activity_date) as latest_activity_date
    from latest_by_feed

),

final as (

    select
        cast(
            {{ dbt.dateadd("day", 1, "latest.latest_activity_date") }} as date
        ) as as_of_date,
        cast(
            case
                when latest.latest_activity_date is not null
                    then {{ dbt.concat([
                        "'latest plausible activity of '",
                        dbt.listagg(
                            "latest_by_feed.feed",
                            "', '",
                            "order by latest_by_feed.feed",
                        ),
                        "' + 1 day'",
                    ]) }}
            end as {{ dbt.type_string() }}
        ) as determined_by
    from latest
    left join latest_by_feed
        on latest.latest_activity_date = latest_by_feed.latest_activity_date
    group by latest.latest_activity_date

)
{% endif %}
select * from final
