"""Interpretation on top of the qmethod engine: calibrated viewpoint matching
(:mod:`analysis.viewpoints`), the platform's Plotly figures
(:mod:`analysis.figures`) and the command line ``python -m analysis``."""
