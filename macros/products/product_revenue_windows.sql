{#-
    Each product's revenue transactions in two windows of `window_days`
    before the as-of date: the recent one (the last `window_days` days before
    it) and the one before, as `recent_revenue` / `recent_orders` and
    `previous_revenue` / `previous_orders`. The as-of day itself and older
    transactions do not count. `transactions` is a CTE over fct_transactions,
    `as_of` one over int_as_of_date. Read by product_review_profile and the
    product-growth insights, so both compare the same windows.
-#}
{% macro product_revenue_windows(transactions, as_of, window_days) -%}
    select
        {{ transactions }}.product_name,
        sum(
            case
                when {{ transactions }}.transaction_date >= windows.recent_start_date
                    then {{ transactions }}.total_amount
                else 0
            end
        ) as recent_revenue,
        count(
            case
                when {{ transactions }}.transaction_date >= windows.recent_start_date
                    then 1
            end
        ) as recent_orders,
        sum(
            case
                when {{ transactions }}.transaction_date < windows.recent_start_date
                    then {{ transactions }}.total_amount
                else 0
            end
        ) as previous_revenue,
        count(
            case
                when {{ transactions }}.transaction_date < windows.recent_start_date
                    then 1
            end
        ) as previous_orders
    from {{ transactions }}
    cross join (
        select
            as_of_date,
            cast(
                {{ dbt.dateadd("day", -window_days, "as_of_date") }} as date
            ) as recent_start_date,
            cast(
                {{ dbt.dateadd("day", -2 * window_days, "as_of_date") }} as date
            ) as previous_start_date
        from {{ as_of }}
    ) as windows
    where
        {{ transactions }}.is_revenue
        and {{ transactions }}.product_name is not null
        and {{ transactions }}.transaction_date < windows.as_of_date
        and {{ transactions }}.transaction_date >= windows.previous_start_date
    group by {{ transactions }}.product_name
{%- endmacro %}
