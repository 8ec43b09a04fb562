"""Dashboard page script: Campaigns (the page is pages.campaigns)."""

from loaders.dashboard.pages import render

render("campaigns")
