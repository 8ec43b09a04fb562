-- Fixture: a "staging model" that breaks the three checks of
-- raw_rows_reconcile: its rows claim -1 raw records each (no raw table can
-- match a negative count), key 'a' appears twice and one key is null.
with

fixture as (

    select
        fixture_rows.record_key,
        fixture_rows.raw_record_count
    from (
        values
        ('a', -1),
        ('a', -1),
        (null, -1)
    ) as fixture_rows (record_key, raw_record_count)

)

select * from fixture
