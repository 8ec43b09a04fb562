"""Dashboard page script: Overview (the page is pages.overview)."""

from analytics.dashboard.pages import render

render("overview")
