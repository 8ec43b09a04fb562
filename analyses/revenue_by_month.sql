-- Business question 4: revenue month by month (every order feed).
with

monthly_revenue as (

    select * from {{ ref('monthly_revenue') }}

),

final as (

    select
        month,
        total_revenue,
        total_transactions,
        unique_customers,
        avg_transaction_value
    from monthly_revenue

)

select * from final
order by month asc
