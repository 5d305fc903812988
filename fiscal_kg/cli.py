"""The fiscal-kg command line (see README)."""

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False)
