"""Pages that show analysis results (the demo preview for now)."""
