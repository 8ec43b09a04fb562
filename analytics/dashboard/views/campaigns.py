"""Dashboard page script: Campaigns (the page is pages.campaigns)."""

from analytics.dashboard.pages import render

render("campaigns")
