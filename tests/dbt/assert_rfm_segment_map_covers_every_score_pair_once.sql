-- The seed rfm_segment_map maps each of the 25 (r_score, f_score) pairs 1-5 x
-- 1-5 exactly once, to a segment that rfm_segments describes and that is one
-- of the eleven RFM segments; rfm_segments describes nothing else. Returns
-- one row per problem.
with

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

segments as (

    select * from {{ ref('rfm_segments') }}

),

scores as (

    select cast(score_values.score as integer) as score
    from generate_series(1, 5) as score_values (score)

),

score_pairs as (

    select
        r_scores.score as r_score,
        f_scores.score as f_score
    from scores as r_scores
    cross join scores as f_scores

),

known_segments as (

    select segment_names.segment
    from (
        values
        ('champions'),
        ('loyal_customers'),
        ('potential_loyalists'),
        ('new_customers'),
        ('promising'),
        ('need_attention'),
        ('about_to_sleep'),
        ('at_risk'),
        ('cant_lose'),
        ('hibernating'),
        ('lost')
    ) as segment_names (segment)

),

pair_counts as (

    select
        score_pairs.r_score,
        score_pairs.f_score,
        count(segment_map.segment) as mapped_times
    from score_pairs
    left join segment_map
        on
            score_pairs.r_score = segment_map.r_score
            and score_pairs.f_score = segment_map.f_score
    group by score_pairs.r_score, score_pairs.f_score

),

problems as (

    select
        'pair not mapped exactly once' as problem,
        r_score,
        f_score,
        cast(null as text) as segment,
        mapped_times
    from pair_counts
    where mapped_times <> 1

    union all

    select
        'pair outside 1-5 x 1-5' as problem,
        segment_map.r_score,
        segment_map.f_score,
        segment_map.segment,
        null as mapped_times
    from segment_map
    left join score_pairs
        on
            segment_map.r_score = score_pairs.r_score
            and segment_map.f_score = score_pairs.f_score
    where score_pairs.r_score is null

    union all

    select
        'mapped segment not in rfm_segments' as problem,
        segment_map.r_score,
        segment_map.f_score,
        segment_map.segment,
        null as mapped_times
    from segment_map
    left join segments
        on segment_map.segment = segments.segment
    where segments.segment is null

    union all

    select
        'segment is not one of the eleven' as problem,
        null as r_score,
        null as f_score,
        segments.segment,
        null as mapped_times
    from segments
    left join known_segments
        on segments.segment = known_segments.segment
    where known_segments.segment is null

)

select * from problems
