-- customer_ltv, rfm_segmentation and customer_metrics describe the same
-- customers with the same figures: same customers, orders, revenue, first
-- and last purchase dates, and days since the last purchase. Returns the
-- customers on which they disagree.
with

ltv as (

    select * from {{ ref('customer_ltv') }}

),

rfm as (

    select * from {{ ref('rfm_segmentation') }}

),

metrics as (

    select * from {{ ref('customer_metrics') }}

),

compared as (

    select
        coalesce(ltv.customer_id, rfm.customer_id, metrics.customer_id)
            as customer_id,
        ltv.customer_id is null as is_missing_in_ltv,
        rfm.customer_id is null as is_missing_in_rfm,
        metrics.customer_id is null as is_missing_in_metrics,
        ltv.total_orders,
        rfm.frequency as rfm_frequency,
        metrics.total_transactions,
        ltv.historic_ltv,
        rfm.monetary,
        metrics.total_spent,
        ltv.first_purchase_date,
        rfm.first_order_date,
        ltv.last_purchase_date,
        rfm.last_order_date,
        ltv.days_since_last_purchase,
        rfm.recency_days,
        ltv.has_known_customer,
        rfm.has_known_customer as rfm_has_known_customer
    from ltv
    full outer join rfm
        on ltv.customer_id = rfm.customer_id
    full outer join metrics
        on coalesce(ltv.customer_id, rfm.customer_id) = metrics.customer_id

)

select * from compared
where
    is_missing_in_ltv
    or is_missing_in_rfm
    or is_missing_in_metrics
    or total_orders <> rfm_frequency
    or total_orders <> total_transactions
    or historic_ltv <> monetary
    or historic_ltv <> total_spent
    or first_purchase_date <> first_order_date
    or last_purchase_date <> last_order_date
    or days_since_last_purchase <> recency_days
    or has_known_customer <> rfm_has_known_customer
