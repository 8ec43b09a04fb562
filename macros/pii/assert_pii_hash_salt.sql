{#-
    on-run-start hook: stops `dbt build`, `dbt run` (and every other command
    that runs hooks) before any model is built when no salt is configured
    (see pii_hash_salt: var, env MARKETING_HASH_SALT, the .hash_salt file),
    rather than publishing guessable hashes. `dbt docs generate` is let
    through: it reads the catalogue and computes no hash. Returns a no-op
    statement otherwise.
-#}
{% macro assert_pii_hash_salt() -%}
    {%- if
        execute
        and flags.WHICH != "generate"
        and pii_hash_salt() == ""
    -%}
        {{ exceptions.raise_compiler_error(
            "The PII hash salt is empty: run `make setup` in the project "
            ~ "folder (it writes a random salt to .hash_salt, which dbt reads "
            ~ "on DuckDB), or set the environment variable MARKETING_HASH_SALT "
            ~ "(needed on PostgreSQL), or pass --vars '{pii_hash_salt: ...}'. "
            ~ "Emails and phones are only ever stored as salted hashes."
        ) }}
    {%- endif -%}
    select 1 as pii_hash_salt_is_set
{%- endmacro %}
