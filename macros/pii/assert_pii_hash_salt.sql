{#-
    on-run-start hook: stops `dbt build`, `dbt run` (and every other command
    that runs hooks) before any model is built when no salt is configured,
    rather than publishing guessable hashes. `dbt docs generate` is let
    through: it reads the catalogue and computes no hash. Returns a no-op
    statement otherwise.
-#}
{% macro assert_pii_hash_salt() -%}
    {%- if
        execute
        and flags.WHICH != "generate"
        and (var("pii_hash_salt", "") | string | trim) == ""
    -%}
        {{ exceptions.raise_compiler_error(
            "The PII hash salt is empty: set the environment variable "
            ~ "MARKETING_HASH_SALT (the Makefile does) or pass "
            ~ "--vars '{pii_hash_salt: ...}'. Emails and phones are only "
            ~ "ever stored as salted hashes."
        ) }}
    {%- endif -%}
    select 1 as pii_hash_salt_is_set
{%- endmacro %}
