{#-
    A raw record's amount as the loader's ledger counts it (contract
    `amount_terms`, raw._loaded_files.amount_read): the sum of the terms, a
    leading `-` subtracting the column, a missing term counting 0, each term
    in whole cents (to_money) as the loader counts it; null when every term is
    missing. Staging uses it to state the amount of what it
    removes as duplicates, so that revenue reconciles from the files to the
    marts (data_quality_summary).
-#}
{% macro ledger_amount(terms) -%}
    case
        when
        {%- for term in terms %}
            {{ term | replace('-', '') }} is not null{{ " or" if not loop.last }}
        {%- endfor %}
            then
            {%- for term in terms %}
                {{ "- " if term.startswith('-') else ("+ " if not loop.first) }}coalesce({{ to_money(term | replace('-', '')) }}, 0)
            {%- endfor %}
    end
{%- endmacro %}
