with

marketplace_sales as (

    select * from {{ ref('int_market__marketplace_sales_validated') }}

),

final as (

    select
        -- keys
        sale_date,
        marketplace,
        product_name,

        -- descriptions
        category,

        -- measures
        units_sold,
        revenue,

        -- quality
        is_valid,
        dq_issues
    from marketplace_sales

)

select * from final
