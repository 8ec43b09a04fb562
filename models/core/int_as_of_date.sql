-- The as-of date of this build as a one-row table (see macro as_of_date), for
-- the models and tools that need "today" without ever using the build day.
with

final as (

    {{ as_of_date() }}

)

select * from final
