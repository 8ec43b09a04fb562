-- Business question 5: which country brings the most revenue (customers of
-- the MongoDB export, every order feed's orders)?
with

country_statistics as (

    select * from {{ ref('country_statistics') }}

),

final as (

    select
        country,
        country_code,
        total_customers,
        total_revenue,
        avg_customer_value,
        marketing_consent_rate
    from country_statistics
    where country is not null
    order by total_revenue desc, country asc
    limit 1

)

select * from final
