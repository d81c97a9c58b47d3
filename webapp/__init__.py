"""The Streamlit web app: participant pages (``webapp.participant``) and the
custom components they use (``webapp.components``). ``app.py`` at the
repository root is the entry point."""
