{#-
    A text with every email- and phone-shaped part replaced by `<email>` or
    `<phone>`, the rest unchanged, so that a rejected record still shows why
    it was rejected without showing whom it is about. Null stays null.

    In this order:
    - the value of a JSON key naming an email or a phone (`"email"`,
      `"Phone"`, `"billing_phone"`, `"mobile"`, ...), whatever it looks like,
      also when the record is cut off in the middle of it;
    - anything around an `@` (`name@example.com`, `name@`, `a@@b`);
    - `+` and 8 to 15 digits with spaces, dots, dashes or parentheses
      (`+33 6 12 34 56 78`, `+1 (212) 555-0100`, `+33612345678`);
    - 9 to 15 digits in groups separated by spaces or dashes, the first of 2
      to 5 digits or in parentheses (`06 12 34 56 78`, `(212) 555-0100`,
      `090-1234-5678`, `0033 6 12 34 56 78`), not inside a word, an id or a
      time: ISO dates (8 digits), `2025-03-30 07:06:21`, UUIDs and ids like
      `TX-00000894` stay.
    Phones next to each other (CSV columns) are each masked whole.

    Regular expressions of the subset DuckDB (RE2) and PostgreSQL share
    (no look-around, no backslash classes); other engines override the
    dispatched macro.

    Argument: the SQL expression of the text.
-#}
{% macro mask_contact_details(text) -%}
    {{ return(adapter.dispatch("mask_contact_details", "marketing_analytics")(text)) }}
{%- endmacro %}

{% macro default__mask_contact_details(text) -%}
    {#- A JSON value: a string (possibly cut off) or anything up to , or }. -#}
    {%- set json_value = '("[^"]*"?|[^",}][^,}]*)' -%}
    {%- set email_key = '("[A-Za-z_]*[Ee][-_]?[Mm][Aa][Ii][Ll][A-Za-z_]*" *: *)' -%}
    {%- set phone_key =
        '("[A-Za-z_]*([Pp][Hh][Oo][Nn][Ee]|[Mm][Oo][Bb][Ii][Ll][Ee])[A-Za-z_]*" *: *)'
    -%}
    {%- set email = "[A-Za-z0-9._%+-]*@[A-Za-z0-9._%+@-]*" -%}
    {%- set international_phone = "[+][1-9](?:[ ().-]{0,2}[0-9]){7,14}" -%}
    {#- n digits, a separator, then 9 - n to 15 - n digits: 9 to 15 in all;
        or the first group in parentheses. -#}
    {%- set grouped = [] -%}
    {%- for n in range(2, 6) -%}
        {%- do grouped.append(
            "[0-9]{" ~ n ~ "}[ -](?:[ -]?[0-9]){" ~ (9 - n) ~ "," ~ (15 - n) ~ "}"
        ) -%}
    {%- endfor -%}
    {%- set international_by_00 = "00[1-9][0-9]{0,3}[ -](?:[ -]?[0-9]){6,13}" -%}
    {%- set parenthesised = [] -%}
    {%- for n in range(2, 4) -%}
        {%- do parenthesised.append(
            "[(][0-9]{" ~ n ~ "}[)] ?(?:[ -]?[0-9]){" ~ (9 - n) ~ "," ~ (15 - n) ~ "}"
        ) -%}
    {%- endfor -%}
    {#- Not preceded by a letter, digit or . : / + - < and not followed by a
        letter, digit or ':'; both characters are put back. -#}
    {%- set before = "(^|[^0-9A-Za-z_.:/+<-])(?:" -%}
    {%- set after = ")([^0-9A-Za-z_:]|$)" -%}
    {%- set masked = text -%}
    {%- set masked = "regexp_replace(" ~ masked ~ ", '" ~ email_key ~ json_value
        ~ "', '\\1\"<email>\"', 'g')" -%}
    {%- set masked = "regexp_replace(" ~ masked ~ ", '" ~ phone_key ~ json_value
        ~ "', '\\1\"<phone>\"', 'g')" -%}
    {%- set masked = "regexp_replace(" ~ masked ~ ", '" ~ email ~ "', '<email>', 'g')" -%}
    {%- set masked = "regexp_replace(" ~ masked ~ ", '" ~ international_phone
        ~ "', '<phone>', 'g')" -%}
    {#- Each twice: a match takes the character after it, which may be the one
        before the next. Parentheses and 00 first, so that '(11) 91234-5678'
        and '001 212 555 0100' are never taken for the groups after them. -#}
    {%- set parenthesised_phone = before ~ parenthesised | join("|") ~ after -%}
    {%- set phone_by_00 = before ~ international_by_00 ~ after -%}
    {%- set grouped_phone = before ~ grouped | join("|") ~ after -%}
    {%- set masked = "regexp_replace(" ~ masked ~ ", '" ~ parenthesised_phone
        ~ "', '\\1<phone>\\2', 'g')" -%}
    {%- set masked = "regexp_replace(" ~ masked ~ ", '" ~ parenthesised_phone
        ~ "', '\\1<phone>\\2', 'g')" -%}
    {%- set masked = "regexp_replace(" ~ masked ~ ", '" ~ phone_by_00
        ~ "', '\\1<phone>\\2', 'g')" -%}
    {%- set masked = "regexp_replace(" ~ masked ~ ", '" ~ phone_by_00
        ~ "', '\\1<phone>\\2', 'g')" -%}
    {%- set masked = "regexp_replace(" ~ masked ~ ", '" ~ grouped_phone
        ~ "', '\\1<phone>\\2', 'g')" -%}
    {%- set masked = "regexp_replace(" ~ masked ~ ", '" ~ grouped_phone
        ~ "', '\\1<phone>\\2', 'g')" -%}
    {{ masked }}
{%- endmacro %}
