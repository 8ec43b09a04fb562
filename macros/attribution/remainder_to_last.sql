{#-
    attribution_touchpoints' exact split: every touchpoint but the last of a
    conversion keeps its rounded `part`; the last (touchpoint_position =
    touchpoint_count) takes `total` minus the others' parts, so the parts of
    a conversion (conversion_key) add up exactly to `total`. Both as
    `data_type`.
-#}
{% macro remainder_to_last(total, part, data_type) -%}
    case
        when touchpoint_position = touchpoint_count
            then
                cast(
                    {{ total }} - sum(
                        case
                            when touchpoint_position < touchpoint_count
                                then {{ part }}
                            else 0
                        end
                    ) over (partition by conversion_key)
                    as {{ data_type }}
                )
        else cast({{ part }} as {{ data_type }})
    end
{%- endmacro %}
