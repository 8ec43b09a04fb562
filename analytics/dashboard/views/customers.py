"""Dashboard page script: Customers (the page is pages.customers)."""

from analytics.dashboard.pages import render

render("customers")
