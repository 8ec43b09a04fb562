-- One row per calendar day, from 1 January of the earliest year to 31
-- December of the latest year found in any date of the core models (and the
-- as-of date). Generated without dbt_utils: generate_series exists on both
-- DuckDB and PostgreSQL.
with

as_of as (

    select as_of_date as observed_date from {{ ref('int_as_of_date') }}

),

orders as (

    select order_date as observed_date from {{ ref('fct_orders') }}

),

customers as (

    select created_date as observed_date from {{ ref('dim_customers') }}

),

campaign_starts as (

    select start_date as observed_date from {{ ref('dim_campaigns') }}

),

campaign_ends as (

    select end_date as observed_date from {{ ref('dim_campaigns') }}

),

events as (

    select event_date as observed_date from {{ ref('fct_events') }}

),

reviews as (

    select reviewed_date as observed_date from {{ ref('fct_reviews') }}

),

social_trends as (

    select trend_date as observed_date from {{ ref('fct_social_trends_daily') }}

),

marketplace_sales as (

    select sale_date as observed_date
    from {{ ref('fct_marketplace_sales_daily') }}

),

observed as (

    select observed_date from as_of
    union all
    select observed_date from orders
    union all
    select observed_date from customers
    union all
    select observed_date from campaign_starts
    union all
    select observed_date from campaign_ends
    union all
    select observed_date from events
    union all
    select observed_date from reviews
    union all
    select observed_date from social_trends
    union all
    select observed_date from marketplace_sales

),

bounds as (

    select
        cast({{ dbt.date_trunc('year', 'min(observed_date)') }} as date)
            as first_date,
        cast(
            {{ dbt.dateadd(
                'day', -1,
                dbt.dateadd('year', 1, dbt.date_trunc('year', 'max(observed_date)'))
            ) }} as date
        ) as last_date
    from observed

),

spine as (

    select cast(spine_days.calendar_day as date) as calendar_date
    from bounds
    cross join generate_series(
        cast(bounds.first_date as timestamp),
        cast(bounds.last_date as timestamp),
        interval '1 day'
    ) as spine_days (calendar_day)

),

final as (

    select
        -- key
        spine.calendar_date,

        -- calendar
        cast(extract(year from spine.calendar_date) as integer) as year_number,
        cast(extract(quarter from spine.calendar_date) as integer)
            as quarter_of_year,
        cast(extract(month from spine.calendar_date) as integer)
            as month_of_year,
        case cast(extract(month from spine.calendar_date) as integer)
            when 1 then 'January'
            when 2 then 'February'
            when 3 then 'March'
            when 4 then 'April'
            when 5 then 'May'
            when 6 then 'June'
            when 7 then 'July'
            when 8 then 'August'
            when 9 then 'September'
            when 10 then 'October'
            when 11 then 'November'
            when 12 then 'December'
        end as month_name,
        cast(extract(day from spine.calendar_date) as integer) as day_of_month,
        cast(extract(doy from spine.calendar_date) as integer) as day_of_year,
        cast(extract(isodow from spine.calendar_date) as integer)
            as day_of_week,
        case cast(extract(isodow from spine.calendar_date) as integer)
            when 1 then 'Monday'
            when 2 then 'Tuesday'
            when 3 then 'Wednesday'
            when 4 then 'Thursday'
            when 5 then 'Friday'
            when 6 then 'Saturday'
            when 7 then 'Sunday'
        end as day_name,
        cast(extract(week from spine.calendar_date) as integer)
            as iso_week_of_year,
        cast(extract(isodow from spine.calendar_date) as integer) in (6, 7)
            as is_weekend,

        -- period starts
        cast({{ dbt.date_trunc('week', 'spine.calendar_date') }} as date)
            as week_start_date,
        cast({{ dbt.date_trunc('month', 'spine.calendar_date') }} as date)
            as month_start_date,
        cast({{ dbt.date_trunc('quarter', 'spine.calendar_date') }} as date)
            as quarter_start_date,
        cast({{ dbt.date_trunc('year', 'spine.calendar_date') }} as date)
            as year_start_date,

        -- relative to the as-of date
        spine.calendar_date > as_of.observed_date as is_future
    from spine
    cross join as_of

)

select * from final
