"""Dashboard page script: Products (the page is pages.products)."""

from loaders.dashboard.pages import render

render("products")
