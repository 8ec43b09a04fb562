"""Dashboard page script: Social to sales (the page is pages.social)."""

from loaders.dashboard.pages import render

render("social")
