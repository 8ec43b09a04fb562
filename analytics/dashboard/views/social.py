"""Dashboard page script: Social to sales (the page is pages.social)."""

from analytics.dashboard.pages import render

render("social")
