{#-
    Pseudonymises a personal value (an already normalised email or phone):
    the lowercase hex digest of the salt followed by the value,
    `<algorithm>(salt || value)`. Null stays null.

    The salt is the macro pii_hash_salt(): var `pii_hash_salt` (env
    MARKETING_HASH_SALT), else the project's `.hash_salt` file; the algorithm
    the var `pii_hash_algorithm`: sha256 (64 hex characters,
    the default) or md5 (32, the legacy pipeline's digests).

    `dbt compile` and `dbt docs generate` render the placeholder
    '<pii_hash_salt>' instead of the salt, so that the compiled code shown
    by the docs site (target/manifest.json) never publishes it.
-#}
{% macro hash_pii(expression) -%}
    {%- set algorithm = var("pii_hash_algorithm", "sha256") | lower -%}
    {%- if algorithm not in ["sha256", "md5"] -%}
        {{ exceptions.raise_compiler_error(
            "var pii_hash_algorithm must be sha256 or md5, not '" ~ algorithm ~ "'"
        ) }}
    {%- endif -%}
    {%- if flags.WHICH in ["compile", "generate"] -%}
        {%- set salt = dbt.string_literal("<pii_hash_salt>") -%}
    {%- else -%}
        {%- set salt = dbt.string_literal(dbt.escape_single_quotes(pii_hash_salt())) -%}
    {%- endif -%}
    {{ return(adapter.dispatch("hash_pii", "marketing_analytics")(expression, salt, algorithm)) }}
{%- endmacro %}

{% macro default__hash_pii(expression, salt, algorithm) -%}
    {%- if algorithm == "md5" -%}
        md5({{ salt }} || {{ expression }})
    {%- else -%}
        encode(sha256(convert_to({{ salt }} || {{ expression }}, 'UTF8')), 'hex')
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__hash_pii(expression, salt, algorithm) -%}
    {{ algorithm }}({{ salt }} || {{ expression }})
{%- endmacro %}
