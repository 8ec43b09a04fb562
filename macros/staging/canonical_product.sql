{#-
    The rows of `relation` (a CTE with `product_as_entered`) with the
    catalogue's name of their product: matched on the lookup key of the
    product reference (`products`, a CTE over stg_reference__products), the
    name as entered when the catalogue does not know it, and
    `is_catalogue_product` saying which. `extra_columns` are further
    expressions over both (the catalogue's category, for example).
-#}
{% macro canonical_product(relation, products="products", extra_columns=[]) -%}
    select
        {{ relation }}.*,
        coalesce({{ products }}.product_name, {{ relation }}.product_as_entered)
            as product_name,
        {{ products }}.product_name is not null as is_catalogue_product
        {%- for column in extra_columns %},
        {{ column }}
        {%- endfor %}
    from {{ relation }}
    left join {{ products }}
        on lower({{ relation }}.product_as_entered)
        = {{ products }}.product_lookup_key
{%- endmacro %}
