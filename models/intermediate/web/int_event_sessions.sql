-- One row per web event that can be placed in time (a timestamp, not after
-- the as-of date), with the session it belongs to: its session_id when it
-- has one, otherwise the visitor's inactivity session (a new one after more
-- than var session_timeout_minutes without an event).
{%- set timeout_minutes = number_var(
    "session_timeout_minutes", 0, exclusive=true, integer=true
) %}
with

events as (

    select * from {{ ref('fct_events') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

-- Events without a timestamp or dated after the as-of date (dq issues
-- missing_timestamp, future_timestamp) cannot be ordered: no session.
placeable as (

    select
        events.event_id,
        events.customer_id,
        events.session_id,
        events.sequence_number,
        events.event_at
    from events
    cross join as_of
    where
        events.event_at is not null
        and (
            as_of.as_of_date is null
            or events.event_date <= as_of.as_of_date
        )

),

with_session_id as (

    select
        event_id,
        session_id as session_key,
        session_id,
        event_at,
        sequence_number,
        false as is_sessionised_by_inactivity
    from placeable
    where session_id is not null

),

-- A signed-in visitor's events without session_id, in time order, each
-- with the timestamp of the visitor's previous such event.
signed_in_without_session_id as (

    select
        event_id,
        customer_id,
        event_at,
        sequence_number,
        lag(event_at) over (
            partition by customer_id
            order by event_at asc, sequence_number asc nulls last, event_id asc
        ) as previous_event_at
    from placeable
    where session_id is null and customer_id is not null

),

-- Exactly session_timeout_minutes after the previous event is still the
-- same session; a moment later starts a new one.
inactivity_starts_flagged as (

    select
        *,
        case
            when previous_event_at is null then 1
            when
                event_at > {{ dbt.dateadd(
                    'minute', timeout_minutes, 'previous_event_at'
                ) }}
                then 1
            else 0
        end as starts_session
    from signed_in_without_session_id

),

inactivity_sessions_numbered as (

    select
        *,
        sum(starts_session) over (
            partition by customer_id
            order by event_at asc, sequence_number asc nulls last, event_id asc
            rows between unbounded preceding and current row
        ) as visitor_session_number
    from inactivity_starts_flagged

),

inactivity_sessions_first_events as (

    select
        *,
        first_value(event_id) over (
            partition by customer_id, visitor_session_number
            order by event_at asc, sequence_number asc nulls last, event_id asc
        ) as first_event_id
    from inactivity_sessions_numbered

),

inactivity_sessions as (

    select
        event_id,
        {{ dbt.concat([
            "'inactivity:'", "customer_id", "':'", "first_event_id"
        ]) }} as session_key,
        cast(null as {{ dbt.type_string() }}) as session_id,
        event_at,
        sequence_number,
        true as is_sessionised_by_inactivity
    from inactivity_sessions_first_events

),

-- An anonymous event without session_id cannot be tied to any other event:
-- a session of its own.
anonymous_single_events as (

    select
        event_id,
        {{ dbt.concat(["'event:'", "event_id"]) }} as session_key,
        cast(null as {{ dbt.type_string() }}) as session_id,
        event_at,
        sequence_number,
        true as is_sessionised_by_inactivity
    from placeable
    where session_id is null and customer_id is null

),

unioned as (

    select * from with_session_id
    union all
    select * from inactivity_sessions
    union all
    select * from anonymous_single_events

),

final as (

    select
        -- ids
        event_id,
        session_key,
        session_id,

        -- session
        min(event_at) over (partition by session_key) as session_start_at,
        row_number() over (
            partition by session_key
            order by event_at asc, sequence_number asc nulls last, event_id asc
        ) as event_number_in_session,
        is_sessionised_by_inactivity
    from unioned

)

select * from final
