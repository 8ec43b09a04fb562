-- One row per Shopify order (its latest export, see base_shopify__order_rows):
-- the order-level fields of its first line. Revenue is Subtotal + Shipping
-- (Subtotal is after discounts; taxes are not revenue). The customer is a
-- pseudonymous id derived from the normalised email, never the email.
-- A table, not a view: a view would keep the PII hash salt in its
-- definition, readable in the catalogue by anyone who can read the schema.
{{ config(materialized='table') }}

with

order_rows as (

    select * from {{ ref('base_shopify__order_rows') }}

),

countries as (

    select * from {{ ref('stg_reference__country_aliases') }}

),

as_of as (

    {{ as_of_date() }}

),

first_lines as (

    select *
    from order_rows
    where line_number = 1

),

canonicalised as (

    select
        first_lines.*,
        countries.country_code as billing_country_code,
        countries.country_name as billing_country_name,
        coalesce(
            {{ is_email_well_formed('first_lines.email_normalised') }}, false
        ) as has_valid_email,
        case
            when
                first_lines.cancelled_at is not null
                or first_lines.financial_status = 'voided'
                then 'cancelled'
            when first_lines.financial_status = 'refunded' then 'refunded'
            else 'completed'
        end as status,
        cast(
            first_lines.subtotal + coalesce(first_lines.shipping, 0)
            as numeric(18, 2)
        ) as total_amount,
        {{ utc_date('first_lines.created_at') }} as order_date
    from first_lines
    left join countries
        on
            lower(first_lines.billing_country_as_entered)
            = countries.country_lookup_key

),

validated as (

    select
        canonicalised.*,
        {{ dq_issues([
            ("missing_customer_id", "canonicalised.email_normalised is null"),
            ("invalid_email", "canonicalised.email_normalised is not null and not canonicalised.has_valid_email"),
            ("missing_amount", "canonicalised.subtotal is null"),
            ("negative_amount", "canonicalised.subtotal < 0 or canonicalised.shipping < 0"),
            ("unknown_financial_status", "canonicalised.financial_status not in ('paid', 'pending', 'authorized', 'partially_paid', 'refunded', 'partially_refunded', 'voided', 'expired')"),
            ("unknown_country", "canonicalised.billing_country_as_entered is not null and canonicalised.billing_country_code is null"),
            ("missing_timestamp", "canonicalised.created_at is null"),
            ("future_timestamp", "canonicalised.order_date > as_of.as_of_date"),
        ]) }} as dq_issues,
        canonicalised.order_date is not null
        and coalesce(canonicalised.order_date <= as_of.as_of_date, true)
            as is_in_the_past
    from canonicalised
    cross join as_of

),

final as (

    select
        -- ids
        order_name,
        shopify_order_id,
        case
            when email_normalised is not null
                then {{ dbt.concat([
                    "'shopify-'",
                    dbt.right(hash_pii('email_normalised'), 20),
                ]) }}
        end as customer_id,

        -- customer, pseudonymised
        case
            when has_valid_email then {{ hash_pii('email_normalised') }}
        end as email_hash,
        case
            when has_valid_email then split_part(email_normalised, '@', 2)
        end as email_domain,
        email_normalised is not null as has_email,
        has_valid_email,
        accepts_marketing,
        billing_country_code,
        billing_country_name,

        -- order
        financial_status,
        fulfillment_status,
        status,
        currency,
        discount_code,
        payment_method,
        order_channel,
        order_lines as line_count,

        -- money
        subtotal,
        shipping,
        taxes,
        total,
        discount_amount,
        refunded_amount,
        total_amount,

        -- timestamps
        created_at as order_at,
        order_date,
        paid_at,
        cancelled_at,

        -- quality
        dq_issues is null as is_valid,
        dq_issues,
        status = 'completed'
        and coalesce(subtotal >= 0, false)
        and coalesce(shipping >= 0, true)
        and is_in_the_past as is_revenue,
        coalesce(total_amount = 0, false) as is_zero_value,

        -- lineage
        duplicate_amount
    from validated

)

select * from final
