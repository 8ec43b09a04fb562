"""Dashboard page script: Experiments (the page is pages.experiments)."""

from loaders.dashboard.pages import render

render("experiments")
