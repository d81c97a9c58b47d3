"""Streamlit custom components (v2, plain HTML/CSS/JS, no build step)."""
