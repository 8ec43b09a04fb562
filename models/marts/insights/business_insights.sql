-- Automated insights: one row per insight (always the same seven rows, in
-- insight_order), each with its metric, value, severity and recommendation.
-- An insight the data cannot answer keeps its row with null figures and
-- severity 'info'. Each insight is its own model with its own unit tests
-- (models/intermediate/insights); rules and thresholds:
-- _insights__models.yml. A new insight is a new model added to this list.
{%- set insights = [
    "high_value_customers_at_risk",
    "one_time_buyer_share",
    "best_cohort_3_month_retention",
    "fastest_growing_product",
    "fastest_shrinking_product",
    "worst_cpa_campaign",
    "most_untapped_consented_country",
] %}
with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

insights as (

    {% for insight in insights -%}
    select
        insight_id,
        insight_order,
        title,
        subject,
        metric,
        metric_value,
        metric_unit,
        affected_customers,
        revenue_at_stake,
        severity,
        recommendation
    from {{ ref('int_insight__' ~ insight) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        -- ids
        insights.insight_id,
        insights.insight_order,

        -- insight
        insights.title,
        insights.subject,
        insights.metric,
        insights.metric_value,
        insights.metric_unit,
        insights.affected_customers,
        insights.revenue_at_stake,
        insights.severity,
        insights.recommendation,

        -- timestamps
        as_of.as_of_date
    from insights
    cross join as_of

)

select * from final
