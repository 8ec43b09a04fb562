-- Per conversion and attribution model, the credits add up to exactly 1 and
-- the attributed revenue to exactly the conversion's revenue; every
-- conversion of int_conversions is attributed by every model. Returns the
-- conversions and models that break one of these.
with

conversions as (

    select * from {{ ref('int_conversions') }}

),

touchpoints as (

    select * from {{ ref('attribution_touchpoints') }}

),

models as (

    {% for model in attribution_models() -%}
    select '{{ model }}' as attribution_model
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

sums as (

    select
        conversion_key,
        attribution_model,
        sum(credit) as credit,
        sum(attributed_revenue) as attributed_revenue
    from touchpoints
    group by
        conversion_key,
        attribution_model

),

expected as (

    select
        conversions.conversion_key,
        conversions.revenue,
        models.attribution_model
    from conversions
    cross join models

),

compared as (

    select
        coalesce(expected.conversion_key, sums.conversion_key)
            as conversion_key,
        coalesce(expected.attribution_model, sums.attribution_model)
            as attribution_model,
        expected.revenue as conversion_revenue,
        sums.credit,
        sums.attributed_revenue
    from expected
    full outer join sums
        on
            expected.conversion_key = sums.conversion_key
            and expected.attribution_model = sums.attribution_model

)

select * from compared
where
    conversion_revenue is null
    or credit is null
    or credit <> 1
    or attributed_revenue <> conversion_revenue
