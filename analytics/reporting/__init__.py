"""Reporting: the business questions, the text report and the static HTML report."""
