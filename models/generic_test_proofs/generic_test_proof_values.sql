-- Fixture: seven rows with known violations, so that each of the project's
-- generic tests is seen to fail exactly as often as it should (see the
-- expected failure counts in _generic_test_proofs__models.yml).
with

fixture as (

    select
        fixture_rows.row_id,
        fixture_rows.group_code,
        fixture_rows.day_number,
        fixture_rows.measure,
        fixture_rows.upper_bound,
        fixture_rows.email_text
    from (
        values
        (1, 'a', 1, 0, 5, 'ok@example.com'),
        (2, 'a', 1, 10, 5, 'also.ok@example.com'),
        (3, 'b', 1, -1, 5, 'not-an-email'),
        (4, 'b', 2, 11, 20, 'bad@'),
        (5, 'c', 1, null, 5, null),
        (6, 'c', 2, 5, 1, 'x@example.com'),
        (7, 'c', 3, 7, 8, 'y@example.com')
    ) as fixture_rows (
        row_id, group_code, day_number, measure, upper_bound, email_text
    )

)

select * from fixture
