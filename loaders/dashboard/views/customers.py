"""Dashboard page script: Customers (the page is pages.customers)."""

from loaders.dashboard.pages import render

render("customers")
