"""Loaders: read documents into tables and text, recognise them, and emit records.

Flow inside a load: ``readers`` (one per format) → ``blocks`` (tables and paragraphs in
reading order) → ``recognise`` (table kind by title and header aliases) → per-kind
extractors → ``ontology.records``.  Nothing in this package knows about stores.
"""
