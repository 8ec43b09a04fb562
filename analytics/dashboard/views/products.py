"""Dashboard page script: Products (the page is pages.products)."""

from analytics.dashboard.pages import render

render("products")
