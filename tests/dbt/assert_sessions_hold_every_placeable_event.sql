-- Every event with a timestamp not after the as-of date is in exactly one
-- session, and no other event is: int_event_sessions has exactly those
-- events and fct_sessions counts each of them once. Returns the counts that
-- disagree.
with

events as (

    select * from {{ ref('fct_events') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

placeable as (

    select count(*) as events
    from events
    cross join as_of
    where
        events.event_at is not null
        and (
            as_of.as_of_date is null
            or events.event_date <= as_of.as_of_date
        )

),

event_sessions as (

    select count(*) as events
    from {{ ref('int_event_sessions') }}

),

sessions as (

    select coalesce(sum(event_count), 0) as events
    from {{ ref('fct_sessions') }}

),

comparisons as (

    select
        'int_event_sessions' as checked_model,
        event_sessions.events as checked_events,
        placeable.events as expected_events
    from event_sessions
    cross join placeable

    union all

    select
        'fct_sessions' as checked_model,
        sessions.events as checked_events,
        placeable.events as expected_events
    from sessions
    cross join placeable

)

select * from comparisons
where checked_events <> expected_events
