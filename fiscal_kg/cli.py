"""The fiscal-kg command line.

Every command is one function decorated with ``@app.command()``; it reads the resolved
settings (data directory, query timeout) with ``settings_of(ctx)``.  Commands whose work
lives in another module import it inside the function, so one broken area cannot stop the
others from starting.

``--json`` always means: a JSON document on stdout and nothing else (progress and
messages go to stderr).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from fiscal_kg import config, report

SUPPORTED_SUFFIXES = (".txt", ".pdf", ".docx", ".xlsx")
WRITE_BATCH = 20  # documents per store transaction

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Load Chinese budget and final-account disclosures into a knowledge "
                       "graph and query it.")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout and nothing else.")]
ParamOption = Annotated[list[str] | None, typer.Option(
    "-p", "--param", help="Query parameter (repeatable): k=v passes the text v, k:=v passes "
                          "v read as JSON (-p code=201 -p limit:=10 -p 'years:=[2023,2024]').")]


@app.callback()
def main(ctx: typer.Context,
         data: Annotated[Path | None, typer.Option(
             "--data", metavar="DIR", help="Data directory (default ./data, or "
                                           f"${config.DATA_ENV}).")] = None) -> None:
    """fiscal-kg: budget disclosures as a knowledge graph."""
    ctx.obj = config.settings(data)


def settings_of(ctx: typer.Context) -> config.Settings:
    """The settings resolved by the top-level options (for commands in any module)."""
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, config.Settings) else config.settings()


# ------------------------------------------------------------------------------------------
# load
# ------------------------------------------------------------------------------------------


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[report.DocumentReport]]:
    """Supported files under ``paths`` (folders recursively, sorted); bad paths as failures.

    A file named explicitly with an unsupported suffix is a failure; inside a folder such
    files (README, images) are skipped, as are hidden files.
    """
    files: list[Path] = []
    bad: list[report.DocumentReport] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(path)
            else:
                bad.append(report.failed(path, f"{path.name}: unsupported file type "
                                               f"(supported: {' '.join(SUPPORTED_SUFFIXES)})"))
        else:
            bad.append(report.failed(path, f"{path}: no such file or folder"))
    return list(dict.fromkeys(files)), bad


@app.command()
def load(ctx: typer.Context,
         paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
         json_out: JsonOption = False) -> None:
    """Load documents (.txt .pdf .docx .xlsx); prints what each one yielded and its problems.

    Exit code 1 if any document failed; the others are loaded all the same.
    """
    from loaders.pipeline import LoadError, load_document
    from store.ladybug import StoreError, open_store
    from store.writer import write

    settings = settings_of(ctx)
    files, reports = collect_files(paths)
    if not files and not reports:
        err.print("No documents found (supported: " + " ".join(SUPPORTED_SUFFIXES) + ").")
        raise typer.Exit(1)
    try:
        store = open_store(settings.ladybug_path)
    except StoreError as e:
        err.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(1) from e
    pending: list[tuple[report.DocumentReport, Any]] = []

    def flush() -> None:
        outcomes = write(store, [records for _, records in pending])
        for (rep, _), outcome in zip(pending, outcomes, strict=True):
            if not outcome.ok:
                rep.fail(outcome.error or "not written")
        pending.clear()

    with store, _progress(len(files)) as (progress, task):
        for path in files:
            progress.update(task, description=path.name)
            try:
                records = load_document(path)
            except LoadError as e:
                reports.append(report.failed(path, str(e)))
            else:
                rep = report.from_records(path, records)
                reports.append(rep)
                pending.append((rep, records))
                if len(pending) >= WRITE_BATCH:
                    flush()
            progress.advance(task)
        if pending:
            flush()
    if json_out:
        _print_json([r.as_dict() for r in reports])
    else:
        for r in reports:
            report.print_report(out, r)
        report.print_totals(out, reports)
    if any(not r.ok for r in reports):
        raise typer.Exit(1)


@contextmanager
def _progress(total: int) -> Iterator[tuple[Progress, TaskID]]:
    """A progress bar on stderr, shown only on a terminal."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        console=err, transient=True, disable=not err.is_terminal)
    with progress:
        yield progress, progress.add_task("loading", total=total)


# ------------------------------------------------------------------------------------------
# cypher
# ------------------------------------------------------------------------------------------


def parse_params(items: Iterable[str] | None) -> dict[str, Any]:
    """``k=v`` gives the text v; ``k:=v`` gives v read as JSON (10, 2.5, true, [1, 2]).

    Text is the default because codes look like numbers but are text (``code=201``), and
    the engine compares a text parameter with a number property by converting it.
    """
    params: dict[str, Any] = {}
    for item in items or ():
        key, sep, raw = item.partition("=")
        if not sep or not key.strip(":").strip():
            raise typer.BadParameter(f"{item!r}: expected k=v or k:=json", param_hint="-p")
        if key.endswith(":"):
            try:
                params[key[:-1].strip()] = json.loads(raw)
            except ValueError as e:
                raise typer.BadParameter(f"{item!r}: {raw!r} is not JSON ({e})",
                                         param_hint="-p") from e
        else:
            params[key.strip()] = raw
    return params


@app.command()
def cypher(ctx: typer.Context,
           query: Annotated[str, typer.Argument(help="A Cypher query.")],
           param: ParamOption = None,
           json_out: JsonOption = False) -> None:
    """Run a Cypher query on the embedded graph (read-only)."""
    from store.ladybug import StoreError, open_store

    settings = settings_of(ctx)
    params = parse_params(param)
    try:
        with open_store(settings.ladybug_path, read_only=True,
                        timeout_ms=settings.query_timeout_ms) as store:
            rows = store.query(query, params)
    except StoreError as e:
        err.print(f"[red]{escape(str(e))}[/]", highlight=False)
        raise typer.Exit(1) from e
    if json_out:
        _print_json(rows)
    else:
        print_rows(rows)


def print_rows(rows: list[dict[str, Any]]) -> None:
    """Rows as a table (or a note that there are none)."""
    if not rows:
        out.print("(no rows)")
        return
    table = Table(*rows[0].keys(), show_lines=False)
    for row in rows:
        table.add_row(*(_cell(v) for v in row.values()))
    out.print(table)
    out.print(f"{len(rows)} row(s)", style="dim")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=json_default)
    return str(value)


# ------------------------------------------------------------------------------------------
# check (the report lives in fiscal_kg/check.py)
# ------------------------------------------------------------------------------------------


@app.command()
def check(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Validation report: identities that do not hold, with provenance."""
    from fiscal_kg.check import check_command

    check_command(settings_of(ctx).data_dir, json_out)


# ------------------------------------------------------------------------------------------
# output helpers
# ------------------------------------------------------------------------------------------


def json_default(value: Any) -> Any:
    """JSON for what the engines return beyond plain JSON types."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Path):
        return str(value)
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=json_default) + "\n")
    sys.stdout.flush()
