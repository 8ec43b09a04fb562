"""Everything that reads the warehouse after ingestion (:mod:`loaders`) has loaded it.

The sample-data generator, the statistics step, reporting, the dashboard, the exports
and the benchmark, on one warehouse-access module. ``python -m analytics --help`` lists
the commands.
"""
