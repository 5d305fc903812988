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
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from fiscal_kg import config, report
from fiscal_kg.loading import SUPPORTED_SUFFIXES

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


class StoreKind(StrEnum):
    """Where ``load`` writes: the embedded graph under the data directory, or a Neo4j server."""

    ladybug = "ladybug"
    neo4j = "neo4j"


@app.command()
def load(ctx: typer.Context,
         paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive).")],
         json_out: JsonOption = False,
         store_kind: Annotated[StoreKind, typer.Option(
             "--store", help="ladybug: the embedded graph in the data directory; neo4j: the "
                             "server named by NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD."
         )] = StoreKind.ladybug) -> None:
    """Load documents (.txt .pdf .docx .xlsx); prints what each one yielded and its problems.

    The embedded graph and the RDF store under the data directory are written together.
    Exit code 1 if any document failed; the others are loaded all the same.
    """
    from fiscal_kg.loading import StoreOpenError, collect_files, load_files, open_stores

    settings = settings_of(ctx)
    files, reports = collect_files(paths)
    if not files and not reports:
        err.print("No documents found (supported: " + " ".join(SUPPORTED_SUFFIXES) + ").")
        raise typer.Exit(1)
    try:
        with open_stores(settings, store_kind.value) as stores, \
                _progress(len(files)) as (progress, task):
            def advance(path: Path) -> None:
                progress.update(task, description=path.name)
                progress.advance(task)

            reports.extend(load_files(stores, files, on_file=advance))
    except StoreOpenError as e:
        raise fail(e) from e
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
        raise fail(e) from e
    emit_rows(rows, json_out)


def fail(e: Exception) -> typer.Exit:
    """Print an error (never a traceback) and give the exit to raise: status 1."""
    err.print(f"[red]{escape(str(e))}[/]", highlight=False)
    return typer.Exit(1)


def emit_rows(rows: list[dict[str, Any]], json_out: bool) -> None:
    """Rows as JSON on stdout (``--json``) or as a table."""
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
# sparql, export, validate (the RDF store lives in store/oxigraph.py)
# ------------------------------------------------------------------------------------------


@app.command()
def sparql(ctx: typer.Context,
           query: Annotated[str, typer.Argument(help="A SPARQL 1.1 query.")],
           json_out: JsonOption = False) -> None:
    """Run a SPARQL query on the RDF store (read-only: SELECT, ASK, CONSTRUCT, DESCRIBE).

    The common prefixes (fkg:, skos:, rdfs:, qb: …) are predefined; the ontology is queryable
    along with the data (e.g. fkg:Amount rdfs:label ?l).
    """
    from store.oxigraph import RdfStoreError
    from store.oxigraph import open_store as open_rdf

    settings = settings_of(ctx)
    try:
        with open_rdf(settings.rdf_path, base=settings.base, read_only=True) as rdf:
            rows = rdf.rows(query)
    except RdfStoreError as e:
        raise fail(e) from e
    emit_rows(rows, json_out)


class ExportFormat(StrEnum):
    """What ``export`` writes: RDF from the RDF store, or the property graph for other tools."""

    ttl = "ttl"
    jsonld = "jsonld"
    graphml = "graphml"
    gexf = "gexf"
    neo4j_csv = "neo4j-csv"


@app.command()
def export(ctx: typer.Context,
           fmt: Annotated[ExportFormat, typer.Argument(
               metavar="FORMAT", help="ttl | jsonld (RDF data) | graphml | gexf (for Gephi) | "
                                      "neo4j-csv (a folder for neo4j-admin import).")],
           out_path: Annotated[Path, typer.Argument(
               metavar="OUT", help="File to write (a folder for neo4j-csv).")]) -> None:
    """Export the knowledge graph: ttl, jsonld, graphml, gexf or neo4j-csv."""
    from store.export import export as run_export
    from store.ladybug import StoreError
    from store.oxigraph import RdfStoreError

    settings = settings_of(ctx)
    try:
        result = run_export(fmt.value, out_path, ladybug_path=settings.ladybug_path,
                            rdf_path=settings.rdf_path, base=settings.base)
    except (StoreError, RdfStoreError, OSError) as e:
        raise fail(e) from e
    if result.triples:
        out.print(f"{result.path}: {result.triples} triples ({result.format})")
    else:
        files = f", {result.files} files" if result.files > 1 else ""
        out.print(f"{result.path}: {result.nodes} nodes, {result.edges} edges "
                  f"({result.format}{files})")


@app.command()
def validate(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """SHACL validation of the RDF store with ontology/shapes.ttl; exit 1 on violations."""
    from store.oxigraph import RdfStoreError
    from store.oxigraph import open_store as open_rdf
    from store.shacl import validate_store

    settings = settings_of(ctx)
    try:
        with open_rdf(settings.rdf_path, base=settings.base, read_only=True) as rdf:
            results = validate_store(rdf)
    except RdfStoreError as e:
        raise fail(e) from e
    violations = [r for r in results if r.severity == "Violation"]
    if json_out:
        _print_json([r.as_dict() for r in results])
    elif results:
        for r in results:  # one line each: focus node, path, message (and the value)
            value = f" (value: {r.value})" if r.value is not None else ""
            out.print(escape(f"{r.severity}: {r.focus}  {r.path or '-'}: {r.message}{value}"),
                      highlight=False)
        out.print(f"{len(violations)} violation(s), {len(results) - len(violations)} other "
                  "result(s)")
    else:
        out.print("The RDF data conforms to the shapes (0 violations).")
    if violations:
        raise typer.Exit(1)


# ------------------------------------------------------------------------------------------
# check (the report lives in fiscal_kg/check.py)
# ------------------------------------------------------------------------------------------


@app.command()
def check(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Validation report: identities that do not hold, with provenance."""
    from fiscal_kg.check import check_command

    check_command(settings_of(ctx).data_dir, json_out)


# ------------------------------------------------------------------------------------------
# query (the library lives in queries/, running it in fiscal_kg/query.py)
# ------------------------------------------------------------------------------------------


class QueryEngine(StrEnum):
    """Which store answers a named query: the property graph (Cypher) or RDF (SPARQL)."""

    cypher = "cypher"
    sparql = "sparql"


@app.command("query")
def query_command(
        ctx: typer.Context,
        name: Annotated[str | None, typer.Argument(
            help="A named query (see --list).", show_default=False)] = None,
        param: ParamOption = None,
        engine: Annotated[QueryEngine, typer.Option(
            "--engine", help="cypher: the embedded graph; sparql: the RDF store.")
        ] = QueryEngine.cypher,
        list_queries: Annotated[bool, typer.Option(
            "--list", help="List the named queries with their parameters and an example.")
        ] = False,
        json_out: JsonOption = False) -> None:
    """Run a named query from the library (the same rows on either engine)."""
    from queries import QueryError, all_queries

    if list_queries:
        try:
            entries = [q.as_dict() for q in all_queries()]
        except QueryError as e:
            raise fail(e) from e
        if json_out:
            _print_json(entries)
        else:
            _print_query_list(entries)
        return
    if not name:
        err.print("Name a query (fiscal-kg query --list shows them).")
        raise typer.Exit(2)
    from fiscal_kg.query import run

    try:
        rows = run(name, parse_params(param), engine=engine.value, settings=settings_of(ctx))
    except QueryError as e:
        raise fail(e) from e
    emit_rows(rows, json_out)


def _print_query_list(entries: list[dict[str, Any]]) -> None:
    """The library as a table: name, description, parameters (type = default), example."""
    table = Table("name", "description", "parameters", "example", show_lines=True)
    for e in entries:
        params = "\n".join(f"{p['name']} ({p['type']}) = {p['default']!r}"
                           for p in e["parameters"])
        example = " ".join(f"-p {k}={v}" for k, v in e["example"].items())
        table.add_row(e["name"], e["description"], params, example)
    out.print(table)


# ------------------------------------------------------------------------------------------
# serve (the API lives in api/)
# ------------------------------------------------------------------------------------------


@app.command()
def serve(ctx: typer.Context,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          store_kind: Annotated[StoreKind, typer.Option(
              "--store", help="The property graph the API reads: the embedded one in the "
                              "data directory, or the Neo4j server of NEO4J_URI.")
          ] = StoreKind.ladybug,
          timeout_ms: Annotated[int, typer.Option(
              "--query-timeout-ms", help="Time limit of every query.")] = 15_000,
          max_rows: Annotated[int, typer.Option(
              "--max-rows", help="Rows a query endpoint returns before truncating.")
          ] = 10_000) -> None:
    """Serve the HTTP API and the web explorer (entity IRIs: $FISCAL_KG_BASE, else this
    server's own address; uploads need $FISCAL_KG_TOKEN)."""
    import uvicorn

    from api.app import create_app
    from api.deps import ApiSettings, Limits

    settings = ApiSettings.from_env(
        settings_of(ctx), base=f"http://{host}:{port}", store=store_kind.value,
        limits=Limits(query_timeout_ms=timeout_ms, max_rows=max_rows))
    err.print(f"fiscal-kg API on http://{host}:{port}/ (data {settings.data.data_dir}, "
              f"IRIs {settings.base}/id/…, docs /docs)", highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                h11_max_incomplete_event_size=settings.limits.head_bytes)


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
