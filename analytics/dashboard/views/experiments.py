"""Dashboard page script: Experiments (the page is pages.experiments)."""

from analytics.dashboard.pages import render

render("experiments")
