"""``python -m fiscal_kg`` runs the command line."""

from fiscal_kg.cli import app

app()
