-- One row per country of the Mongo customers (customers whose country is
-- unknown form the row with a null country).
with

customers as (

    select * from {{ ref('dim_customers') }}

),

order_summary as (

    select * from {{ ref('int_customer_order_summary') }}

),

customers_with_revenue as (

    select
        customers.customer_id,
        customers.country_code,
        customers.country_name,
        customers.has_marketing_consent,
        coalesce(order_summary.revenue, 0) as revenue,
        order_summary.customer_id is not null as is_paying_customer
    from customers
    left join order_summary
        on customers.customer_id = order_summary.customer_id

),

aggregated as (

    select
        country_code,
        country_name,
        count(*) as total_customers,
        count(case when is_paying_customer then 1 end) as paying_customers,
        count(case when has_marketing_consent then 1 end)
            as consenting_customers,
        sum(revenue) as total_revenue
    from customers_with_revenue
    group by country_code, country_name

),

final as (

    select
        -- country
        country_name as country,
        country_code,

        -- customers
        total_customers,
        paying_customers,
        consenting_customers,

        -- revenue
        cast(total_revenue as numeric(18, 2)) as total_revenue,
        {{ safe_divide('total_revenue', 'total_customers', 2) }}
            as avg_customer_value,

        -- marketing
        {{ safe_divide('consenting_customers * 100', 'total_customers', 2) }}
            as marketing_consent_rate
    from aggregated

)

select * from final
