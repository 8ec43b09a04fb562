-- Every customer a target list would take, consent or not: the lists and
-- their expected values before the consent filter (campaign_targets keeps the
-- consented ones, campaign_target_summary counts the others).
-- The lists are built on the lifecycle and RFM segments of the marts
-- customer_ltv and rfm_segmentation, so this is a marts-internal model (it
-- lives with the target marts it feeds, never below them); dbt_project.yml
-- keeps its relation in the intermediate schema, beside the other helpers.
{%- set rates = var("target_response_rates") %}
{%- for campaign_type in ["win_back", "retention", "cross_sell", "loyalty"] %}
{%- if campaign_type not in rates %}
{{- exceptions.raise_compiler_error(
    "var target_response_rates needs a rate for '" ~ campaign_type ~ "'"
) }}
{%- endif %}
{%- endfor %}
with

customer_ltv as (

    select * from {{ ref('customer_ltv') }}

),

rfm_segmentation as (

    select * from {{ ref('rfm_segmentation') }}

),

transactions as (

    select * from {{ ref('fct_transactions') }}

),

categories as (

    -- Catalogue categories of each customer's revenue transactions (the
    -- sales CSV names no product; uncategorized products are not a category).
    select
        customer_id,
        count(distinct category) as categories_bought,
        min(category) as first_category
    from transactions
    where
        is_revenue
        and customer_id is not null
        and category is not null
        and category <> 'uncategorized'
    group by customer_id

),

listed as (

    select
        customer_ltv.*,
        rfm_segmentation.segment as rfm_segment,
        coalesce(categories.categories_bought, 0) as categories_bought,
        case
            when categories.categories_bought = 1
                then categories.first_category
        end as only_category,
        case
            when
                customer_ltv.lifecycle_segment = 'Lost'
                and customer_ltv.ltv_percentile
                >= {{ var("target_win_back_min_ltv_percentile") }}
                then 'win_back'
            when customer_ltv.lifecycle_segment = 'At Risk' then 'retention'
            when
                customer_ltv.lifecycle_segment = 'Regular'
                and categories.categories_bought = 1
                then 'cross_sell'
            when customer_ltv.lifecycle_segment = 'High Value' then 'loyalty'
        end as campaign_type
    from customer_ltv
    left join rfm_segmentation
        on customer_ltv.customer_id = rfm_segmentation.customer_id
    left join categories
        on customer_ltv.customer_id = categories.customer_id

),

valued as (

    select
        *,
        cast(case campaign_type
            when 'win_back' then {{ rates["win_back"] }}
            when 'retention' then {{ rates["retention"] }}
            when 'cross_sell' then {{ rates["cross_sell"] }}
            when 'loyalty' then {{ rates["loyalty"] }}
        end as numeric(18, 4)) as response_rate,
        -- A response is worth the customer's predicted 12-month value, and
        -- at least one more order of their usual size.
        cast(
            case
                when
                    coalesce(predicted_ltv_12m, 0)
                    > coalesce(avg_order_value, 0)
                    then predicted_ltv_12m
                else coalesce(avg_order_value, 0)
            end as numeric(18, 2)
        ) as value_if_responds
    from listed
    where campaign_type is not null

),

final as (

    select
        -- ids
        customer_id,

        -- list
        campaign_type,

        -- value
        cast(
            round(response_rate * value_if_responds, 2) as numeric(18, 2)
        ) as expected_value,
        response_rate,
        value_if_responds,

        -- why
        lifecycle_segment,
        rfm_segment,
        historic_ltv,
        predicted_ltv_12m,
        churn_risk_score,
        days_since_last_purchase,
        categories_bought,
        only_category,

        -- where
        country_code,
        has_marketing_consent
    from valued

)

select * from final
