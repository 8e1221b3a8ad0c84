"""Renderers: the same result as a terminal report (rich) or as JSON."""
