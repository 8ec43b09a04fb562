-- One row per line item of a Shopify order, with its share of the order's
-- revenue (Subtotal + Shipping) in proportion to the line's price x quantity
-- (equal shares when the order has no priced line), to the cent, the last
-- line taking the remainder: the lines of an order add up exactly to its
-- revenue, as a transaction's product carries the whole transaction.
with

lines as (

    select * from {{ ref('int_shopify__order_lines_validated') }}

),

orders as (

    select * from {{ ref('fct_shopify_orders') }}

),

products as (

    select * from {{ ref('stg_reference__products') }}

),

-- In whole cents, so that both engines split alike (floor division).
weighted as (

    select
        lines.*,
        orders.customer_id,
        orders.order_date,
        orders.is_revenue,
        cast(orders.total_amount * 100 as bigint) as order_total_cents,
        cast(coalesce(lines.gross_amount, 0) * 100 as bigint) as gross_cents,
        sum(cast(coalesce(lines.gross_amount, 0) * 100 as bigint)) over (
            partition by lines.order_name
        ) as order_gross_cents,
        count(*) over (partition by lines.order_name) as order_line_count,
        row_number() over (
            partition by lines.order_name
            order by lines.line_number desc
        ) as line_rank_from_last
    from lines
    inner join orders
        on lines.order_name = orders.order_id

),

shared as (

    select
        *,
        case
            when order_gross_cents > 0
                then {{ integer_divide(
                    'order_total_cents * gross_cents', 'order_gross_cents'
                ) }}
            else {{ integer_divide('order_total_cents', 'order_line_count') }}
        end as share_cents
    from weighted

),

allocated as (

    select
        *,
        case
            when line_rank_from_last = 1
                then
                    order_total_cents
                    - (
                        sum(share_cents) over (partition by order_name)
                        - share_cents
                    )
            else share_cents
        end as total_cents
    from shared

),

final as (

    select
        -- ids
        allocated.order_line_key,
        allocated.order_name as order_id,
        allocated.line_number,
        allocated.customer_id,

        -- product
        allocated.product_name,
        coalesce(
            products.category,
            case
                when allocated.product_name is not null
                    then 'uncategorized'
            end
        ) as category,
        allocated.quantity,

        -- money
        allocated.unit_price,
        allocated.gross_amount,
        cast(
            cast(allocated.total_cents as numeric(18, 2)) * 0.01
            as numeric(18, 2)
        ) as total_amount,
        allocated.is_revenue,

        -- dates
        allocated.order_date,

        -- quality
        allocated.is_valid,
        allocated.dq_issues
    from allocated
    left join products
        on allocated.product_name = products.product_name

)

select * from final
