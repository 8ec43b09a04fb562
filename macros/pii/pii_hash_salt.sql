{#-
    The salt for hashing personal data, in this order:

    1. the project var `pii_hash_salt` when it is not blank: `--vars
       '{pii_hash_salt: ...}'`, else the environment variable
       MARKETING_HASH_SALT (dbt_project.yml reads it; the Makefile, CI and
       the tests set it);
    2. else the file `.hash_salt` in the project folder, the random salt
       `make setup` writes once per checkout (gitignored, never committed),
       read through the adapter: on DuckDB with `read_text`, so that a plain
       `dbt build` in the project folder hashes exactly as `make run` does.
       PostgreSQL cannot read a file of the machine dbt runs on: there the
       salt comes from 1.

    Empty when there is none: the on-run-start hook assert_pii_hash_salt
    then stops the command before any model is built. While dbt parses
    (`execute` false) the file is not read and nothing is hashed.
-#}
{% macro pii_hash_salt() -%}
    {%- set configured = var("pii_hash_salt", "") | string | trim -%}
    {%- if configured != "" or not execute -%}
        {{ return(configured) }}
    {%- endif -%}
    {%- set salt_file = adapter.config.project_root ~ "/.hash_salt" -%}
    {{ return(adapter.dispatch("pii_hash_salt_from_file", "marketing_analytics")(salt_file)) }}
{%- endmacro %}

{% macro default__pii_hash_salt_from_file(salt_file) -%}
    {{ return("") }}
{%- endmacro %}

{% macro duckdb__pii_hash_salt_from_file(salt_file) -%}
    {%- set path = dbt.string_literal(dbt.escape_single_quotes(salt_file)) -%}
    {%- set found = run_query("select count(*) from glob(" ~ path ~ ")") -%}
    {%- if found.columns[0].values()[0] == 0 -%}
        {{ return("") }}
    {%- endif -%}
    {%- set read = run_query("select content from read_text(" ~ path ~ ")") -%}
    {{ return(read.columns[0].values()[0] | string | trim) }}
{%- endmacro %}
