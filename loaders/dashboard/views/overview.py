"""Dashboard page script: Overview (the page is pages.overview)."""

from loaders.dashboard.pages import render

render("overview")
