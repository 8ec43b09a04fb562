{#-
    A phone number as entered, in E.164 form ('+' then digits) or null when
    it cannot be made one. Everything but digits is dropped. '+CC...' and
    '00CC...' are international already; any other number is national: its
    trunk zeros are dropped, a North American 11-digit number loses its
    leading '1', and the country calling code is put in front (null when the
    country is unknown). Validate the result with
    `regexp_like(..., '^\+[1-9][0-9]{7,14}$')` (8 to 15 digits, no leading 0).
    Known limit: Italian fixed-line numbers, whose leading 0 belongs to the
    number, lose it.

    Arguments are SQL expressions: the phone as entered and the calling code
    (text, digits only, e.g. '33') of the customer's country.
-#}
{% macro e164_phone(phone, calling_code) -%}
    {%- set digits = "regexp_replace(" ~ phone ~ ", '[^0-9]', '', 'g')" -%}
    case
        when {{ phone }} is null then null
        when trim({{ phone }}) like '+%' then '+' || {{ digits }}
        when {{ digits }} like '00%' then '+' || substr({{ digits }}, 3)
        when {{ calling_code }} is null then null
        when
            {{ calling_code }} = '1'
            and length({{ digits }}) = 11
            and {{ digits }} like '1%'
            then '+' || {{ digits }}
        else '+' || {{ calling_code }} || regexp_replace({{ digits }}, '^0+', '')
    end
{%- endmacro %}
