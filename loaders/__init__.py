"""Ingestion for the marketing-analytics warehouse.

Reads CSV, JSON-lines and MongoDB exports, types every value against the raw
contract (:mod:`loaders.contract`) and lands them with dlt in the ``raw``
dataset of DuckDB or PostgreSQL. ``python -m analytics --help`` lists the
commands.
"""
