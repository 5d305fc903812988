"""Renderers: an answer of the API as HTML, RDF or tabular text (kept apart from routes)."""
