{#-
    A tie-stable score from 1 to `buckets` of `column` among all rows of the
    query, as a window expression (use it in a select over one row per
    scored entity): the percent_rank bucket

        least(buckets, 1 + floor(buckets * (rank - 1) / (n - 1)))

    where rank is rank() over the column (ascending, or descending with
    `descending=true`) and n the number of rows, computed in integers
    (exact and identical on DuckDB and PostgreSQL). The highest value (the
    lowest with `descending`) gets `buckets`.

    - Equal values get equal scores: rank() gives peers the rank of the
      first of them (unlike ntile(), which splits them arbitrarily).
    - A column without spread (a single row, or every row equal) ranks no
      one above anyone: every row gets the neutral middle score
      (buckets + 1) // 2, 3 of 5.
    - Null values are not expected (they would rank last ascending).
-#}
{% macro percent_rank_score(column, descending=false, buckets=5) -%}
    {%- set direction = " desc" if descending else "" -%}
    case
        when min({{ column }}) over () = max({{ column }}) over ()
            then {{ (buckets + 1) // 2 }}
        else least(
            {{ buckets }},
            1 + {{ integer_divide(
                buckets ~ " * (rank() over (order by " ~ column ~ direction ~ ") - 1)",
                "count(*) over () - 1"
            ) }}
        )
    end
{%- endmacro %}
