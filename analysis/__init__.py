"""Interpretation on top of the qmethod engine: perspectives, plots, reports."""
