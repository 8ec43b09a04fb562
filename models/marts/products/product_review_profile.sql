-- One row per product of dim_products: what its valid reviews, complaint
-- tags, return requests, transactions and recent revenue say about it, and
-- the low-rating baseline the statistics step tests it against
-- (marts.product_diagnostics). Rules: _products__docs.md.
{%- set window_days = var("insight_growth_window_days") | int %}
{%- set min_baseline_reviews = var("product_baseline_min_reviews") | int %}
with

products as (

    select * from {{ ref('dim_products') }}

),

reviews as (

    select * from {{ ref('fct_reviews') }}

),

review_tags as (

    select * from {{ ref('fct_review_tags') }}

),

transactions as (

    select * from {{ ref('fct_transactions') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

valid_reviews as (

    select
        review_id,
        product_name,
        rating,
        has_requested_return,
        rating <= 2 as is_low_rating
    from reviews
    where is_valid and product_name is not null

),

review_counts as (

    select
        product_name,
        count(*) as reviews,
        sum(rating) as rating_sum,
        sum(case when is_low_rating then 1 else 0 end) as low_rating_reviews,
        sum(case when has_requested_return then 1 else 0 end)
            as return_requested_reviews
    from valid_reviews
    group by product_name

),

products_with_reviews as (

    select
        products.product_name,
        products.category,
        products.is_catalogue_product,
        coalesce(review_counts.reviews, 0) as reviews,
        coalesce(review_counts.rating_sum, 0) as rating_sum,
        coalesce(review_counts.low_rating_reviews, 0) as low_rating_reviews,
        coalesce(review_counts.return_requested_reviews, 0)
            as return_requested_reviews
    from products
    left join review_counts
        on products.product_name = review_counts.product_name

),

category_counts as (

    select
        category,
        sum(reviews) as reviews,
        sum(low_rating_reviews) as low_rating_reviews
    from products_with_reviews
    group by category

),

overall_counts as (

    select
        sum(reviews) as reviews,
        sum(low_rating_reviews) as low_rating_reviews
    from products_with_reviews

),

-- the other products' reviews: of the category when they are enough,
-- otherwise of every other product
baselines as (

    select
        products_with_reviews.product_name,
        case
            when
                category_counts.reviews - products_with_reviews.reviews
                >= {{ min_baseline_reviews }}
                then 'category'
            else 'overall'
        end as baseline_scope,
        category_counts.reviews - products_with_reviews.reviews
            as category_other_reviews,
        category_counts.low_rating_reviews
        - products_with_reviews.low_rating_reviews
            as category_other_low_rating_reviews,
        overall_counts.reviews - products_with_reviews.reviews
            as overall_other_reviews,
        overall_counts.low_rating_reviews
        - products_with_reviews.low_rating_reviews
            as overall_other_low_rating_reviews
    from products_with_reviews
    inner join category_counts
        on products_with_reviews.category = category_counts.category
    cross join overall_counts

),

complaint_tags as (

    select
        valid_reviews.product_name,
        review_tags.tag,
        count(distinct valid_reviews.review_id) as tagged_reviews
    from review_tags
    inner join valid_reviews
        on review_tags.review_id = valid_reviews.review_id
    where valid_reviews.is_low_rating
    group by valid_reviews.product_name, review_tags.tag

),

ranked_complaint_tags as (

    select
        complaint_tags.product_name,
        complaint_tags.tag,
        {{ safe_divide(
            'complaint_tags.tagged_reviews',
            'products_with_reviews.low_rating_reviews',
            4
        ) }} as tag_share,
        row_number() over (
            partition by complaint_tags.product_name
            order by
                complaint_tags.tagged_reviews desc, complaint_tags.tag asc
        ) as tag_rank
    from complaint_tags
    inner join products_with_reviews
        on complaint_tags.product_name = products_with_reviews.product_name

),

labelled_complaint_tags as (

    select
        product_name,
        tag,
        tag_share,
        tag_rank,
        tag || ':' || cast(cast(tag_share as numeric(18, 2)) as text)
            as tag_label
    from ranked_complaint_tags
    where tag_rank <= 3

),

top_complaint_tags as (

    select
        product_name,
        max(case when tag_rank = 1 then tag end) as top_complaint_tag,
        max(case when tag_rank = 1 then tag_share end)
            as top_complaint_tag_share,
        concat_ws(
            ', ',
            max(case when tag_rank = 1 then tag_label end),
            max(case when tag_rank = 2 then tag_label end),
            max(case when tag_rank = 3 then tag_label end)
        ) as top_complaint_tags
    from labelled_complaint_tags
    group by product_name

),

transaction_counts as (

    select
        product_name,
        count(*) as total_transactions,
        sum(case when status = 'refunded' then 1 else 0 end)
            as refunded_transactions
    from transactions
    where is_valid and product_name is not null
    group by product_name

),

windowed_revenue as (

    {{ product_revenue_windows('transactions', 'as_of', window_days) }}

),

final as (

    select
        -- product
        products_with_reviews.product_name,
        products_with_reviews.category,
        products_with_reviews.is_catalogue_product,

        -- reviews
        products_with_reviews.reviews,
        {{ safe_divide(
            'products_with_reviews.rating_sum',
            'products_with_reviews.reviews',
            2
        ) }} as average_rating,
        products_with_reviews.low_rating_reviews,
        {{ safe_divide(
            'products_with_reviews.low_rating_reviews',
            'products_with_reviews.reviews',
            4
        ) }} as low_rating_share,

        -- complaints
        top_complaint_tags.top_complaint_tag,
        cast(top_complaint_tags.top_complaint_tag_share as numeric(18, 4))
            as top_complaint_tag_share,
        nullif(top_complaint_tags.top_complaint_tags, '')
            as top_complaint_tags,
        products_with_reviews.return_requested_reviews,
        {{ safe_divide(
            'products_with_reviews.return_requested_reviews',
            'products_with_reviews.reviews',
            4
        ) }} as return_request_rate,

        -- transactions
        coalesce(transaction_counts.total_transactions, 0)
            as total_transactions,
        coalesce(transaction_counts.refunded_transactions, 0)
            as refunded_transactions,
        {{ safe_divide(
            'transaction_counts.refunded_transactions',
            'transaction_counts.total_transactions',
            4
        ) }} as refund_rate,

        -- revenue trend
        cast(coalesce(windowed_revenue.recent_revenue, 0) as numeric(18, 2))
            as recent_revenue,
        cast(coalesce(windowed_revenue.previous_revenue, 0) as numeric(18, 2))
            as previous_revenue,
        {{ safe_divide(
            'windowed_revenue.recent_revenue - windowed_revenue.previous_revenue',
            'windowed_revenue.previous_revenue',
            4
        ) }} as revenue_growth,

        -- baseline of the low-rating test
        baselines.baseline_scope,
        case
            when baselines.baseline_scope = 'category'
                then baselines.category_other_reviews
            else baselines.overall_other_reviews
        end as baseline_reviews,
        case
            when baselines.baseline_scope = 'category'
                then baselines.category_other_low_rating_reviews
            else baselines.overall_other_low_rating_reviews
        end as baseline_low_rating_reviews,
        case
            when baselines.baseline_scope = 'category'
                then {{ safe_divide(
                    'baselines.category_other_low_rating_reviews',
                    'baselines.category_other_reviews',
                    4
                ) }}
            else {{ safe_divide(
                'baselines.overall_other_low_rating_reviews',
                'baselines.overall_other_reviews',
                4
            ) }}
        end as baseline_low_rating_share
    from products_with_reviews
    inner join baselines
        on products_with_reviews.product_name = baselines.product_name
    left join top_complaint_tags
        on products_with_reviews.product_name = top_complaint_tags.product_name
    left join transaction_counts
        on products_with_reviews.product_name = transaction_counts.product_name
    left join windowed_revenue
        on products_with_reviews.product_name = windowed_revenue.product_name

)

select * from final
